"""Collecting a sweep's finished chunks in run order: params.csv and runs.parquet written as they arrive."""

from __future__ import annotations

import csv
import dataclasses
import queue
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from runners.core.errors import SnowballError
from runners.core.log import note
from runners.sweep.partial import chunk_file
from runners.sweep.planning import Plan, keep_index
from runners.sweep.work import Digest, Stored, job_digest, kept_values, load_chunk, named_error, naming

PARAMS_PART, RUNS_PART = "params.csv.part", "runs.parquet.part"
MAX_FAILED_SHARE = 0.01  # a sweep may lose at most 1% of its runs to non-finite or negative values


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
    note(f"snowball: note: {what}; they are left out of the summary and listed in manifest.json")


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
                    data = load_chunk(str(chunk_file(self.folder, i)), mmap=True)
                    block = dataclasses.replace(block, kept=kept_values(data, self.rows, self.cols))
            elif i not in self.pending and chunk_file(self.folder, i).is_file():  # kept from before
                block = job_digest(
                    self.plan.job(i), load_chunk(str(chunk_file(self.folder, i))), self.rows, self.cols
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
