"""Issue 27 item 7: the API a notebook user expects: api.gap, api.backtest, api.brief and
api.milestones (integer years), giving what the commands give."""

from __future__ import annotations

import contextlib
import io

import pandas as pd
import pytest

from runners import api
from runners.cli import main
from runners.core.errors import SnowballError


def _cli(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(list(args)) == 0
    return out.getvalue()


def test_milestones_are_integer_years_as_the_run_finds_them():
    table = api.milestones(["baseline", "japan-selloff"], until=2045)
    assert set(table.dtypes) == {pd.Int64Dtype()}
    for name in table.index:
        run = api.run(name, until=2045)
        for key, year in run.milestones.items():
            assert (pd.isna(table.at[name, key]) and year is None) or table.at[name, key] == year
    # the crossing CBO's February 2026 table puts in FY2028 (Medicare net of offsetting receipts)
    assert table.at["baseline", "interest_exceeds_medicare"] == 2028
    assert pd.isna(table.at["baseline", "interest_exceeds_social_security"])  # not by FY2045


def test_api_gap_equals_the_command(tmp_path):
    printed = _cli(
        "gap", "--target", "100", "--by", "2050", "--path", "bill=+0.5", "--out", str(tmp_path / "g")
    )
    result = api.gap(target=100, by=2050, paths="bill=+0.5")
    shown = float(printed.split("Adjustment needed")[1].split("%")[0])
    assert result.size == pytest.approx(shown, abs=0.005)
    landed = result.adjusted.results.loc[2050, "debt_to_gdp"]
    assert landed == pytest.approx(100.0, abs=0.05)  # the adjustment lands on the goal
    with pytest.raises(SnowballError, match="give target="):
        api.gap(by=2050)


def test_api_backtest_equals_the_command(tmp_path):
    printed = _cli("backtest", "--start", "2019", "--out", str(tmp_path / "b"))
    result = api.backtest(2019)
    table = pd.read_csv(tmp_path / "b" / "backtest.csv")
    ours = result.table
    assert (
        table[["fiscal_year", "variable"]].values.tolist()
        == ours[["fiscal_year", "variable"]].values.tolist()
    )
    assert table["model"].to_numpy() == pytest.approx(ours["model"].to_numpy(), rel=1e-6)
    # error = model - actual, in the units the table states
    assert ours["error"].to_numpy() == pytest.approx((ours["model"] - ours["actual"]).to_numpy(), abs=1e-9)
    first = ours[(ours["fiscal_year"] == 2019) & (ours["variable"] == "net_interest")].iloc[0]
    assert f"{first['model']:,.0f}" in printed


@pytest.mark.slow
def test_api_brief_writes_the_pack(tmp_path):
    path = api.brief(["baseline"], out=tmp_path / "pack", paths="ten-year=+0.5 from 2030")
    assert (path / "briefing.html").is_file() and (path / "manifest.json").is_file()
    # the briefed scenario carries the path (brief --path), as a run with it gives
    headline = pd.read_csv(path / "tables" / "headline.csv", index_col="scenario")
    run = api.run("baseline", paths="ten-year=+0.5 from 2030").results
    assert headline.at["baseline", "debt_to_gdp_2035_pct"] == pytest.approx(
        run.loc[2035, "debt_to_gdp"], abs=1e-6
    )
    assert headline.at["baseline", "title"].endswith("(with ten year yield table=+0.5 from 2030)")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("a user's file")
    with pytest.raises(SnowballError):  # never a user's folder
        api.brief(["baseline"], out=tmp_path / "mine", force=True)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "a user's file"
