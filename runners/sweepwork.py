"""The work of one sweep chunk: build per-run inputs, run the engine, keep fiscal-year results.

Kept light (numpy, the engine and the column registry only) so that local worker processes and
Dask workers start fast and need neither pysd nor the model file: a :class:`ChunkJob` carries
the compiled program and every input as plain arrays.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from .engine import Program
from .fiscal import BY_NAME, NON_NEGATIVE, fiscal_years


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
    _, raw = job.program.simulate(n, job.until, constants=constants, tables=tables)
    results = fiscal_years(raw, job.columns)
    first = int(round(job.program.initial_time)) + 1
    rows = [y - first for y in job.years]
    out = np.empty((n, len(job.years), len(job.columns)))
    for k, col in enumerate(job.columns):
        out[:, :, k] = results[col][rows].T
    return out


# ---------------------------------------------------------------- output work, split across the pool


def chunk_path(folder: str, index: int) -> str:
    """Where chunk ``index``'s results (runs, fiscal years, columns) wait until the sweep ends."""
    return os.path.join(folder, f"chunk-{index:05d}.npy")


def save_chunk(folder: str, index: int, data: np.ndarray) -> None:
    """Write a chunk's results atomically (a temporary file, then a rename)."""
    tmp = os.path.join(folder, f".chunk-{index:05d}.tmp.npy")
    np.save(tmp, data)
    os.replace(tmp, chunk_path(folder, index))


def failed_rows(data: np.ndarray, columns: tuple[str, ...]) -> np.ndarray:
    """Rows (runs) of ``data`` that went non-finite, or whose GDP, debt or holdings went negative."""
    bad = ~np.isfinite(data).all(axis=(1, 2))
    cols = [columns.index(c) for c in NON_NEGATIVE if c in columns]
    if cols:
        with np.errstate(invalid="ignore"):
            bad |= (data[:, :, cols] < 0).any(axis=(1, 2))
    return np.flatnonzero(bad)


@dataclass(frozen=True)
class Digest:
    """What the parent needs of a finished chunk: the values runs.parquet keeps, the failed rows."""

    kept: np.ndarray  # (runs, kept years, kept variables)
    failed: np.ndarray  # row numbers within the chunk


def digest(data: np.ndarray, columns: tuple[str, ...], rows: list[int], cols: list[int]) -> Digest:
    """The :class:`Digest` of a chunk's full results ``data``."""
    return Digest(np.ascontiguousarray(data[:, rows][:, :, cols]), failed_rows(data, columns))


def run_and_save(job: ChunkJob, folder: str, rows: list[int], cols: list[int]) -> Digest:
    """In a worker: run the chunk, save its results beside the others, return only its digest (the
    full results never travel back to the parent)."""
    data = run_chunk(job)
    save_chunk(folder, job.index, data)
    return digest(data, job.columns, rows, cols)


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
            part = mapped[:, years, column]
            if out is None:
                out = np.empty((self.chunks[-1][1], *part.shape[1:]))
            out[start:stop] = part
            del mapped, part
        if out is None:
            return np.empty(0)
        if self.failed:
            out[list(self.failed)] = np.nan
        return out


def summary_rows(
    stored: Stored, column: int, name: str, years: tuple[int, ...], first: int = 0
) -> list[dict]:
    """summary.csv's rows for one variable in ``years`` (from the ``first``-th fiscal year of the
    results): percentiles 5-95, mean and sd by year (finite runs); each year on its own, so any
    split of the years gives the same rows."""
    block = stored.gather(slice(first, first + len(years)), column)  # (runs, years)
    finite = np.isfinite(block)
    with np.errstate(all="ignore"):
        pct = np.nanpercentile(np.where(finite, block, np.nan), PERCENTILES, axis=0)
    rows = []
    for j, year in enumerate(years):
        vals = block[finite[:, j], j]
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
