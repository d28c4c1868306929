"""The commands about history and the data: vintages, backtest and rules-of-thumb."""

from __future__ import annotations

import argparse
from pathlib import Path

from runners.cli import common
from runners.cli.common import add_baseline, add_force, out_folder


def cmd_vintages(args: argparse.Namespace) -> int:
    """snowball vintages: the baseline vintages with their publication and start dates."""
    from runners.inputs.vintage import DEFAULT_VINTAGE, available_vintages, vintage_meta

    rows = [("vintage", "published", "start", "last CBO year", "title")]
    for name in available_vintages():
        meta = vintage_meta(name)
        mark = " (default)" if name == DEFAULT_VINTAGE else ""
        rows.append(
            (
                name + mark,
                str(meta.get("published", "")),
                f"30 Sep {meta['first_year']}",
                f"FY{meta['last_projection_year']}",
                meta["title"],
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(f"{r[i]:<{widths[i]}}" for i in range(4)) + "  " + r[4])
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    """snowball backtest --start YEAR [--until YEAR] [--out DIR]: the model over history vs actuals."""
    from runners.analysis import backtest as bt
    from runners.core.outputs import check_target
    from runners.report.backtest import write_backtest

    out = Path(args.out) if args.out else common.REPORTS / "backtests" / f"from-{args.start}"
    check_target(out, args.force)
    result = bt.backtest(args.start, args.until)
    write_backtest(result, out, args.command_line, args.force)
    print(bt.format_backtest(result))
    print("\n" + common.wrote(out))
    return 0


def cmd_rules_of_thumb(args: argparse.Namespace) -> int:
    """snowball rules-of-thumb [--baseline VINTAGE] [--out DIR]: CBO's rules of thumb, the model's version."""
    from runners.analysis.rules_of_thumb import rules_of_thumb
    from runners.core.outputs import check_target
    from runners.core.paths import REPORTS
    from runners.inputs.vintage import DEFAULT_VINTAGE
    from runners.report.rules_of_thumb import format_rules, write_rules

    vintage = args.baseline or DEFAULT_VINTAGE
    out = Path(args.out) if args.out else REPORTS / "rules-of-thumb" / vintage
    check_target(out, args.force)
    result = rules_of_thumb(vintage)
    write_rules(result, out, args.force, args.command_line)
    print(format_rules(result))
    print(f"\nwrote {out}/: rules_of_thumb.csv and run.json")
    return 0


def add_vintages(sub) -> None:
    """``snowball vintages``."""
    p = sub.add_parser("vintages", help="list the baseline vintages (CBO projections and their start dates)")
    p.set_defaults(func=cmd_vintages)


def add_backtest(sub) -> None:
    """``snowball backtest``."""
    p = sub.add_parser(
        "backtest", help="run the model over history from actual data and compare with actuals"
    )
    p.add_argument(
        "--start",
        type=int,
        required=True,
        help="first fiscal year simulated (from 30 Sep of the year before)",
    )
    p.add_argument("--until", type=int, help="last fiscal year (default: the last actual, FY2025)")
    p.add_argument("--out", type=out_folder, help="output folder (default reports/backtests/from-START/)")
    add_force(p)
    p.set_defaults(func=cmd_backtest)


def add_rules_of_thumb(sub) -> None:
    """``snowball rules-of-thumb``."""
    p = sub.add_parser(
        "rules-of-thumb",
        help="CBO's rules of thumb for the economy (+0.1 pp on rates, productivity, labour force, "
        "inflation), the model's ten-year deficit effect beside CBO's figure",
    )
    add_baseline(p)
    p.add_argument("--out", type=out_folder, help="output folder (default reports/rules-of-thumb/VINTAGE/)")
    add_force(p)
    p.set_defaults(func=cmd_rules_of_thumb)
