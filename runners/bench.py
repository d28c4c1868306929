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


def main() -> None:
    """Measure load, a single baseline run to 2055 and to 2100, and pysd's own lookups."""
    start = time.perf_counter()
    model.load_model()
    load = time.perf_counter() - start
    scen = load_scenario("baseline")
    run(scen)  # warm caches (inputs, model)
    fast = _times(lambda: run(scen, until=2055), 30)
    long = _times(lambda: run(scen, until=2100), 10)
    model.disable_fast_lookups()
    try:
        slow = _times(lambda: run(scen, until=2055), 3)
    finally:
        model.enable_fast_lookups()
    report = {
        "first_load_seconds": round(load, 4),
        "single_run_2055_median_seconds": round(statistics.median(fast), 4),
        "single_run_2100_median_seconds": round(statistics.median(long), 4),
        "single_run_2055_pysd_lookups_median_seconds": round(statistics.median(slow), 4),
        "speedup_over_pysd_lookups": round(statistics.median(slow) / statistics.median(fast), 1),
        "runs": {"2055": len(fast), "2100": len(long), "pysd_lookups": len(slow)},
        "note": "monthly steps; each run resets the model, sets all inputs and runs pysd",
    }
    with atomic_dir(REPORTS / "bench") as tmp:
        write_json(report, tmp / "bench.json")
    for key, value in report.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
