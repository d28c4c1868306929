"""Vintages with their own start date, CBO February 2026 reproduced, TIPS, the bill-share path,
a pure yield shift and the debt ratio the model itself reports (issue 10)."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from conftest import variant

from runners.cli import main
from runners.core.errors import SnowballError
from runners.core.fiscal_years import first_peak_year
from runners.inputs.vintage import available_vintages, load_inputs, vintage_meta
from runners.projection import run
from runners.projection.headline import headline
from runners.scenario import scenarios as scenario


@pytest.fixture(scope="module")
def feb26():
    return run.run(scenario.load_scenario("baseline"), until=2056, baseline="cbo-2026-02")


def test_vintages_start_from_their_own_initial_state():
    assert {"cbo-2025-01", "cbo-2026-02"} <= set(available_vintages())
    assert vintage_meta("cbo-2025-01")["first_year"] == 2024
    assert vintage_meta("cbo-2026-02")["first_year"] == 2025
    assert vintage_meta("cbo-2026-02")["last_projection_year"] == 2036
    assert load_inputs("cbo-2026-02").first_year == 2025


def test_built_in_scenarios_default_to_february_2026(feb26):
    s = scenario.load_scenario("baseline")
    assert s.baseline == "cbo-2026-02"
    assert feb26.results.index[0] == 2026
    assert feb26.manifest()["data_vintage"] == "cbo-2026-02"


def test_cli_names_the_vintage(capsys, tmp_path):
    assert main(["run", "baseline", "--until", "2030", "--out", str(tmp_path / "a")]) == 0
    assert "Baseline vintage: cbo-2026-02" in capsys.readouterr().out
    assert (
        main(
            ["run", "baseline", "--baseline", "cbo-2025-01", "--until", "2030", "--out", str(tmp_path / "b")]
        )
        == 0
    )
    assert "Baseline vintage: cbo-2025-01" in capsys.readouterr().out
    first = pd.read_csv(tmp_path / "b" / "results.csv")["fiscal_year"].iloc[0]
    assert first == 2025
    assert main(["vintages"]) == 0
    listing = capsys.readouterr().out
    assert "cbo-2026-02 (default)" in listing and "30 Sep 2025" in listing and "FY2036" in listing


def test_unknown_vintage_is_one_line(capsys):
    assert main(["run", "baseline", "--baseline", "cbo-1999-01"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown baseline vintage 'cbo-1999-01'" in err


def _targets(vintage: str) -> pd.DataFrame:
    """Target rows with a parsed tolerance: '3%' is relative to the value, '0.10 pp' absolute."""
    t = load_inputs(vintage).targets.dropna(subset=["tolerance"]).copy()
    t["relative"] = t["tolerance"].str.endswith("%")
    t["size"] = t["tolerance"].str.replace("%", "").str.replace("pp", "").astype(float)
    return t


def _value(r: pd.DataFrame, variable: str, year: int) -> float:
    """A result column, or a % of GDP ratio the targets use."""
    ratios = {"net_interest_pct_gdp": "net_interest", "total_deficit_pct_gdp": "deficit"}
    if variable in ratios:
        return float(r.at[year, ratios[variable]] / r.at[year, "gdp"] * 100)
    return float(r.at[year, variable])


def test_february_2026_reproduced_within_stated_tolerances(feb26):
    """Every target row of data/baselines/cbo-2026-02/targets.csv, with its tolerance and reason."""
    targets = _targets("cbo-2026-02")
    assert len(targets) >= 24 and targets["why"].str.len().gt(10).all()
    r = feb26.results
    misses = []
    for _, t in targets.iterrows():
        model = _value(r, t["variable"], int(t["fiscal_year"]))
        gap = (model / t["value"] - 1) * 100 if t["relative"] else model - t["value"]
        if abs(gap) > t["size"]:
            misses.append(f"{t['variable']} FY{t['fiscal_year']}: {model:.3f} vs {t['value']} ({gap:+.3f})")
    assert not misses, misses


def test_february_2026_bias_is_stated(feb26):
    """docs/quality.md: net interest sits a little below CBO's from FY2028 on (-0.4% to -1.8%; it was -0.9%
    to -2.8% before other interest income followed CBO's path, bills cost their investment yield
    and the long bond spread was measured), above it by 0.5% in FY2027: the sign of what is left
    is part of the calibration record."""
    cbo = load_inputs("cbo-2026-02").cbo
    gap = (feb26.results["net_interest"] / cbo["net_interest"] - 1).loc[2026:2036] * 100
    assert gap.max() < 0.6 and (gap.loc[2028:] < 0).all() and gap.min() > -2.0


def test_debt_to_gdp_variable_equals_the_reported_column(feb26):
    monthly = run.run(scenario.load_scenario("baseline"), until=2030, monthly=["debt to GDP"]).monthly
    for year in (2026, 2028, 2030):
        model_var = monthly.loc[np.isclose(monthly.index, year), "debt to GDP"].iloc[0]
        assert model_var == pytest.approx(feb26.results.at[year, "debt_to_gdp"], rel=1e-12)


def test_yield_shift_is_a_pure_shift(feb26):
    base = scenario.load_scenario("baseline")
    small = run.run(variant(base, yield_shift=0.1, shock_start=2026), until=2036).results
    big = run.run(variant(base, yield_shift=1.0, shock_start=2026), until=2036).results
    ref = feb26.results.loc[small.index]
    for col in ("bill_yield", "ten_year_yield", "two_year_yield", "thirty_year_yield"):
        np.testing.assert_allclose(big[col] - ref[col], 1.0, atol=1e-9)
    ratio = (big["deficit"] - ref["deficit"]).sum() / (small["deficit"] - ref["deficit"]).sum()
    assert ratio == pytest.approx(10, abs=0.6)


def test_tips_accrual_is_interest_and_rises_with_inflation(feb26):
    """Raising CPI-U inflation by 1 pp from FY2026 adds about TIPS principal x 1% a year of interest."""
    base = scenario.load_scenario("baseline")
    cpi = load_inputs("cbo-2026-02").tables["CPI inflation table"]
    hot = dataclasses.replace(
        base,
        name="hot",
        tables={"CPI inflation table": {y: float(cpi.loc[y]) + 1 for y in range(2026, 2037)}},
    )
    r = run.run(hot, until=2036).results
    extra = (r["interest_on_debt"] - feb26.results.loc[r.index, "interest_on_debt"]).loc[2026]
    tips = load_inputs("cbo-2026-02").constants["initial TIPS principal"]
    # FY2026: +1% on roughly the initial TIPS stock (scaled to CBO's debt) plus the accretion of coupons
    assert 0.8 * tips / 100 < extra < 1.3 * tips / 100


def test_bill_share_follows_its_path():
    base = scenario.load_scenario("baseline")
    steer = dataclasses.replace(
        base, name="bills", tables={"bill share table": {2026: 20.0, 2030: 30.0, 2100: 30.0}}
    )
    r = run.run(steer, until=2040).results
    assert r.at[2040, "bill_share"] == pytest.approx(30.0, abs=0.5)
    assert r.at[2030, "bill_share"] > r.at[2027, "bill_share"] + 3


def test_shock_before_the_initial_state_is_refused():
    base = scenario.load_scenario("baseline")
    with pytest.raises(SnowballError, match="before the vintage's first projected year .FY2026"):
        run.run(variant(base, japan_sale_amount=100, japan_sale_start_year=2025), until=2030)
    run.run(variant(base, japan_sale_amount=100, japan_sale_start_year=2026), until=2027)  # FY2026: allowed


def test_headline_starts_with_the_first_projected_year_and_dates_a_flat_peak(feb26):
    rows = dict(headline(feb26))
    assert "Debt held by the public, FY2026" in rows and "Net interest, FY2026" in rows
    # yields are held at CBO's FY2036 values after 2036: the peak is reached in FY2036, not in a
    # later year that rounding puts a hair higher
    assert rows["Peak 10-year yield (FY average)"].endswith("(FY2036)")
    assert first_peak_year(pd.Series([1.0, 3.0, 3.0 + 1e-12, 2.0], index=[1, 2, 3, 4])) == 2
