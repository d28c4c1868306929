"""The briefing's chart files written by worker processes are the bytes written here."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from runners.report import chart_files, style


def _figure(k: int) -> Figure:
    fig = Figure(figsize=(6.5, 4))
    ax = fig.add_subplot()
    years = np.arange(2025, 2056)
    ax.plot(years, 100 + k * np.sqrt(years - 2024), label=f"Debt held by the public, case {k}")
    ax.set_ylabel("% of GDP")
    ax.legend()
    fig.suptitle(f"Debt reaches {100 + k * np.sqrt(31):.1f}% of GDP in FY2055 (ÿ, €, –)")
    return fig


@pytest.mark.slow
def test_worker_processes_write_the_same_bytes(tmp_path):
    (tmp_path / "here").mkdir()
    (tmp_path / "workers").mkdir()
    figures = [_figure(k) for k in range(3)]
    with chart_files.ChartFiles(0) as here:  # 0 workers: written at once, in this process
        for k, fig in enumerate(figures):
            here.submit(fig, tmp_path / "here" / f"c{k}", (".svg", ".pdf"))
            assert (tmp_path / "here" / f"c{k}.pdf").is_file()
    with chart_files.ChartFiles(2) as workers:
        for k, fig in enumerate(figures):
            workers.submit(fig, tmp_path / "workers" / f"c{k}", (".svg", ".pdf"))
        workers.wait()
        written = sorted(p.name for p in (tmp_path / "workers").iterdir())
    assert written == [f"c{k}{ext}" for k in range(3) for ext in (".pdf", ".svg")]
    for name in written:
        assert (tmp_path / "workers" / name).read_bytes() == (tmp_path / "here" / name).read_bytes(), name
    assert not list((tmp_path / "here").glob("*.png"))  # only the formats asked for


def test_a_workers_error_is_raised_here(tmp_path):
    with pytest.raises(FileNotFoundError), chart_files.ChartFiles(1) as files:
        files.submit(_figure(1), tmp_path / "no-such-folder" / "c", (".pdf",))


def test_a_figure_that_cannot_be_pickled_is_written_here(tmp_path):
    # a tick formatter made from a lambda cannot travel to a worker: the figure is written at once,
    # in this process, the same bytes
    from matplotlib.ticker import FuncFormatter

    fig = _figure(2)
    fig.axes[0].yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
    with chart_files.ChartFiles(1) as files:
        files.submit(fig, tmp_path / "lam", (".svg",))
        assert (tmp_path / "lam.svg").is_file()  # already written: no worker was involved
        assert files._executor is None
    style.save(fig, tmp_path / "here", close=False, formats=(".svg",))
    assert (tmp_path / "lam.svg").read_bytes() == (tmp_path / "here.svg").read_bytes()
