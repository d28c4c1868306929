"""Where a sweep's parallel work runs: this process, worker processes started once, or a Dask cluster."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

from runners.core.errors import SnowballError
from runners.core.workers import worker_processes
from runners.sweep import dask_cluster
from runners.sweep.work import Stored, on_block, preload, warm_up


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
        self._draw_module: str | None = None  # the module that chart process imports ahead
        self.marks: dict[str, float] = {}  # when the workers and the chart process were started
        self.chunks: dict[int, object] = {}  # Dask: chunk index -> future of its full results
        self.exit_codes: list[int] = []  # worker processes' exit codes seen at a failed close
        if scheduler:
            self.client = dask_cluster.connect(scheduler)

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

    def warm(self, draw: str | None = None) -> None:
        """Start the workers now, in a thread, so that they are ready when the first chunk is: their
        start overlaps the sampling and planning. The parent waits on the fork server for each
        process it starts (done before planning, this cost 100,000 draws on 16 workers of the lent
        16-core machine a median 0.56 s of 2.96), and a Dask worker imports the engine on its first
        task; here both happen while the parent plans.

        ``draw``: the module that draws the charts (named by the caller, which draws them): also start
        one more process that imports it (matplotlib) while the chunks run, to render the fan chart at
        the end while this process draws the tornado (:meth:`drawer`)."""
        if self.client is not None:
            workers = list(self.client.nthreads())  # every worker's address
            self._warmed = [self.client.submit(warm_up, pure=False, workers=[w]) for w in workers]
        self._draw = bool(draw) and (self.client is not None or self.workers > 1)  # one worker: all here
        self._draw_module = draw
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
                self._drawer.submit(preload, self._draw_module)
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
            return dask_cluster.map_on_cluster(self, fn, chunks, tasks)
        self._started()
        if self._executor is not None and len(tasks) > 1:
            n = len(tasks)
            results = self._executor.map(on_block, [fn] * n, [chunks] * n, *zip(*tasks, strict=True))
            return lambda: list(results)
        return lambda: [on_block(fn, chunks, *t) for t in tasks]

    def wait_live(self, futures: list, every: bool = False) -> list:
        """Wait on the cluster for the first of ``futures`` to finish (all of them when ``every``)
        and return those finished (:func:`dask_cluster.live`)."""
        return dask_cluster.wait_live(self.client, futures, every)

    def result(self, future) -> object:
        """A future's result, fetched from the cluster (:func:`dask_cluster.live`: the worker that
        held it may be lost after it finished, and the task then waits to run again)."""
        return dask_cluster.result(self.client, future)

    def close(self, failed: bool = False) -> None:
        """Stop the workers (when ``failed``: at once, dropping queued work and ending the worker
        processes, so that none saves a chunk after the sweep has counted them)."""
        self.chunks.clear()  # the cluster lets go of the chunks' results
        self._warmed = []
        with contextlib.suppress(BaseException):  # closing: a failed start has nothing to stop
            self._started()
        for name in ("_executor", "_drawer"):
            if getattr(self, name) is not None:
                if failed:  # how each worker ended, for the error (the pool keeps no other record)
                    processes = getattr(getattr(self, name), "_processes", None) or {}
                    self.exit_codes += [p.exitcode for p in processes.values() if p.exitcode]
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
