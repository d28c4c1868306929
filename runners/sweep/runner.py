"""Sensitivity sweeps: thousands of scenarios through the vectorised engine, in chunks.

``run_sweep`` samples the spec's inputs, cuts the runs into chunks, runs them in local worker
processes (or on a Dask cluster), keeps every finished chunk on disk (so Ctrl-C loses nothing and
``--resume`` continues), then writes the outputs atomically: params.csv, runs.parquet,
summary.csv, sensitivity.csv, fan.png and tornado.png (drawn by the caller's drawer),
calibration.csv (when asked) and manifest.json. The same spec and seed give byte-identical files.

The steps live beside this module: planning (the runs and their shared inputs), pool and
dask_cluster (where the work runs), execute (the chunks), partial (the kept chunks), collect
(params.csv, runs.parquet), summary (summary and sensitivity), write (the outputs), failures
(the errors of a lost worker or cluster). The names callers use are importable from here too.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from runners.core.errors import SnowballError
from runners.core.log import note
from runners.core.outputs import check_target, make_dir, output_name
from runners.core.paths import REPORTS
from runners.sweep.collect import PARAMS_PART, RUNS_PART, Collector
from runners.sweep.dask_cluster import SCHEDULER, NoLiveWorker
from runners.sweep.drawer import ChartDrawer
from runners.sweep.execute import computed, execute
from runners.sweep.failures import (
    a_scheduler_lost,
    a_worker_died,
    no_live_worker_error,
    resume_hint,
    scheduler_lost_error,
    worker_died_error,
)
from runners.sweep.partial import kept_chunks, partial_dir, prepare_partial, sweep_lock
from runners.sweep.planning import Plan, chunk_size, keep_index, plan
from runners.sweep.pool import Pool
from runners.sweep.precision import draws_interval, draws_share, share_pct, wilson
from runners.sweep.progress import Progress
from runners.sweep.scenario_inputs import run_scenarios, scenario_inputs
from runners.sweep.spec import SweepSpec, check_workers, usable_cores
from runners.sweep.summary import calibration_frame, ranked, sensitivity_frame, summary_frame
from runners.sweep.write import FULL, base_run, charts_in_own_process, write_outputs


@dataclass(frozen=True)
class SweepResult:
    """Where a sweep wrote its files, with the headline comparison and timings."""

    out: Path
    n_runs: int
    seconds: float
    summary: pd.DataFrame
    sensitivity: pd.DataFrame
    calibration: pd.DataFrame | None
    failed: tuple[int, ...] = ()
    phases: dict[str, float] = dataclasses.field(default_factory=dict)  # seconds (make bench)
    worker_mb: float = 0.0  # the largest worker process's peak memory (make bench; 0: none seen)
    # seconds from the sweep's start to each event, and to each chunk's arrival (make bench)
    timeline: dict[str, float] = dataclasses.field(default_factory=dict)
    chunks_arrived: tuple[float, ...] = ()
    # the spec's thresholds (--threshold), one row each (runners.sweep.probability); None: none
    probabilities: pd.DataFrame | None = None

    def probability(self, threshold: str) -> dict:
        """The share of runs meeting ``threshold`` (``"debt_to_gdp > 150 by 2055"``, as
        ``--threshold``), from runs.parquet: ``probability_pct``, ``standard_error_pp`` (Monte
        Carlo), ``wilson_low_pct``/``wilson_high_pct``, ``runs``, ``runs_meeting``.

        >>> result.probability("debt_to_gdp > 150 by 2055")["probability_pct"]  # doctest: +SKIP
        """
        from runners.sweep.probability import from_runs, parse_threshold

        runs = pd.read_parquet(self.out / "runs.parquet")
        columns = tuple(sorted(runs["variable"].unique()))
        years = tuple(int(y) for y in sorted(runs["fiscal_year"].unique()))
        th = parse_threshold(threshold, columns, years, "probability")
        if th.when == "by" and years != tuple(range(years[0], years[-1] + 1)):
            raise SnowballError(
                f"probability {threshold!r}: 'by' needs every year, and runs.parquet keeps only some "
                "(the spec's [keep] years); use 'in YEAR', or keep years = \"all\""
            )
        return from_runs(runs, th)


def run_sweep(
    spec: SweepSpec,
    out: Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    show_progress: bool = True,
    progress: Progress | None = None,
    force: bool = False,
    drawer: ChartDrawer | None = None,
) -> SweepResult:
    """Run ``spec`` and write its outputs to ``out`` (default reports/sweeps/NAME/).

    ``out`` must be new, empty or a folder holding only what snowball wrote (edited since, only
    with ``force``: see outputs.atomic_dir).
    Finished chunks wait in a hidden ``.NAME.partial`` folder beside ``out`` (kept on Ctrl-C for
    ``resume``); a sweep that fails before finishing any chunk leaves no such folder.
    ``drawer`` draws fan.png and tornado.png (the report layer's ``SWEEP_CHARTS``; None: no charts).
    """
    start = time.perf_counter()
    default_out = REPORTS / "sweeps" / output_name(spec.name, "sweep")
    out = Path(out) if out else default_out
    check_target(out, force)
    workers = check_workers(workers) or usable_cores()  # the API gets the CLI's bounds
    if scheduler is not None and not SCHEDULER.match(scheduler):
        raise SnowballError(
            f"--scheduler {scheduler}: not a Dask scheduler address; expected e.g. tcp://host:8786"
        )
    bar = progress or Progress(0, f"sweep {spec.name}", enabled=show_progress)
    pool = Pool(workers, scheduler)  # a cluster that cannot be reached fails here, before any file
    sweep = Sweep(spec, out, default_out, scheduler, force, pool, bar, drawer)
    the_plan = sweep.plan(workers)
    base = sweep.prepare_in_background(the_plan)
    folder = partial_dir(out)
    created = not folder.exists()
    try:
        make_dir(folder)
        with sweep_lock(folder, out):
            the_plan = prepare_partial(folder, the_plan.for_workers(pool.size), resume)
            sweep.run_chunks(the_plan, folder, created)
            result = sweep.write(the_plan, folder, base)
            shutil.rmtree(folder, ignore_errors=True)
    except OSError as exc:
        if exc.errno in FULL:
            raise SnowballError(f"sweep {spec.name}: disk full writing {exc.filename or folder}") from None
        raise SnowballError(
            f"sweep {spec.name}: cannot write {exc.filename or folder}: {exc.strerror or exc}"
        ) from None
    finally:
        sweep.close(failed=sys.exc_info()[0] is not None)
    return sweep.result(the_plan, result, start)


@dataclass
class Sweep:
    """One sweep under way (:func:`run_sweep`): its pool, progress, collector and timings, and the
    steps that use them."""

    spec: SweepSpec
    out: Path
    default_out: Path
    scheduler: str | None
    force: bool
    pool: Pool
    bar: Progress
    drawer: ChartDrawer | None
    phases: dict[str, float] = dataclasses.field(default_factory=dict)
    marks: dict[str, float] = dataclasses.field(default_factory=dict)  # when each step ended (make bench)
    collector: Collector | None = None

    def hint(self) -> str:
        """The command that continues this sweep from its kept chunks."""
        return resume_hint(self.spec, self.out, self.default_out, self.scheduler)

    def plan(self, workers: int) -> Plan:
        """Sample the runs and check the inputs while the workers start (when there are several
        chunks); with the output tasks on the pool, so does the process that will render the fan
        chart (where its import costs the chunks less than the rendering it takes off the end)."""
        spec = self.spec
        try:
            if spec.n_runs > chunk_size(spec.n_runs, workers, spec.chunk):
                draw = self.drawer is not None and charts_in_own_process(spec.n_runs, usable_cores())
                self.pool.warm(draw=self.drawer.preload if draw else None)
            self.bar.stage("sampling the inputs and checking the base scenario")
            clock = time.perf_counter()
            the_plan = plan(spec)
            self.phases["plan"] = time.perf_counter() - clock
            self.marks["planned"] = clock + self.phases["plan"]
        except BaseException:
            self.pool.close(failed=True)
            raise
        self.bar.total = the_plan.n_runs
        return the_plan

    def prepare_in_background(self, the_plan: Plan) -> Future | None:
        """With a drawer and workers: the drawer's import (0.4 s) and the base run in a thread while
        the workers run the chunks (:func:`prepare_charts`)."""
        if self.drawer is None or not self.pool.started:
            return None
        prepare = ThreadPoolExecutor(1, thread_name_prefix="snowball-prepare")
        base = prepare.submit(prepare_charts, the_plan, self.drawer.preload)
        prepare.shutdown(wait=False)
        return base

    def run_chunks(self, the_plan: Plan, folder: Path, created: bool) -> None:
        """Run the chunks not kept in ``folder``, collecting them as they arrive; on Ctrl-C say what
        was kept; a lost worker or cluster is a one-line error (the folder removed when it was made
        for this sweep and nothing was kept)."""
        try:
            self.bar.stage(f"running {the_plan.n_runs:,} runs in {len(the_plan.chunks)} chunk(s)")
            self.collector = Collector(the_plan, folder)
            clock = time.perf_counter()
            execute(the_plan, folder, progress=self.bar, pool=self.pool, collector=self.collector)
            self.phases["run_and_collect"] = time.perf_counter() - clock
            self.marks["chunks_done"] = clock + self.phases["run_and_collect"]
            self.phases["collect"] = self.collector.seconds
        except KeyboardInterrupt:
            self.bar.close()
            self.pool.close(failed=True)  # no worker saves a chunk after the count
            kept = kept_chunks(the_plan, folder)
            note(
                f"snowball: stopped; {kept} of {len(the_plan.chunks)} chunks kept in {folder}; "
                f"continue with: {self.hint()}"
            )
            raise
        except BaseException as exc:
            self.bar.close()
            self.pool.close(failed=True)
            kept = kept_chunks(the_plan, folder)
            if created and not kept:
                shutil.rmtree(folder, ignore_errors=True)
            error = self.lost(exc, the_plan, folder, kept)
            if error is None:
                raise
            raise error from None
        self.bar.close()

    def lost(self, exc: BaseException, the_plan: Plan, folder: Path, kept: int) -> SnowballError | None:
        """The one-line error for a lost worker process, cluster worker or scheduler; None for
        any other error."""
        hint = self.hint()
        if a_worker_died(exc):
            return worker_died_error(self.spec, the_plan, folder, kept, hint, self.pool.exit_codes)
        if isinstance(exc, NoLiveWorker):
            return no_live_worker_error(self.spec, the_plan, folder, kept, hint, self.scheduler)
        if a_scheduler_lost(exc, self.scheduler):
            return scheduler_lost_error(self.spec, the_plan, folder, kept, hint, self.scheduler)
        return None

    def write(self, the_plan: Plan, folder: Path, base: Future | None) -> tuple:
        """Write the outputs (:func:`write_outputs`); a worker or cluster lost meanwhile is a
        one-line error, every chunk being kept."""
        self.bar.stage("writing the outputs (summary, sensitivity, charts)")
        try:
            result = write_outputs(
                the_plan,
                folder,
                self.out,
                self.force,
                collector=self.collector,
                pool=self.pool,
                phases=self.phases,
                base=base,
                marks=self.marks,
                drawer=self.drawer,
            )
        except Exception as exc:
            error = self.lost(exc, the_plan, folder, len(the_plan.chunks))
            if error is None:
                raise
            raise error from None
        self.phases["runs_parquet_encoding_thread"] = self.collector.encoding
        return result

    def close(self, failed: bool) -> None:
        """Close the collector's files, stop the workers and end the progress line."""
        if self.collector is not None:
            self.collector.close()
        self.pool.close(failed=failed)
        self.bar.close()

    def result(self, the_plan: Plan, written: tuple, start: float) -> SweepResult:
        """The sweep's result, with its timings from ``start``."""
        collector, marks = self.collector, self.pool.marks | self.marks
        return SweepResult(
            self.out,
            the_plan.n_runs,
            time.perf_counter() - start,
            *written[:4],
            phases=self.phases,
            worker_mb=collector.worker_mb if collector is not None else 0.0,
            timeline={k: v - start for k, v in sorted(marks.items(), key=lambda kv: kv[1])},
            chunks_arrived=tuple(t - start for t in (collector.arrivals if collector is not None else [])),
            probabilities=written[4],
        )


def prepare_charts(the_plan: Plan, module: str) -> pd.DataFrame:
    """Import the drawer's ``module`` (matplotlib) ahead of the outputs that need it and return the
    base scenario's run (:func:`base_run`), in a thread while the workers run the chunks."""
    import importlib

    importlib.import_module(module)
    return base_run(the_plan)


__all__ = [
    "PARAMS_PART",
    "RUNS_PART",
    "Collector",
    "Plan",
    "Pool",
    "Progress",
    "SweepResult",
    "base_run",
    "calibration_frame",
    "chunk_size",
    "computed",
    "draws_interval",
    "draws_share",
    "execute",
    "keep_index",
    "partial_dir",
    "plan",
    "ranked",
    "run_scenarios",
    "run_sweep",
    "scenario_inputs",
    "sensitivity_frame",
    "share_pct",
    "summary_frame",
    "wilson",
    "write_outputs",
]
