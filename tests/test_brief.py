"""The briefing pack: charts drawn from the right data, labelled, and byte-identical on rerun."""

import hashlib

import pandas as pd
import pytest

from runners import charts
from runners.brief import write_brief
from runners.inputs import read_history


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("brief") / "briefing"
    write_brief(["baseline", "rates-up-200bp"], out, command=["snowball", "brief"])
    return out


def _digest(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_pack_contents(pack):
    names = set(_digest(pack))
    for stem in ("debt_to_gdp", "net_interest_share_of_outlays", "rollover_lag", "crowding_out"):
        assert {f"charts/{stem}.png", f"charts/{stem}.svg", f"charts/{stem}.pdf"} <= names
    assert {"tables/headline.csv", "briefing.md", "manifest.json"} <= names
    table = pd.read_csv(pack / "tables/headline.csv", index_col="scenario")
    assert table.loc["rates-up-200bp", "debt_to_gdp_2035_pct"] > table.loc["baseline", "debt_to_gdp_2035_pct"]


def test_second_brief_is_byte_identical(pack, tmp_path):
    again = tmp_path / "briefing"
    write_brief(["baseline", "rates-up-200bp"], again, command=["snowball", "brief"])
    assert _digest(again) == _digest(pack)


def test_debt_chart_draws_history_and_projection(baseline_result):
    data = charts.debt_data({"baseline": baseline_result.results}, read_history())
    assert data.index.min() == 1940 and data.index.max() == 2055
    assert data.at[1946, "history"] == pytest.approx(106.1, abs=0.1)
    fig = charts.draw(charts.plot_debt, data)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    proj = lines["baseline"]
    assert proj.get_xdata()[-1] == 2055
    assert proj.get_ydata()[-1] == pytest.approx(baseline_result.results.at[2055, "debt_to_gdp"])
    assert ax.get_ylabel() == "% of GDP" and ax.get_xlabel() == "Fiscal year"
    assert ax.get_title(loc="left").startswith("Debt reaches 15")
    assert any("Source: CBO" in t.get_text() for t in fig.texts)


def test_interest_chart_marks_twenty_percent(baseline_result):
    data = charts.interest_data({"baseline": baseline_result.results}, read_history())
    fig = charts.draw(charts.plot_interest, data)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "% of outlays"
    assert any(list(line.get_ydata()) == [20, 20] for line in ax.get_lines())
