"""The `snowball` command line: run scenarios, list them, write briefings.

Every user error is one line on stderr and exit status 2; nothing half-written is left behind.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import signal
import sys
from pathlib import Path
from typing import TextIO

from runners import __version__
from runners.core.errors import SnowballError, printable
from runners.core.paths import REPORTS


def _parse_set(items: list[str]) -> dict[str, float]:
    """``--set NAME=VALUE`` items, checked by the same function as the Python API and scenarios."""
    from runners.scenario.scenarios import check_overrides

    raw: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise SnowballError(f"--set {item!r}: expected NAME=VALUE, e.g. --set 'yield shift=1'")
        name, value = (s.strip() for s in item.split("=", 1))
        if name in raw:
            raise SnowballError(f"--set '{name}' is given twice; set each constant once")
        raw[name] = value
    return check_overrides(raw, "--set")


def wrote(out: Path) -> str:
    """``wrote OUT/: a, b and c``: every file a command wrote, from the folder itself."""
    names = sorted(p.name for p in Path(out).iterdir() if p.is_file() and not p.name.startswith("."))
    listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
    return f"wrote {out}/: {listed}"


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
    from runners.projection.headline import format_table, headline
    from runners.scenario.scenarios import load_scenario

    scenario = load_scenario(args.scenario)
    overrides = _parse_set(args.set or [])
    out = Path(args.out) if args.out else REPORTS / "runs" / output_name(scenario.name, "scenario")
    check_target(out, args.force)
    check_inputs_outside(out, [scenario.path])
    result = runmod.run(
        scenario, until=args.until, overrides=overrides, baseline=args.baseline, calibration=args.calibration
    )
    with atomic_dir(out, args.force) as tmp:
        write_csv(result.results, tmp / "results.csv")
        write_csv(column_table(), tmp / "columns.csv")
        manifest = result.manifest(args.command_line)
        manifest["milestones"] = result.milestones
        write_json(manifest, tmp / "run.json")
    print(f"{scenario.title}\nBaseline vintage: {result.inputs.vintage} ({result.inputs.title})")
    if overrides:
        print("with --set " + ", ".join(f"{k} = {v:g}" for k, v in overrides.items()))
    print()
    print(format_table(headline(result)))
    print("\n" + wrote(out))
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


def cmd_check(args: argparse.Namespace) -> int:
    """snowball check [--model PATH]: dimensional analysis of every equation; 1 if units disagree."""
    from runners.core.paths import MODEL_FILE
    from runners.mdl.units import check_units, format_report

    report = check_units(Path(args.model) if args.model else MODEL_FILE)
    print(format_report(report))
    return 1 if report.mismatches else 0


def cmd_model(args: argparse.Namespace) -> int:
    """snowball model --write-data | --write-sketch | --check: the data and the sketch in the .mdl."""
    from runners.mdl import sketch
    from runners.mdl.model_data import model_command

    if args.write_sketch:
        return sketch.sketch_command(write=True)
    status = model_command(write=args.write_data)
    if args.check:
        status = max(status, sketch.sketch_command(write=False))
    return status


def cmd_diagram(args: argparse.Namespace) -> int:
    """snowball diagram [--out DIR] [--format png|dot]: a stock-and-flow diagram of every view."""
    from runners.report.diagram import write_diagrams

    out = Path(args.out) if args.out else REPORTS / "diagrams"
    n, drawn = write_diagrams(out, args.format, args.force, args.command_line)
    kinds = "the .png drawings and their Graphviz .dot sources" if drawn else "Graphviz .dot sources"
    print(f"wrote {n} view diagrams ({kinds}) and manifest.json to {out}")
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
    from runners.projection.supply import selloff_range_table
    from runners.scenario.scenarios import check_distinct, load_scenario
    from runners.scenario.supply_effects import RANGE_YEAR, describe

    scenarios = [load_scenario(s) for s in args.scenarios]
    check_distinct(scenarios)
    out = Path(args.out) if args.out else REPORTS / "compare" / compare_name([s.name for s in scenarios])
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
    print("\n" + wrote(out))
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    """snowball brief [SCENARIO ...] [--out DIR] [--sweeps NAME ...] [--baseline V] [--calibration C]:
    the briefing pack."""
    from runners.core.outputs import check_inputs_outside, check_target
    from runners.report.brief import default_scenarios, write_brief
    from runners.scenario.scenarios import check_distinct, load_scenario, rebase

    scenarios = [rebase(load_scenario(s), args.baseline) for s in args.scenarios or default_scenarios()]
    check_distinct(scenarios)
    out = Path(args.out) if args.out else REPORTS / "briefing"
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
        log=lambda text: print(f"snowball brief: {printable(text)}", file=sys.stderr, flush=True),
    )
    print(f"wrote the briefing to {written}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """snowball sweep SPEC [--out DIR] [--workers N] [--scheduler ADDRESS] [--resume] [--draws N]
    [--seed S]."""
    from runners.core.outputs import check_inputs_outside
    from runners.report.sweep_drawing import SWEEP_CHARTS
    from runners.sweep.runner import run_sweep
    from runners.sweep.spec import check_workers, load_spec, spec_overrides

    overrides = spec_overrides(args.draws, args.seed)
    spec = load_spec(args.spec, baseline=args.baseline, calibration=args.calibration, overrides=overrides)
    check_workers(args.workers)
    if args.out:
        check_inputs_outside(Path(args.out), [spec.path, spec.scenario.path])
    result = run_sweep(
        spec,
        out=Path(args.out) if args.out else None,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        force=args.force,
        drawer=SWEEP_CHARTS,
    )
    print(
        f"{spec.title}: {result.n_runs:,} runs ({spec.method}) in {result.seconds:.1f} s "
        f"(baseline {spec.scenario.baseline})"
    )
    for name, o in spec.overrides.items():  # the title may quote the spec's own number of draws
        used, own = (
            f"{o[k]:,}" if isinstance(o[k], int) and name == "draws" else str(o[k])
            for k in ("command_line", "spec")
        )
        said = f"in place of the spec's {own}" if o["spec"] is not None else "(the spec gives none)"
        print(f"--{name} {used} {said} (recorded in manifest.json)")
    print()
    s = result.summary
    last = s["fiscal_year"].max()
    for var in ("debt_to_gdp", "net_interest_share_of_outlays"):
        for year in dict.fromkeys([2035, last]):
            row = s[(s["variable"] == var) & (s["fiscal_year"] == year)]
            if len(row):
                r = row.iloc[0]
                print(
                    f"{var} FY{year} ({r['unit']}): median {r['p50']:.1f}, 10-90th {r['p10']:.1f} to "
                    f"{r['p90']:.1f}, 5-95th {r['p5']:.1f} to {r['p95']:.1f}"
                )
    if result.calibration is not None and len(result.calibration):
        print("\nSpread of debt/GDP against CBO's historical projection errors (pp of GDP):")
        for _, r in result.calibration.iterrows():
            print(
                f"  {int(r['horizon_years']):>2} years out (FY{int(r['fiscal_year'])}) {r['statistic']:<11}"
                f" CBO {r['cbo']:6.1f}   Snowball {r['snowball']:6.1f}"
            )
    sens = result.sensitivity
    if "rank" in sens and len(sens):
        first = sens.iloc[0]
        sub = sens[(sens["variable"] == first["variable"]) & (sens["fiscal_year"] == first["fiscal_year"])]
        key = {"sobol": "ST", "morris": "mu_star"}.get(spec.method, "swing")
        print(
            f"\nInputs ranked by {key} ({ranking_unit(key, first['unit'])}) for {first['variable']} "
            f"in FY{first['fiscal_year']}:"
        )
        for _, r in sub.iterrows():
            extra = (
                f" (S1 {r['S1']:.3f} +/- {r['S1_conf']:.3f}, ST +/- {r['ST_conf']:.3f})"
                if key == "ST"
                else ""
            )
            print(f"  {int(r['rank']):>2}. {r['input']:<32} {r[key]:.3f}{extra}")
    elif "note" in sens and len(sens):
        first = sens.iloc[0]
        print(f"\nInputs not ranked for {first['variable']} in FY{first['fiscal_year']}: {first['note']}")
    print(f"\nwrote {result.out}")
    return 0


def ranking_unit(key: str, unit: str) -> str:
    """The unit of a sensitivity ranking: a Sobol index is a share of the output's variance; a
    swing (the median with the input in its top decile less that in its bottom decile) and
    Morris's mu* are changes in the output, in its ``unit`` (sensitivity.csv's), points where it is
    a percentage."""
    if key == "ST":
        return "total Sobol index, share of variance"
    return unit.replace("% of", "pp of") if unit.startswith("% of") else ("pp" if unit == "%" else unit)


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
    from runners.core.outputs import atomic_dir, check_target, write_csv, write_json

    out = Path(args.out) if args.out else REPORTS / "backtests" / f"from-{args.start}"
    check_target(out, args.force)
    result = bt.backtest(args.start, args.until)
    with atomic_dir(out, args.force) as tmp:
        write_csv(result.table.set_index("fiscal_year"), tmp / "backtest.csv")
        write_csv(result.result.results, tmp / "results.csv")
        bt.save_chart(result, tmp / "backtest.png")
        manifest = result.result.manifest(args.command_line)
        manifest["backtest"] = {"start": result.start, "until": result.until}
        write_json(manifest, tmp / "run.json")
    print(bt.format_backtest(result))
    print("\n" + wrote(out))
    return 0


def cmd_gap(args: argparse.Namespace) -> int:
    """snowball gap [SCENARIO] (--target PCT | --stabilise) --by YEAR [...]: the fiscal gap."""
    from runners.analysis.gap import command

    return command(args)


def cmd_rules_of_thumb(args: argparse.Namespace) -> int:
    """snowball rules-of-thumb [--baseline VINTAGE] [--out DIR]: CBO's rules of thumb, the model's version."""
    from runners.analysis.rules_of_thumb import command

    return command(args)


def one_line(text: str) -> str:
    """``text`` on one line: a message quoting a file's text or a path with a line break in it
    would otherwise print several lines."""
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


class Parser(argparse.ArgumentParser):
    """argparse with the CLI's one-line errors (no three-line usage dump)."""

    def error(self, message: str):  # type: ignore[override]
        """Print one line naming the command and how to get help; exit 2."""
        self.exit(2, f"snowball: error: {printable(one_line(message))} (see '{self.prog} --help')\n")


FORCE_HELP = (
    "replace an --out folder snowball wrote even when its files were edited since (their sha256 "
    "differs from the one its marker records); nothing else: never a user's file, a file git "
    "tracks, a link, a folder snowball did not write, a file, '.', '/', the home folder, the "
    "repository, data/ or models/"
)


def out_folder(text: str) -> str:
    """An --out value: refused when empty (an unset shell variable would otherwise silently mean
    the default folder, replacing an earlier output there)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path; give a folder, e.g. --out reports/mine")
    return text


def add_force(p: argparse.ArgumentParser) -> None:
    """The --force option every command with --out shares (see runners.core.outputs)."""
    p.add_argument("--force", action="store_true", help=FORCE_HELP)


def add_baseline(p: argparse.ArgumentParser) -> None:
    """The --baseline option of the commands that run scenarios."""
    p.add_argument(
        "--baseline",
        metavar="VINTAGE",
        help="baseline vintage (default: the scenario's; see 'snowball vintages')",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = Parser(prog="snowball", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"snowball {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="project one scenario and write results.csv, columns.csv and run.json")
    p.add_argument("scenario", help="a built-in scenario name or the path of a scenario .toml")
    p.add_argument(
        "--until",
        type=int,
        default=2055,
        help="final fiscal year, after the vintage's start, up to 2100 (default 2055)",
    )
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a model constant")
    p.add_argument("--out", type=out_folder, help="output folder (default reports/runs/SCENARIO/)")
    add_baseline(p)
    add_force(p)
    p.set_defaults(func=cmd_run)

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

    p = sub.add_parser("check", help="check the units of every equation of the model (exit 1 on a mismatch)")
    p.add_argument("--model", help="a Vensim .mdl (default models/snowball.mdl)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("model", help="write data/'s default-vintage values into the .mdl, or check them")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--write-data", action="store_true", help="write them (make model-data)")
    how.add_argument(
        "--write-sketch",
        action="store_true",
        help="write the views' stock-and-flow sketch (make model-sketch)",
    )
    how.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when the .mdl disagrees with data/ or its sketch is stale",
    )
    p.set_defaults(func=cmd_model)

    p = sub.add_parser("diagram", help="draw a stock-and-flow diagram of every view of the model")
    p.add_argument("--out", type=out_folder, help="output folder (default reports/diagrams/)")
    p.add_argument(
        "--format",
        choices=("png", "dot"),
        default="png",
        help="png (each view of the .mdl's sketch, drawn as Vensim draws it) or dot (Graphviz sources only)",
    )
    add_force(p)
    p.set_defaults(func=cmd_diagram)

    p = sub.add_parser("bond", help="convert between price and yield for a plain Treasury")
    p.add_argument("--coupon", type=float, required=True, help="coupon, %% of face a year")
    p.add_argument("--years", type=float, required=True, help="years to maturity")
    p.add_argument("--price", type=float, help="price per --face (give this or --yield)")
    p.add_argument("--yield", dest="yield_", type=float, help="yield, %% a year (give this or --price)")
    p.add_argument("--face", type=float, default=100.0, help="face value (default 100)")
    p.add_argument("--frequency", type=int, default=2, help="coupons a year (default 2, as Treasury pays)")
    p.set_defaults(func=cmd_bond)

    p = sub.add_parser("compare", help="headline numbers of several scenarios side by side")
    p.add_argument("scenarios", nargs="+", help="scenario names or files; differences are from the first")
    p.add_argument("--until", type=int, default=2055, help="final fiscal year (default 2055)")
    p.add_argument("--out", type=out_folder, help="output folder (default reports/compare/A-vs-B/)")
    add_baseline(p)
    add_force(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("brief", help="project scenarios and write a briefing pack (HTML, charts, tables)")
    p.add_argument(
        "scenarios",
        nargs="*",
        help="scenario names or files (default: baseline, japan-selloff, japan-selloff-fed, "
        "japan-gradual, fiscal-reform)",
    )
    p.add_argument("--until", type=int, default=2055, help="final fiscal year (default 2055)")
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

    p = sub.add_parser("sweep", help="run a sensitivity sweep (a spec in data/sweeps/) and write its outputs")
    p.add_argument("spec", help="a sweep spec .toml (or the name of one in data/sweeps/)")
    p.add_argument("--out", type=out_folder, help="output folder (default reports/sweeps/NAME/)")
    p.add_argument(
        "--workers", type=int, help="local worker processes (default: every core this process may use)"
    )
    p.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--resume", action="store_true", help="continue an interrupted sweep from its chunks")
    p.add_argument(
        "--draws", type=int, metavar="N", help="draws instead of the spec's (recorded in manifest.json)"
    )
    p.add_argument(
        "--seed", type=int, metavar="S", help="seed instead of the spec's (recorded in manifest.json)"
    )
    add_baseline(p)
    add_force(p)

    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("vintages", help="list the baseline vintages (CBO projections and their start dates)")
    p.set_defaults(func=cmd_vintages)

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

    p = sub.add_parser(
        "rules-of-thumb",
        help="CBO's rules of thumb for the economy (+0.1 pp on rates, productivity, labour force, "
        "inflation), the model's ten-year deficit effect beside CBO's figure",
    )
    add_baseline(p)
    p.add_argument("--out", type=out_folder, help="output folder (default reports/rules-of-thumb/VINTAGE/)")
    add_force(p)
    p.set_defaults(func=cmd_rules_of_thumb)

    p = sub.add_parser(
        "gap", help="the primary-balance adjustment that brings debt/GDP to a goal (fiscal gap)"
    )
    p.add_argument("scenario", nargs="?", default="baseline", help="scenario name or file (default baseline)")
    goal = p.add_mutually_exclusive_group(required=True)
    goal.add_argument("--target", type=float, metavar="PCT", help="debt/GDP to reach in --by, %% of GDP")
    goal.add_argument("--stabilise", action="store_true", help="keep debt/GDP from rising after --by")
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
    p.set_defaults(func=cmd_gap)
    for name in ("run", "compare", "sweep", "brief"):
        sub.choices[name].add_argument(
            "--calibration",
            default="central",
            metavar="NAME",
            help="supply-effect parameter set in data/calibration/supply-effects.toml: low, central "
            "(default) or high",
        )
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, ``timeout``, a batch scheduler's limit), handled as Ctrl-C is: the
    temporary folders are removed and a sweep keeps its finished chunks for ``--resume``."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


class PrintableStream(io.TextIOBase):
    """The command's standard output with control characters escaped (line breaks and tabs kept):
    titles, names and notes from scenario, spec and data files reach the terminal as text, never
    as escape sequences (colours, a bell, a cleared screen)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` escaped; return its length as given, as ``print`` expects."""
        self.stream.write(printable(text, keep="\n\t"))
        return len(text)

    def flush(self) -> None:
        """Flush the stream underneath."""
        self.stream.flush()

    def fileno(self) -> int:
        """The stream underneath's file descriptor."""
        return self.stream.fileno()

    def isatty(self) -> bool:
        """Whether the stream underneath is a terminal."""
        return self.stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The stream underneath's encoding."""
        return self.stream.encoding


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `snowball` console script."""
    if argv is None:  # the command's own process (not a caller's): see model._xarray_without_dask
        os.environ["SNOWBALL_CLI_PROCESS"] = "1"
        signal.signal(signal.SIGTERM, _terminate)
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.command_line = ["snowball", *argv]
    stdout = sys.stdout
    sys.stdout = PrintableStream(stdout)
    try:
        return _main(args)
    finally:
        sys.stdout = stdout


def _main(args: argparse.Namespace) -> int:
    """Run the command: the environment checked first (before any library reads it), every
    failure one line on stderr, control characters from files escaped."""
    from runners.core.environment import check_environment

    try:
        check_environment()
        return args.func(args)
    except SnowballError as exc:
        print(f"snowball: error: {printable(one_line(str(exc)))}", file=sys.stderr)
        return 2
    except Terminated:
        print("snowball: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("snowball: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`snowball ... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:  # an I/O failure outside the checked paths: still one line
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"snowball: error: {printable(one_line(f'{where}{exc.strerror or exc}'))}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: one line, the traceback only on request
        if os.environ.get("SNOWBALL_DEBUG") == "1":
            raise
        print(
            f"snowball: internal error: {type(exc).__name__}: {printable(one_line(str(exc)))} "
            "(set SNOWBALL_DEBUG=1 for the traceback and please report it)",
            file=sys.stderr,
        )
        return 1
