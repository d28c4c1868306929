"""A sweep's progress on stderr: a bar on a terminal, plain lines in a log."""

from __future__ import annotations

import sys
import time

from runners.core.errors import printable


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


class AutoProgress(Progress):
    """``api.sweep(progress=True)``: the runs on a ``tqdm.auto`` bar, a widget in Jupyter and a
    line in a terminal; each stage a line above it."""

    def __init__(self, total_runs: int, label: str):
        super().__init__(total_runs, label)
        self.bar = None

    def update(self, done: int, first: bool = False) -> None:
        """Move the bar to ``done`` runs (started at the first update, when the total is known)."""
        from tqdm.auto import tqdm

        if self.bar is None:
            self.bar = tqdm(total=self.total, desc=self.label, unit="run", file=self.stream, leave=True)
        self.bar.n = done
        self.bar.refresh()

    def stage(self, text: str) -> None:
        """One line saying what the sweep is doing now (above the bar)."""
        if self.bar is not None:
            self.bar.write(f"{self.label}: {text}", file=self.stream)
        else:
            super().stage(text)

    def close(self) -> None:
        """End the bar."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
