"""`make bench`: time single runs and sweeps; write reports/bench/bench.json (never asserted in tests).

Single runs: load, a baseline run to 2055 and 2100, pysd as installed. Sweeps: the calibrated
Monte Carlo spec (data/sweeps/monte-carlo.toml, monthly steps FY2025-2055) at 100,000 draws with
1, 2, 4 ... workers up to the machine's cores, each through ``snowball sweep``'s whole pipeline in
a fresh process (seconds by phase, the parent's and the largest worker's peak memory); the
serial/parallel split of the one-worker sweep and the seconds it predicts for 16 workers
(serial + parallel / workers); the engine's ns per element-operation beside numpy's floor.
``python -m runners.cli.bench --large`` adds 1,000,000 draws on every core; ``--dask`` adds 100,000
draws on a Dask LocalCluster of one single-thread worker per core; ``--sweeps-only`` skips the
single runs; ``--draws N`` sweeps N (and 10 N) draws instead (a quick check of the script);
``--workers 1,16`` sweeps only those worker counts and ``--repeat 3`` each three times, interleaved
(a short, repeatable measurement for a lent machine).
"""

from __future__ import annotations

import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from runners.core.outputs import atomic_dir, write_json
from runners.core.paths import REPORTS
from runners.mdl import model
from runners.projection.run import run
from runners.scenario.scenarios import load_scenario


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
    m = model.base_model()
    m.reload()
    return m


def _spec_with(draws: int, chunk: int | None, folder: Path):
    """monte-carlo.toml with ``draws`` (and ``chunk``; None: the spec's own)."""
    from runners.sweep.spec import parse_spec, sweeps_dir

    text = (sweeps_dir() / "monte-carlo.toml").read_text()
    text = re.sub(r"(?m)^draws = \d+", f"draws = {draws}", text)
    if chunk is not None:
        text = re.sub(r"(?m)^chunk = \d+", f"chunk = {chunk}", text)
    path = folder / f"monte-carlo-{draws}.toml"
    path.write_text(text)
    return parse_spec(path)


def _peak_mb() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"parent_mb": round(own, 1), "largest_worker_mb": round(kids, 1)}


def one_sweep(draws: int, workers: int, folder: Path, dask: bool = False) -> dict:
    """One whole ``snowball sweep`` (in this process): seconds by phase and peak memory; ``dask``:
    on a LocalCluster of ``workers`` single-thread worker processes (its start not counted)."""
    from runners.report.sweep_drawing import SWEEP_CHARTS
    from runners.sweep.runner import run_sweep

    spec = _spec_with(draws, None, folder)
    out = folder / f"out-{draws}-{workers}{'-dask' if dask else ''}"
    extra: dict = {}
    if dask:
        from distributed import LocalCluster

        clock = time.perf_counter()
        with LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            extra["cluster_start_seconds"] = round(time.perf_counter() - clock, 3)
            address = cluster.scheduler_address
            res = run_sweep(spec, out=out, scheduler=address, show_progress=False, drawer=SWEEP_CHARTS)
        extra["scheduler"] = "dask LocalCluster"
    else:
        res = run_sweep(spec, out=out, workers=workers, show_progress=False, drawer=SWEEP_CHARTS)
    phases = {k: round(v, 3) for k, v in res.phases.items()}
    return (
        {
            "draws": draws,
            "workers": workers,
            "seconds": round(res.seconds, 3),
            "phases": phases,
            # seconds from the sweep's start: its steps, and each chunk's arrival in the parent
            "timeline": {k: round(v, 3) for k, v in res.timeline.items()},
            "chunks_arrived": [round(t, 3) for t in res.chunks_arrived],
        }
        | extra
        | _peak_mb()
        | ({"largest_worker_mb": round(res.worker_mb, 1)} if res.worker_mb else {})
    )


def _in_subprocess(draws: int, workers: int, folder: Path, dask: bool = False) -> dict:
    """:func:`one_sweep` in a fresh interpreter, so each peak memory is that sweep's own."""
    import json
    import subprocess

    # -c, not -m runners.cli.bench: spawned workers import the main module again, and a CLI user's
    # main module (the `snowball` script) is as light as this one, unlike runners.cli.bench
    code = "from runners.cli.bench import one_main; one_main()"
    cmd = [sys.executable, "-c", code, "--one", str(draws), str(workers), str(folder)]
    done = subprocess.run(cmd + (["--dask"] if dask else []), capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def split(one: dict) -> dict[str, float]:
    """The serial and parallel seconds of a one-worker sweep (what Amdahl's law needs).

    Parallel: the engine (``run_and_collect`` less the parent's ``collect``) and the summary and
    sensitivity tasks; serial: planning, collecting chunks into params.csv/runs.parquet, the
    base run, the charts and the manifest. Predicted seconds on w workers: serial + parallel / w,
    where for w > 1 the serial part leaves out the charts' import and the base run (a thread
    does both while the chunks run). It still counts the fan chart's rendering, which a chart
    process does beside the tornado's with workers (about 0.1 s here): the prediction errs long.
    """
    p = one["phases"]
    parallel = p["run_and_collect"] - p["collect"] + p["summary_sensitivity"]
    serial = one["seconds"] - parallel
    off_path = p.get("import_charts", 0.0) + p.get("base_run", 0.0)
    return {
        "serial_seconds": round(serial, 3),
        "parallel_seconds": round(parallel, 3),
        "serial_seconds_with_workers": round(serial - off_path, 3),
    }


def chunk_costs(small: dict, large: dict) -> dict[str, float]:
    """The engine's fixed seconds per chunk (its per-step Python, whatever the chunk's length) and
    seconds per run, from its times for the same runs in chunks of two sizes (two
    :func:`engine_vs_floor` rows): seconds = chunks x per_chunk + runs x per_run."""
    n = small["scenarios"]
    k_small, k_large = -(-n // small["chunk"]), -(-n // large["chunk"])
    per_chunk = (small["engine_seconds"] - large["engine_seconds"]) / (k_small - k_large)
    return {
        "per_chunk_seconds": round(per_chunk, 4),
        "per_run_microseconds": round((large["engine_seconds"] - k_large * per_chunk) / n * 1e6, 2),
    }


def predict(one: dict, per_chunk: float, largest: int, workers: int, machine: float | None = None) -> float:
    """Seconds of a sweep like the one-worker ``one`` on ``workers`` workers of the same speed.

    Amdahl's serial + parallel / workers, with the chunks as they are cut (sweep.chunk_size): the
    engine's per-run seconds (the one-worker sweep's engine time less its chunks' fixed cost) over
    each worker's share, plus the fixed ``per_chunk`` seconds once per round of chunks; the
    summary and sensitivity tasks split evenly; the serial part as in :func:`split`. ``machine``:
    the speedup the machine itself gives ``workers`` processes of numpy work (its
    ``numpy_floor_speedup_by_processes``), so each worker runs at ``machine / workers`` of one
    process's speed and the parallel part takes ``workers / machine`` times as long.
    """
    from runners.sweep.runner import chunk_size

    sp, p, runs = split(one), one["phases"], one["draws"]
    size_one = chunk_size(runs, 1, largest)
    engine = p["run_and_collect"] - p["collect"]
    per_run = (engine - -(-runs // size_one) * per_chunk) / runs
    size = chunk_size(runs, workers, largest)
    chunks = -(-runs // size)
    rounds = -(-chunks // workers)
    serial = sp["serial_seconds" if workers == 1 else "serial_seconds_with_workers"]
    slower = workers / machine if machine else 1.0
    return serial + slower * (rounds * (per_chunk + size * per_run) + p["summary_sensitivity"] / workers)


def ceiling(one: dict, machine: float) -> float:
    """The speedup over the one-worker sweep ``one`` that no parent could beat on a machine whose
    processes of numpy work run ``machine`` times one process's (its
    ``numpy_floor_speedup_by_processes``): one worker's seconds over the parallel part alone at
    that scaling, with no serial work and no fixed cost per chunk."""
    return one["seconds"] / (split(one)["parallel_seconds"] / machine)


def ops_per_step(source: str) -> int:
    """Operations in one step of a generated program: every operator, comparison and call in its
    time loop (each an array operation when its operands vary by scenario)."""
    import ast

    loop = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.For))
    return sum(isinstance(n, ast.BinOp | ast.UnaryOp | ast.Compare | ast.Call) for n in ast.walk(loop))


def engine_vs_floor(folder: Path, n: int = 20000, chunk: int | None = None) -> dict:
    """The engine's ns per element-operation beside numpy's floor (the same count of ``a * b`` on
    arrays of the chunk's length, each allocating its result, as the engine's expressions do); the
    fastest of three runs of each."""
    from runners.engine.program import step_times
    from runners.sweep.runner import plan
    from runners.sweep.work import run_chunk

    the_plan = plan(_spec_with(n, chunk, folder))
    chunk = the_plan.spec.chunk
    prog = the_plan.program
    steps = len(step_times(prog.time_step, prog.initial_time, the_plan.spec.until))
    ops = ops_per_step(prog.source)
    job = the_plan.job(0)
    ops_run = ops_per_step(
        prog.source_for(len(job.run_ids), dict(job.constants) | dict(job.varied), job.fold)
    )
    run_chunk(the_plan.job(0))  # compile once

    def engine_once() -> None:
        for i in range(len(the_plan.chunks)):
            run_chunk(the_plan.job(i))

    # the fastest of three of each, alternating (what the machine's other work leaves alone)
    engine, floor = float("inf"), float("inf")
    for _ in range(3):
        engine = min(engine, *_times(engine_once, 1))
        floor = min(floor, _floor_work(chunk, (n // chunk) * steps * ops))
    elements = steps * ops * n
    return {
        "scenarios": n,
        "chunk": chunk,
        "steps": steps,
        "operations_per_step": ops,
        "engine_seconds": round(engine, 3),
        "engine_ns_per_element_op": round(engine / elements * 1e9, 3),
        "numpy_floor_ns_per_element_op": round(floor / elements * 1e9, 3),
        "engine_over_floor": round(engine / floor, 2),
        # the same beside the floor of the operations the engine runs once the constants every
        # scenario shares are folded in (switched-off loops dropped: runners.engine.fold)
        "operations_run_per_step": ops_run,
        "engine_over_floor_of_operations_run": round(engine / (floor * ops_run / ops), 2),
    }


def _floor_work(chunk: int = 2500, repeats: int = 200_000) -> float:
    """Seconds for ``repeats`` numpy ``a * b`` on arrays of ``chunk`` (the floor's operation)."""
    import numpy as np

    rng = np.random.default_rng(0)
    a, b = rng.random(chunk) + 1, rng.random(chunk) + 1
    start = time.perf_counter()
    for _ in range(repeats):
        a * b
    return time.perf_counter() - start


def machine_scaling(counts: list[int]) -> dict[str, float]:
    """How the machine itself scales: the numpy floor's work in k processes at once, as a speedup
    over one (k x one process's seconds / the wall seconds of k): what any engine of numpy
    operations can reach on this machine's cores."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    out = {}
    one = None
    for k in counts:
        with ctx.Pool(k) as pool:
            pool.starmap(_floor_work, [(2500, 1000)] * k)  # started and warm
            start = time.perf_counter()
            pool.starmap(_floor_work, [(2500, 2_000_000)] * k)
            wall = time.perf_counter() - start
        one = wall if k == 1 else one
        out[str(k)] = round(k * one / wall, 2)
    return out


def sweep_bench(
    large: bool = False,
    dask: bool = False,
    scale: int = 100_000,
    workers: list[int] | None = None,
    repeat: int = 1,
) -> dict:
    """Scaling: 100,000 draws (``--large``: also 1,000,000) at 1, 2, 4 ... workers up to the
    machine's cores (or the ``workers`` counts; 1 is always among them), each in a fresh process
    (``dask``: also on a LocalCluster); the serial/parallel split and the predicted seconds on 16
    workers; the engine beside the numpy floor. ``repeat``: every sweep that many times, the
    counts interleaved (1, 16, 1, 16 ...) so that a drift of the machine's speed touches each
    alike; speedups and predictions then use each count's median run."""
    from runners.sweep.spec import usable_cores

    cores = usable_cores()
    counts = sorted({1, cores} | {2**k for k in range(1, 8) if 2**k <= cores})
    if workers:
        counts = sorted({1, *workers})
    out: dict = {"cores": cores}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _in_subprocess(1000, 1, folder)  # warm the caches (programs, baseline paths)
        runs = []
        for draws in (scale, *((10 * scale,) if large else ())):
            for _ in range(repeat):
                for w in counts if draws <= scale else [max(counts)]:
                    runs.append(_in_subprocess(draws, w, folder))
        if dask:
            runs.append(_in_subprocess(scale, max(counts), folder, dask=True))
        out["sweeps"] = runs
        out["numpy_floor_speedup_by_processes"] = machine_scaling(counts)
        medians = median_runs([r for r in runs if "scheduler" not in r])
        base = {d: r["seconds"] for (d, w), r in medians.items() if w == 1}
        for r in runs:
            if r["draws"] in base:
                r["speedup_over_one_worker"] = round(base[r["draws"]] / r["seconds"], 2)
        if repeat > 1:
            out["median_seconds"] = {
                f"{d} draws, {w} workers": r["seconds"] for (d, w), r in sorted(medians.items())
            }
            out["median_speedup_over_one_worker"] = {
                f"{d} draws, {w} workers": round(base[d] / r["seconds"], 2)
                for (d, w), r in sorted(medians.items())
                if d in base
            }
        # at the chunk of the earlier figures (2,500) and at the spec's own
        out["engine_vs_numpy_floor"] = [engine_vs_floor(folder, chunk=2500), engine_vs_floor(folder)]
        costs = chunk_costs(*out["engine_vs_numpy_floor"])
        largest = _spec_with(scale, None, folder).chunk
        ones = {d: r for (d, w), r in medians.items() if w == 1}
        out["prediction"] = {}
        for draws, one in ones.items():
            per_chunk = costs["per_chunk_seconds"]
            predicted = {str(w): round(predict(one, per_chunk, largest, w), 2) for w in (*counts, 16)}
            scaling = out["numpy_floor_speedup_by_processes"]
            here = {str(w): round(predict(one, per_chunk, largest, w, scaling[str(w)]), 2) for w in counts}
            bound = {str(w): round(ceiling(one, scaling[str(w)]), 2) for w in counts}
            out["prediction"][str(draws)] = (
                split(one)
                | costs
                | {
                    "predicted_seconds_by_workers": predicted,
                    "predicted_seconds_at_machine_scaling": here,
                    "ceiling_speedup_at_machine_scaling": bound,
                }
            )
    return out


def median_runs(runs: list[dict]) -> dict[tuple[int, int], dict]:
    """Each (draws, workers)'s median run by seconds (of an even number, the faster middle one:
    a run that was measured, not an average of two)."""
    groups: dict[tuple[int, int], list[dict]] = {}
    for r in runs:
        groups.setdefault((r["draws"], r["workers"]), []).append(r)
    return {k: sorted(g, key=lambda r: r["seconds"])[(len(g) - 1) // 2] for k, g in groups.items()}


def parse_args(argv: list[str] | None = None):
    """The benchmark's options (``--help`` prints them; an unknown option is an error, not a run)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m runners.cli.bench",
        description="Time single runs and sweeps; write reports/bench/bench.json.",
    )
    parser.add_argument("--sweeps-only", action="store_true", help="skip the single runs")
    parser.add_argument(
        "--explorer-only",
        action="store_true",
        help="time only the explorer page in headless chromium (snowball explore's page)",
    )
    parser.add_argument("--large", action="store_true", help="add 10 x the draws (1,000,000) on every core")
    parser.add_argument(
        "--dask", action="store_true", help="add the draws on a Dask LocalCluster, one worker per core"
    )
    parser.add_argument(
        "--draws", type=_positive, default=100_000, metavar="N", help="sweep N draws (default 100,000)"
    )
    parser.add_argument(
        "--workers",
        type=_counts,
        metavar="LIST",
        help="worker counts to sweep, e.g. 1,16 (default 1, 2, 4 ... the cores; 1 is always added)",
    )
    parser.add_argument(
        "--repeat",
        type=_positive,
        default=1,
        metavar="N",
        help="run every sweep N times, the counts interleaved; speedups from the medians",
    )
    return parser.parse_args(argv)


def _counts(text: str) -> list[int]:
    import argparse

    try:
        counts = [int(x) for x in text.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1 or max(counts) > 1024:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected worker counts separated by commas, each 1 to 1024, e.g. 1,16"
        )
    return counts


def _positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number of draws, at least 1")
    return value


def cpu() -> dict:
    """The processor as the operating system reports it: logical CPUs, and on Linux its model and
    physical cores (:func:`cpuinfo`), since hyperthreads or a hypervisor's vCPUs scale less than
    cores (see ``numpy_floor_speedup_by_processes``)."""
    import os
    import platform

    out: dict = {"cores": os.cpu_count(), "processor": platform.processor() or platform.machine()}
    try:
        return out | cpuinfo(Path("/proc/cpuinfo").read_text())
    except OSError:
        return out


def cpuinfo(text: str) -> dict:
    """Model, physical cores (distinct physical id and core id pairs) and whether a hypervisor runs
    the machine, from the text of Linux's /proc/cpuinfo (one block per logical CPU)."""
    blocks = [dict(re.findall(r"(?m)^([^:\n]+?)\s*:\s*(.*)$", b)) for b in text.split("\n\n") if b.strip()]
    out: dict = {}
    if blocks and "model name" in blocks[0]:
        out["model"] = blocks[0]["model name"].strip()
    cores = {(b["physical id"], b["core id"]) for b in blocks if "physical id" in b and "core id" in b}
    if cores:
        out["physical_cores"] = len(cores)
    if any("hypervisor" in b.get("flags", "").split() for b in blocks):
        out["virtual_machine"] = True
    return out


def main(argv: list[str] | None = None) -> None:
    """Measure load, a single baseline run to 2055 and to 2100, pysd's own lookups, and sweeps."""
    import platform

    args = parse_args(argv)
    report: dict = {"machine": cpu() | {"python": platform.python_version()}}
    if not args.sweeps_only:
        report["explorer_chromium"] = explorer_in_chromium()
    if args.explorer_only:
        _write(report)
        return
    if not args.sweeps_only:
        report |= single_runs()
    report.update(
        sweep_bench(
            large=args.large, dask=args.dask, scale=args.draws, workers=args.workers, repeat=args.repeat
        )
    )
    report["sweep_note"] = (
        "snowball sweep of data/sweeps/monte-carlo.toml (draws overridden), whole "
        "pipeline incl. sampling and every output file, each in a fresh process after a warm-up of "
        "the caches; prediction: from the one-worker phases, serial + the engine's per-run seconds "
        "over each worker's share + its fixed seconds per chunk once per round of chunks as "
        "sweep.chunk_size cuts them + the summary tasks / workers (Amdahl, chunk-aware; with "
        "workers, less the charts' import and the base run, which a thread does while the chunks "
        "run); at machine scaling: the parallel part slowed by workers / "
        "numpy_floor_speedup_by_processes"
    )
    _write(report)


def _write(report: dict) -> None:
    """reports/bench/bench.json, and each figure on a line."""
    with atomic_dir(REPORTS / "bench") as tmp:
        write_json(report, tmp / "bench.json")
    for key, value in report.items():
        print(f"{key}: {value}")


def explorer_in_chromium(runs: int = 200) -> dict:
    """The explorer page (``snowball explore``'s, the default vintage) in headless chromium from
    ``file://``: the load (navigation to load event, the page's own timing, the baseline run and
    the first draw included), ``Snowball.run`` of the baseline to FY2055 and a slider's whole
    update (the input event: run, table, milestones, charts), medians in milliseconds."""
    from runners.report.browser import BrowserError, Chromium, find_chromium
    from runners.report.explorer_page import explorer_html

    if find_chromium() is None:
        return {"skipped": "no chromium: apt-get install chromium to time the explorer in a browser"}
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "explorer.html"
        size = page.write_bytes(explorer_html().encode("utf-8"))
        try:
            with Chromium() as browser:
                loads = []
                for _ in range(5):
                    tab = browser.open(page.as_uri(), width=1280, height=900)
                    loads.append(tab.evaluate(_LOAD_JS))
                    tab.send("Page.close")
                tab = browser.open(page.as_uri(), width=1280, height=900)
                timing = tab.evaluate(_RUNS_JS.replace("RUNS", str(runs)))
                version = browser.send("Browser.getVersion")["product"]
        except BrowserError as exc:
            return {"skipped": f"chromium: {exc}"}
    return {
        "browser": version,
        "page_bytes": size,
        "load_to_load_event_median_ms": round(statistics.median(loads), 1),
        "run_2055_median_ms": round(statistics.median(timing["run"]), 2),
        "slider_update_median_ms": round(statistics.median(timing["update"]), 2),
        "runs": {"loads": len(loads), "run": len(timing["run"]), "update": len(timing["update"])},
        "note": "headless chromium, file://, 1280 x 900; run: Snowball.run of the baseline to FY2055 "
        "(monthly steps); update: a growth-shift slider input event, the run, table, milestones "
        "and three charts redrawn (synchronous); load: the navigation entry's loadEventEnd",
    }


_LOAD_JS = "performance.getEntriesByType('navigation')[0].loadEventEnd"
_RUNS_JS = """(() => {
  const run = [], update = [], s = document.getElementById("in-growth_shift");
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now(); Snowball.run({}, {scenario: "baseline"}); run.push(performance.now() - t);
  }
  for (let i = 0; i < RUNS / 4; i++) {
    s.value = String(((i % 10) - 5) / 10);
    const t = performance.now(); s.dispatchEvent(new Event("input", {bubbles: true}));
    update.push(performance.now() - t);
  }
  return {run, update};
})()"""


def single_runs() -> dict:
    """Load, a single baseline run to 2055 and to 2100, and pysd as installed (medians)."""
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
    return report


def one_main() -> None:
    """``--one DRAWS WORKERS FOLDER [--dask]``: one sweep, its figures as a JSON line."""
    import json

    one = one_sweep(int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]), dask="--dask" in sys.argv)
    print(json.dumps(one))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one_main()
    else:
        main()
