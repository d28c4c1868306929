"""The work of one sweep chunk: build per-run inputs, run the engine, keep fiscal-year results.

Kept light (numpy, the engine and the column registry only) so that local worker processes and
Dask workers start fast and need neither pysd nor the model file: a :class:`ChunkJob` carries
the compiled program and every input as plain arrays.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib
import io
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from runners.core.fiscal_years import BY_NAME, NON_NEGATIVE, fiscal_years
from runners.engine.program import Program


@dataclass(frozen=True)
class PathSpec:
    """A path family added to input tables: ``family`` with fixed ``params`` and varied factors."""

    name: str
    family: str  # level-shift | ramp | spike | random-walk
    tables: tuple[str, ...]
    params: dict[str, float]  # fixed parameters
    factors: dict[str, str]  # parameter -> factor name (varied per run)
    index: int


def path_values(
    spec: PathSpec, values: dict[str, np.ndarray], years: np.ndarray, run_ids: np.ndarray, seed: int
) -> np.ndarray:
    """The path (n, len(years)) in percentage points for each run, zero before its start."""
    n = len(run_ids)

    def param(key: str) -> np.ndarray:
        if key in spec.factors:
            return np.asarray(values[spec.factors[key]], dtype=float)[:, None]
        return np.full((n, 1), float(spec.params[key]))

    start = param("start")
    since = years[None, :] - start  # years since the start (0 in the start year)
    on = since >= 0
    if spec.family == "level-shift":
        out = np.where(on, param("shift"), 0.0)
    elif spec.family == "ramp":
        frac = np.clip((since + 1) / param("years"), 0.0, 1.0)
        out = np.where(on, param("level") * frac, 0.0)
    elif spec.family == "spike":
        out = np.where(on, param("size") * 0.5 ** (np.maximum(since, 0) / param("half_life")), 0.0)
    elif spec.family == "random-walk":
        sd, reversion = param("sd"), param("reversion")
        shocks = np.empty((n, len(years)))
        for i, rid in enumerate(run_ids):  # one stream per run and path: chunking never matters
            rng = np.random.default_rng([seed, int(rid), spec.index])
            shocks[i] = rng.standard_normal(len(years))
        out = np.zeros((n, len(years)))
        level = np.zeros(n)
        for j in range(len(years)):
            level = np.where(on[:, j], (1 - reversion[:, 0]) * level + sd[:, 0] * shocks[:, j], 0.0)
            out[:, j] = level
    else:  # validated before anything runs
        raise ValueError(spec.family)
    return out


@dataclass(frozen=True)
class ChunkJob:
    """Everything one chunk needs, as plain data (pickled to worker processes or Dask)."""

    index: int
    program: Program
    until: int
    constants: dict[str, float]
    tables: dict[str, tuple[np.ndarray, np.ndarray]]
    varied: dict[str, np.ndarray]  # constant (Vensim name) -> (n,) values
    factors: dict[str, np.ndarray]  # path factor name -> (n,) values
    paths: tuple[PathSpec, ...]
    run_ids: np.ndarray
    seed: int
    columns: tuple[str, ...]
    years: tuple[int, ...]  # fiscal years to keep
    params: np.ndarray | None = None  # (n, k) factor values in params.csv's column order
    fold: bool = True  # partially evaluate the program (Program.simulate): one choice per sweep


def run_chunk(job: ChunkJob) -> np.ndarray:
    """Run one chunk; returns results (n, len(years), len(columns)) in float64."""
    n = len(job.run_ids)
    tables = dict(job.tables)
    for spec in job.paths:
        for name in spec.tables:
            x, y = tables[name]
            add = path_values(spec, job.factors, x, job.run_ids, job.seed)
            tables[name] = (x, (y if y.ndim == 2 else y[None, :]) + add)
    constants = dict(job.constants) | dict(job.varied)
    _, raw = job.program.simulate(n, job.until, constants=constants, tables=tables, fold=job.fold)
    results = fiscal_years(raw, job.columns)
    first = int(round(job.program.initial_time)) + 1
    rows = [y - first for y in job.years]
    out = np.empty((n, len(job.years), len(job.columns)))
    for k, col in enumerate(job.columns):
        out[:, :, k] = results[col][rows].T
    return out


# ---------------------------------------------------------------- a worker's first task


def warm_up() -> None:
    """A worker's first task: nothing (unpickling it imported this module and the engine)."""


def preload(module: str) -> None:
    """The chart process's first task: import ``module`` (the charts: matplotlib, about 0.3 s here)
    while the chunks run, so that the fan chart is rendered at once when the summary is ready."""
    importlib.import_module(module)


# ---------------------------------------------------------------- output work, split across the pool


def chunk_path(folder: str, index: int) -> str:
    """Where chunk ``index``'s results (runs, fiscal years, columns) wait until the sweep ends."""
    return os.path.join(folder, f"chunk-{index:05d}.npy")


CHECKSUM_SUFFIX = ".sha256"  # beside each chunk file: its sha256, in sha256sum's format


def checksum_path(folder: str, index: int) -> str:
    """Where chunk ``index``'s checksum lies (written after the chunk: the chunk's commit mark)."""
    return os.path.join(folder, f"chunk-{index:05d}{CHECKSUM_SUFFIX}")


def named_error(exc: OSError, path: str) -> OSError:
    """``exc`` as an OSError that names ``path`` (numpy, pyarrow and buffered files often name none);
    a full disk (ENOSPC, EDQUOT) keeps its errno, whatever words the library used."""
    if exc.filename:
        return exc
    code = exc.errno or 0
    return OSError(code, exc.strerror or str(exc) or os.strerror(code), path)


@contextlib.contextmanager
def naming(path: str | os.PathLike) -> Iterator[None]:
    """An OSError raised inside that names no file names ``path`` (:func:`named_error`)."""
    try:
        yield
    except OSError as exc:
        raise named_error(exc, str(path)) from None


def write_synced(path: str, parts: Iterable, final: str | None = None, sync: bool = True) -> str:
    """Write ``parts`` (bytes-like) to ``path`` and flush them to the disk (fsync, unless not
    ``sync``) before returning their sha256; on failure the file is removed and the error names
    ``final`` (the name the file was to take) or ``path``."""
    sha = hashlib.sha256()
    try:
        with open(path, "wb") as f:
            for part in parts:
                sha.update(part)
                f.write(part)
            if sync:
                f.flush()
                os.fsync(f.fileno())
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise named_error(exc, final or path) from None
    return sha.hexdigest()


def sync_folder(folder: str) -> None:
    """Flush ``folder``'s entries (renames into it) to the disk; a no-op where folders cannot be
    opened (Windows)."""
    if os.name == "nt":  # pragma: no cover - Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_chunk(folder: str, index: int, data: np.ndarray, durable: bool = True) -> None:
    """Write a chunk's results ``data`` (runs, fiscal years, columns), stored as (columns, fiscal
    years, runs): the summary and sensitivity tasks read one column in a few years for every run,
    which is then one contiguous stretch of the file.

    The file is written under a temporary name, flushed to the disk (fsync), renamed into place;
    then its sha256 is written beside it the same way (:func:`checksum_path`, the chunk's commit
    mark) and the folder is flushed, so that a crash leaves either no chunk or one whose
    checksum ``--resume`` verifies (:func:`chunk_intact`). ``durable`` False (a temporary folder
    nobody resumes from): no fsync."""
    from numpy.lib import format as npy

    array = np.ascontiguousarray(data.transpose(2, 1, 0))
    header = io.BytesIO()
    npy.write_array_header_1_0(header, npy.header_data_from_array_1_0(array))
    final = chunk_path(folder, index)
    tmp = os.path.join(folder, f".chunk-{index:05d}.tmp.npy")
    digest = write_synced(tmp, [header.getvalue(), memoryview(array)], final, sync=durable)
    os.replace(tmp, final)
    if not durable:
        return
    side = checksum_path(folder, index)
    side_tmp = os.path.join(folder, f".chunk-{index:05d}.tmp{CHECKSUM_SUFFIX}")
    line = f"{digest}  {os.path.basename(final)}\n".encode()
    write_synced(side_tmp, [line], side)
    os.replace(side_tmp, side)
    sync_folder(folder)


def chunk_intact(folder: str, index: int) -> str | None:
    """None when chunk ``index`` in ``folder`` matches the checksum written with it; otherwise why
    not ("no checksum", "checksum mismatch", "unreadable")."""
    try:
        with open(checksum_path(folder, index), "rb") as f:
            recorded = f.read(200).split(b" ", 1)[0].decode("ascii", "replace")
    except FileNotFoundError:
        return "no checksum"
    except OSError:
        return "unreadable checksum"
    sha = hashlib.sha256()
    try:
        with open(chunk_path(folder, index), "rb") as f:
            while block := f.read(1 << 20):
                sha.update(block)
    except OSError:
        return "unreadable"
    return None if sha.hexdigest() == recorded else "checksum mismatch"


def load_chunk(path: str, mmap: bool = False) -> np.ndarray:
    """A chunk written by :func:`save_chunk`, as (runs, fiscal years, columns) again (a view;
    ``mmap``: memory-mapped, read only)."""
    return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False).transpose(2, 1, 0)


def failed_rows(data: np.ndarray, columns: tuple[str, ...]) -> np.ndarray:
    """Rows (runs) of ``data`` that went non-finite, or whose GDP, debt or holdings went negative."""
    bad = ~np.isfinite(data).all(axis=(1, 2))
    cols = [columns.index(c) for c in NON_NEGATIVE if c in columns]
    if cols:
        with np.errstate(invalid="ignore"):
            bad |= (data[:, :, cols] < 0).any(axis=(1, 2))
    return np.flatnonzero(bad)


def params_csv(run_ids: np.ndarray, values: np.ndarray) -> str:
    """params.csv's rows (no header) for these runs: ``run_id,value,...`` with each value as
    ``%.10g``, exactly as pandas' ``to_csv(float_format="%.10g")`` writes them (formatted in the
    workers: 0.5 s per 100,000 runs that the parent no longer spends)."""
    fmt = "%d" + ",%.10g" * values.shape[1] + "\n"
    return "".join(fmt % (rid, *row) for rid, row in zip(run_ids.tolist(), values.tolist(), strict=True))


@dataclass(frozen=True)
class Digest:
    """What the parent needs of a finished chunk: the values runs.parquet keeps, the failed rows
    and the chunk's params.csv rows."""

    kept: np.ndarray | None  # (runs, kept years, kept variables); None: cut from the full results
    failed: np.ndarray  # row numbers within the chunk
    params: str = ""  # params.csv's rows for the chunk's runs
    worker_mb: float = 0.0  # the worker process's peak memory so far (make bench; 0: not a worker)


def kept_values(data: np.ndarray, rows: list[int], cols: list[int]) -> np.ndarray:
    """What runs.parquet keeps of a chunk's full results: fiscal years ``rows``, variables ``cols``."""
    return np.ascontiguousarray(data[:, rows][:, :, cols])


def job_digest(
    job: ChunkJob, data: np.ndarray, rows: list[int], cols: list[int], with_kept: bool = True
) -> Digest:
    """The :class:`Digest` of ``job``'s full results ``data``: the kept values (``rows`` are the
    kept fiscal years, ``cols`` the kept variables; None unless ``with_kept``), the failed runs,
    the params.csv rows and the worker's peak memory."""
    return Digest(
        kept_values(data, rows, cols) if with_kept else None,
        failed_rows(data, job.columns),
        params_csv(job.run_ids, job.params) if job.params is not None else "",
        worker_peak_mb(),
    )


def worker_peak_mb() -> float:
    """This process's peak resident memory in MB when it is a worker process (forked or spawned by
    a sweep, or a Dask worker), else 0 (make bench: fork-server workers are not the sweep's children,
    so the sweep cannot read their peak from its own resource usage)."""
    import multiprocessing as mp

    if mp.parent_process() is None:
        return 0.0
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)  # macOS: bytes; Linux: kB


def run_and_save(job: ChunkJob, folder: str, rows: list[int], cols: list[int]) -> Digest:
    """In a worker: run the chunk, save its results beside the others, return only its digest (the
    full results never travel back to the parent)."""
    data = run_chunk(job)
    save_chunk(folder, job.index, data)
    return job_digest(job, data, rows, cols)


def run_and_digest(job: ChunkJob, rows: list[int], cols: list[int]) -> tuple[np.ndarray, Digest]:
    """On a Dask worker: run the chunk; its full results (kept on the cluster for the output
    tasks, fetched by the parent for --resume) and its digest without the kept values, which the
    parent cuts from the full results (they would cross the network twice)."""
    data = run_chunk(job)
    return data, job_digest(job, data, rows, cols, with_kept=False)


PERCENTILES = (5, 10, 25, 50, 75, 90, 95)


@dataclass(frozen=True)
class Stored:
    """Where a sweep's finished chunks lie: the partial folder, each chunk's runs, the failed runs."""

    folder: str
    chunks: tuple[tuple[int, int], ...]  # (start, stop) of each chunk file, in order
    failed: tuple[int, ...]  # run ids left out (non-finite or negative): set to NaN

    def path(self, index: int) -> str:
        """The file of chunk ``index`` (written by :func:`save_chunk`)."""
        return chunk_path(self.folder, index)

    def gather(self, years: slice | int, column: int) -> np.ndarray:
        """Every run's values of one column (for ``years``), read memory-mapped chunk by chunk."""
        out = None
        for i, (start, stop) in enumerate(self.chunks):
            mapped = np.load(self.path(i), mmap_mode="r")  # one chunk mapped at a time
            part = mapped[column, years].T  # stored (columns, years, runs): a contiguous read
            if out is None:
                out = np.empty((self.chunks[-1][1], *part.shape[1:]))
            out[start:stop] = part
            del mapped, part
        if out is None:
            return np.empty(0)
        if self.failed:
            out[list(self.failed)] = np.nan
        return out


def on_block(fn: Callable, chunks: Stored, years: slice | int, column: int, *rest) -> object:
    """An output task on this machine's chunk files: ``fn(block, *rest)`` where ``block`` is every
    run's ``column`` in ``years`` (failed runs NaN)."""
    return fn(chunks.gather(years, column), *rest)


def take(data: np.ndarray, years: slice | int, column: int) -> np.ndarray:
    """One chunk's ``column`` in ``years`` (on the Dask worker that holds the chunk)."""
    return np.ascontiguousarray(data[:, years, column])


def on_parts(fn: Callable, parts: list[np.ndarray], failed: tuple[int, ...], *rest) -> object:
    """An output task on a Dask cluster: the chunks' parts (from :func:`take`, in run order) joined
    into the block :meth:`Stored.gather` would give, then ``fn(block, *rest)``."""
    block = np.concatenate(parts)
    if failed:
        block[list(failed)] = np.nan
    return fn(block, *rest)


def summary_rows(block: np.ndarray, name: str, years: tuple[int, ...]) -> list[dict]:
    """summary.csv's rows for one variable in ``years`` from ``block`` (runs, years): percentiles
    5-95, mean and sd by year (finite runs); each year on its own, so any split of the years gives
    the same rows."""
    finite = np.isfinite(block)
    every = bool(finite.all())
    with np.errstate(all="ignore"):
        if every:  # the usual case: one partition of the block (nanpercentile goes column by column)
            pct = np.percentile(block, PERCENTILES, axis=0)
        else:
            pct = np.nanpercentile(np.where(finite, block, np.nan), PERCENTILES, axis=0)
    rows = []
    for j, year in enumerate(years):
        vals = np.ascontiguousarray(block[:, j]) if every else block[finite[:, j], j]
        row = {
            "variable": name,
            "unit": BY_NAME[name].unit,
            "fiscal_year": year,
            "runs": int(finite[:, j].sum()),
        }
        row["mean"] = float(vals.mean()) if len(vals) else np.nan
        row["sd"] = float(vals.std(ddof=1)) if len(vals) > 1 else np.nan
        for p, v in zip(PERCENTILES, pct[:, j], strict=True):
            row[f"p{p}"] = float(v)
        rows.append(row)
    return rows


@dataclass(frozen=True)
class SensitivityJob:
    """What the sensitivity tasks need of the spec, as plain data (no pandas in the workers)."""

    method: str
    names: tuple[str, ...]  # the inputs, in params.csv order
    seed: int
    problem: dict | None = None  # SALib's problem (sobol, morris)
    x: np.ndarray | None = None  # morris: the design on [0, 1]; other non-SALib methods: the values
    levels: int = 0  # morris: the grid's levels

    def only(self, i: int) -> SensitivityJob:
        """The job for input ``i`` alone (rank correlation and decile swing, which are per input)."""
        x = None if self.x is None else self.x[:, i : i + 1]
        return dataclasses.replace(self, names=self.names[i : i + 1], x=x)


def sensitivity_rows(y: np.ndarray, job: SensitivityJob, var: str, year: int) -> list[dict]:
    """sensitivity.csv's rows for one target (variable ``var`` in fiscal year ``year``; ``y`` is
    every run's value): Sobol indices, Morris' mu/mu*/sigma, or rank correlation and decile swing."""
    base = {"variable": var, "fiscal_year": year, "method": job.method}
    if not np.all(np.isfinite(y)):
        return [base | {"input": n, "note": "non-finite runs; no indices"} for n in job.names]
    rows: list[dict] = []
    if job.method == "sobol":
        from SALib.analyze import sobol

        r = sobol.analyze(job.problem, y, calc_second_order=False, seed=job.seed)
        for i, n in enumerate(job.names):
            rows.append(
                base
                | {
                    "input": n,
                    "S1": r["S1"][i],
                    "S1_conf": r["S1_conf"][i],
                    "ST": r["ST"][i],
                    "ST_conf": r["ST_conf"][i],
                }
            )
    elif job.method == "morris":
        from SALib.analyze import morris

        r = morris.analyze(job.problem, job.x, y, num_levels=job.levels, seed=job.seed)
        for i, n in enumerate(job.names):
            rows.append(
                base
                | {
                    "input": n,
                    "mu": float(r["mu"][i]),
                    "mu_star": float(r["mu_star"][i]),
                    "mu_star_conf": float(r["mu_star_conf"][i]),
                    "sigma": float(r["sigma"][i]),
                }
            )
    else:
        ry = ranks(y)  # the output's ranks, once for every input
        for i, n in enumerate(job.names):
            rows.append(base | {"input": n} | decile_swing(job.x[:, i], y, ry))
    return rows


def ranks(a: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties given their average rank (scipy.stats.rankdata's 'average' method)."""
    order = np.argsort(a, kind="mergesort")
    s = a[order]
    new = np.r_[True, s[1:] != s[:-1]]
    dense = np.empty(len(a), dtype=np.intp)
    dense[order] = new.cumsum()  # each value's dense rank: the sorted ranks put back in place
    edges = np.r_[np.flatnonzero(new), len(new)]
    return 0.5 * (edges[dense] + edges[dense - 1] + 1)


def spearman(x: np.ndarray, y: np.ndarray, ry: np.ndarray | None = None) -> float:
    """Spearman's rank correlation: Pearson's correlation of the ranks (scipy.stats.spearmanr);
    ``ry``: ``y``'s ranks, when already known."""
    rx, ry = ranks(x), ranks(y) if ry is None else ry
    if np.ptp(ry) == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def decile_swing(x: np.ndarray, y: np.ndarray, ry: np.ndarray | None = None) -> dict[str, float]:
    """The tornado's bar for one input: the median output among the runs in the input's bottom and
    top deciles, their distance (swing) and the rank correlation (``ry``: ``y``'s ranks, if known)."""
    if np.ptp(x) == 0:
        return {"spearman": np.nan, "low": np.nan, "high": np.nan, "swing": 0.0}
    lo, hi = np.quantile(x, [0.1, 0.9])
    low = float(np.median(y[x <= lo]))
    high = float(np.median(y[x >= hi]))
    return {"spearman": spearman(x, y, ry), "low": low, "high": high, "swing": abs(high - low)}
