"""Writing a sweep's outputs atomically: summary, sensitivity, the charts (drawn by the caller's drawer),
calibration, params.csv, runs.parquet and the manifest.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import importlib
import platform
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

from runners import __version__
from runners.core.cache import sha256_of
from runners.core.errors import SnowballError
from runners.core.fiscal_years import fiscal_years
from runners.core.outputs import atomic_dir, note_digests, write_json, written_files
from runners.sweep.collect import MAX_FAILED_SHARE, PARAMS_PART, RUNS_PART, Collector, check_failed, stored
from runners.sweep.drawer import ChartDrawer
from runners.sweep.planning import Plan
from runners.sweep.pool import Pool
from runners.sweep.summary import calibration_frame, sensitivity_later, summary_later
from runners.sweep.work import Stored, named_error

# cores from which a chart process renders the fan chart: its matplotlib import (0.3 s of one core
# here) slows the chunks by about that over the cores; it saves the fan's rendering (0.1 s here)
DRAW_MIN_CORES = 4
PARALLEL_OUTPUT_RUNS = 50_000  # from this many runs the summary and sensitivity tasks use the pool
FULL = (errno.ENOSPC, errno.EDQUOT)  # a full disk, or a full quota


def manifest(the_plan: Plan, files: dict[str, str], extra: dict) -> dict:
    """What produced the sweep: the spec, seed, versions and hashes (no timings: byte-stable)."""
    from runners.core.cache import sha256_of
    from runners.inputs.cbo_errors import errors_path
    from runners.projection.manifest import display_path, scenario_record
    from runners.scenario.supply_effects import calibration_dir

    spec = the_plan.spec
    # read besides the vintage's files: the calibration sets (in scenario_constants) and, for
    # compare_with_cbo, CBO's projection errors (calibration.csv and the fan's ranges)
    other = [calibration_dir() / "supply-effects.toml"]
    other += [errors_path()] if spec.compare_with_cbo else []
    packages = {}
    for pkg in ("numpy", "pandas", "scipy", "SALib", "pyarrow", "matplotlib", "pysd"):
        try:
            packages[pkg] = version(pkg)
        except Exception:  # pragma: no cover - optional in a source tree
            packages[pkg] = None
    return (
        {
            "spec_file": display_path(spec.path),
            "spec_sha256": spec.sha256,
            "spec": spec.doc,
            "scenario": spec.scenario.name,
            "scenario_file": display_path(spec.scenario.path),
            "scenario_sha256": scenario_record(spec.scenario)["sha256"],
            "scenario_constants": spec.scenario.constants,  # its own and the calibration set's
            "scenario_tables": spec.scenario.table_points(),
            "calibration": spec.calibration,
            "method": spec.method,
            "seed": spec.seed,
            "draws": spec.draws,
            "runs": the_plan.n_runs,
            "chunk": spec.chunk,
            "chunks": the_plan.row_groups,
            "inputs": [f.name for f in spec.factors],
            "model_file": "models/snowball.mdl",
            "model_sha256": the_plan.program.model_sha256,
            "engine_source_sha256": hashlib.sha256(the_plan.program.source.encode()).hexdigest(),
            "data_vintage": the_plan.base.inputs.vintage,
            "data_files": the_plan.base.inputs.files,
            "other_data_files": {display_path(p): sha256_of(p) for p in other},
            "output_files_sha256": files,
            "snowball_version": __version__,
            "python_version": platform.python_version(),
            "packages": packages,
        }
        | ({"overrides": spec.overrides} if spec.overrides else {})
        | extra
    )


def charts_in_own_process(n_runs: int, cores: int) -> bool:
    """Whether a chart process should render the fan chart: with the output tasks on the pool
    (PARALLEL_OUTPUT_RUNS), where its import costs the chunks less than the rendering it takes off
    the end (DRAW_MIN_CORES)."""
    return n_runs >= PARALLEL_OUTPUT_RUNS and cores >= DRAW_MIN_CORES


def write_outputs(
    the_plan: Plan,
    folder: Path,
    out: Path,
    force: bool = False,
    collector: Collector | None = None,
    pool: Pool | None = None,
    phases: dict[str, float] | None = None,
    base: Future | None = None,
    marks: dict[str, float] | None = None,
    drawer: ChartDrawer | None = None,
):
    """Write every output file atomically; returns (summary, sensitivity, calibration, failed,
    probabilities).

    params.csv and runs.parquet come from ``collector`` (written as the chunks arrived; without
    one, from the chunk files now); summary and sensitivity are computed by ``pool``'s workers
    from the chunk files; ``drawer`` (None: no charts) draws fan.png and tornado.png; ``base``: the
    base run (:func:`base_run`, the fan's reference line), computed while the chunks ran; the fan
    chart is rendered by the pool's chart process, when it has one, while this process draws the
    tornado. Runs that went non-finite or negative are counted, named in the manifest and left
    out of the summary; more than MAX_FAILED_SHARE of them fails the sweep (nothing is written).
    """
    phases = {} if phases is None else phases
    marks = {} if marks is None else marks
    clock = time.perf_counter()
    if drawer is not None:  # with worker processes, a thread imported it while they ran the chunks
        importlib.import_module(drawer.preload)
    phases["import_charts"] = time.perf_counter() - clock
    collector = every_chunk_collected(the_plan, folder, collector)
    failed = collector.failed_runs()
    clock = time.perf_counter()
    chunks, waits = hand_out_output_tasks(the_plan, folder, failed, collector, pool)
    marks["output_tasks_submitted"] = time.perf_counter()
    collector.finish()  # the last row groups of runs.parquet are encoded while those tasks run
    # the two large files are hashed meanwhile (hashlib lets go of the GIL)
    big = {"params.csv": folder / PARAMS_PART, "runs.parquet": folder / RUNS_PART}
    with ThreadPoolExecutor(1, thread_name_prefix="snowball-hash") as hasher:
        digests = {name: hasher.submit(sha256_of, path) for name, path in big.items()}
        calibration = calibration_frame(the_plan, chunks)
        clock_base = time.perf_counter()
        base_frame = None if drawer is None else base.result() if base is not None else base_run(the_plan)
        base_seconds = time.perf_counter() - clock_base  # with workers, a thread ran it meanwhile
        chart_process = pool.drawer() if pool is not None else None
        probabilities = threshold_table(the_plan, chunks)
        with atomic_dir(out, force) as tmp:
            outputs = Outputs(the_plan, out, tmp, calibration, base_frame, drawer, chart_process, marks)
            summary, sensitivity, waited = outputs.write(*waits)
            if probabilities is not None:
                outputs.table(probabilities, "probabilities.csv", "%.6f")
            seal(the_plan, out, tmp, {name: (path, digests[name]) for name, path in big.items()}, failed)
    marks["written"] = time.perf_counter()
    phases["summary_sensitivity"] = waited
    phases["base_run"] = base_seconds
    phases["write_charts_manifest"] = time.perf_counter() - clock - waited - base_seconds
    return summary, sensitivity, calibration, tuple(int(i) for i in failed), probabilities


def threshold_table(the_plan: Plan, chunks: Stored) -> pd.DataFrame | None:
    """probabilities.csv: each of the spec's thresholds (``--threshold``) over every run, from the
    chunks (all fiscal years, failed runs NaN); None when none was asked for."""
    from runners.sweep.probability import probability_row

    thresholds = the_plan.spec.thresholds
    if not thresholds:
        return None
    years = the_plan.years
    rows = []
    for th in thresholds:
        block = chunks.gather(slice(0, len(years)), the_plan.columns.index(th.variable))
        rows.append(probability_row(th, block, years))
    return pd.DataFrame(rows)


def every_chunk_collected(the_plan: Plan, folder: Path, collector: Collector | None) -> Collector:
    """``collector`` when it took every chunk; otherwise a new one that takes them from the files."""
    if collector is None or not collector.complete:
        if collector is not None:
            collector.close()
        collector = Collector(the_plan, folder)
        collector.offer(-1)
    return collector


def hand_out_output_tasks(
    the_plan: Plan, folder: Path, failed: np.ndarray, collector: Collector, pool: Pool | None
) -> tuple[Stored, tuple[Callable[[], pd.DataFrame], Callable[[], pd.DataFrame]]]:
    """Refuse too many failed runs, then hand out the summary and sensitivity tasks; returns the
    chunks as stored and the functions that wait for the two frames."""
    try:
        check_failed(the_plan, failed)
        chunks = stored(the_plan, folder, failed)
        # the tasks go to the workers when there is enough to share (PARALLEL_OUTPUT_RUNS); both
        # sets are handed out at once, and this process draws the fan chart while the sensitivity
        # tasks run
        tasks = pool if the_plan.n_runs >= PARALLEL_OUTPUT_RUNS else None
        return chunks, (summary_later(the_plan, chunks, tasks), sensitivity_later(the_plan, chunks, tasks))
    except BaseException:
        collector.close()  # its writer thread and files (finish() closes them otherwise)
        raise


@dataclass
class Outputs:
    """The summary, sensitivity and calibration tables and the charts, written into ``tmp`` (the
    output folder ``out`` being written) as the summary and sensitivity tasks finish."""

    the_plan: Plan
    out: Path
    tmp: Path
    calibration: pd.DataFrame | None
    base: pd.DataFrame | None  # the base run (the fan's reference line); None without a drawer
    drawer: ChartDrawer | None
    chart_process: Executor | None  # renders the fan chart, when the pool has one
    marks: dict[str, float]

    def write(
        self, summary_wait: Callable[[], pd.DataFrame], sensitivity_wait: Callable[[], pd.DataFrame]
    ) -> tuple[pd.DataFrame, pd.DataFrame, float]:
        """Wait for the summary, write it (and calibration.csv) and hand out the fan chart; then
        wait for the sensitivity, write it and draw the tornado. Returns both frames and the
        seconds spent waiting for them."""
        waited = -time.perf_counter()
        summary = summary_wait()
        waited += time.perf_counter()
        self.marks["summary_ready"] = time.perf_counter()
        self.table(summary, "summary.csv", "%.6f")
        if self.calibration is not None:
            self.table(self.calibration, "calibration.csv", "%.4f")
        drawer = self.drawer
        with drawer.files(self.chart_process) if drawer else contextlib.nullcontext() as drawing:
            if drawer:
                with writing(self.the_plan, self.out / "fan.png"):
                    drawer.fan(summary, self.base, self.the_plan, self.tmp, self.calibration, drawing)
            waited -= time.perf_counter()
            sensitivity = sensitivity_wait()
            waited += time.perf_counter()
            self.marks["sensitivity_ready"] = time.perf_counter()
            self.table(sensitivity, "sensitivity.csv", "%.6f")
            if drawer:
                with writing(self.the_plan, self.out / "tornado.png"):
                    drawer.tornado(sensitivity, summary, self.the_plan, self.tmp)
                self.marks["tornado_written"] = time.perf_counter()
        if drawer:
            self.marks["charts_written"] = time.perf_counter()  # the fan waited for, if drawn elsewhere
        return summary, sensitivity, waited

    def table(self, frame: pd.DataFrame, name: str, float_format: str) -> None:
        """Write ``frame`` as the CSV file ``name``."""
        with writing(self.the_plan, self.out / name):
            frame.to_csv(self.tmp / name, index=False, float_format=float_format, lineterminator="\n")


def seal(
    the_plan: Plan, out: Path, tmp: Path, big: dict[str, tuple[Path, Future]], failed: np.ndarray
) -> None:
    """Move the two large files (``big``: name -> their path and the future of their sha256) into
    ``tmp`` and write the manifest, with every file's sha256, the marker recording them too."""
    files = {name: sha256_of(tmp / name) for name in written_files(tmp)}
    for name, (path, digest) in big.items():
        files[name] = digest.result()
        shutil.move(path, tmp / name)
    files = dict(sorted(files.items()))
    note_digests(tmp, files)  # the marker records them too (runs.parquet is not read again)
    extra = {
        "failed_runs": {
            "count": len(failed),
            "run_ids": [int(i) for i in failed],
            "limit_share": MAX_FAILED_SHARE,
        }
    }
    if the_plan.spec.thresholds:  # --threshold: probabilities.csv's questions, as asked
        extra["thresholds"] = [t.text() for t in the_plan.spec.thresholds]
    with writing(the_plan, out / "manifest.json"):
        write_json(manifest(the_plan, files, extra), tmp / "manifest.json")


@contextlib.contextmanager
def writing(the_plan: Plan, path: Path) -> Iterator[None]:
    """An OSError raised inside names ``path``; a full disk is a one-line error naming it (the
    output folder's own error names only the folder)."""
    try:
        yield
    except OSError as exc:
        if exc.errno in FULL:
            raise SnowballError(f"sweep {the_plan.spec.name}: disk full writing {path}") from None
        raise named_error(exc, str(path)) from None


def base_run(the_plan: Plan) -> pd.DataFrame:
    """The base scenario's own projection (fan chart reference line), fiscal years x columns."""
    prog = the_plan.program
    _, raw = prog.simulate(
        1,
        the_plan.spec.until,
        constants=the_plan.base.constants | the_plan.spec.constants,
        tables=the_plan.base.tables,
    )
    res = fiscal_years(raw, the_plan.columns)
    return pd.DataFrame(
        {c: v[:, 0] for c, v in res.items()}, index=pd.Index(the_plan.years, name="fiscal_year")
    )
