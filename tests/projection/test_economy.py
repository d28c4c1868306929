"""The economy in the budget (issue 24): real growth and prices apart, revenues and each spending
category on their own drivers, CBO's dollars to the dollar on the vintage's paths, the growth
stress widening deficits, and milestones in a stated measure."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from runners.core.paths import data_dir
from runners.inputs.vintage import load_inputs
from runners.projection import run

CATEGORIES = {  # results column: CBO's variable in outlays_by_category.csv
    "social_security": "social_security",
    "medicare": "medicare",
    "medicaid": "medicaid_chip_marketplace",
    "defense": "defense",
    "nondefense": "nondefense",
}


def _run(until: int = 2036, **levers: float) -> pd.DataFrame:
    return run.run("baseline", until=until, overrides=levers or None).results


@pytest.fixture(scope="module")
def base() -> pd.DataFrame:
    return _run(2055)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.Series]:
    return load_inputs("cbo-2026-02").tables


def _cbo_categories(vintage: str) -> pd.DataFrame:
    df = pd.read_csv(data_dir() / "baselines" / vintage / "outlays_by_category.csv")
    return df.pivot(index="fiscal_year", columns="variable", values="value")


def test_on_the_vintage_paths_every_category_is_cbos_dollars(base):
    # February 2026: Social Security, Medicare (net of offsetting receipts), Medicaid, defense and
    # nondefense equal CBO's timing-adjusted dollars every year FY2026-2036 (1e-6 $bn), e.g.
    # Medicare FY2028 $1,202.874bn (it was $1,224.7bn with the timing shifts spread pro rata)
    cbo = _cbo_categories("cbo-2026-02")
    for col, var in CATEGORIES.items():
        np.testing.assert_allclose(base.loc[2026:2036, col], cbo.loc[2026:2036, var], rtol=0, atol=1e-6)
    # revenues and primary outlays stay CBO's to the dollar
    p = load_inputs("cbo-2026-02").cbo
    np.testing.assert_allclose(base.loc[2026:2036, "revenues"], p.loc[2026:2036, "revenues"], rtol=1e-12)
    primary = p["outlays"] - p["net_interest"]
    np.testing.assert_allclose(base.loc[2026:2036, "primary_outlays"], primary.loc[2026:2036], rtol=1e-12)


def test_january_2025_categories_are_cbos_in_the_years_it_published():
    # By the Numbers (January 2025) gives FY2024-2026 and 2035: Social Security FY2035 $2,624bn
    r = run.run("baseline", until=2035, baseline="cbo-2025-01").results
    cbo = _cbo_categories("cbo-2025-01")
    for col, var in CATEGORIES.items():
        for year in (2025, 2026, 2035):
            assert r.at[year, col] == pytest.approx(cbo.at[year, var], abs=1e-6), (col, year)


def test_milestone_net_interest_exceeds_medicare_in_cbos_measure(base):
    # CBO's own table crosses in FY2028 (net interest $1,217.8bn against Medicare net of offsetting
    # receipts $1,202.9bn); the model's net interest FY2028 is $1,206.7bn, above the same Medicare
    assert run.milestones(base)["interest_exceeds_medicare"] == 2028
    assert base.at[2027, "net_interest"] < base.at[2027, "medicare"]
    assert base.at[2028, "net_interest"] > base.at[2028, "medicare"] == pytest.approx(1202.874, abs=1e-6)


def test_inflation_moves_prices_not_real_gdp(base, tables):
    # +1 pp on every price index from FY2026, rates not following: nominal GDP rises by the price
    # ratio alone, e.g. FY2027 by (1.02818 + 0.01) / 1.02818 x (1.02417 + 0.01) / 1.02417 - 1
    r = _run(inflation_shift=1.0, rates_follow_inflation_switch=0, shock_start=2026)
    p = tables["GDP price growth table"] / 100
    for year in (2026, 2027, 2030):
        ratio = np.prod([(1 + p[y] + 0.01) / (1 + p[y]) for y in range(2026, year + 1)])
        assert r.at[year, "gdp"] / base.at[year, "gdp"] == pytest.approx(ratio, rel=1e-9)
    # yields stay where they were; Social Security follows last year's prices (the COLA)
    assert (r.loc[2026:2036, "ten_year_yield"] == base.loc[2026:2036, "ten_year_yield"]).all()
    assert r.at[2026, "social_security"] == pytest.approx(base.at[2026, "social_security"], rel=1e-12)
    cola = (1 + p[2026] + 0.01) / (1 + p[2026])
    assert r.at[2027, "social_security"] / base.at[2027, "social_security"] == pytest.approx(cola, rel=1e-9)
    # discretionary likewise: CBO's baseline inflates appropriations with prices
    assert r.at[2027, "defense"] / base.at[2027, "defense"] == pytest.approx(cola, rel=1e-9)


def test_rates_follow_inflation_when_switched_on(base):
    r = _run(inflation_shift=0.5, shock_start=2026)  # the switch is on by default (CBO's scenario)
    for col in ("bill_yield", "ten_year_yield", "thirty_year_yield"):
        np.testing.assert_allclose(r.loc[2026:2036, col] - base.loc[2026:2036, col], 0.5, atol=1e-9)


def test_growth_shift_is_a_real_growth_shift(base, tables):
    # growth shift -1 from FY2026: real growth 1 point lower, prices unchanged, so nominal GDP
    # falls by (1 + g - 0.01) / (1 + g) a year, g the vintage's real growth (nominal / price)
    r = _run(growth_shift=-1.0, shock_start=2026)
    n, p = tables["nominal GDP growth table"] / 100, tables["GDP price growth table"] / 100
    ratio = 1.0
    for y in range(2026, 2031):
        g = (1 + n[y]) / (1 + p[y]) - 1
        ratio *= (1 + g - 0.01) / (1 + g)
    assert r.at[2030, "gdp"] / base.at[2030, "gdp"] == pytest.approx(ratio, rel=1e-9)
    # revenues follow nominal GDP with the elasticity 1.1 (first order: 1 + 1.1 x the gap)
    revenues = r.at[2030, "revenues"] / base.at[2030, "revenues"]
    assert revenues == pytest.approx(1 + 1.1 * (ratio - 1), rel=1e-9)
    # Medicare stays in CBO's dollars the first year (last year's prices and real costs unchanged)
    assert r.at[2026, "medicare"] == pytest.approx(base.at[2026, "medicare"], rel=1e-12)


def test_labour_force_moves_enrolment_and_output_by_labours_share(base, tables):
    # -1 pp labour-force growth from FY2026: workers 0.99^t of the vintage's, real GDP growth
    # 0.7 point lower; Medicaid's enrolment follows the workers in the same year
    r = _run(labor_force_shift=-1.0, labor_force_rate_response=0, shock_start=2026)
    assert r.at[2026, "medicaid"] / base.at[2026, "medicaid"] == pytest.approx(0.99, rel=1e-9)
    n, p = tables["nominal GDP growth table"] / 100, tables["GDP price growth table"] / 100
    g = (1 + n[2026]) / (1 + p[2026]) - 1
    assert r.at[2026, "gdp"] / base.at[2026, "gdp"] == pytest.approx((1 + g - 0.007) / (1 + g), rel=1e-9)


def test_growth_down_1pt_widens_deficits_and_interest_every_year(base):
    # It showed deficits $593bn smaller over FY2027-36 than the baseline when spending was a share
    # of GDP; now revenues fall with GDP and spending stays on its own drivers
    g = run.run("growth-down-1pt", until=2055).results
    years = list(range(2026, 2056))
    assert (g.loc[years, "deficit"] > base.loc[years, "deficit"]).all()
    assert (g.loc[years, "net_interest"] > base.loc[years, "net_interest"]).all()
    assert (g.loc[years, "debt_to_gdp"] > base.loc[years, "debt_to_gdp"]).all()
    extra = (g["deficit"] - base["deficit"]).loc[2027:2036].sum()
    assert 3000 < extra < 6000  # $bn: $4,487bn over FY2027-2036


def test_levers_at_zero_leave_the_baseline_exact(base):
    r = _run(2055, productivity_shift=0, labor_force_shift=0, inflation_shift=0, growth_shift=0)
    pd.testing.assert_frame_equal(r, base)


@pytest.mark.slow
def test_engine_equals_pysd_with_every_economy_lever():
    # the vectorised engine (sweeps, gap, the briefing) is generated from the same parse: with
    # every new lever set, side by side in one engine call, it equals pysd's runs to 1e-9
    from runners.engine import program as engine
    from runners.scenario import scenarios as scenario
    from runners.sweep import runner as sweep

    base = scenario.load_scenario("baseline")
    levers = [
        {"productivity shift": -0.3, "labor force shift": 0.2, "shock start": 2027},
        {"inflation shift": 0.8, "rates follow inflation switch": 0, "growth shift": -0.5},
        {"inflation shift": -0.4, "private crowding switch": 1, "yield shift": 1.0},
    ]
    variants = [
        dataclasses.replace(base, name=f"v{i}", constants=base.constants | c) for i, c in enumerate(levers)
    ]
    fast = sweep.run_scenarios(variants, until=2060, engine=engine.build_engine())
    for s, f in zip(variants, fast, strict=True):
        ref = run.run(s, until=2060).results.drop(columns=["credit_rating"])
        a, b = f[ref.columns].to_numpy(float), ref.to_numpy(float)
        worst = np.nanmax(np.abs(a - b) / np.maximum(np.abs(b), 1e-6))
        assert worst <= 1e-9, (s.name, worst)
