"""``snowball brief``: the briefing pack."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runners.cli import common
from runners.cli.common import add_baseline, add_calibration, add_changes, add_force, out_folder, parse_set
from runners.core.errors import printable


def cmd_brief(args: argparse.Namespace) -> int:
    """snowball brief [SCENARIO ...] [--out DIR] [--sweeps NAME ...] [--baseline V] [--calibration C]:
    the briefing pack."""
    from runners.core.outputs import check_inputs_outside, check_target
    from runners.report.brief import default_scenarios, write_brief
    from runners.scenario.scenarios import check_distinct, load_scenario, rebase

    scenarios = [rebase(load_scenario(s), args.baseline) for s in args.scenarios or default_scenarios()]
    check_distinct(scenarios)
    out = Path(args.out) if args.out else common.REPORTS / "briefing"
    check_target(out, args.force)
    check_inputs_outside(out, [s.path for s in scenarios])
    written = write_brief(
        args.scenarios or None,
        out,
        until=args.until,
        command=args.command_line,
        sweeps=args.sweeps,
        baseline=args.baseline,
        calibration=args.calibration,
        force=args.force,
        overrides=parse_set(args.set or []),
        paths=args.path,
        log=lambda text: print(f"snowball brief: {printable(text)}", file=sys.stderr, flush=True),
    )
    print(f"wrote the briefing to {written}")
    return 0


def add_brief(sub) -> None:
    """``snowball brief``."""
    p = sub.add_parser("brief", help="project scenarios and write a briefing pack (HTML, charts, tables)")
    p.add_argument(
        "scenarios",
        nargs="*",
        help="scenario names or files (default: baseline, japan-selloff, japan-selloff-fed, "
        "japan-gradual, fiscal-reform)",
    )
    p.add_argument("--until", type=int, default=2055, help="final fiscal year (default 2055)")
    add_changes(p)
    p.add_argument("--out", type=out_folder, help="output folder (default reports/briefing/)")
    p.add_argument(
        "--sweeps",
        nargs="+",
        default=[],
        metavar="NAME",
        help="sweep results in reports/sweeps/ to add as sensitivity charts (default: none)",
    )
    add_baseline(p)
    add_force(p)
    p.set_defaults(func=cmd_brief)
    add_calibration(p)
