"""Accounting identities and invariants that must hold in every run."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from conftest import variant

from runners.projection import run


def test_debt_identity_closes_every_year(baseline_result):
    r = baseline_result.results
    first = baseline_result.inputs.first_year  # FY2025: CBO February 2026's initial state
    opening = baseline_result.inputs.constants["initial debt held by the public"]
    assert opening == pytest.approx(30172.402)  # debt at 30 Sep 2025 (CBO actual)
    debt = pd.concat([pd.Series({first: opening}), r["debt_held_by_public"]])
    change = debt.diff().loc[first + 1 :]
    # change in debt = deficit + other means of financing (CBO's identity), to rounding
    np.testing.assert_allclose(change, r["deficit"] + r["other_means_of_financing"], rtol=1e-9)
    np.testing.assert_allclose(r["deficit"], r["outlays"] - r["revenues"], rtol=1e-12)
    np.testing.assert_allclose(r["outlays"], r["primary_outlays"] + r["net_interest"], rtol=1e-12)
    parts = [
        "defense",
        "nondefense",
        "social_security",
        "medicare",
        "medicaid",
        "other_primary_outlays",
    ]
    np.testing.assert_allclose(r[parts].sum(axis=1), r["primary_outlays"], rtol=1e-12)


def test_r_equals_g_with_zero_primary_deficit_keeps_debt_ratio_flat(baseline):
    # Nominal growth g = 4% a year. Interest accrues monthly, so a coupon c with
    # (1 + c/1200)^12 = 1.04, i.e. c = 1200 * (1.04^(1/12) - 1) = 3.9285%, grows the debt 4% a
    # year. Every yield and every initial coupon is set to c, the primary deficit and other
    # means of financing to zero: debt and GDP both grow 4% a year, so debt/GDP stays at
    # 28,199.3 / 28,823 = 97.836%.
    c = 1200 * (1.04 ** (1 / 12) - 1)
    inputs = run.cached_inputs("cbo-2025-01")
    flat = lambda v: pd.Series({2024: v, 2100: v})  # noqa: E731
    tables = dict(inputs.tables) | {
        "nominal GDP growth table": flat(4.0),
        "revenues share table": flat(18.0),
        "primary outlays share table": flat(18.0),
        "other means of financing share table": flat(0.0),
        "bill yield table": flat(c),
        "ten year yield table": flat(c),
        # TIPS earn their real coupon plus CPI accrual: with no inflation anywhere, c in total
        "CPI inflation table": flat(0.0),
        "baseline inflation table": flat(0.0),
        "other interest income table": flat(0.0),  # no interest income: net interest = interest
    }
    constants = dict(inputs.constants) | {
        "initial TIPS real coupon": c,
        "initial bill rate": c,
        # bills at the yield itself: no discount-to-investment conversion (365 d / (365 - 0 d) = d)
        "bill discount days": 365.0,
        "bill tenor days": 0.0,
        **{k: c for k in inputs.constants if k.startswith("initial coupon")},
    }
    custom = dataclasses.replace(inputs, constants=constants, tables=tables)
    scen = variant(
        baseline, "r-equals-g", long_bond_spread=0.0, debt_premium_sensitivity=0.0, confidence_switch=0.0
    )
    r = run.run(scen, until=2100, inputs=custom).results
    assert r["debt_to_gdp"].to_numpy() == pytest.approx(28199.313 / 28823 * 100, rel=1e-9)
    # CBO's average rate divides a year's interest (4% of the opening debt D) by the average
    # of the opening and closing debt, (D + 1.04 D) / 2: 4 / 1.02 = 3.9216%.
    assert r["average_interest_rate"].to_numpy() == pytest.approx(4 / 1.02, rel=1e-9)


def test_zero_shock_reproduces_baseline_exactly(baseline, baseline_result):
    zero = variant(
        baseline,
        "zero",
        yield_shift=0.0,
        growth_shift=0.0,
        primary_balance_shift=0.0,
        shock_start=2030,
    )
    pd.testing.assert_frame_equal(run.run(zero).results, baseline_result.results, check_exact=True)


@pytest.mark.slow
def test_higher_yield_shift_never_lowers_debt_or_interest(baseline):
    previous = None
    for shift in (-1.0, 0.0, 0.5, 1.0, 2.0, 4.0):
        r = run.run(variant(baseline, f"y{shift}", yield_shift=shift), until=2060).results
        if previous is not None:
            assert (r["debt_held_by_public"] >= previous["debt_held_by_public"]).all()
            assert (r["net_interest"] >= previous["net_interest"]).all()
        previous = r


def test_runs_are_independent(baseline, baseline_result):
    run.run(variant(baseline, "shocked", yield_shift=3.0, growth_shift=-2.0, bill_share_adjustment_time=5.0))
    pd.testing.assert_frame_equal(run.run(baseline).results, baseline_result.results, check_exact=True)


@pytest.mark.parametrize("name", ["baseline", "rates-up-200bp", "growth-down-1pt", "combined-stress"])
def test_every_builtin_scenario_runs_to_2100(name):
    from runners.scenario.scenarios import load_scenario

    r = run.run(load_scenario(name), until=2100).results
    assert list(r.index) == list(range(2026, 2101))
    assert np.isfinite(r.select_dtypes("number").to_numpy()).all()
    assert (r[["debt_held_by_public", "gdp", "net_interest"]] > 0).all().all()


@pytest.mark.slow
def test_stress_scenarios_are_worse_than_baseline(baseline_result):
    from runners.scenario.scenarios import load_scenario

    base = baseline_result.results.at[2035, "debt_to_gdp"]
    for name in ("rates-up-200bp", "growth-down-1pt", "combined-stress"):
        assert run.run(load_scenario(name)).results.at[2035, "debt_to_gdp"] > base + 3
