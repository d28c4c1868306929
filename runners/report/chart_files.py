"""Writing charts' files in worker processes while the caller goes on (a briefing's PDFs spend
most of their time subsetting fonts, in pure Python, so threads would not help)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure

from runners.report.style import save


def save_pickled(blob: bytes, stem: str, formats: tuple[str, ...]) -> None:
    """In a worker process: :func:`save` a pickled figure (the same bytes as saving it here)."""
    import pickle

    save(pickle.loads(blob), Path(stem), formats=formats)


class ChartFiles:
    """Writes charts' files in worker processes while this process goes on: a briefing's PDFs
    spend most of their time subsetting fonts (0.25 s a chart), in pure Python, so threads would
    not help. ``workers`` 0 (or a figure that cannot be pickled): the files are written at once,
    here. Leaving the ``with`` block waits for every file and raises a worker's error here; the
    workers die with this process. ``executor``: worker processes started already (a sweep's
    chart process, which imported this module while the runs ran); they are left running."""

    def __init__(self, workers: int, executor=None):
        self.workers = workers
        self._executor = executor
        self._own = executor is None
        self._futures: list = []

    def __enter__(self) -> ChartFiles:
        return self

    def submit(self, fig: Figure, stem: Path, formats: Sequence[str]) -> None:
        """Write ``fig``'s ``formats`` at ``stem`` (the figure is pickled now: it may change after)."""
        import pickle

        try:
            blob = pickle.dumps(fig) if self.workers >= 1 else None
        except (pickle.PicklingError, TypeError, AttributeError):  # e.g. a lambda tick formatter
            blob = None
        if blob is None:
            save(fig, stem, close=False, formats=formats)
            return
        if self._executor is None:
            from runners.core.workers import worker_processes

            self._executor = worker_processes(self.workers)
        self._futures.append(self._executor.submit(save_pickled, blob, str(stem), tuple(formats)))

    def wait(self) -> None:
        """Wait until every file submitted so far is written (a worker's error is raised here)."""
        for future in self._futures:
            future.result()

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._executor is None:
            return
        try:
            if exc_type is None:
                self.wait()
        finally:
            if self._own:
                self._executor.shutdown(wait=True, cancel_futures=True)
