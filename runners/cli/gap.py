"""``snowball gap``: the primary-balance adjustment that brings debt/GDP to a goal (the fiscal gap)."""

from __future__ import annotations

import argparse
from pathlib import Path

from runners.analysis.gap import check_probability, gap, question, with_baseline
from runners.cli.common import add_calibration, add_changes, add_force, out_folder, parse_set
from runners.core.errors import SnowballError
from runners.report.gap import format_gap, write_gap


def cmd_gap(args: argparse.Namespace) -> int:
    """snowball gap [SCENARIO] (--target PCT | --stabilise) --by YEAR [...]: the fiscal gap: solve,
    print the answer and write the output folder."""
    from runners.core.outputs import check_inputs_outside, check_target, output_name
    from runners.core.paths import REPORTS
    from runners.scenario.scenarios import load_scenario
    from runners.sweep.spec import check_workers, load_spec, usable_cores

    check_workers(args.workers)
    if args.probability is not None:
        check_probability(args.probability)
    if (args.probability is None) != (args.sweep is None):
        raise SnowballError("--probability and --sweep go together: give both or neither")
    from runners.projection.params import with_changes

    scenario = with_changes(
        with_baseline(load_scenario(args.scenario), args.baseline), parse_set(args.set or []), args.path
    )
    q = question(
        scenario,
        args.by,
        target=None if args.stabilise else args.target,
        start=args.start,
        until=args.until,
        instrument=args.instrument,
        phase_in=args.phase_in,
        calibration=args.calibration,
    )
    spec = load_spec(args.sweep) if args.sweep else None
    if spec is not None and spec.method != "monte-carlo":  # only a Monte Carlo sweep is a distribution
        raise SnowballError(
            f"--sweep {args.sweep}: method '{spec.method}' samples a design, not a distribution, so "
            'a share of its runs is no probability; give a Monte Carlo spec (method = "monte-carlo"), '
            "e.g. --sweep monte-carlo"
        )
    workers = args.workers if args.workers is not None else min(usable_cores(), 2)
    out = Path(args.out) if args.out else REPORTS / "gap" / output_name(scenario.name, "scenario")
    check_target(out, args.force)
    check_inputs_outside(out, [scenario.path, spec.path if spec else None])
    result = gap(q, args.probability, spec, workers)
    write_gap(result, out, args.command_line, args.force)
    print(format_gap(result))
    files = "gap.csv, path.csv, results.csv, gap.png and manifest.json"
    print(f"\nwrote {out}/: {files} ({result.seconds:.1f} s)")
    return 0


def add_gap(sub) -> None:
    """``snowball gap``."""
    p = sub.add_parser(
        "gap", help="the primary-balance adjustment that brings debt/GDP to a goal (fiscal gap)"
    )
    p.add_argument("scenario", nargs="?", default="baseline", help="scenario name or file (default baseline)")
    goal = p.add_mutually_exclusive_group(required=True)
    goal.add_argument("--target", type=float, metavar="PCT", help="debt/GDP to reach in --by, %% of GDP")
    goal.add_argument("--stabilise", action="store_true", help="keep debt/GDP from rising after --by")
    add_changes(p)
    p.add_argument("--by", type=int, required=True, metavar="YEAR", help="fiscal year of the goal")
    p.add_argument("--from", dest="start", type=int, metavar="YEAR", help="first adjusted fiscal year")
    p.add_argument("--until", type=int, metavar="YEAR", help="last fiscal year run (default 2055 or later)")
    p.add_argument(
        "--instrument",
        choices=("revenue", "spending", "both"),
        default="both",
        help="higher revenues, lower noninterest spending, or half each (default)",
    )
    p.add_argument("--baseline", metavar="VINTAGE", help="baseline data vintage, e.g. cbo-2025-01")
    p.add_argument("--phase-in", type=float, default=0.0, metavar="YEARS", help="linear ramp, years")
    p.add_argument("--probability", type=float, metavar="P", help="share of --sweep draws meeting the goal")
    p.add_argument("--sweep", metavar="SPEC", help="sweep spec whose draws the probability counts")
    p.add_argument("--workers", type=int, metavar="N", help="processes for --sweep (default: up to 2 cores)")
    p.add_argument(
        "--out", type=out_folder, metavar="DIR", help="output folder (default reports/gap/SCENARIO/)"
    )
    add_force(p)
    add_calibration(p)
    p.set_defaults(func=cmd_gap)
