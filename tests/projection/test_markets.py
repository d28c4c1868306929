"""Sectors 2, 3, 5 and 6: holders, premia, bond prices, confidence and policy loops."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from conftest import variant

from runners.cli import main
from runners.projection import run
from runners.scenario import bond
from runners.scenario.scenarios import builtin_names, load_scenario

HOLDINGS = [
    "holdings_japan", "holdings_china", "holdings_other_foreign_official",
    "holdings_foreign_private", "holdings_fed", "holdings_domestic_private",
]  # fmt: skip
SUPPLY_ONLY = {"confidence_switch": 0.0, "debt_premium_sensitivity": 0.0}


def peak(result, var="total premium"):
    return result.monthly[var].max()


@pytest.fixture(scope="module")
def selloff():
    return run.run(load_scenario("japan-selloff"), monthly=["total premium", "ten year yield"])


# the supply effect's calibration (Beltran, Gagnon, Kansas City Fed ...):
# tests/scenario/test_supply_calibration.py


def test_selloff_shows_the_whole_chain(selloff, baseline_result):
    r, b = selloff.results, baseline_result.results
    held = selloff.inputs.constants["initial japan holdings"]  # TIC, September 2025
    assert held > 1100 and r.at[2026, "holdings_japan"] < 50  # Japan sells out in FY2026
    assert (
        r.at[2026, "bond_price_10y"] < 95 < b.at[2026, "bond_price_10y"] == pytest.approx(100)
    )  # prices fall
    gap = r["ten_year_yield"] - b["ten_year_yield"]
    assert gap.max() > 0.8  # yields rise (central calibration: about 95 bp in FY2026) ...
    assert 0 < gap[2035] < 0.7 * gap.max()  # ... and then partly recover
    after = slice(2027, 2040)  # the sale ends in FY2026
    assert (r.loc[after, "average_interest_rate"] > b.loc[after, "average_interest_rate"] + 0.2).all()
    assert (r.loc[after, "net_interest"] > b.loc[after, "net_interest"]).all()
    assert r.at[2055, "debt_to_gdp"] > b.at[2055, "debt_to_gdp"] + 10
    for key in ("interest_exceeds_medicare", "interest_over_20pct_of_outlays"):
        assert selloff.milestones[key] < baseline_result.milestones[key]


@pytest.mark.slow
def test_holders_always_sum_to_the_debt():
    for name in builtin_names():
        r = run.run(load_scenario(name), until=2100).results
        np.testing.assert_allclose(r[HOLDINGS].sum(axis=1), r["debt_held_by_public"], rtol=1e-9)


@pytest.mark.parametrize("name", sorted(set(builtin_names())))
def test_every_scenario_runs_to_2100_without_nan_or_negative_stocks(name):
    result = run.run(load_scenario(name), until=2100)
    r = result.results
    assert np.isfinite(r.select_dtypes("number").to_numpy()).all()
    stocks = [*HOLDINGS, "debt_held_by_public"]
    assert (r[stocks] >= -1e-6).all().all()
    boom = result.milestones["debt_explodes"]
    # the explosive-path flag is the first year debt passes 300% of GDP, or None
    assert boom == (int(r.index[r["debt_to_gdp"] > 300][0]) if (r["debt_to_gdp"] > 300).any() else None)


def test_baseline_has_no_premia(baseline_result):
    r = baseline_result.results
    for col in ("total_premium", "supply_premium", "debt_premium", "confidence_premium", "qe_effect"):
        assert r[col].abs().max() < 1e-12
    assert r["confidence"].to_numpy() == pytest.approx(1.0)
    assert r["bond_price_10y"].to_numpy() == pytest.approx(100.0)
    assert r["dollar_index"].to_numpy() == pytest.approx(100.0)


@pytest.mark.slow
def test_more_selling_never_lowers_yields(baseline):
    previous = None
    for amount in (0, 300, 600, 900, 1200):
        r = run.run(variant(baseline, f"s{amount}", japan_sale_amount=amount), until=2045).results
        if previous is not None:
            assert (r["ten_year_yield"] >= previous["ten_year_yield"] - 1e-12).all()
            assert (r["debt_held_by_public"] >= previous["debt_held_by_public"] - 1e-9).all()
        previous = r


def test_faster_sale_gives_a_higher_peak_premium(selloff):
    gradual = run.run(load_scenario("japan-gradual"), monthly=["total premium"])
    assert peak(selloff) > peak(gradual) + 0.5  # central: 1.35 against 0.66 pp


def test_r2_confidence_loop_amplifies(selloff):
    s = load_scenario("japan-selloff")
    off = run.run(
        dataclasses.replace(s, constants=s.constants | {"confidence switch": 0}), monthly=["total premium"]
    )
    assert peak(off) < peak(selloff)
    assert off.results.at[2035, "debt_to_gdp"] < selloff.results.at[2035, "debt_to_gdp"]
    assert selloff.results["confidence"].min() < 0.9


def test_r3_vicious_cycle_brings_more_selling():
    s = load_scenario("japan-china-selloff")
    on = run.run(s, monthly=["total premium"])
    off = run.run(
        dataclasses.replace(s, constants=s.constants | {"vicious cycle switch": 0}), monthly=["total premium"]
    )
    assert on.results["japan_sales"].sum() >= off.results["japan_sales"].sum()
    assert peak(on) >= peak(off)
    assert (on.results["dollar_index"] > 100).any()


def test_b1_fed_purchases_lower_the_peak(selloff):
    fed = run.run(load_scenario("japan-selloff-fed"), monthly=["total premium"])
    assert peak(fed) < peak(selloff)
    assert fed.results["fed_purchases"].sum() > 0
    assert fed.results["qe_effect"].min() < 0 < fed.results["inflation_expectations_premium"].max()
    assert fed.results.at[2035, "debt_to_gdp"] < selloff.results.at[2035, "debt_to_gdp"]


def test_b2_fiscal_rule_lowers_debt(baseline_result):
    reform = run.run(load_scenario("fiscal-reform")).results
    assert reform.at[2055, "debt_to_gdp"] < baseline_result.results.at[2055, "debt_to_gdp"] - 20
    assert reform["fiscal_rule_adjustment"].max() > 0
    assert reform["debt_premium"].min() < 0  # lower debt, lower premium than the baseline's


def test_b3_slower_absorption_raises_the_premium(selloff):
    s = load_scenario("japan-selloff")
    slow = run.run(
        dataclasses.replace(s, constants=s.constants | {"absorption time": 1.0}), monthly=["total premium"]
    )
    assert peak(slow) > peak(selloff)


@pytest.mark.slow
def test_seed_bond_arithmetic():
    # The seed: $100 face, 3% coupon, one year, bought at $90: ($3 + $100 - $90) / $90 = 14.44%
    assert bond.yield_from_price(3, 1, 90, frequency=1) == pytest.approx(13 / 90 * 100, rel=1e-9)
    assert bond.price(3, 1, 13 / 90 * 100, frequency=1) == pytest.approx(90.0, rel=1e-12)
    # Treasury pays twice a year: 90 = 1.5 / (1 + y/2) + 101.5 / (1 + y/2)^2 gives y = 14.07%
    assert bond.yield_from_price(3, 1, 90) == pytest.approx(14.067, abs=1e-3)
    assert bond.price(5, 10, 5) == pytest.approx(100.0, rel=1e-12)  # at par when coupon = yield


@pytest.mark.slow
def test_seed_interest_arithmetic(baseline):
    # $100bn issued at 3% costs $3bn a year; at 14.4%, $14.4bn (the coupon co-flow).
    inputs = run.cached_inputs("cbo-2025-01")
    for coupon, cost in ((3.0, 3.0), (14.4, 14.4)):
        # all debt in one bucket; no holder other than domestic private (holdings stay below the debt)
        zero = (
            "initial debt ",
            "initial japan",
            "initial china",
            "initial other",
            "initial foreign",
            "initial fed",
        )
        constants = {k: (0.0 if k.startswith(zero) else v) for k, v in inputs.constants.items()}
        constants |= {"initial bills": 0.0, "initial debt 5 to 7y": 100.0, "initial coupon 5 to 7y": coupon,
                      "initial TIPS principal": 0.0, "initial debt held by the public": 100.0}  # fmt: skip
        custom = dataclasses.replace(inputs, constants=constants)
        got = run.run(baseline, until=2025, inputs=custom, monthly=["interest on debt held by the public"])
        assert got.monthly["interest on debt held by the public"].iloc[0] == pytest.approx(cost, rel=1e-12)


@pytest.mark.slow
def test_bond_command(capsys):
    assert main(["bond", "--coupon", "3", "--years", "1", "--price", "90", "--frequency", "1"]) == 0
    assert "yield 14.4%" in capsys.readouterr().out
    assert main(["bond", "--coupon", "3", "--years", "1", "--price", "90"]) == 0
    assert "yield 14.1%" in capsys.readouterr().out
    assert (
        main(["bond", "--coupon", "3", "--years", "1", "--yield", "14.4444444444", "--frequency", "1"]) == 0
    )
    assert "price 90.00" in capsys.readouterr().out
    assert main(["bond", "--coupon", "3", "--years", "1"]) == 2
    assert "give exactly one of --price or --yield" in capsys.readouterr().err
    assert main(["bond", "--coupon", "3", "--years", "1", "--price", "90", "--frequency", "3"]) == 2
    assert "--frequency must be 1, 2, 4 or 12" in capsys.readouterr().err


@pytest.mark.slow
def test_compare_command(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "japan-selloff", "--until", "2040", "--out", str(out)]) == 0
    table = pd.read_csv(out / "compare.csv", index_col="metric")
    assert list(table.columns) == ["baseline", "japan-selloff", "japan-selloff - baseline"]
    row = table.loc["Debt, % of GDP, FY2035"]
    assert row["japan-selloff - baseline"] == pytest.approx(row["japan-selloff"] - row["baseline"])
    assert row["japan-selloff - baseline"] > 2  # central calibration: +3.7 points
    assert "First year interest > Medicare" in capsys.readouterr().out
