"""Running a sweep's chunks: each saved as it finishes, in this process, worker processes or on a Dask
cluster; or all of them here into a temporary folder, for callers that want only the summary.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from runners.sweep.collect import Collector, check_failed, stored
from runners.sweep.dask_cluster import run_on_cluster
from runners.sweep.partial import check_kept
from runners.sweep.planning import Plan, keep_index
from runners.sweep.pool import Pool
from runners.sweep.progress import Progress
from runners.sweep.work import Digest, Stored, failed_rows, kept_values, run_and_save, run_chunk, save_chunk


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
            run_on_cluster(the_plan, todo, pool, finished, (rows, cols))
        elif pool.workers <= 1 or len(todo) == 1:
            for i in todo:
                finished(i, run_and_save(the_plan.job(i), str(folder), rows, cols))
        else:
            _run_processes(the_plan, todo, pool, finished, (str(folder), rows, cols))
    finally:
        if own:
            pool.close()


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


@contextlib.contextmanager
def computed(the_plan: Plan) -> Iterator[Stored]:
    """Run every chunk in this process into a temporary folder and yield them as the output steps
    read them (failed runs checked as `snowball sweep` checks them); for callers that want the
    summary, not the files (the briefing)."""
    with tempfile.TemporaryDirectory(prefix="snowball-sweep-") as folder:
        failed: list[int] = []
        for i, (start, _) in enumerate(the_plan.chunks):
            data = run_chunk(the_plan.job(i))
            save_chunk(folder, i, data, durable=False)
            failed += [start + int(r) for r in failed_rows(data, the_plan.columns)]
        check_failed(the_plan, np.array(failed, dtype=np.int64))
        yield stored(the_plan, Path(folder), np.array(failed, dtype=np.int64))
