"""What draws a sweep's charts: the caller's drawer (the report layer's), so that the sweep layer
computes and the report layer draws. Without one (None) a sweep writes no charts."""

from __future__ import annotations

from concurrent.futures import Executor
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

import pandas as pd


class ChartDrawer(Protocol):
    """Draws a sweep's fan chart and tornado into its output folder."""

    # the module that draws (matplotlib's import takes 0.3 s): imported in a thread while the chunks
    # run, and by the chart process, which renders the fan chart while this process draws the tornado
    preload: str

    def files(self, executor: Executor | None) -> AbstractContextManager[object]:
        """Where the charts' files are written: by ``executor`` (the chart process, which imported
        ``preload``) or, without one, here; leaving the block waits for every file."""
        ...

    def fan(
        self,
        summary: pd.DataFrame,
        base: pd.DataFrame,
        the_plan: object,
        folder: Path,
        calibration: pd.DataFrame | None,
        files: object,
    ) -> object:
        """Save ``fan.png`` in ``folder`` (``files``: what :meth:`files` gave)."""
        ...

    def tornado(
        self, sensitivity: pd.DataFrame, summary: pd.DataFrame, the_plan: object, folder: Path
    ) -> object:
        """Save ``tornado.png`` in ``folder``."""
        ...
