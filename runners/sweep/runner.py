"""Sensitivity sweeps: thousands of scenarios through the vectorised engine, in chunks.

``run_sweep`` samples the spec's inputs, cuts the runs into chunks, runs them in local worker
processes (or on a Dask cluster), keeps every finished chunk on disk (so Ctrl-C loses nothing and
``--resume`` continues), then writes the outputs atomically: params.csv, runs.parquet,
summary.csv, sensitivity.csv, fan.png, tornado.png, calibration.csv (when asked) and
manifest.json. The same spec and seed give byte-identical files.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import errno
import hashlib
import json
import math
import platform
import queue
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

from runners import __version__
from runners.core.cache import sha256_of
from runners.core.errors import SnowballError, printable
from runners.core.fiscal_years import fiscal_years, model_vars_for
from runners.core.outputs import (
    atomic_dir,
    check_target,
    locked,
    make_dir,
    note_digests,
    output_name,
    write_json,
    written_files,
)
from runners.core.paths import REPORTS
from runners.engine.program import FOLD_MIN_RUNS, Engine, Program, cached_program, interp
from runners.inputs.vintage import LAST_YEAR, ModelInputs
from runners.sweep.spec import (
    MORRIS_LEVELS,
    MORRIS_SPAN,
    SweepSpec,
    check_path_ranges,
    check_workers,
    sample,
    unit_sample,
    usable_cores,
)
from runners.sweep.work import (
    ChunkJob,
    Digest,
    SensitivityJob,
    Stored,
    checksum_path,
    chunk_intact,
    chunk_path,
    failed_rows,
    job_digest,
    kept_values,
    load_chunk,
    named_error,
    naming,
    on_block,
    on_parts,
    preload_charts,
    run_and_digest,
    run_and_save,
    run_chunk,
    save_chunk,
    sensitivity_rows,
    summary_rows,
    take,
    warm_up,
    worker_processes,
)

# ---------------------------------------------------------------- inputs, replicating run.run


@dataclass(frozen=True)
class BaseInputs:
    """The base scenario's inputs exactly as ``runners.projection.run.run`` assembles them."""

    constants: dict[str, float]
    tables: dict[str, tuple[np.ndarray, np.ndarray]]
    inputs: ModelInputs


def scenario_inputs(
    engine: Engine | Program,
    scenario,
    overrides: dict[str, float] | None = None,
    inputs: ModelInputs | None = None,
) -> BaseInputs:
    """Constants and tables for ``scenario`` (+ ``overrides``), as run.run sets them in pysd.

    The .mdl's values, then the vintage's constants, the baseline paths, ``baseline path on`` = 1,
    the scenario's constants and the overrides; tables: the vintage's, with the scenario's points.
    """
    from runners.projection.params import cached_inputs, scenario_params

    inputs = inputs or cached_inputs(scenario.baseline)
    params = scenario_params(scenario, inputs, overrides)
    constants = dict(engine.constants)
    tabs = {k: (np.asarray(x, float), np.asarray(y, float)) for k, (x, y) in engine.tables.items()}
    for key, value in params.items():
        if isinstance(value, pd.Series):
            if key not in tabs:
                raise SnowballError(f"input table '{key}' is not a lookup of the model")
            tabs[key] = (value.index.to_numpy(dtype=float), value.to_numpy(dtype=float))
        else:
            if key not in constants:
                raise SnowballError(f"input '{key}' is not a constant of the model")
            constants[key] = float(value)
    return BaseInputs(constants, tabs, inputs)


def stack_inputs(
    items: list[BaseInputs],
) -> tuple[dict[str, float | np.ndarray], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Many scenarios' inputs as engine arguments: per-scenario arrays only where they differ.

    Tables that differ share the union of their x points (each scenario's own values interpolated
    there, which leaves every lookup unchanged).
    """
    constants: dict[str, float | np.ndarray] = {}
    for key in items[0].constants:
        vals = np.array([b.constants[key] for b in items], dtype=float)
        constants[key] = float(vals[0]) if np.all(vals == vals[0]) else vals
    tables: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for key, (x0, y0) in items[0].tables.items():
        same = all(
            np.array_equal(b.tables[key][0], x0) and np.array_equal(b.tables[key][1], y0) for b in items
        )
        if same:
            tables[key] = (x0, y0)
            continue
        grid = np.unique(np.concatenate([b.tables[key][0] for b in items]))
        tables[key] = (grid, np.array([np.interp(grid, *b.tables[key]) for b in items]))
    return constants, tables


def run_scenarios(scenarios: list, until: int = 2055, engine: Engine | None = None) -> list[pd.DataFrame]:
    """Several scenarios in one vectorised run: fiscal-year results like ``run.run(...).results``.

    (Numeric columns only: no ``credit_rating`` label.)
    """
    from runners.core.columns import COLUMNS

    cols = tuple(c.name for c in COLUMNS)
    items = [scenario_inputs(engine or cached_program(model_vars_for(cols)), s) for s in scenarios]
    first = items[0].inputs.first_year
    if any(b.inputs.first_year != first for b in items):
        raise SnowballError("scenarios run together must start from the same initial state")
    constants, tables = stack_inputs(items)
    if engine is None:
        program = cached_program(model_vars_for(cols), initial_time=first)
    else:
        program = engine.program(model_vars_for(cols), initial_time=first)
    _, raw = program.simulate(len(items), until, constants=constants, tables=tables)
    res = fiscal_years(raw, cols)
    years = pd.Index(range(first + 1, until + 1), name="fiscal_year")
    return [pd.DataFrame({c: res[c][:, i] for c in cols}, index=years) for i in range(len(items))]


def annual(x: np.ndarray, y: np.ndarray, first: int) -> tuple[np.ndarray, np.ndarray]:
    """A fiscal-year table on every year first..LAST_YEAR plus its own points (same lookups)."""
    grid = np.union1d(x, np.arange(first, LAST_YEAR + 1, dtype=float))
    return grid, np.interp(grid, x, y)


# ---------------------------------------------------------------- planning


@dataclass(frozen=True)
class Plan:
    """What a sweep will do: the runs' factor values, the jobs' shared inputs and a cache key."""

    spec: SweepSpec
    values: np.ndarray  # (n_runs, k)
    program: Program
    base: BaseInputs
    tables: dict[str, tuple[np.ndarray, np.ndarray]]  # with path targets on the annual grid
    columns: tuple[str, ...]
    years: tuple[int, ...]
    key: str
    chunk_runs: int = 0  # runs per chunk file (0: the spec's chunk); see chunk_size

    @property
    def n_runs(self) -> int:
        """Number of runs."""
        return len(self.values)

    @property
    def chunks(self) -> list[tuple[int, int]]:
        """(start, stop) run ranges of the work chunks, in order."""
        step = self.chunk_runs or self.spec.chunk
        return [(s, min(s + step, self.n_runs)) for s in range(0, self.n_runs, step)]

    @property
    def row_groups(self) -> int:
        """runs.parquet's row groups: one per ``chunk`` runs of the spec, whatever the work chunks."""
        return -(-self.n_runs // self.spec.chunk)

    def for_workers(self, workers: int) -> Plan:
        """The same plan cut into chunks sized for ``workers`` (see :func:`chunk_size`)."""
        return dataclasses.replace(self, chunk_runs=chunk_size(self.n_runs, workers, self.spec.chunk))

    def job(self, index: int) -> ChunkJob:
        """The job for chunk ``index`` (plain data)."""
        start, stop = self.chunks[index]
        block = self.values[start:stop]
        varied, factors = {}, {}
        for i, f in enumerate(self.spec.factors):
            if f.constant:
                varied[f.constant] = np.ascontiguousarray(block[:, i])
            else:
                factors[f.name] = np.ascontiguousarray(block[:, i])
        constants = self.base.constants | self.spec.constants
        return ChunkJob(
            index=index,
            program=self.program,
            until=self.spec.until,
            constants=constants,
            tables=self.tables,
            varied=varied,
            factors=factors,
            paths=self.spec.paths,
            run_ids=np.arange(start, stop),
            seed=self.spec.seed,
            columns=self.columns,
            years=self.years,
            params=np.ascontiguousarray(block),
            fold=self.n_runs >= FOLD_MIN_RUNS,  # the same for every chunk, so bytes do not depend on them
        )


MIN_CHUNK = 500  # runs: below this the engine's per-step Python cost dominates (see make bench)
MIN_ROUNDS = 3  # with several workers: rounds of chunks at least (see chunk_size)


def chunk_size(runs: int, workers: int, largest: int) -> int:
    """Runs per work chunk: equal chunks in whole rounds of ``workers``, so that no round leaves
    workers idle. The fewest rounds that keep a chunk within the spec's ``chunk`` (memory per
    chunk and the resume unit), and with several workers at least MIN_ROUNDS: a worker held up
    by other work then delays the end by a third of its share, not all of it, and the writer
    thread encodes the earlier rounds while the later ones run. Each chunk costs a fixed ~40 ms
    of per-step Python (2-core machine, ``make bench``), so one worker takes the largest chunks,
    and no chunk is smaller than MIN_CHUNK."""
    workers = max(workers, 1)
    rounds = -(-runs // (workers * largest))
    if workers > 1:
        rounds = max(rounds, MIN_ROUNDS)
    return max(1, min(largest, max(MIN_CHUNK, -(-runs // (rounds * workers)))))


def plan(spec: SweepSpec, engine: Engine | None = None) -> Plan:
    """Sample the runs and assemble the shared inputs; check everything before anything runs."""
    from runners.scenario.scenarios import check_value, resolve_parameter

    values = sample(spec)
    for i, f in enumerate(spec.factors):
        col = values[:, i]
        if not np.all(np.isfinite(col)):
            raise SnowballError(f"{spec.path}: field 'inputs.{f.name}': the draws are not all finite")
        if f.constant:
            param = resolve_parameter(f.constant)
            for v in (col.min(), col.max()):
                try:
                    check_value(param, float(v))
                except SnowballError as exc:
                    raise SnowballError(
                        f"{spec.path}: field 'inputs.{f.name}': a draw is out of range ({exc}); "
                        "narrow the distribution"
                    ) from None
    columns = spec.columns
    record = model_vars_for(columns)
    # the cached program (no pysd) unless an engine is given; its constants and tables are the .mdl's
    source = engine or cached_program(record)
    base = scenario_inputs(source, spec.scenario)
    check_holdings(spec, values, base.constants | spec.constants)
    tables = dict(base.tables)
    for p in spec.paths:
        for name in p.tables:
            tables[name] = annual(*tables[name], base.inputs.first_year)
    first = base.inputs.first_year
    check_path_ranges(spec, values, tables, first)  # as a scenario's tables are checked
    program = engine.program(record, first) if engine else dataclasses.replace(source, initial_time=first)
    years = tuple(range(base.inputs.first_year + 1, spec.until + 1))
    key_parts = {
        "spec": spec.sha256,
        "scenario_constants": spec.scenario.constants,
        "scenario_tables": spec.scenario.table_points(),  # a base scenario's points change results
        "model": program.model_sha256,
        "data": base.inputs.files,
        "chunk": spec.chunk,
        "snowball": __version__,
        "source": hashlib.sha256(program.source.encode()).hexdigest(),
    } | ({"overrides": spec.overrides} if spec.overrides else {})
    key = hashlib.sha256(json.dumps(key_parts, sort_keys=True).encode()).hexdigest()
    return Plan(spec, values, program, base, tables, columns, years, key)


def check_holdings(spec: SweepSpec, values: np.ndarray, constants: dict[str, float]) -> None:
    """Every run's starting holdings stay below its debt (as scenario.check_combination checks)."""
    from runners.scenario.scenarios import DEBT, HOLDINGS

    names = [DEBT, *HOLDINGS]
    if not any(f.constant in names for f in spec.factors):
        return
    cols = {n: np.full(len(values), float(constants[n])) for n in names}
    for i, f in enumerate(spec.factors):
        if f.constant in cols:
            cols[f.constant] = values[:, i]
    bad = np.flatnonzero(sum(cols[h] for h in HOLDINGS) >= cols[DEBT])
    if len(bad):
        raise SnowballError(
            f"{spec.path}: field 'inputs': in {len(bad):,} of {len(values):,} runs (first: run "
            f"{bad[0]}) the starting holdings sum to at least the '{DEBT}'; domestic private "
            "holdings would be negative; narrow the distributions"
        )


# ---------------------------------------------------------------- Monte Carlo precision


Z95 = 1.959963984540054  # the standard normal's 97.5th percentile: two-sided 95% intervals


def wilson(met: int, n: int) -> tuple[float, float]:
    """Wilson's 95% score interval for a probability estimated as ``met`` of ``n`` draws (exactly 0
    below when none met it, exactly 1 above when all did)."""
    if n <= 0:
        return float("nan"), float("nan")
    p, z2 = met / n, Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (0.0 if met <= 0 else max(0.0, centre - half)), (1.0 if met >= n else min(1.0, centre + half))


def share_pct(share: float, n: int) -> str:
    """``share`` (0-1) in percent at the precision ``n`` draws resolve (one draw in 10,000 is
    0.01%): never 0 or 100 unless exactly so."""
    if share in (0.0, 1.0):
        return f"{share * 100:.0f}%"
    digits = max(1, math.ceil(math.log10(max(n, 1))) - 2)
    while digits < 8 and round(share * 100, digits) in (0.0, 100.0):
        digits += 1
    return f"{share * 100:.{digits}f}%"


def draws_interval(met: int, n: int) -> str:
    """The precision of ``met`` of ``n`` draws: '95% interval 49.4-51.4%' (Wilson's)."""
    low, high = wilson(met, n)
    return f"95% interval {share_pct(low, n)[:-1]}\u2013{share_pct(high, n)}"


def draws_share(met: int, n: int) -> str:
    """A Monte Carlo share with its precision: '50.4% (95% interval 49.4-51.4%)'."""
    return f"{share_pct(met / n, n)} ({draws_interval(met, n)})"


# ---------------------------------------------------------------- running


class Progress:
    """Progress on stderr: a one-line bar with the time left on a terminal; in a redirected log,
    plain lines (every tenth of the runs) and never a carriage return. ``stage`` prints one line
    per pipeline stage (planning, running, writing), so nothing runs in silence."""

    def __init__(self, total_runs: int, label: str, stream=None, enabled: bool = True):
        self.total, self.label, self.enabled = total_runs, printable(label), enabled
        self.stream = stream or sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(isatty and isatty())
        self.start = time.perf_counter()
        self.done_at_start = 0
        self.open_line = False
        self.last_tenth = -1

    def stage(self, text: str) -> None:
        """One line saying what the sweep is doing now."""
        if self.enabled:
            self._end_line()
            self.stream.write(f"{self.label}: {text}\n")
            self.stream.flush()

    def update(self, done: int, first: bool = False) -> None:
        """Show ``done`` runs finished."""
        if first:
            self.done_at_start = done
            self.start = time.perf_counter()
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        new = done - self.done_at_start
        left = (self.total - done) * elapsed / new if new > 0 else float("nan")
        eta = f"{left:5.1f} s left" if left == left else "  estimating"
        if not self.tty:
            tenth = 10 * done // max(self.total, 1)
            if tenth != self.last_tenth:
                self.last_tenth = tenth
                self.stream.write(
                    f"{self.label}: {done:,}/{self.total:,} runs, {elapsed:.1f} s, {eta.strip()}\n"
                )
                self.stream.flush()
            return
        width = 30
        filled = int(width * done / max(self.total, 1))
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{self.total:,} runs, "
            f"{elapsed:5.1f} s, {eta}"
        )
        self.stream.flush()
        self.open_line = True

    def _end_line(self) -> None:
        if self.open_line:
            self.stream.write("\n")
            self.stream.flush()
            self.open_line = False

    def close(self) -> None:
        """End the bar's line (so whatever follows, an error included, starts on its own line)."""
        self._end_line()


def _chunk_path(folder: Path, index: int) -> Path:
    return Path(chunk_path(str(folder), index))


def keep_index(the_plan: Plan) -> tuple[list[int], list[int]]:
    """The rows (fiscal years) and columns of a chunk's results that runs.parquet keeps."""
    spec = the_plan.spec
    return [the_plan.years.index(y) for y in spec.keep_years], [
        the_plan.columns.index(v) for v in spec.keep_variables
    ]


def chunk_ok(path: Path, shape: tuple[int, ...]) -> bool:
    """True when ``path`` is a complete chunk of ``shape`` (runs, years, columns); a truncated or
    foreign file is not."""
    try:
        data = load_chunk(str(path), mmap=True)
        ok = data.shape == shape and data.dtype == np.float64
        del data
        return ok
    except (OSError, ValueError, EOFError):
        return False


def check_kept(the_plan: Plan, folder: Path) -> list[int]:
    """The chunks still to run: those not kept in ``folder``, and those kept but damaged (their
    checksum does not match, or a wrong shape), which are deleted. Says on stderr how many were
    kept and which were damaged."""
    todo: list[int] = []
    damaged: list[str] = []
    width = (len(the_plan.years), len(the_plan.columns))
    for i, (start, stop) in enumerate(the_plan.chunks):
        path = _chunk_path(folder, i)
        side = Path(checksum_path(str(folder), i))
        if path.is_file():
            why = chunk_intact(str(folder), i)
            if why is None and not chunk_ok(path, (stop - start, *width)):
                why = "not of this sweep's shape"
            if why is None:
                continue
            damaged.append(f"{path.name} ({why})")
        for stale in (path, side):
            if stale.is_file() or stale.is_symlink():
                stale.unlink()
        todo.append(i)
    n = len(the_plan.chunks)
    if n - len(todo) or damaged:
        note = f"snowball: kept {n - len(todo)} of {n} chunks in {folder} (checksums verified)"
        if damaged:
            shown = ", ".join(damaged[:5]) + (", ..." if len(damaged) > 5 else "")
            note += f"; {len(damaged)} damaged, recomputed: {shown}"
        print(note, file=sys.stderr)
    return todo


def partial_dir(out: Path) -> Path:
    """Where finished chunks wait (beside the output folder) until the sweep completes."""
    return out.parent / f".{out.name}.partial"


def execute(
    the_plan: Plan,
    folder: Path,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    pool: Pool | None = None,
    collector: Collector | None = None,
) -> None:
    """Run every chunk not yet in ``folder``, saving each as it finishes (Ctrl-C keeps them).

    A kept chunk is used only when it matches the checksum written with it and has the plan's
    shape; any other (zeroed or torn by a crash, edited, truncated) is run again
    (:func:`check_kept`). ``pool`` (default: one made from ``workers`` and ``scheduler``) runs
    the chunks; ``collector``, when given, takes each chunk in run order as it arrives.
    """
    todo = check_kept(the_plan, folder)
    sizes = [stop - start for start, stop in the_plan.chunks]
    done = sum(sizes) - sum(sizes[i] for i in todo)
    if progress:
        progress.update(done, first=True)
    if collector:
        collector.expect(todo)
        collector.offer(-1)  # the chunks kept from an interrupted run, in order

    rows, cols = keep_index(the_plan)

    def finished(index: int, result: Digest | tuple[np.ndarray, Digest]) -> None:
        # a full result (from Dask) is saved here; a worker process or this one saved its own
        nonlocal done
        if isinstance(result, tuple):
            data, result = result
            save_chunk(str(folder), index, data)
            if result.kept is None:
                result = dataclasses.replace(result, kept=kept_values(data, rows, cols))
        if collector:
            collector.offer(index, result)
        done += sizes[index]
        if progress:
            progress.update(done)

    if not todo:
        return
    own = pool is None
    pool = pool or Pool(workers, scheduler)
    try:
        if pool.client is not None:
            _run_dask(the_plan, todo, pool, finished, (rows, cols))
        elif pool.workers <= 1 or len(todo) == 1:
            for i in todo:
                finished(i, run_and_save(the_plan.job(i), str(folder), rows, cols))
        else:
            _run_processes(the_plan, todo, pool, finished, (str(folder), rows, cols))
    finally:
        if own:
            pool.close()


SCHEDULER_TIMEOUT = "10s"  # how long to try to reach a Dask scheduler (its port accepting connections)
HANDSHAKE_TIMEOUT = 10.0  # seconds for what answers there to identify itself as a Dask scheduler
NO_WORKER_TIMEOUT = 30.0  # seconds a cluster may have no live worker before the sweep stops
CLUSTER_POLL = 1.0  # seconds between checks that the cluster has a live worker


class NoLiveWorker(Exception):
    """The Dask cluster has had no live worker for NO_WORKER_TIMEOUT seconds."""


def probe_scheduler(address: str) -> None:
    """Check that a Dask scheduler answers at ``address``: its port accepts a connection within
    SCHEDULER_TIMEOUT (tcp and tls addresses) and it identifies itself as a scheduler within
    HANDSHAKE_TIMEOUT, asked from a thread of its own (so a caller's event loop, such as
    Jupyter's, is left alone). distributed's own client waits for the handshake without limit:
    an HTTP server on the port held it for ever."""
    import asyncio
    import socket

    from dask.utils import parse_timedelta
    from distributed.comm import connect, parse_address
    from distributed.comm.addressing import parse_host_port
    from distributed.security import Security

    reach = float(parse_timedelta(SCHEDULER_TIMEOUT))
    scheme, location = parse_address(address)
    if scheme in ("tcp", "tls"):
        host, port = parse_host_port(location)
        deadline = time.monotonic() + reach
        while True:
            try:
                socket.create_connection((host, port), timeout=reach).close()
                break
            except OSError as exc:  # refused while a scheduler starts: try until the deadline
                if time.monotonic() >= deadline:
                    raise SnowballError(
                        f"--scheduler {address}: cannot reach the Dask scheduler ({exc.strerror or exc})"
                    ) from None
                time.sleep(0.2)
    answer: dict = {}

    security = Security().get_connection_args("client")  # TLS settings from dask's config, as Client

    async def ask() -> object:
        comm = await connect(address, timeout=reach, **security)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    def run() -> None:
        try:
            answer["reply"] = asyncio.run(asyncio.wait_for(ask(), HANDSHAKE_TIMEOUT))
        except BaseException as exc:  # reported by the caller below
            answer["error"] = exc

    thread = threading.Thread(target=run, name="snowball-scheduler-probe", daemon=True)
    thread.start()
    thread.join(HANDSHAKE_TIMEOUT + 2)
    error = answer.get("error")
    if "reply" not in answer and (thread.is_alive() or isinstance(error, TimeoutError)):
        raise SnowballError(
            f"--scheduler {address}: no Dask scheduler answered within {HANDSHAKE_TIMEOUT:g} s "
            "(something there accepts connections but does not speak Dask's protocol)"
        )
    if "reply" not in answer:
        raise SnowballError(f"--scheduler {address}: cannot reach the Dask scheduler ({error})")
    reply = answer["reply"]
    kind = reply.get("type") if isinstance(reply, dict) else None
    if kind != "Scheduler":
        what = f"a Dask {kind}" if isinstance(kind, str) else "not Dask"
        raise SnowballError(f"--scheduler {address}: what answers there is {what}, not a Dask scheduler")


class Pool:
    """Where a sweep's parallel work runs: this process (one worker), worker processes started
    once for the whole sweep (the chunks, then the summary and sensitivity), or a Dask cluster."""

    def __init__(self, workers: int = 1, scheduler: str | None = None):
        self.workers = workers
        self.client = None
        self.scheduler = scheduler
        self._executor = None
        self._warming: threading.Thread | None = None  # starts the workers while the parent plans
        self._warm_error: BaseException | None = None
        self._warmed: list = []  # Dask: the warm-up tasks (held until the sweep ends)
        self._drawer = None  # one process that imports the charts and renders the fan chart
        self._draw = False
        self.marks: dict[str, float] = {}  # when the workers and the chart process were started
        self.chunks: dict[int, object] = {}  # Dask: chunk index -> future of its full results
        if scheduler:
            try:
                from distributed import Client
            except ImportError:  # pragma: no cover - the dask extra is not installed
                raise SnowballError(
                    "--scheduler needs the dask extra: pip install 'snowball[dask]'"
                ) from None
            try:
                probe_scheduler(scheduler)
                self.client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
            except (OSError, TimeoutError, ValueError, TypeError) as exc:
                raise SnowballError(
                    f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})"
                ) from None
            self.scheduler = scheduler
            try:
                self.client.wait_for_workers(1, timeout=NO_WORKER_TIMEOUT)
            except TimeoutError:
                self.close(failed=True)
                raise SnowballError(
                    f"--scheduler {scheduler}: the Dask scheduler has no worker, and none joined within "
                    f"{NO_WORKER_TIMEOUT:g} s (start some with: dask worker {scheduler})"
                ) from None

    @property
    def size(self) -> int:
        """How many chunks can run at once (Dask: the cluster's threads)."""
        if self.client is not None:
            return max(1, sum(self.client.nthreads().values()))
        return self.workers

    @property
    def started(self) -> bool:
        """True once worker processes run or are starting (or a cluster is connected)."""
        return self._executor is not None or self._warming is not None or self.client is not None

    def warm(self, draw: bool = False) -> None:
        """Start the workers now, in a thread, so that they are ready when the first chunk is: their
        start overlaps the sampling and planning. The parent waits on the fork server for each
        process it starts (done before planning, this cost 100,000 draws on 16 workers of the lent
        16-core machine a median 0.56 s of 2.96), and a Dask worker imports the engine on its first
        task; here both happen while the parent plans.

        ``draw``: also start one more process that imports the charts (matplotlib) while the chunks
        run, to render the fan chart at the end while this process draws the tornado
        (:meth:`drawer`)."""
        if self.client is not None:
            workers = list(self.client.nthreads())  # every worker's address
            self._warmed = [self.client.submit(warm_up, pure=False, workers=[w]) for w in workers]
        self._draw = draw and (self.client is not None or self.workers > 1)  # one worker: all here
        local = self.client is None and self.workers > 1 and self._executor is None
        if (local or self._draw) and self._warming is None:
            self._warming = threading.Thread(target=self._start, name="snowball-pool-start", daemon=True)
            self._warming.start()

    def _start(self) -> None:
        """The warm-up thread: start every worker process (each runs :func:`warm_up`), then the
        chart process (which imports the charts)."""
        try:
            if self.client is None and self.workers > 1 and self._executor is None:
                executor = self._executor = worker_processes(self.workers)
                for _ in range(self.workers):
                    executor.submit(warm_up)
                self.marks["workers_started"] = time.perf_counter()
        except BaseException as exc:  # raised in the parent by executor()
            self._warm_error = exc
            return
        if self._draw:
            try:
                self._drawer = worker_processes(1)
                self._drawer.submit(preload_charts)
                self.marks["chart_process_started"] = time.perf_counter()
            except OSError:  # no process to spare: this process draws both charts
                self._drawer = None

    def drawer(self):
        """The chart process started by :meth:`warm` (a one-process executor), or None."""
        self._started()
        return self._drawer

    def _started(self) -> None:
        """Wait for the warm-up thread, if any; raise what it raised (an OSError, such as the
        system's limit on processes, as a one-line error)."""
        if self._warming is not None:
            self._warming.join()
            self._warming = None
        if self._warm_error is not None:
            error, self._warm_error = self._warm_error, None
            if isinstance(error, OSError):
                raise SnowballError(
                    f"cannot start {self.workers} worker processes ({error.strerror or error}); "
                    "try fewer with --workers"
                ) from None
            raise error

    def executor(self):
        """The worker processes, started on first use and kept until :meth:`close`.

        Where the platform has it, workers are forked from a fork server that has already imported
        the engine (``forkserver``, preloading runners.core.workerenv and runners.sweep.work): each starts
        at once, instead of importing numpy and the engine itself as a spawned process does (16 of
        those imports at once slowed the parent's planning by half a second on 16 cores). Elsewhere
        (Windows) they are spawned. Either way a worker exits when the process that started it dies
        (:func:`watch_parent`); the fork server itself exits when the sweep's process does.
        """
        self._started()
        if self._executor is None:
            self._executor = worker_processes(self.workers)
        return self._executor

    def submit_blocks(self, fn: Callable, chunks: Stored, tasks: list[tuple]) -> Callable[[], list]:
        """``fn(block, *rest)`` for each task ``(years, column, *rest)``, where ``block`` is every
        run's ``column`` in ``years`` (failed runs NaN), handed out now: on the worker processes
        (each reads the chunk files), on the Dask cluster (each block joined there from the chunks
        the cluster holds, so its workers need no access to this machine's files), or here. The
        function returned waits for the results, in order (here, without workers, it computes
        them then), so the parent can work meanwhile."""
        if self.client is not None and tasks:
            return self._map_on_cluster(fn, chunks, tasks)
        self._started()
        if self._executor is not None and len(tasks) > 1:
            n = len(tasks)
            results = self._executor.map(on_block, [fn] * n, [chunks] * n, *zip(*tasks, strict=True))
            return lambda: list(results)
        return lambda: [on_block(fn, chunks, *t) for t in tasks]

    def _map_on_cluster(self, fn: Callable, chunks: Stored, tasks: list[tuple]) -> Callable[[], list]:
        client = self.client
        missing = [i for i in range(len(chunks.chunks)) if i not in self.chunks]
        for i in missing:  # kept from an interrupted run (--resume): sent from this machine's disk
            try:
                self.chunks[i] = client.scatter(load_chunk(chunks.path(i)), timeout=NO_WORKER_TIMEOUT)
            except TimeoutError:
                raise NoLiveWorker() from None
        futures = []
        for years, column, *rest in tasks:
            parts = [
                client.submit(take, self.chunks[i], years, column, pure=False)
                for i in range(len(chunks.chunks))
            ]
            futures.append(client.submit(on_parts, fn, parts, chunks.failed, *rest, pure=False))

        def results() -> list:
            self.wait_live(futures, every=True)
            return [self.result(f) for f in futures]

        return results

    def wait_live(self, futures: list, every: bool = False) -> list:
        """Wait on the cluster for the first of ``futures`` to finish (all of them when ``every``)
        and return those finished (:meth:`live`)."""
        from distributed import wait

        when = "ALL_COMPLETED" if every else "FIRST_COMPLETED"
        return self.live(lambda: list(wait(futures, timeout=CLUSTER_POLL, return_when=when).done))

    def result(self, future) -> object:
        """A future's result, fetched from the cluster (:meth:`live`: the worker that held it may be
        lost after it finished, and the task then waits to run again)."""
        return self.live(lambda: future.result(timeout=CLUSTER_POLL))

    def live(self, attempt: Callable[[], object]) -> object:
        """``attempt()`` (a cluster call that raises TimeoutError after CLUSTER_POLL seconds) until it
        returns, checking between tries that the cluster has a live worker; raises NoLiveWorker when
        it has had none for NO_WORKER_TIMEOUT seconds (the only worker lost, none to replace it: the
        tasks would wait for ever)."""
        alone_since = None
        while True:
            try:
                return attempt()
            except TimeoutError:
                pass
            if self.client.nthreads():
                alone_since = None
                continue
            now = time.monotonic()
            alone_since = alone_since if alone_since is not None else now
            if now - alone_since >= NO_WORKER_TIMEOUT:
                raise NoLiveWorker()

    def close(self, failed: bool = False) -> None:
        """Stop the workers (when ``failed``: at once, dropping queued work and ending the worker
        processes, so that none saves a chunk after the sweep has counted them)."""
        self.chunks.clear()  # the cluster lets go of the chunks' results
        self._warmed = []
        with contextlib.suppress(BaseException):  # closing: a failed start has nothing to stop
            self._started()
        for name in ("_executor", "_drawer"):
            if getattr(self, name) is not None:
                if failed:
                    stop_processes(getattr(self, name))
                getattr(self, name).shutdown(wait=not failed, cancel_futures=failed)
                setattr(self, name, None)
        if self.client is not None:
            self.client.close()
            self.client = None

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, kind, value, tb) -> None:
        self.close(failed=kind is not None)


PROCESS_STOP_SECONDS = 5.0  # how long a terminated worker process may take to exit


def stop_processes(executor) -> None:
    """End a ProcessPoolExecutor's worker processes now (SIGTERM), and wait for them to exit: a
    chunk they were running is lost, but none is saved after the sweep said how many it kept."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.terminate()
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            process.join(PROCESS_STOP_SECONDS)


def _run_processes(the_plan: Plan, todo: list[int], pool: Pool, finished: Callable, where: tuple) -> None:
    from concurrent.futures import FIRST_COMPLETED, wait

    executor = pool.executor()
    pending: dict = {}
    queue = list(todo)
    try:
        while queue or pending:
            while queue and len(pending) < 2 * pool.workers:  # bounded: memory stays flat
                i = queue.pop(0)
                pending[executor.submit(run_and_save, the_plan.job(i), *where)] = i
            ready, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in sorted(ready, key=lambda f: pending[f]):
                finished(pending.pop(fut), fut.result())
    except BaseException:
        for fut in pending:
            fut.cancel()
        pool.close(failed=True)
        raise


def _run_dask(the_plan: Plan, todo: list[int], pool: Pool, finished: Callable, where: tuple) -> None:
    """The chunks on the cluster, a bounded number in flight; each chunk's full results stay on the
    cluster (``pool.chunks``) for the output tasks, and come back once to be saved for --resume.
    A cluster left with no live worker stops the sweep (:meth:`Pool.wait_live`)."""
    client = pool.client
    waiting = list(todo)
    limit = max(4, 2 * pool.size)
    index: dict[str, int] = {}
    pending: list = []

    def submit(i: int):
        fut = client.submit(run_and_digest, the_plan.job(i), *where, key=f"snowball-{the_plan.key[:12]}-{i}")
        index[fut.key] = i
        pending.append(fut)
        return fut

    try:
        for i in waiting[:limit]:
            submit(i)
        waiting = waiting[limit:]
        while pending:
            for fut in sorted(pool.wait_live(pending), key=lambda f: index[f.key]):
                i = index.pop(fut.key)
                finished(i, pool.result(fut))
                pool.chunks[i] = client.submit(_first, fut, key=f"snowball-{the_plan.key[:12]}-{i}-data")
                pending.remove(fut)
                if waiting:
                    submit(waiting.pop(0))
    finally:
        for fut in pending:
            fut.cancel()


def _first(pair: tuple) -> object:
    """The first item of a pair (a chunk's full results, kept on the cluster)."""
    return pair[0]


# ---------------------------------------------------------------- outputs


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


PARAMS_PART, RUNS_PART = "params.csv.part", "runs.parquet.part"
MIN_RANK_DRAWS = 2  # draws (Sobol: base samples; grid: runs) below which no input is ranked
SUMMARY_VALUES = 4_000_000  # values per summary task (32 MB): years are split to stay below
PARALLEL_OUTPUT_RUNS = 50_000  # from this many runs the summary and sensitivity tasks use the pool
# cores from which a chart process renders the fan chart: its matplotlib import (0.3 s of one core
# here) slows the chunks by about that over the cores; it saves the fan's rendering (0.1 s here)
DRAW_MIN_CORES = 4


class Collector:
    """Takes finished chunks in run order as they arrive (the ones before them already on disk):
    appends their rows to params.csv and runs.parquet in the partial folder and notes the runs
    that failed, so the parent never holds more than a row group of results.

    runs.parquet gets one row group per ``chunk`` runs of the spec, whatever the work chunks, so
    the file is byte-identical for any number of workers. The row groups are encoded by a writer
    thread, in order (pyarrow lets go of the GIL while it encodes): the parent goes on taking
    chunks and handing out work meanwhile.
    """

    def __init__(self, the_plan: Plan, folder: Path):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.plan, self.folder = the_plan, folder
        spec = the_plan.spec
        self.next = 0
        self.failed: list[int] = []
        self.rows, self.cols = keep_index(the_plan)
        self.names = pa.array(list(spec.keep_variables), pa.string())
        self.schema = pa.schema(
            [
                ("run_id", pa.int32()),
                ("fiscal_year", pa.int16()),
                ("variable", pa.dictionary(pa.int8(), pa.string())),
                ("value", pa.float64()),
            ]
        )
        self.params = open(folder / PARAMS_PART, "w", encoding="utf-8", newline="")  # noqa: SIM115
        # the parent's largest serial task, so chosen for speed (make bench, 375,000 rows of the
        # Monte Carlo's values: 4.1 ms and 7.1 bytes a row against zstd's 8.8 ms and 7.7 bytes):
        # LZ4; the values byte-stream-split (their exponent bytes compress well); the variable
        # names dictionary-encoded (trying a dictionary on the values cost 0.5 s per 100,000 runs
        # before falling back to plain); statistics on run_id only (each row group holds every
        # year and variable, so only run_id can skip row groups)
        self.writer = pq.ParquetWriter(
            folder / RUNS_PART,
            self.schema,
            compression="lz4",
            use_dictionary=["variable"],
            use_byte_stream_split=["value"],
            write_statistics=["run_id"],
        )
        self.keys: dict[int, tuple] = {}  # runs in a row group -> its fiscal_year, variable columns
        self.buffer: list[np.ndarray] = []
        self.group_start = 0  # first run of the row group being gathered
        self.seconds = 0.0  # time spent taking chunks (make bench: the parent's serial share)
        self.encoding = 0.0  # the writer thread's seconds encoding row groups
        self.worker_mb = 0.0  # the largest worker's peak memory (make bench)
        self.arrivals: list[float] = []  # when each chunk's results reached this process
        # digests of chunks that arrived before an earlier one (kept values dropped: cut again from
        # the chunk file when their turn comes, so memory stays flat)
        self.early: dict[int, Digest] = {}
        self.pending: set[int] = set()  # chunks being run, whose digests are still to come
        self.queue: queue.Queue = queue.Queue(maxsize=2)  # row groups waiting (bounded: memory)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._encode, name="snowball-runs-writer", daemon=True)
        self.thread.start()

    def _encode(self) -> None:
        """The writer thread: encode each row group handed over, in order, until told to stop."""
        while (table := self.queue.get()) is not None:
            if self.error is None:
                clock = time.perf_counter()
                try:
                    self.writer.write_table(table)
                except BaseException as exc:  # raised in the parent at the next row group or finish
                    self.error = (
                        named_error(exc, str(self.folder / RUNS_PART)) if isinstance(exc, OSError) else exc
                    )
                self.encoding += time.perf_counter() - clock

    @property
    def complete(self) -> bool:
        """True once every chunk went through."""
        return self.next == len(self.plan.chunks)

    def offer(self, index: int, done: Digest | None = None) -> None:
        """Chunk ``index`` finished (``done``, else read from disk): take every chunk now in order."""
        clock = time.perf_counter()
        if done is not None:
            self.arrivals.append(clock)
        try:
            self._offer(index, done)
        finally:
            self.seconds += time.perf_counter() - clock

    def expect(self, chunks: Iterable[int]) -> None:
        """``chunks`` are being run: wait for their digests (their files may be on disk before the
        digests arrive) rather than derive them from the files, as for chunks kept from before."""
        self.pending = set(chunks)

    def _offer(self, index: int, done: Digest | None) -> None:
        if done is not None:
            self.pending.discard(index)
            # ahead of its turn, only what the worker formatted is kept (params.csv's rows, the
            # failed runs; deriving them again from the file cost the parent 15-20 ms a chunk):
            # the values runs.parquet keeps are cut from the file when its turn comes
            self.early[index] = done if index == self.next else dataclasses.replace(done, kept=None)
        while self.next < len(self.plan.chunks):
            i = self.next
            if i in self.early:
                block = self.early.pop(i)
                if block.kept is None:
                    data = load_chunk(str(_chunk_path(self.folder, i)), mmap=True)
                    block = dataclasses.replace(block, kept=kept_values(data, self.rows, self.cols))
            elif i not in self.pending and _chunk_path(self.folder, i).is_file():  # kept from before
                block = job_digest(
                    self.plan.job(i), load_chunk(str(_chunk_path(self.folder, i))), self.rows, self.cols
                )
            else:
                return
            self._take(i, block)
            self.next += 1

    def _take(self, index: int, done: Digest) -> None:
        start, _ = self.plan.chunks[index]
        with naming(self.folder / PARAMS_PART):
            if index == 0:
                csv.writer(self.params, lineterminator="\n").writerow(
                    ["run_id", *(f.name for f in self.plan.spec.factors)]
                )
            self.params.write(done.params)
        self.failed += [start + int(i) for i in done.failed]
        self.worker_mb = max(self.worker_mb, done.worker_mb)
        self.buffer.append(done.kept)
        group = self.plan.spec.chunk
        while sum(len(b) for b in self.buffer) >= group:
            kept = np.concatenate(self.buffer)
            self._write(kept[:group])
            self.buffer = [kept[group:]] if len(kept) > group else []

    def _write(self, data: np.ndarray) -> None:
        import pyarrow as pa

        n, ny, nv = data.shape
        start = self.group_start
        if n not in self.keys:  # the same for every full row group: built once
            self.keys[n] = (
                pa.array(np.tile(np.repeat(np.array(self.plan.spec.keep_years, dtype=np.int16), nv), n)),
                pa.DictionaryArray.from_arrays(
                    pa.array(np.tile(np.arange(nv, dtype=np.int8), n * ny)), self.names
                ),
            )
        years, names = self.keys[n]
        table = pa.table(
            {
                "run_id": np.repeat(np.arange(start, start + n, dtype=np.int32), ny * nv),
                "fiscal_year": years,
                "variable": names,
                "value": np.ascontiguousarray(data).reshape(-1),
            },
            schema=self.schema,
        )
        self._raise()
        self.queue.put(table)
        self.group_start += n

    def _raise(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def _stop(self) -> None:
        """Let the writer thread encode what it was handed, then end it."""
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()

    def failed_runs(self) -> np.ndarray:
        """The ids of the runs that went non-finite or negative, once every chunk was taken (the
        writer thread may still be encoding the last row groups)."""
        return np.array(self.failed, dtype=np.int64)

    def finish(self) -> np.ndarray:
        """Write the last row group and close both files; returns the failed run ids."""
        try:
            if self.buffer:
                self._write(np.concatenate(self.buffer))
                self.buffer = []
            self._stop()
            self._raise()
        finally:
            self.close()
        return np.array(self.failed, dtype=np.int64)

    def close(self) -> None:
        """Close the files (an interrupted sweep's partial files are rewritten on --resume)."""
        self._stop()
        if not self.params.closed:
            try:
                with naming(self.folder / PARAMS_PART):
                    self.params.close()
            finally:
                with naming(self.folder / RUNS_PART):
                    self.writer.close()


def stored(the_plan: Plan, folder: Path, failed: np.ndarray) -> Stored:
    """The finished chunks as the output tasks read them (memory-mapped, one column at a time)."""
    return Stored(str(folder), tuple(the_plan.chunks), tuple(int(i) for i in failed))


def summary_frame(the_plan: Plan, chunks: Stored, pool: Pool | None = None) -> pd.DataFrame:
    """Percentiles 5-95, mean and sd by variable and fiscal year (finite runs only); one task per
    variable and block of years (at most SUMMARY_VALUES values each, and at least one task per
    worker process), on the pool when it runs."""
    return summary_later(the_plan, chunks, pool)()


def summary_later(the_plan: Plan, chunks: Stored, pool: Pool | None = None) -> Callable[[], pd.DataFrame]:
    """:func:`summary_frame`'s tasks handed to the pool now; the function returned waits for them."""
    n_years = len(the_plan.years)
    step = max(1, min(n_years, SUMMARY_VALUES // max(the_plan.n_runs, 1)))  # years per task
    if pool is not None and pool.client is None and pool.size > len(the_plan.columns):
        # a task for every worker: 16 workers and 5 variables of 31 years: 4 blocks of 8 years
        # (not on a Dask cluster, where each task also gathers its block from every chunk)
        blocks = -(-pool.size // len(the_plan.columns))
        step = min(step, -(-n_years // blocks))
    tasks = [
        (slice(j, j + step), k, col, the_plan.years[j : j + step])
        for k, col in enumerate(the_plan.columns)
        for j in range(0, n_years, step)
    ]
    parts = (pool or Pool()).submit_blocks(summary_rows, chunks, tasks)
    return lambda: pd.DataFrame([row for part in parts() for row in part])


def sensitivity_job(spec: SweepSpec, values: np.ndarray) -> SensitivityJob:
    """What the sensitivity tasks need of ``spec`` (``values``: the runs' factor values)."""
    names = tuple(f.name for f in spec.factors)
    if spec.method == "sobol":
        return SensitivityJob(spec.method, names, spec.seed, spec.problem())
    if spec.method == "morris":
        low, high = MORRIS_SPAN
        x = (unit_sample(spec) - low) / (high - low)
        return SensitivityJob(spec.method, names, spec.seed, spec.problem(), x, MORRIS_LEVELS)
    return SensitivityJob(spec.method, names, spec.seed, x=values)


def sensitivity_frame(the_plan: Plan, chunks: Stored, pool: Pool | None = None) -> pd.DataFrame:
    """Sensitivity of each target (variable, year) to each input, by the spec's method.

    Sobol: first-order and total indices with 95% confidence intervals (SALib, bootstrap).
    Morris: mu, mu* (with its 95% interval) and sigma, per unit of the input's quantile range.
    Other methods: Spearman rank correlation and the median of the output among the runs in the
    input's bottom and top deciles (the tornado's bars). One task per target, on the pool.
    """
    return sensitivity_later(the_plan, chunks, pool)()


def sensitivity_later(the_plan: Plan, chunks: Stored, pool: Pool | None = None) -> Callable[[], pd.DataFrame]:
    """:func:`sensitivity_frame`'s tasks handed to the pool now; the function returned waits for
    them and ranks the inputs."""
    spec = the_plan.spec
    targets = [(var, year) for var in spec.sensitivity_variables for year in spec.sensitivity_years]
    draws = the_plan.n_runs if spec.method == "grid" else spec.draws
    if draws < MIN_RANK_DRAWS:  # one draw ranks nothing: every input's swing is 0, its correlation none
        note = f"{draws} draw cannot rank the inputs (at least {MIN_RANK_DRAWS} needed)"
        rows = [
            {"variable": var, "fiscal_year": year, "method": spec.method, "input": f.name, "note": note}
            for var, year in targets
            for f in spec.factors
        ]
        return lambda: ranked(spec, pd.DataFrame(rows))
    job = sensitivity_job(spec, the_plan.values)
    # rank correlations and decile swings are input by input: with more worker processes than
    # targets, one task per target and input (the same rows, in the same order); Sobol and Morris
    # take all inputs. Not on a Dask cluster, where each task also gathers its column from every
    # chunk as tasks of their own
    jobs = [job]
    split = pool is not None and pool.client is None and pool.size > len(targets)
    if job.method not in ("sobol", "morris") and split:
        jobs = [job.only(i) for i in range(len(job.names))]
    tasks = [
        (the_plan.years.index(year), the_plan.columns.index(var), one, var, year)
        for var, year in targets
        for one in jobs
    ]
    parts = (pool or Pool()).submit_blocks(sensitivity_rows, chunks, tasks)
    return lambda: ranked(spec, pd.DataFrame([row for part in parts() for row in part]))


def ranked(spec: SweepSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """The sensitivity rows with each target's inputs ranked by the method's measure, and the
    target's unit (that of low, high and swing, and of Morris' mu, mu* and sigma; Spearman's rho
    and Sobol's indices have none)."""
    from runners.core.fiscal_years import BY_NAME

    if frame.empty:
        return pd.DataFrame(columns=["variable", "unit", "fiscal_year", "method", "input"])
    frame.insert(1, "unit", [BY_NAME[v].unit for v in frame["variable"]])
    rank_by = {"sobol": "ST", "morris": "mu_star"}.get(spec.method, "swing")
    if rank_by in frame:
        frame["rank"] = (
            frame.groupby(["variable", "fiscal_year"])[rank_by]
            .rank(ascending=False, method="first")
            .astype(int)
        )
        frame = frame.sort_values(["variable", "fiscal_year", "rank"], kind="stable")
    return frame.reset_index(drop=True)


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


FULL = (errno.ENOSPC, errno.EDQUOT)  # a full disk, or a full quota
MAX_FAILED_SHARE = 0.01  # a sweep may lose at most 1% of its runs to non-finite or negative values
SCHEDULER = re.compile(r"^(tcp|tls|inproc|ucx|ws|wss)://\S+$|^[^/:\s]+:\d+$")  # a Dask address


def sweep_lock(folder: Path, out: Path):
    """Hold an exclusive lock on the partial folder: two sweeps never write one --out at once."""
    return locked(
        folder,
        busy=f"--out {out}: another sweep is writing there now (it holds {folder}); "
        "wait for it to finish or choose another --out",
    )


def run_sweep(
    spec: SweepSpec,
    out: Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    show_progress: bool = True,
    progress: Progress | None = None,
    force: bool = False,
) -> SweepResult:
    """Run ``spec`` and write its outputs to ``out`` (default reports/sweeps/NAME/).

    ``out`` must be new, empty or a folder holding only what snowball wrote (edited since, only
    with ``force``: see outputs.atomic_dir).
    Finished chunks wait in a hidden ``.NAME.partial`` folder beside ``out`` (kept on Ctrl-C for
    ``resume``); a sweep that fails before finishing any chunk leaves no such folder.
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
    phases: dict[str, float] = {}
    marks: dict[str, float] = {}  # when each step ended (make bench's timeline)
    try:
        if spec.n_runs > chunk_size(spec.n_runs, workers, spec.chunk):
            # the workers start while the parent samples and plans; with the output tasks on the
            # pool, so does the process that will render the fan chart (where its import costs the
            # chunks less than the rendering it takes off the end: 4 cores or more)
            draw = spec.n_runs >= PARALLEL_OUTPUT_RUNS and usable_cores() >= DRAW_MIN_CORES
            pool.warm(draw=draw)
        bar.stage("sampling the inputs and checking the base scenario")
        clock = time.perf_counter()
        the_plan = plan(spec)
        phases["plan"] = time.perf_counter() - clock
        marks["planned"] = clock + phases["plan"]
    except BaseException:
        pool.close(failed=True)
        raise
    bar.total = the_plan.n_runs
    base = None
    if pool.started:  # the charts' imports (0.4 s) and the base run while the workers run the chunks
        prepare = ThreadPoolExecutor(1, thread_name_prefix="snowball-prepare")
        base = prepare.submit(_prepare, the_plan)
        prepare.shutdown(wait=False)
    folder = partial_dir(out)
    created = not folder.exists()
    collector = None
    try:
        make_dir(folder)
        with sweep_lock(folder, out):
            the_plan = _prepare_partial(folder, the_plan.for_workers(pool.size), resume)
            try:
                bar.stage(f"running {the_plan.n_runs:,} runs in {len(the_plan.chunks)} chunk(s)")
                collector = Collector(the_plan, folder)
                clock = time.perf_counter()
                execute(the_plan, folder, progress=bar, pool=pool, collector=collector)
                phases["run_and_collect"] = time.perf_counter() - clock
                marks["chunks_done"] = clock + phases["run_and_collect"]
                phases["collect"] = collector.seconds
            except KeyboardInterrupt:
                bar.close()
                pool.close(failed=True)  # no worker saves a chunk after the count
                kept = kept_chunks(the_plan, folder)
                print(
                    f"snowball: stopped; {kept} of {len(the_plan.chunks)} chunks kept in {folder}; "
                    f"continue with: {resume_hint(spec, out, default_out, scheduler)}",
                    file=sys.stderr,
                )
                raise
            except BaseException as exc:
                bar.close()
                pool.close(failed=True)
                kept = kept_chunks(the_plan, folder)
                if created and not kept:
                    shutil.rmtree(folder, ignore_errors=True)
                hint = resume_hint(spec, out, default_out, scheduler)
                if _a_worker_died(exc):
                    raise _worker_died(spec, the_plan, folder, kept, hint) from None
                if isinstance(exc, NoLiveWorker):
                    raise _no_live_worker(spec, the_plan, folder, kept, hint, scheduler) from None
                if _a_scheduler_lost(exc, scheduler):
                    raise _scheduler_lost(spec, the_plan, folder, kept, hint, scheduler) from None
                raise
            bar.close()
            bar.stage("writing the outputs (summary, sensitivity, charts)")
            try:
                result = write_outputs(
                    the_plan,
                    folder,
                    out,
                    force,
                    collector=collector,
                    pool=pool,
                    phases=phases,
                    base=base,
                    marks=marks,
                )
            except Exception as exc:
                n, hint = len(the_plan.chunks), resume_hint(spec, out, default_out, scheduler)
                if isinstance(exc, NoLiveWorker):
                    raise _no_live_worker(spec, the_plan, folder, n, hint, scheduler) from None
                if _a_scheduler_lost(exc, scheduler):
                    raise _scheduler_lost(spec, the_plan, folder, n, hint, scheduler) from None
                if not _a_worker_died(exc):
                    raise
                raise _worker_died(spec, the_plan, folder, n, hint) from None
            phases["runs_parquet_encoding_thread"] = collector.encoding
            shutil.rmtree(folder, ignore_errors=True)
    except OSError as exc:
        if exc.errno in FULL:
            raise SnowballError(f"sweep {spec.name}: disk full writing {exc.filename or folder}") from None
        raise SnowballError(
            f"sweep {spec.name}: cannot write {exc.filename or folder}: {exc.strerror or exc}"
        ) from None
    finally:
        if collector is not None:
            collector.close()
        pool.close(failed=sys.exc_info()[0] is not None)
        bar.close()
    return SweepResult(
        out,
        the_plan.n_runs,
        time.perf_counter() - start,
        *result,
        phases=phases,
        worker_mb=collector.worker_mb if collector is not None else 0.0,
        timeline={k: v - start for k, v in sorted((pool.marks | marks).items(), key=lambda kv: kv[1])},
        chunks_arrived=tuple(t - start for t in (collector.arrivals if collector is not None else [])),
    )


def kept_chunks(the_plan: Plan, folder: Path) -> int:
    """How many of the plan's chunks are saved in ``folder`` with their checksum (kept for
    --resume; the checksum is written last)."""
    return sum(
        1
        for i in range(len(the_plan.chunks))
        if _chunk_path(folder, i).is_file() and Path(checksum_path(str(folder), i)).is_file()
    )


def resume_hint(spec: SweepSpec, out: Path, default_out: Path, scheduler: str | None = None) -> str:
    """The command that continues an interrupted sweep from its kept chunks."""
    return (
        f"snowball sweep {spec.path} --resume"
        + (f" --out {out}" if out != default_out else "")
        + (f" --scheduler {scheduler}" if scheduler else "")
    )


def _a_scheduler_lost(exc: BaseException, scheduler: str | None) -> bool:
    """True for what a sweep on a cluster gets when its scheduler goes away: its futures cancelled
    ("scheduler-connection-lost") or the connection closed."""
    from concurrent.futures import CancelledError

    distributed = sys.modules.get("distributed")
    if scheduler is None or distributed is None:
        return False
    from distributed.comm.core import CommClosedError

    return isinstance(exc, CancelledError | CommClosedError)


def _what_was_kept(the_plan: Plan, folder: Path, kept: int, hint: str) -> str:
    """The end of a lost-worker or lost-cluster error: which chunks were kept and how to go on."""
    if kept:
        return f"{kept} of {len(the_plan.chunks)} chunks are kept in {folder}; continue with: {hint}"
    return "no chunk had finished, so nothing was kept"


def _scheduler_lost(
    spec: SweepSpec, the_plan: Plan, folder: Path, kept: int, hint: str, scheduler: str | None
) -> SnowballError:
    """The one-line error for a Dask scheduler that went away during the sweep."""
    where = _what_was_kept(the_plan, folder, kept, hint)
    return SnowballError(
        f"sweep {spec.name}: lost the connection to the Dask scheduler at {scheduler}; {where}"
    )


def _no_live_worker(
    spec: SweepSpec, the_plan: Plan, folder: Path, kept: int, hint: str, scheduler: str | None
) -> SnowballError:
    """The one-line error for a Dask cluster left without a live worker (:class:`NoLiveWorker`)."""
    where = _what_was_kept(the_plan, folder, kept, hint)
    return SnowballError(
        f"sweep {spec.name}: the Dask cluster at {scheduler} has had no live worker for "
        f"{NO_WORKER_TIMEOUT:g} s (its workers were lost and none replaced them); {where}"
    )


def _a_worker_died(exc: BaseException) -> bool:
    """True for the error a lost worker process gives: the process pool's, or a Dask cluster's
    after it retried the task on other workers (``distributed.scheduler.allowed-failures``)."""
    if isinstance(exc, BrokenExecutor):
        return True
    distributed = sys.modules.get("distributed")
    return distributed is not None and isinstance(exc, distributed.KilledWorker)


def _worker_died(spec: SweepSpec, the_plan: Plan, folder: Path, kept: int, hint: str) -> SnowballError:
    """The one-line error for a worker process that died (killed by the system, e.g. out of memory)."""
    where = _what_was_kept(the_plan, folder, kept, hint)
    return SnowballError(
        f"sweep {spec.name}: a worker process died (killed by the system, e.g. for lack of memory); "
        f"{where} (fewer --workers use less memory)"
    )


def _prepare(the_plan: Plan) -> pd.DataFrame:
    """Import the chart module (matplotlib) ahead of the outputs that need it and return the base
    scenario's run (:func:`base_run`), in a thread while the workers run the chunks."""
    from runners.report import charts  # noqa: F401

    return base_run(the_plan)


def _prepare_partial(folder: Path, the_plan: Plan, resume: bool) -> Plan:
    """Keep the finished chunks for ``resume`` when the plan's key matches (and cut the runs into
    chunks as they were cut then); otherwise discard them (saying so). Returns the plan to run."""
    key_file = folder / "key.txt"
    lines = key_file.read_text().split() if key_file.is_file() else []
    # key.txt: the plan's key, then the runs per chunk (absent before work chunks were sized)
    same = 1 <= len(lines) <= 2 and lines[0] == the_plan.key and all(x.isdigit() for x in lines[1:])
    if resume and same:
        the_plan = dataclasses.replace(the_plan, chunk_runs=int(lines[1]) if len(lines) == 2 else 0)
    chunks = sorted(folder.glob("chunk-*.npy"))
    if not (resume and same):
        if chunks and resume:
            print(
                f"snowball: the spec, model or data changed since {folder} was started; "
                f"discarding its {len(chunks)} finished chunk(s) and starting afresh",
                file=sys.stderr,
            )
        elif chunks:
            print(
                f"snowball: {folder} holds {len(chunks)} finished chunk(s) of an earlier sweep; "
                "discarding them (pass --resume to continue from them instead)",
                file=sys.stderr,
            )
        for child in folder.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    key_file.write_text(f"{the_plan.key}\n{the_plan.chunk_runs or the_plan.spec.chunk}\n")
    return the_plan


@contextlib.contextmanager
def computed(the_plan: Plan) -> Iterator[Stored]:
    """Run every chunk in this process into a temporary folder and yield them as the output steps
    read them (failed runs checked as `snowball sweep` checks them); for callers that want the
    summary, not the files (the briefing)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="snowball-sweep-") as folder:
        failed: list[int] = []
        for i, (start, _) in enumerate(the_plan.chunks):
            data = run_chunk(the_plan.job(i))
            save_chunk(folder, i, data, durable=False)
            failed += [start + int(r) for r in failed_rows(data, the_plan.columns)]
        check_failed(the_plan, np.array(failed, dtype=np.int64))
        yield stored(the_plan, Path(folder), np.array(failed, dtype=np.int64))


def calibration_frame(the_plan: Plan, chunks: Stored) -> pd.DataFrame | None:
    """The spread of debt/GDP beside CBO's projection errors, when the spec asks for it."""
    from runners.inputs.cbo_errors import comparison

    if not the_plan.spec.compare_with_cbo:
        return None
    k = the_plan.columns.index("debt_to_gdp")
    return comparison(the_plan, lambda year: chunks.gather(the_plan.years.index(year), k))


def check_failed(the_plan: Plan, failed: np.ndarray) -> None:
    """Say how many runs failed and which; refuse the sweep above MAX_FAILED_SHARE of its runs."""
    if not len(failed):
        return
    n, share = len(failed), len(failed) / the_plan.n_runs
    ids = ", ".join(str(i) for i in failed[:10]) + (", ..." if n > 10 else "")
    what = (
        f"{n:,} of {the_plan.n_runs:,} runs ({share:.1%}) went non-finite or negative "
        f"(run ids {ids}; their inputs are the rows of params.csv)"
    )
    if share > MAX_FAILED_SHARE:
        raise SnowballError(
            f"sweep {the_plan.spec.name}: {what}, more than the {MAX_FAILED_SHARE:.0%} a sweep may lose; "
            "narrow the inputs' distributions"
        )
    print(
        f"snowball: note: {what}; they are left out of the summary and listed in manifest.json",
        file=sys.stderr,
    )


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
):
    """Write every output file atomically; returns (summary, sensitivity, calibration, failed).

    params.csv and runs.parquet come from ``collector`` (written as the chunks arrived; without
    one, from the chunk files now); summary and sensitivity are computed by ``pool``'s workers
    from the chunk files; ``base``: the base run (:func:`base_run`), computed while the chunks ran;
    the fan chart is rendered by the pool's chart process, when it has one, while this process
    draws the tornado. Runs that went non-finite or negative are counted, named in the manifest
    and left out of the summary; more than MAX_FAILED_SHARE of them fails the sweep (nothing is
    written).
    """
    clock = time.perf_counter()
    from runners.report import charts  # with worker processes, a thread imported it while they ran the chunks

    if phases is not None:
        phases["import_charts"] = time.perf_counter() - clock
    if collector is None or not collector.complete:
        if collector is not None:
            collector.close()
        collector = Collector(the_plan, folder)
        collector.offer(-1)
    failed = collector.failed_runs()
    waited = 0.0  # seconds this process waited for the summary and sensitivity tasks (make bench)
    clock = time.perf_counter()
    try:
        check_failed(the_plan, failed)
        chunks = stored(the_plan, folder, failed)
        # the tasks go to the workers when there is enough to share (PARALLEL_OUTPUT_RUNS); both
        # sets are handed out at once, and this process draws the fan chart while the sensitivity
        # tasks run
        tasks = pool if the_plan.n_runs >= PARALLEL_OUTPUT_RUNS else None
        summary_wait = summary_later(the_plan, chunks, tasks)
        sensitivity_wait = sensitivity_later(the_plan, chunks, tasks)
    except BaseException:
        collector.close()  # its writer thread and files (finish() below closes them otherwise)
        raise
    marks = {} if marks is None else marks
    marks["output_tasks_submitted"] = time.perf_counter()
    collector.finish()  # the last row groups of runs.parquet are encoded while those tasks run
    # the two large files are hashed meanwhile (hashlib lets go of the GIL)
    big = {"params.csv": folder / PARAMS_PART, "runs.parquet": folder / RUNS_PART}
    with ThreadPoolExecutor(1, thread_name_prefix="snowball-hash") as hasher:
        digests = {name: hasher.submit(sha256_of, path) for name, path in big.items()}
        calibration = calibration_frame(the_plan, chunks)
        clock_base = time.perf_counter()
        base_frame = base.result() if base is not None else base_run(the_plan)
        base_seconds = time.perf_counter() - clock_base  # with workers, a thread ran it meanwhile
        drawer = pool.drawer() if pool is not None else None
        with atomic_dir(out, force) as tmp:
            waited -= time.perf_counter()
            summary = summary_wait()
            waited += time.perf_counter()
            marks["summary_ready"] = time.perf_counter()
            with writing(the_plan, out / "summary.csv"):
                summary.to_csv(tmp / "summary.csv", index=False, float_format="%.6f", lineterminator="\n")
            if calibration is not None:
                with writing(the_plan, out / "calibration.csv"):
                    calibration.to_csv(
                        tmp / "calibration.csv", index=False, float_format="%.4f", lineterminator="\n"
                    )
            with charts.ChartFiles(1 if drawer else 0, executor=drawer) as drawing:
                with writing(the_plan, out / "fan.png"):
                    charts.save_sweep_fan(summary, base_frame, the_plan, tmp, calibration, files=drawing)
                waited -= time.perf_counter()
                sensitivity = sensitivity_wait()
                waited += time.perf_counter()
                marks["sensitivity_ready"] = time.perf_counter()
                with writing(the_plan, out / "sensitivity.csv"):
                    sensitivity.to_csv(
                        tmp / "sensitivity.csv", index=False, float_format="%.6f", lineterminator="\n"
                    )
                with writing(the_plan, out / "tornado.png"):
                    charts.save_sweep_tornado(sensitivity, summary, the_plan, tmp)
                marks["tornado_written"] = time.perf_counter()
            marks["charts_written"] = time.perf_counter()  # the fan waited for, if drawn elsewhere
            files = {name: sha256_of(tmp / name) for name in written_files(tmp)}
            for name, path in big.items():
                files[name] = digests[name].result()
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
            with writing(the_plan, out / "manifest.json"):
                write_json(manifest(the_plan, files, extra), tmp / "manifest.json")
    marks["written"] = time.perf_counter()
    if phases is not None:
        phases["summary_sensitivity"] = waited
        phases["base_run"] = base_seconds
        phases["write_charts_manifest"] = time.perf_counter() - clock - waited - base_seconds
    return summary, sensitivity, calibration, tuple(int(i) for i in failed)


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


__all__ = ["interp", "run_sweep", "plan", "execute", "scenario_inputs", "write_outputs", "SweepResult"]
