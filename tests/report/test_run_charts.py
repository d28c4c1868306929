"""Issue 27 item 4: a chart for any run: ``snowball run NAME --charts``, ``compare --charts`` and
``RunResult.plot()``, drawn by the briefing's chart code and titled for that run."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from matplotlib.figure import Figure

from runners import api
from runners.cli import main
from runners.report.run_charts import RUN_CHARTS, write_run_charts

PATH, SET = "ten-year=5.5 from 2027", "growth_shift=-0.5"


def _title(fig: Figure) -> str:
    return fig._suptitle.get_text().replace("\n", " ")


def _texts(fig: Figure) -> str:
    return " ".join([_title(fig), *[t.get_text().replace("\n", " ") for t in fig.texts]])


def _cli(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(list(args)) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def mine():
    return api.run("baseline", overrides={"growth shift": -0.5}, paths=PATH)


@pytest.fixture(scope="module")
def figures(mine):
    return mine.plot()


def test_every_chart_names_the_run(figures, mine):
    assert list(figures) == list(RUN_CHARTS)
    for stem, fig in figures.items():
        assert isinstance(fig, Figure)
        text = _texts(fig) if stem != "debt_to_gdp" else _title(fig)
        assert "growth shift = -0.5" in text and "ten year yield table=5.5 from 2027" in text, stem
    # the debt chart's finding is this run's, recomputed from its results
    debt = mine.results["debt_to_gdp"]
    assert _title(figures["debt_to_gdp"]).startswith(f"Debt reaches {debt.loc[2055]:.0f}% of GDP by 2055")
    labels = figures["debt_to_gdp"].axes[0].get_legend_handles_labels()[1]
    assert "Baseline (CBO current law, cbo-2026-02)" in labels  # drawn against the baseline
    ten = mine.results["ten_year_yield"]
    assert f"vs {ten.max():.1f}% in FY" in _title(figures["rates"])


def test_the_command_writes_the_same_charts(tmp_path, figures):
    printed = _cli("run", "baseline", "--path", PATH, "--set", SET, "--charts", "--out", str(tmp_path / "r"))
    charts = tmp_path / "r" / "charts"
    assert sorted(p.name for p in charts.iterdir()) == sorted(
        f"{s}.{e}" for s in RUN_CHARTS for e in ("png", "svg")
    )
    run_json = json.loads((tmp_path / "r" / "run.json").read_text())
    assert run_json["charts"] == sorted(f"charts/{p.name}" for p in charts.iterdir())
    assert "charts in" in printed
    write_run_charts(figures, tmp_path / "api")  # the API's figures, written as the command writes
    for stem in RUN_CHARTS:
        assert (tmp_path / "api" / f"{stem}.png").read_bytes() == (charts / f"{stem}.png").read_bytes(), stem


def test_compare_charts(tmp_path):
    _cli("compare", "baseline", "japan-selloff", "--until", "2040", "--charts", "--out", str(tmp_path / "c"))
    names = {p.stem for p in (tmp_path / "c" / "charts").glob("*.png")}
    assert names == {"debt_to_gdp"} | {
        f"{n}_{s}" for n in ("baseline", "japan-selloff") for s in RUN_CHARTS[1:]
    }


def test_plot_picks_charts_and_refuses_unknown(mine):
    assert list(mine.plot(["rates"], baseline=False)) == ["rates"]
    with pytest.raises(api.SnowballError, match="unknown chart 'fan'; allowed: debt_to_gdp, spending"):
        mine.plot(["fan"])
