"""The `snowball` command line: run scenarios, list them, write briefings.

Every user error is one line on stderr and exit status 2; nothing half-written is left behind.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import SnowballError
from .paths import REPORTS


def _parse_set(items: list[str]) -> dict[str, float]:
    from .scenario import check_value, resolve_parameter

    out: dict[str, float] = {}
    for item in items:
        if "=" not in item:
            raise SnowballError(f"--set {item!r}: expected NAME=VALUE, e.g. --set 'yield shift=1'")
        name, value = (s.strip() for s in item.split("=", 1))
        param = resolve_parameter(name)
        try:
            number = float(value)
        except ValueError:
            raise SnowballError(f"--set {name}: '{value}' is not a number") from None
        out[param.name] = check_value(param, number)
    return out


def cmd_run(args: argparse.Namespace) -> int:
    """snowball run SCENARIO [--until YEAR] [--set NAME=VALUE ...] [--out DIR]."""
    from . import run as runmod
    from .outputs import atomic_dir, column_table, write_csv, write_json
    from .scenario import load_scenario

    runmod.check_until(args.until)
    scenario = load_scenario(args.scenario)
    overrides = _parse_set(args.set or [])
    result = runmod.run(scenario, until=args.until, overrides=overrides)
    out = Path(args.out) if args.out else REPORTS / "runs" / scenario.name
    with atomic_dir(out) as tmp:
        write_csv(result.results, tmp / "results.csv")
        write_csv(column_table(), tmp / "columns.csv")
        manifest = result.manifest(args.command_line)
        manifest["milestones"] = result.milestones
        write_json(manifest, tmp / "run.json")
    print(f"{scenario.title}\n")
    print(runmod.format_table(runmod.headline(result)))
    print(f"\nwrote {out / 'results.csv'} and {out / 'run.json'}")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    """snowball scenarios: the built-in scenarios with their titles."""
    from .scenario import builtin_names, load_scenario

    names = builtin_names()
    width = max(len(n) for n in names)
    for name in names:
        print(f"{name:<{width}}  {load_scenario(name).title}")
    return 0


def cmd_parameters(args: argparse.Namespace) -> int:
    """snowball parameters: the constants a scenario or --set may change, with ranges."""
    from .model import parameters

    for p in parameters().values():
        low = "-inf" if p.low is None else f"{p.low:g}"
        high = "inf" if p.high is None else f"{p.high:g}"
        print(f"{p.name:<36} {p.py_name:<36} [{low}, {high}] {p.units}")
    return 0


def cmd_bond(args: argparse.Namespace) -> int:
    """snowball bond --coupon C --years N (--price P | --yield Y) [--face F] [--frequency K]."""
    from . import bond

    if (args.price is None) == (args.yield_ is None):
        raise SnowballError("give exactly one of --price or --yield")
    what = (
        f"{args.coupon:g}% coupon, {args.years:g} years, face {args.face:g}, "
        f"{args.frequency} coupon(s) a year"
    )
    if args.price is not None:
        y = bond.yield_from_price(args.coupon, args.years, args.price, args.face, args.frequency)
        print(f"yield {y:.1f}% ({y:.4f}%) for a price of {args.price:g}: {what}")
    else:
        p = bond.price(args.coupon, args.years, args.yield_, args.face, args.frequency)
        print(f"price {p:.2f} ({p:.6f}) at a yield of {args.yield_:g}%: {what}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """snowball compare A B ... [--until YEAR] [--out DIR]: headline numbers side by side."""
    from . import run as runmod
    from .compare import compare_table, format_compare
    from .outputs import atomic_dir, write_csv, write_json
    from .scenario import load_scenario

    runmod.check_until(args.until)
    scenarios = [load_scenario(s) for s in args.scenarios]
    results = [runmod.run(s, until=args.until) for s in scenarios]
    table = compare_table(results)
    name = "-vs-".join(s.name for s in scenarios)
    out = Path(args.out) if args.out else REPORTS / "compare" / name
    with atomic_dir(out) as tmp:
        write_csv(table, tmp / "compare.csv")
        manifest = results[0].manifest(args.command_line)
        manifest["scenarios"] = [s.name for s in scenarios]
        write_json(manifest, tmp / "run.json")
    print(format_compare(table))
    print(f"\nwrote {out / 'compare.csv'}")
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    """snowball brief [SCENARIO ...] [--out DIR] [--sweeps NAME ...]: the briefing pack."""
    from .brief import write_brief

    out = Path(args.out) if args.out else REPORTS / "briefing"
    written = write_brief(
        args.scenarios or None, out, until=args.until, command=args.command_line, sweeps=args.sweeps
    )
    print(f"wrote the briefing to {written}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """snowball sweep SPEC [--out DIR] [--workers N] [--scheduler ADDRESS] [--resume]."""
    from .sweep import run_sweep
    from .sweepspec import load_spec

    spec = load_spec(args.spec)
    result = run_sweep(
        spec,
        out=Path(args.out) if args.out else None,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
    )
    print(f"{spec.title}: {result.n_runs:,} runs ({spec.method}) in {result.seconds:.1f} s\n")
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
        print(f"\nInputs ranked by {key} for {first['variable']} in FY{first['fiscal_year']}:")
        for _, r in sub.iterrows():
            extra = (
                f" (S1 {r['S1']:.3f} +/- {r['S1_conf']:.3f}, ST +/- {r['ST_conf']:.3f})"
                if key == "ST"
                else ""
            )
            print(f"  {int(r['rank']):>2}. {r['input']:<32} {r[key]:.3f}{extra}")
    print(f"\nwrote {result.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = argparse.ArgumentParser(prog="snowball", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"snowball {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="project one scenario and write results.csv and run.json")
    p.add_argument("scenario", help="a built-in scenario name or the path of a scenario .toml")
    p.add_argument("--until", type=int, default=2055, help="final fiscal year, 2025-2100 (default 2055)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a model constant")
    p.add_argument("--out", help="output folder (default reports/runs/SCENARIO/)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("scenarios", help="list the built-in scenarios")
    p.set_defaults(func=cmd_scenarios)

    p = sub.add_parser("parameters", help="list the model constants that can be set")
    p.set_defaults(func=cmd_parameters)

    p = sub.add_parser("bond", help="convert between price and yield for a plain Treasury")
    p.add_argument("--coupon", type=float, required=True, help="coupon, % of face a year")
    p.add_argument("--years", type=float, required=True, help="years to maturity")
    p.add_argument("--price", type=float, help="price per --face (give this or --yield)")
    p.add_argument("--yield", dest="yield_", type=float, help="yield, % a year (give this or --price)")
    p.add_argument("--face", type=float, default=100.0, help="face value (default 100)")
    p.add_argument("--frequency", type=int, default=2, help="coupons a year (default 2, as Treasury pays)")
    p.set_defaults(func=cmd_bond)

    p = sub.add_parser("compare", help="headline numbers of several scenarios side by side")
    p.add_argument("scenarios", nargs="+", help="scenario names or files; differences are from the first")
    p.add_argument("--until", type=int, default=2055, help="final fiscal year (default 2055)")
    p.add_argument("--out", help="output folder (default reports/compare/A-vs-B/)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("brief", help="project scenarios and write a briefing pack (HTML, charts, tables)")
    p.add_argument(
        "scenarios",
        nargs="*",
        help="scenario names or files (default: baseline, japan-selloff, japan-selloff-fed, "
        "japan-gradual, fiscal-reform)",
    )
    p.add_argument("--until", type=int, default=2055, help="final fiscal year (default 2055)")
    p.add_argument("--out", help="output folder (default reports/briefing/)")
    p.add_argument(
        "--sweeps",
        nargs="+",
        default=[],
        metavar="NAME",
        help="sweep results in reports/sweeps/ to add as sensitivity charts (default: none)",
    )
    p.set_defaults(func=cmd_brief)

    p = sub.add_parser("sweep", help="run a sensitivity sweep (a spec in data/sweeps/) and write its outputs")
    p.add_argument("spec", help="a sweep spec .toml (or the name of one in data/sweeps/)")
    p.add_argument("--out", help="output folder (default reports/sweeps/NAME/)")
    p.add_argument("--workers", type=int, help="local worker processes (default: up to 2 cores)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--resume", action="store_true", help="continue an interrupted sweep from its chunks")
    p.set_defaults(func=cmd_sweep)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `snowball` console script."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.command_line = ["snowball", *argv]
    try:
        return args.func(args)
    except SnowballError as exc:
        print(f"snowball: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("snowball: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
