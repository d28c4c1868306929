"""Draws a sweep's charts for ``runners.sweep`` (which draws nothing itself): fan.png and tornado.png.

The command line, the API and make bench hand :data:`SWEEP_CHARTS` to ``run_sweep``. The charts'
modules are imported only when a chart is drawn (or ahead, by name: ``preload``), so that a sweep's
process imports matplotlib beside its chunks, not before them.
"""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path

import pandas as pd


class SweepCharts:
    """The drawer of ``runners.sweep.drawer.ChartDrawer``: today's fan chart and tornado."""

    preload = "runners.report.sweep_charts"

    def files(self, executor: Executor | None):
        """The charts' files, written by ``executor`` (the sweep's chart process) or here."""
        from runners.report.chart_files import ChartFiles

        return ChartFiles(1 if executor else 0, executor=executor)

    def fan(
        self,
        summary: pd.DataFrame,
        base: pd.DataFrame,
        the_plan,
        folder: Path,
        calibration: pd.DataFrame | None,
        files,
    ) -> Path:
        """Save ``fan.png`` in ``folder``."""
        from runners.report.sweep_charts import save_sweep_fan

        return save_sweep_fan(summary, base, the_plan, folder, calibration, files=files)

    def tornado(self, sensitivity: pd.DataFrame, summary: pd.DataFrame, the_plan, folder: Path) -> Path:
        """Save ``tornado.png`` in ``folder``."""
        from runners.report.sweep_charts import save_sweep_tornado

        return save_sweep_tornado(sensitivity, summary, the_plan, folder)


SWEEP_CHARTS = SweepCharts()
