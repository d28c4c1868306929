"""The January 2025 vintage reproduces CBO's projections, each figure with its source and tolerance.

(CBO's February 2026 vintage, the default, is checked against its targets file in test_vintages.py.)
"""

import pytest

from runners.projection import run
from runners.scenario import scenarios as scenario


@pytest.fixture(scope="module")
def jan25():
    """The built-in baseline run on CBO's January 2025 vintage to FY2055."""
    return run.run(scenario.load_scenario("baseline"), until=2055, baseline="cbo-2025-01")


# CBO, The Budget and Economic Outlook: 2025 to 2035 (January 2025), average interest rate on
# debt held by the public, percent (CBO open data annual_fy_2025-01.csv).
CBO_AVERAGE_RATE = {
    2025: 3.352,
    2026: 3.340,
    2027: 3.368,
    2028: 3.447,
    2029: 3.485,
    2030: 3.508,
    2031: 3.535,
    2032: 3.567,
    2033: 3.567,
    2034: 3.567,
    2035: 3.561,
}


def test_debt_to_gdp_2035_matches_cbo(jan25):
    # CBO January 2025: debt held by the public 118.5% of GDP in FY2035; tolerance 1.5 pp.
    assert jan25.results.at[2035, "debt_to_gdp"] == pytest.approx(118.5, abs=1.5)


def test_net_interest_2035_matches_cbo(jan25):
    # CBO January 2025: net interest $1,783bn in FY2035; tolerance 5%.
    assert jan25.results.at[2035, "net_interest"] == pytest.approx(1782.585, rel=0.05)


def test_net_interest_2025_matches_cbo(jan25):
    # CBO January 2025: net interest $952bn in FY2025; tolerance 5%.
    assert jan25.results.at[2025, "net_interest"] == pytest.approx(952.261, rel=0.05)


@pytest.mark.parametrize("year", sorted(CBO_AVERAGE_RATE))
def test_average_interest_rate_tracks_cbo(jan25, year):
    # CBO January 2025 average interest rate path; tolerance 0.15 percentage points each year.
    got = jan25.results.at[year, "average_interest_rate"]
    assert got == pytest.approx(CBO_AVERAGE_RATE[year], abs=0.15)


def test_average_rate_path_also_in_data(jan25):
    # The data file carries the same CBO path the test states, so the two cannot drift apart.
    cbo = jan25.inputs.cbo["average_interest_rate"]
    for year, value in CBO_AVERAGE_RATE.items():
        assert cbo[year] == pytest.approx(value, abs=1e-9)


def test_debt_to_gdp_2055_matches_long_term_outlook(jan25):
    # CBO, The Long-Term Budget Outlook: 2025 to 2055 (March 2025): 156% of GDP in 2055; +/-5 pp.
    assert jan25.results.at[2055, "debt_to_gdp"] == pytest.approx(156.0, abs=5.0)


def test_long_term_headlines(jan25):
    r = jan25.results
    # LTBO March 2025: deficit 7.3% of GDP in 2055 (verified text); tolerance 0.5 pp.
    assert r.at[2055, "deficit"] / r.at[2055, "gdp"] * 100 == pytest.approx(7.3, abs=0.5)
    # LTBO March 2025: primary deficit averages 2.0% of GDP over 2025-2055; tolerance 0.2 pp.
    avg = (r.loc[2025:2055, "primary_deficit"] / r.loc[2025:2055, "gdp"]).mean() * 100
    assert avg == pytest.approx(2.0, abs=0.2)
    # LTBO March 2025: net interest 5.4% of GDP in 2055 (secondary source); tolerance 0.5 pp.
    assert r.at[2055, "net_interest_to_gdp"] == pytest.approx(5.4, abs=0.5)


def test_budget_inputs_reproduce_cbo_levels(jan25):
    # Driven by CBO's own GDP, revenues and primary outlays: the levels come back to the dollar.
    r, cbo = jan25.results, jan25.inputs.cbo
    for year in range(2025, 2036):
        assert r.at[year, "gdp"] == pytest.approx(cbo.at[year, "nominal_gdp"], rel=1e-9)
        assert r.at[year, "revenues"] == pytest.approx(cbo.at[year, "revenues"], rel=1e-9)
        primary = cbo.at[year, "outlays"] - cbo.at[year, "net_interest"]
        assert r.at[year, "primary_outlays"] == pytest.approx(primary, rel=1e-9)
        assert r.at[year, "bill_yield"] == pytest.approx(cbo.at[year, "bill_yield"], abs=1e-9)
        assert r.at[year, "ten_year_yield"] == pytest.approx(cbo.at[year, "ten_year_yield"], abs=1e-9)


def test_crowding_out_milestones(jan25):
    # CBO January 2025: net interest (881) passed defense (855) in FY2024, an actual year that
    # the history-aware milestone reaches back to (the model stays above defense from its first
    # year); CBO has it passing Medicare in FY2025 (952 vs 942), the model's lower FY2025 interest
    # ($933bn) a few years later.
    m = jan25.milestones
    assert m["interest_exceeds_defense"] == 2024
    assert 2025 <= m["interest_exceeds_medicare"] <= 2030


def test_stated_targets_match_the_vintage_targets_file(jan25):
    # The figures asserted above are the ones data/baselines/cbo-2025-01/targets.csv records.
    t = jan25.inputs.targets.set_index(["variable", "fiscal_year"])["value"]
    assert t[("debt_to_gdp", 2035)] == 118.5
    assert t[("net_interest", 2035)] == pytest.approx(1782.585)
    assert t[("net_interest", 2025)] == pytest.approx(952.261)
    assert t[("debt_to_gdp", 2055)] == 156.0


# ------------------------------------------------------------------ the Monte Carlo's calibration


def _monte_carlo_path(name: str):
    from runners.sweep.spec import load_spec

    spec = load_spec("monte-carlo")
    return spec, next(p for p in spec.paths if p.name == name)


@pytest.mark.slow
def test_monte_carlos_growth_draw_is_real_growth_and_widens_deficits():
    # the growth draw is a decaying shock to productivity growth (real GDP growth through the
    # economy's levers), not a change of the vintage's nominal GDP projection, which every budget
    # category is scaled from: one draw 1 sd below the mean (a slower economy) gives larger deficits
    # than the baseline in every year of the shock, one 1 sd above smaller (issue 24's sign)
    import dataclasses
    import tomllib

    import numpy as np

    from runners.sweep.work import path_values

    spec, growth = _monte_carlo_path("growth")
    assert growth.tables == ("productivity shift table",) and growth.family == "spike"
    sd = tomllib.loads(spec.text)["paths"][growth.index]["size"]["sd"]
    until = spec.until  # the sweep's own years (FY2055)
    base = run.run(spec.scenario, until=until)
    first = base.inputs.first_year + 1
    years = np.arange(first, until + 1)
    deficits = {}
    for sign in (-1, 1):
        path = path_values(growth, {growth.factors["size"]: np.array([sign * sd])}, years, np.zeros(1), 0)[0]
        assert path[0] == sign * sd and np.all(sign * path > 0)  # the shock acts in every year
        table = {int(y): float(v) for y, v in zip(years, path, strict=True)}
        shocked = dataclasses.replace(spec.scenario, tables={"productivity shift table": table})
        r = run.run(shocked, until=until).results
        assert (sign * (r.loc[first:, "gdp"] - base.results.loc[first:, "gdp"]) > 0).all()
        deficits[sign] = r.loc[first:until, "deficit"] - base.results.loc[first:until, "deficit"]
    assert (deficits[-1] > 0).all(), deficits[-1]
    assert (deficits[1] < 0).all(), deficits[1]


@pytest.mark.slow
@pytest.mark.parametrize(("vintage", "years"), [("cbo-2025-01", (2030, 2035)), ("cbo-2026-02", (2031, 2036))])
def test_monte_carlo_spread_is_cbos_and_the_description_quotes_it(tmp_path, vintage, years):
    # the spec's own 10,000 draws: the spread (sd) of debt/GDP 5 and 10 years out is CBO's own
    # projection errors' (13.7 and 20.6 pp, data/uncertainty/cbo_debt_errors.csv) within 1 pp on the
    # vintage the sizes were solved on (January 2025) and on the default (February 2026); 1 pp is
    # well inside the sampling error of CBO's own sd (20 baselines ten years out: about 3 pp)
    import re

    from runners import api
    from runners.sweep.spec import load_spec

    result = api.sweep("monte-carlo", baseline=vintage, out=tmp_path / "mc", workers=1)
    c = result.calibration.set_index(["horizon_years", "statistic"])
    got = [c.at[(h, "sd"), "snowball"] for h in (5, 10)]
    cbo = [c.at[(h, "sd"), "cbo"] for h in (5, 10)]
    assert [c.at[(h, "sd"), "fiscal_year"] for h in (5, 10)] == list(years)
    assert got == pytest.approx(cbo, abs=1.0)
    flat = " ".join(load_spec("monte-carlo").description.split())
    quoted = re.search(rf"FY{years[0]} and FY{years[1]}\) (?:they )?give ([\d.]+) and ([\d.]+) pp", flat)
    assert quoted, flat
    assert quoted.groups() == tuple(f"{v:.1f}" for v in got)
