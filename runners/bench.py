"""`make bench`: time single runs and sweeps; write reports/bench/bench.json (never asserted in tests).

Sweeps: the calibrated Monte Carlo spec (data/sweeps/monte-carlo.toml: rates, growth and primary
balance shocks, monthly steps FY2025-2055) at 1,000 and 10,000 draws through ``snowball sweep``'s
whole pipeline (sampling, 2 worker processes, every output file), the engine alone at several
chunk sizes, and the peak memory. ``python -m runners.bench --large`` adds 100,000 draws.
"""

from __future__ import annotations

import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from . import model
from .outputs import atomic_dir, write_json
from .paths import REPORTS
from .run import run
from .scenario import load_scenario


def _times(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def _pysd_as_installed(scen) -> None:
    """The same run the way pysd documents it: reload the model, then its own lookups and setters."""
    base = model.load_model
    try:
        model.load_model = _reloaded  # reload builds pysd's own lookup objects
        run(scen, until=2055)
    finally:
        model.load_model = base


def _reloaded():
    m = model._base_model()
    m.reload()
    return m


def _spec_with(draws: int, chunk: int, folder: Path):
    from .sweepspec import parse_spec, sweeps_dir

    text = (sweeps_dir() / "monte-carlo.toml").read_text()
    text = re.sub(r"(?m)^draws = \d+", f"draws = {draws}", text)
    text = re.sub(r"(?m)^chunk = \d+", f"chunk = {chunk}", text)
    path = folder / f"monte-carlo-{draws}.toml"
    path.write_text(text)
    return parse_spec(path)


def _peak_mb() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"parent_mb": round(own, 1), "largest_worker_mb": round(kids, 1)}


def sweep_bench(large: bool = False) -> dict:
    """Seconds for 1,000 and 10,000 swept scenarios, the engine at several chunk sizes, memory."""
    from .sweep import plan, run_sweep
    from .sweepwork import run_chunk

    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = _spec_with(1000, 1000, folder)
        run_sweep(spec, out=folder / "warm", workers=2, show_progress=False)  # warm caches
        for draws in (1000, 10000, *((100000,) if large else ())):
            spec = _spec_with(draws, 1000 if draws <= 10000 else 2000, folder)
            start = time.perf_counter()
            run_sweep(spec, out=folder / f"out-{draws}", workers=2, show_progress=False)
            out[f"sweep_{draws}_seconds"] = round(time.perf_counter() - start, 2)
        out["sweep_peak_memory"] = _peak_mb()
        engine_only = {}
        for chunk in (250, 1000, 2500, 10000):
            the_plan = plan(_spec_with(10000, chunk, folder))
            start = time.perf_counter()
            for i in range(len(the_plan.chunks)):
                run_chunk(the_plan.job(i))
            engine_only[str(chunk)] = round(time.perf_counter() - start, 2)
        out["engine_only_10000_one_process_seconds_by_chunk"] = engine_only
    return out


def main() -> None:
    """Measure load, a single baseline run to 2055 and to 2100, pysd's own lookups, and sweeps."""
    start = time.perf_counter()
    model.load_model()
    load = time.perf_counter() - start
    scen = load_scenario("baseline")
    run(scen)  # warm caches (inputs, model)
    fast = _times(lambda: run(scen, until=2055), 30)
    long = _times(lambda: run(scen, until=2100), 10)
    slow = _times(lambda: _pysd_as_installed(scen), 3)
    report = {
        "first_load_seconds": round(load, 4),
        "single_run_2055_median_seconds": round(statistics.median(fast), 4),
        "single_run_2100_median_seconds": round(statistics.median(long), 4),
        "single_run_2055_pysd_as_installed_median_seconds": round(statistics.median(slow), 4),
        "speedup_over_pysd_as_installed": round(statistics.median(slow) / statistics.median(fast), 1),
        "runs": {"2055": len(fast), "2100": len(long), "pysd_as_installed": len(slow)},
        "note": "monthly steps; each run resets the model, sets all inputs and runs pysd; 'as installed' "
        "reloads the model per run and uses pysd's own lookup evaluation and setters",
    }
    sweeps = sweep_bench(large="--large" in sys.argv[1:])
    report.update(sweeps)
    per_run = sweeps["sweep_10000_seconds"] / 10000
    report["sweep_per_scenario_seconds"] = round(per_run, 6)
    report["sweep_speedup_per_scenario_over_pysd_as_installed"] = round(statistics.median(slow) / per_run, 0)
    report["sweep_note"] = (
        "snowball sweep of data/sweeps/monte-carlo.toml (draws overridden), whole pipeline incl. "
        "sampling, 2 worker processes and every output file, after one warm-up; engine_only: "
        "run_chunk in one process, by chunk size"
    )
    with atomic_dir(REPORTS / "bench") as tmp:
        write_json(report, tmp / "bench.json")
    for key, value in report.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
