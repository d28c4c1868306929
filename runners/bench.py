"""`make bench`: time single runs and write reports/bench/bench.json (never asserted in tests)."""

from __future__ import annotations

import statistics
import time

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
    model.disable_fast_lookups()
    base = model.load_model
    try:
        model.load_model = _reloaded
        run(scen, until=2055)
    finally:
        model.load_model = base
        model.enable_fast_lookups()


def _reloaded():
    m = model._base_model()
    m.reload()
    return m


def main() -> None:
    """Measure load, a single baseline run to 2055 and to 2100, and pysd's own lookups."""
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
    with atomic_dir(REPORTS / "bench") as tmp:
        write_json(report, tmp / "bench.json")
    for key, value in report.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
