"""The backtest: from the debt at 30 Sep of a past year, driven by actual data (issue 10 item 7)."""

import pandas as pd
import pytest

from runners.analysis import backtest as bt
from runners.cli import main
from runners.core.errors import SnowballError


@pytest.fixture(scope="module")
def from2015():
    return bt.backtest(2015)


@pytest.fixture(scope="module")
def from2020():
    return bt.backtest(2020)


def test_backtest_starts_from_the_debt_at_the_year_before(from2015):
    r = from2015.result
    assert r.inputs.first_year == 2014 and r.results.index[0] == 2015 and r.results.index[-1] == 2025
    # the initial state is the actual debt at the end of FY2014: the first year's debt differs from
    # the actual only by the year's flows, which are actual too
    t = from2015.table.set_index(["variable", "fiscal_year"])
    assert abs(t.at[("debt_held_by_public", 2015), "error_pct"]) < 0.5


def test_debt_tracks_actuals_because_the_deficit_is_actual(from2015, from2020):
    """Debt = last debt + deficit + other means; with actual primary deficits only net interest differs,
    so the debt error each year is bounded by the cumulative net-interest error."""
    for b in (from2015, from2020):
        debt = b.table[b.table["variable"] == "debt_held_by_public"].set_index("fiscal_year")
        ni = b.table[b.table["variable"] == "net_interest"].set_index("fiscal_year")
        assert (debt["error"].abs() <= ni["error"].cumsum().abs() + 1.0).all()


def test_net_interest_tracks_history(from2015, from2020):
    """Stated accuracy (docs/quality.md, 'How good is it?'): mean absolute error under 5% from either start,
    FY2023-25 within 5% (after the 2022 inflation and bill-rate jumps)."""
    for b in (from2015, from2020):
        s = b.summary()
        assert s.at["net_interest", "mean_abs_error_pct"] < 5.0
        ni = b.table[b.table["variable"] == "net_interest"].set_index("fiscal_year")
        assert ni.loc[2023:2025, "error_pct"].abs().max() < 5.0


def test_table_columns_and_arithmetic(from2020):
    t = from2020.table
    assert list(t.columns) == ["fiscal_year", "variable", "actual", "model", "error", "error_pct", "unit"]
    pd.testing.assert_series_equal(t["error"], t["model"] - t["actual"], check_names=False)
    pd.testing.assert_series_equal(t["error_pct"], t["error"] / t["actual"] * 100, check_names=False)
    assert set(t["fiscal_year"]) == set(range(2020, 2026))


@pytest.mark.slow
def test_cli_writes_csv_and_chart(tmp_path, capsys):
    out = tmp_path / "bt"
    assert main(["backtest", "--start", "2020", "--until", "2022", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "mean absolute error" in printed and "worst" in printed
    table = pd.read_csv(out / "backtest.csv")
    assert list(table.columns) == ["fiscal_year", "variable", "actual", "model", "error", "error_pct", "unit"]
    assert (out / "backtest.png").stat().st_size > 10_000


def test_bad_start_is_one_line(capsys):
    assert main(["backtest", "--start", "1990"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no initial state" in err
    with pytest.raises(SnowballError, match="--until"):
        bt.backtest(2020, 2031)


def test_backtest_csv_names_each_rows_unit(tmp_path):
    # backtest.csv is long: net interest and debt in $bn beside the average rate in %, and no
    # column said which
    from runners.analysis.backtest import backtest

    table = backtest(2024, 2025).table
    units = dict(zip(table["variable"], table["unit"], strict=False))
    assert units == {"net_interest": "$bn", "average_interest_rate": "%", "debt_held_by_public": "$bn"}
    # the $bn rows are dollars: FY2025's actual net interest, 970.065 ($bn, historical_fy.csv)
    row = table[(table["fiscal_year"] == 2025) & (table["variable"] == "net_interest")].iloc[0]
    assert row["actual"] == pytest.approx(970.065)
