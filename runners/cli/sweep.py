"""``snowball sweep``: a sensitivity sweep (a spec in data/sweeps/) and what it printed."""

from __future__ import annotations

import argparse
from pathlib import Path

from runners.cli.common import add_baseline, add_calibration, add_changes, add_force, out_folder, parse_set


def cmd_sweep(args: argparse.Namespace) -> int:
    """snowball sweep SPEC [--out DIR] [--workers N] [--scheduler ADDRESS] [--resume] [--draws N]
    [--seed S]."""
    import dataclasses

    from runners.core.outputs import check_inputs_outside
    from runners.projection.params import with_changes
    from runners.report.sweep_drawing import SWEEP_CHARTS
    from runners.sweep.runner import run_sweep
    from runners.sweep.spec import check_workers, load_spec, spec_overrides

    overrides = spec_overrides(args.draws, args.seed, args.scenario)
    spec = load_spec(args.spec, baseline=args.baseline, calibration=args.calibration, overrides=overrides)
    from runners.sweep.probability import line, with_thresholds

    spec = with_thresholds(spec, args.threshold)
    if args.set or args.path:  # on the base scenario, above the calibration set (as run's --set)
        spec = dataclasses.replace(
            spec, scenario=with_changes(spec.scenario, parse_set(args.set or []), args.path)
        )
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
    print_summary(result.summary)
    print_calibration(result.calibration)
    print_ranking(result.sensitivity, spec.method)
    if result.probabilities is not None:
        print()
        for row in result.probabilities.to_dict("records"):
            print(line(row, result.n_runs))
    print(f"\nwrote {result.out}")
    return 0


def print_summary(s) -> None:
    """The median and percentile ranges of debt/GDP and net interest's share of outlays, in FY2035
    and the last year."""
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


def print_calibration(calibration) -> None:
    """The spread of debt/GDP against CBO's historical projection errors, when the sweep has it."""
    if calibration is not None and len(calibration):
        print("\nSpread of debt/GDP against CBO's historical projection errors (pp of GDP):")
        for _, r in calibration.iterrows():
            print(
                f"  {int(r['horizon_years']):>2} years out (FY{int(r['fiscal_year'])}) {r['statistic']:<11}"
                f" CBO {r['cbo']:6.1f}   Snowball {r['snowball']:6.1f}"
            )


def print_ranking(sens, method: str) -> None:
    """The inputs ranked for the first sensitivity target and year (or why none were ranked)."""
    if "rank" in sens and len(sens):
        first = sens.iloc[0]
        sub = sens[(sens["variable"] == first["variable"]) & (sens["fiscal_year"] == first["fiscal_year"])]
        key = {"sobol": "ST", "morris": "mu_star"}.get(method, "swing")
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


def ranking_unit(key: str, unit: str) -> str:
    """The unit of a sensitivity ranking: a Sobol index is a share of the output's variance; a
    swing (the median with the input in its top decile less that in its bottom decile) and
    Morris's mu* are changes in the output, in its ``unit`` (sensitivity.csv's), points where it is
    a percentage."""
    if key == "ST":
        return "total Sobol index, share of variance"
    return unit.replace("% of", "pp of") if unit.startswith("% of") else ("pp" if unit == "%" else unit)


def add_sweep(sub) -> None:
    """``snowball sweep``."""
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
    p.add_argument(
        "--scenario",
        metavar="NAME|FILE",
        help="base scenario instead of the spec's, e.g. --scenario japan-selloff (recorded in manifest.json)",
    )
    add_changes(p)
    p.add_argument(
        "--threshold",
        action="append",
        metavar="'VARIABLE OP VALUE in|by YEAR'",
        help="print the share of runs meeting it, with its Monte Carlo standard error, and write "
        "probabilities.csv, e.g. --threshold 'debt_to_gdp > 150 by 2055' (by: in any year up to "
        "YEAR; in: that year); repeat for more",
    )
    add_baseline(p)
    add_force(p)

    p.set_defaults(func=cmd_sweep)
    add_calibration(p)
