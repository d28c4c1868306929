"""The commands about one or several projections: run, compare, scenarios, parameters, tables and
bond (price and yield of a plain Treasury)."""

from __future__ import annotations

import argparse
from pathlib import Path

from runners.cli import common
from runners.cli.common import (
    add_baseline,
    add_calibration,
    add_changes,
    add_force,
    for_scenario,
    out_folder,
    parse_set,
)
from runners.core.errors import SnowballError


def cmd_run(args: argparse.Namespace) -> int:
    """snowball run SCENARIO [--until YEAR] [--set NAME=VALUE ...] [--out DIR]."""
    from runners.core.outputs import (
        atomic_dir,
        check_inputs_outside,
        check_target,
        column_table,
        output_name,
        write_csv,
        write_json,
    )
    from runners.projection import run as runmod
    from runners.scenario.scenarios import load_scenario

    scenario = load_scenario(args.scenario)
    overrides = parse_set(args.set or [])
    out = Path(args.out) if args.out else common.REPORTS / "runs" / output_name(scenario.name, "scenario")
    check_target(out, args.force)
    check_inputs_outside(out, [scenario.path])
    result = runmod.run(
        scenario,
        until=args.until,
        overrides=overrides,
        baseline=args.baseline,
        calibration=args.calibration,
        paths=args.path or None,
    )
    with atomic_dir(out, args.force) as tmp:
        write_csv(result.results, tmp / "results.csv")
        write_csv(column_table(), tmp / "columns.csv")
        manifest = result.manifest(args.command_line)
        manifest["milestones"] = result.milestones
        if args.charts:
            from runners.report.run_charts import plot_result, write_run_charts

            written = write_run_charts(plot_result(result), tmp / "charts")  # against the baseline
            manifest["charts"] = sorted(f"charts/{p.name}" for p in written)
        write_json(manifest, tmp / "run.json")
    print(f"{scenario.title}\nBaseline vintage: {result.inputs.vintage} ({result.inputs.title})")
    if overrides:
        print("with --set " + ", ".join(f"{k} = {v:g}" for k, v in overrides.items()))
    if result.scenario.paths:
        print("with --path " + ", ".join(result.scenario.paths))
    print()
    from runners.projection.headline import format_table, headline

    print(format_table(headline(result)))
    print("\n" + common.wrote(out))
    if args.charts:
        print(f"charts in {out}/charts/: debt_to_gdp, spending, rates and r_minus_g (PNG and SVG)")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    """snowball scenarios: the built-in scenarios with their titles."""
    from runners.scenario.scenarios import builtin_names, load_scenario, scenarios_dir

    names = builtin_names()
    if not names:
        raise SnowballError(f"{scenarios_dir()}: no scenario files (*.toml) in the scenarios folder")
    width = max(len(n) for n in names)
    for name in names:
        print(f"{name:<{width}}  {load_scenario(name).title}")
    return 0


def cmd_parameters(args: argparse.Namespace) -> int:
    """snowball parameters [--format F] [--baseline V]: settable constants, defaults, units, ranges."""
    from runners.report.listings import format_table, parameter_table

    print(format_table(parameter_table(args.baseline), args.format))
    return 0


def cmd_tables(args: argparse.Namespace) -> int:
    """snowball tables [--format F] [--baseline V]: input tables a scenario may change."""
    from runners.report.listings import format_table, input_table_table

    print(format_table(input_table_table(args.baseline), args.format))
    return 0


def cmd_bond(args: argparse.Namespace) -> int:
    """snowball bond --coupon C --years N (--price P | --yield Y) [--face F] [--frequency K]."""
    from runners.scenario import bond

    if (args.price is None) == (args.yield_ is None):
        raise SnowballError("give exactly one of --price or --yield")
    per = f"$ per ${args.face:g} face"  # prices are dollars per the face value, as in results.csv
    what = (
        f"{args.coupon:g}% coupon, {args.years:g} year{'' if args.years == 1 else 's'}, face ${args.face:g}, "
        f"{args.frequency} coupon{'' if args.frequency == 1 else 's'} a year"
    )
    if args.price is not None:
        y = bond.yield_from_price(args.coupon, args.years, args.price, args.face, args.frequency)
        print(f"yield {y:.1f}% ({y:.4f}%) for a price of {args.price:g} ({per}): {what}")
    else:
        p = bond.price(args.coupon, args.years, args.yield_, args.face, args.frequency)
        print(f"price {p:.2f} ({per}; {p:.6f}) at a yield of {args.yield_:g}%: {what}")
    return 0


COMPARE_NAME_MAX = 60  # characters: longer "A-vs-B-..." names become "compare-HASH"


def compare_name(names: list[str]) -> str:
    """The default folder name of a comparison: "A-vs-B", or "compare-<hash>" when that is long.

    The scenario list itself is recorded in the folder's run.json.
    """
    import hashlib

    from runners.core.outputs import output_name

    name = "-vs-".join(output_name(n, "scenario") for n in names)
    if len(name) <= COMPARE_NAME_MAX:
        return name
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:10]
    return f"compare-{len(names)}-scenarios-{digest}"


def cmd_compare(args: argparse.Namespace) -> int:
    """snowball compare A B ... [--until YEAR] [--out DIR]: headline numbers side by side."""
    from runners.analysis.compare import compare_table, format_compare, ranges_file
    from runners.core.outputs import atomic_dir, check_inputs_outside, check_target, write_csv, write_json
    from runners.projection import run as runmod
    from runners.projection.manifest import scenario_record
    from runners.projection.params import with_changes
    from runners.projection.supply import selloff_range_table
    from runners.scenario.scenarios import check_distinct, load_scenario, rebase
    from runners.scenario.supply_effects import RANGE_YEAR, describe

    loaded = [rebase(load_scenario(s), args.baseline) for s in args.scenarios]
    check_distinct(loaded)
    names = [s.name for s in loaded]
    sets, paths = for_scenario(args.set, names, "--set"), for_scenario(args.path, names, "--path")
    scenarios = [
        with_changes(
            s,
            parse_set(sets.get(None, []) + sets.get(s.name, [])),
            paths.get(None, []) + paths.get(s.name, []),
        )
        for s in loaded
    ]
    default = common.REPORTS / "compare" / compare_name([s.name for s in scenarios])
    out = Path(args.out) if args.out else default
    check_target(out, args.force)
    check_inputs_outside(out, [s.path for s in scenarios])
    results = [
        runmod.run(s, until=args.until, baseline=args.baseline, calibration=args.calibration)
        for s in scenarios
    ]
    table = compare_table(results)
    year = min(RANGE_YEAR, args.until)  # within the horizon asked for
    ranges = selloff_range_table(scenarios, year, baseline=args.baseline)
    with atomic_dir(out, args.force) as tmp:
        write_csv(table, tmp / "compare.csv")
        if len(ranges):
            write_csv(ranges_file(ranges, year), tmp / "ranges.csv")
        manifest = results[0].manifest(args.command_line)
        for key in ("scenario", "data_vintage", "data_files"):  # the first scenario's: one per run below
            manifest.pop(key)
        manifest["scenarios"] = [s.name for s in scenarios]
        if args.charts:
            from runners.report.run_charts import compare_charts, write_run_charts

            written = write_run_charts(compare_charts(results), tmp / "charts")
            manifest["charts"] = sorted(f"charts/{p.name}" for p in written)
        manifest["runs"] = [
            {"scenario": r.scenario.name}
            | {k: v for k, v in scenario_record(r.scenario).items() if k != "name"}
            | {"data_vintage": r.inputs.vintage, "data_files": r.inputs.files}
            for r in results
        ]
        write_json(manifest, tmp / "run.json")
    vintages = dict.fromkeys(r.inputs.vintage for r in results)
    if len(vintages) == 1:
        print(f"Baseline vintage: {results[0].inputs.vintage} ({results[0].inputs.title})\n")
    else:
        each = ", ".join(f"{r.scenario.name} on {r.inputs.vintage}" for r in results)
        print(f"Baseline vintages: {each}\n")
    print(format_compare(table, results[0].until))
    if len(ranges):
        print("\nSell-off scenarios, central calibration with the low-high range (data/calibration/):")
        for name, row in ranges.iterrows():
            print(f"  {name}: {describe(row, year)}")
    print("\n" + common.wrote(out))
    if args.charts:
        print(
            f"charts in {out}/charts/: debt/GDP of every scenario, and each one's spending, rates and r - g"
        )
    return 0


def add_run(sub) -> None:
    """``snowball run``."""
    p = sub.add_parser("run", help="project one scenario and write results.csv, columns.csv and run.json")
    p.add_argument("scenario", help="a built-in scenario name or the path of a scenario .toml")
    p.add_argument(
        "--until",
        type=int,
        default=2055,
        help="final fiscal year, after the vintage's start, up to 2100 (default 2055)",
    )
    add_changes(p)
    p.add_argument(
        "--charts",
        action="store_true",
        help="also write charts/ (PNG and SVG): debt/GDP with history against the baseline, net interest "
        "beside the largest spending lines, the average rate and the yields, r - g; titled for this run",
    )
    p.add_argument("--out", type=out_folder, help="output folder (default reports/runs/SCENARIO/)")
    add_baseline(p)
    add_force(p)
    p.set_defaults(func=cmd_run)
    add_calibration(p)


def add_listings(sub) -> None:
    """``snowball scenarios``, ``snowball parameters`` and ``snowball tables``."""
    p = sub.add_parser("scenarios", help="list the built-in scenarios")
    p.set_defaults(func=cmd_scenarios)

    for name, func, what in (
        (
            "parameters",
            cmd_parameters,
            "list the model constants that can be set: default, unit, range, description",
        ),
        ("tables", cmd_tables, "list the input tables a scenario may change: unit, years, range of defaults"),
    ):
        p = sub.add_parser(name, help=what)
        p.add_argument("--format", choices=("text", "csv", "markdown"), default="text", help="output format")
        p.add_argument(
            "--baseline", metavar="VINTAGE", help="defaults from this data vintage (default: baseline's)"
        )
        p.set_defaults(func=func)


def add_bond(sub) -> None:
    """``snowball bond``."""
    p = sub.add_parser("bond", help="convert between price and yield for a plain Treasury")
    p.add_argument("--coupon", type=float, required=True, help="coupon, %% of face a year")
    p.add_argument("--years", type=float, required=True, help="years to maturity")
    p.add_argument("--price", type=float, help="price per --face (give this or --yield)")
    p.add_argument("--yield", dest="yield_", type=float, help="yield, %% a year (give this or --price)")
    p.add_argument("--face", type=float, default=100.0, help="face value (default 100)")
    p.add_argument("--frequency", type=int, default=2, help="coupons a year (default 2, as Treasury pays)")
    p.set_defaults(func=cmd_bond)


def add_compare(sub) -> None:
    """``snowball compare``."""
    p = sub.add_parser("compare", help="headline numbers of several scenarios side by side")
    p.add_argument("scenarios", nargs="+", help="scenario names or files; differences are from the first")
    p.add_argument("--until", type=int, default=2055, help="final fiscal year (default 2055)")
    add_changes(p, per_scenario=True)
    p.add_argument(
        "--charts",
        action="store_true",
        help="also write charts/: debt/GDP of every scenario, and each one's spending, rates and r - g",
    )
    p.add_argument("--out", type=out_folder, help="output folder (default reports/compare/A-vs-B/)")
    add_baseline(p)
    add_force(p)
    p.set_defaults(func=cmd_compare)
    add_calibration(p)
