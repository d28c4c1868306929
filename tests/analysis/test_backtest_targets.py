"""The backtest's targets from every start, and net interest against CBO (issue 24, items 4 and 5).

Every start FY2015-2022 runs from Treasury's debt at 30 September of the year before, driven by
what happened (the whole monthly yield curve, the TIPS stock and the rate at which Treasury booked
its inflation compensation, other interest income, the budget's actual flows); nothing is fitted
to the years compared.
"""

import dataclasses

import pandas as pd
import pytest

from runners.analysis import backtest as bt
from runners.core.paths import data_dir
from runners.projection import run

STARTS = range(2015, 2023)


@pytest.fixture(scope="module")
def tables() -> dict[int, pd.DataFrame]:
    """Each start's comparison table (fiscal_year, variable, actual, model, error, error_pct)."""
    return {start: bt.backtest(start).table for start in STARTS}


def _errors(table: pd.DataFrame, variable: str) -> pd.Series:
    rows = table[(table["variable"] == variable) & (table["fiscal_year"] >= 2016)]
    return rows.set_index("fiscal_year")["error_pct"]


@pytest.mark.slow
def test_net_interest_within_5pct_every_year_from_every_start(tables):
    # target (issue 24): +-5% every year FY2016-2025 from every start 2015-2022; measured worst
    # -3.9% (FY2018 from 2015) and +4.6% (FY2020 from 2020), where it was -9.4% and +9.2%
    worst = {start: float(_errors(t, "net_interest").abs().max()) for start, t in tables.items()}
    assert max(worst.values()) <= 5.0, worst


@pytest.mark.slow
def test_net_interest_mean_absolute_error_at_most_2_5pct_from_every_start(tables):
    # measured 1.0% (from 2021) to 2.1% (from 2022); it was 3.5% from 2015
    mean = {start: float(_errors(t, "net_interest").abs().mean()) for start, t in tables.items()}
    assert max(mean.values()) <= 2.5, mean


def test_debt_within_1pct_every_year_from_every_start(tables):
    # the budget's flows are actual, so debt departs from the actual only by the cumulated
    # net-interest error: measured at most 0.25% (FY2025 from 2015)
    worst = {start: float(_errors(t, "debt_held_by_public").abs().max()) for start, t in tables.items()}
    assert max(worst.values()) <= 1.0, worst


def test_from_2015_the_former_misses(tables):
    # FY2018 and FY2022 missed by -6.2% and -9.4% (2024's TIPS issuance share, Sep-over-Sep CPI-U,
    # other interest income held at FY2014's); tolerance 0.3 pp, a tenth of what was closed
    e = _errors(tables[2015], "net_interest")
    assert e[2018] == pytest.approx(-3.9, abs=0.3)
    assert e[2022] == pytest.approx(-2.2, abs=0.3)
    e = _errors(tables[2020], "net_interest")  # FY2021 was +9.2%
    assert e[2021] == pytest.approx(2.8, abs=0.3)


def test_tips_inflation_compensation_is_treasurys(tables):
    # the TIPS stock follows the MSPD's year-end changes and accrues at the rate Treasury booked,
    # so the fiscal year's inflation compensation is Treasury's (FY2022 $143.4bn) but for the
    # initial state's scale-up: its buckets and TIPS carry a pro-rata share of the nonmarketable
    # debt held by the public (30 Sep 2014: debt 12,780 / marketable 12,272 = 1.041), about $43bn
    # of TIPS that accrue too: +3.4% in FY2016, +2.0% in FY2022, +1.9% in FY2024
    actual = bt.read_actuals()["tips_inflation_compensation"]
    result = bt.backtest(2015).result.results
    for year in range(2016, 2025):
        ratio = result.at[year, "tips_inflation_compensation"] / actual[year]
        assert 1.0 < ratio < 1.04, (year, ratio)
    # FY2022: 143.377 + (1.0414 - 1) x 1,044.676 x 8.212% = 146.9; within $1bn (the stock moves
    # evenly through the year between Treasury's year-end figures)
    assert result.at[2022, "tips_inflation_compensation"] == pytest.approx(146.9, abs=1.0)


def test_the_backtest_issues_at_the_observed_curve():
    # the 2-, 5- and 30-year yields are Treasury's constant-maturity yields month by month, not the
    # curve rule: fiscal-year averages within 0.01 pp (FY2024 2-year 4.64%, the rule's 4.94%)
    curve = pd.read_csv(data_dir() / "history" / "curve_monthly.csv")
    fy = curve.groupby("fiscal_year")[["two_year_yield", "five_year_yield", "thirty_year_yield"]].mean()
    result = bt.backtest(2020).result.results
    for year in range(2020, 2025):
        for col in fy.columns:
            assert result.at[year, col] == pytest.approx(fy.at[year, col], abs=0.01), (year, col)


def test_tips_accrual_rate_and_other_interest_income_are_their_arithmetic():
    a = bt.read_actuals()
    for year in range(2015, 2025):  # FY2025's from its first eight months (its source shows how)
        average = (a.at[year - 1, "tips_stock"] + a.at[year, "tips_stock"]) / 2
        rate = a.at[year, "tips_inflation_compensation"] / average * 100
        assert a.at[year, "tips_accrual_rate"] == pytest.approx(rate, abs=0.0006), year
    # FY2022: $143.377bn on an average stock of $1,745.9bn = 8.212% (CPI-U Sep/Sep 8.202%)
    assert a.at[2022, "tips_accrual_rate"] == pytest.approx(8.212, abs=0.001)
    # the backtest's other interest income: FY2024 Treasury's interest on public issues $896.01bn
    # less net interest $879.879bn; FY2025 (no Treasury figure) CBO's 3.383% x average debt
    # (28,195.575 + 30,172.402) / 2 less net interest 970.065 = $17.2bn
    table = bt.history_inputs(2024, 2025).tables["other interest income table"]
    assert table[2024] == pytest.approx(896.01 - 879.879, abs=0.001)
    assert table[2025] == pytest.approx(3.383 / 100 * (28195.575 + 30172.402) / 2 - 970.065, abs=0.001)


def _against_cbo(vintage: str, years: range, result: pd.DataFrame | None = None) -> pd.Series:
    inputs = run.cached_inputs(vintage)
    if result is None:
        from runners.scenario.scenarios import load_scenario

        scenario = dataclasses.replace(load_scenario("baseline"), baseline=vintage)
        result = run.run(scenario, until=years[-1]).results
    model = result.loc[list(years), "net_interest"]
    return (model / inputs.cbo.loc[list(years), "net_interest"] - 1) * 100


def test_net_interest_within_2pct_of_cbo_february_2026(baseline_result):
    # target (issue 24 item 5): +-2% every year FY2026-36 on the default vintage; measured -1.83%
    # (FY2032) to +0.53% (FY2027), where it was -2.85% to +0.23%. The model's rate rises more
    # smoothly than CBO's through FY2031-32 (CBO +0.083 and +0.077 pp, the model +0.06 and +0.05):
    # the aging chain spreads over years the low-coupon notes of FY2021-22 that CBO sees mature
    err = _against_cbo("cbo-2026-02", range(2026, 2037), baseline_result.results)
    assert err.abs().max() <= 2.0, err.round(2).to_dict()
    assert err[2032] == pytest.approx(-1.83, abs=0.3)


def test_net_interest_within_2pct_of_cbo_january_2025():
    # the other vintage, on which nothing was calibrated: measured -1.01% (FY2028) to +0.35% (FY2035)
    err = _against_cbo("cbo-2025-01", range(2025, 2036))
    assert err.abs().max() <= 2.0, err.round(2).to_dict()


def _data_copy(tmp_path, monkeypatch):
    """A copy of data/ the loaders read ($SNOWBALL_DATA_DIR); the path of its curve file."""
    import shutil

    shutil.copytree(data_dir(), tmp_path / "data")
    monkeypatch.setenv("SNOWBALL_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "history" / "curve_monthly.csv"


def test_a_curve_month_that_is_not_a_month_is_named(tmp_path, monkeypatch):
    from runners.core.errors import SnowballError

    path = _data_copy(tmp_path, monkeypatch)
    path.write_text(path.read_text().replace("2016-03,2016", "2016-13,2016", 1))
    with pytest.raises(SnowballError, match=r"curve_monthly\.csv: month '2016-13' on data row 30"):
        bt.read_monthly_curve()


def test_a_backtest_past_the_curve_is_refused(tmp_path, monkeypatch):
    # the curve ends in June 2025; without FY2025's months a backtest to FY2025 cannot issue notes
    from runners.core.errors import SnowballError

    path = _data_copy(tmp_path, monkeypatch)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith(("2024-1", "2025-"))))
    with pytest.raises(
        SnowballError, match=r"curve_monthly\.csv: needs the yield curve in every year FY2024-FY2025"
    ):
        bt.history_inputs(2024, 2025)
