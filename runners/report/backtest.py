"""What ``snowball backtest`` writes: backtest.csv, results.csv, the net-interest chart and run.json.

The backtest itself (the model driven by actual data, compared with actuals) is
:mod:`runners.analysis.backtest`; this module only draws and writes its result.
"""

from __future__ import annotations

from pathlib import Path

from runners.analysis.backtest import Backtest
from runners.core.outputs import atomic_dir, write_csv, write_json
from runners.report import charts, style


def save_chart(bt: Backtest, path: Path) -> None:
    """The net-interest backtest chart as PNG (with SVG and PDF beside it)."""
    fig = style.draw(charts.plot_backtest, charts.backtest_data(bt.table), bt.start)
    style.save(fig, path.with_suffix(""))


def write_backtest(result: Backtest, out: Path, command: list[str] | None, force: bool = False) -> Path:
    """Write the output folder atomically (``force`` as ``--force``: see runners.core.outputs)."""
    with atomic_dir(out, force) as tmp:
        write_csv(result.table.set_index("fiscal_year"), tmp / "backtest.csv")
        write_csv(result.result.results, tmp / "results.csv")
        save_chart(result, tmp / "backtest.png")
        manifest = result.result.manifest(command)
        manifest["backtest"] = {"start": result.start, "until": result.until}
        write_json(manifest, tmp / "run.json")
    return out
