"""Issue 11: the supply effect of official sales, calibrated to the studies, with low-central-high sets.

Every figure is on the CBO February 2026 vintage (pinned: the market depth depends on the initial
debt, $30,172bn held by the public at the end of FY2025). Sensitivities are on the 5-year yield;
the 10-year premium is the 5-year's over the curve rule's weight w = 0.25 + 0.75 x ln 20 / ln 40
= 0.859. The studies: ../shared/reference/rate_sensitivity_and_yield_response.csv.
"""

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import variant

from runners.cli import main
from runners.core.errors import SnowballError
from runners.mdl import model
from runners.projection import params, run, supply
from runners.scenario import supply_effects as cs
from runners.scenario.scenarios import load_scenario
from runners.sweep.spec import load_spec

VINTAGE = "cbo-2026-02"
START = 2025.0  # end of FY2025: the vintage's initial state (model time)
MONTH = 1 / 12
W5 = 0.25 + 0.75 * math.log(20) / math.log(40)
WATCH = ["five year supply premium", "supply premium", "market depth", "ten year yield gap"]


@pytest.fixture(scope="module")
def base():
    return dataclasses.replace(load_scenario("baseline"), baseline=VINTAGE)


def sale(base, name, *months):
    """Official sales of the given $bn in consecutive months from the start (Japan's, then China's
    slot: the supply block only sees the total). Feedback switches stay off (the defaults)."""
    consts = {
        "japan_sale_amount": months[0],
        "japan_sale_start_year": START + 1,
        "japan_sale_duration": MONTH,
    }
    if len(months) > 1:
        consts |= {"china_sale_amount": months[1], "china_sale_start_year": START + 1 + MONTH}
        consts |= {"china_sale_duration": MONTH}
    return variant(base, name, **consts)


def monthly(scenario, calibration="central", until=2027):
    return run.run(scenario, until=until, monthly=WATCH, calibration=calibration).monthly


def at(frame, t):
    return frame.iloc[int(np.argmin(abs(frame.index.to_numpy() - t)))]


def expected_five_year(cal, unabsorbed, displaced, depth):
    """The block's arithmetic by hand: flow + concave stock, in reference-market dollars."""
    c = cs.get_set(cal).constants
    x = displaced * depth
    stock = c["long run supply sensitivity"] * x / (1 + abs(x) / c["stock effect saturation"])
    return c["short run supply sensitivity"] * unabsorbed * depth + stock


def at_start(base, stocks, calibration="central", extra=None):
    """The model at its initial state with some stocks set (pysd's own initial condition)."""
    scenario = cs.apply(base, calibration)
    inputs = run.cached_inputs(VINTAGE)
    m = model.load_model()
    m.set_components(params.scenario_params(scenario, inputs, extra))
    out = m.run(
        initial_condition=(START, stocks),
        final_time=START + MONTH,
        return_timestamps=[START],
        return_columns=["supply stock effect", "QE effect", "market depth", "debt held by the public"],
        progress=False,
    )
    return out.iloc[0]


def test_first_100bn_month_is_within_beltran_short_run(base):
    # Beltran et al. (2013): $100bn in one month lifts the 5-year 40-60 bp at first. One month in
    # (t = 2025 + 1/12) the $100bn is unabsorbed and displaced; depth d = 29,300 / debt (30,172bn
    # plus a month's borrowing) = 0.97: flow 0.24 x 97 = 23 bp, stock 0.26 x 97 / (1 + 97/300) =
    # 19 bp; 42 bp in all.
    m = monthly(sale(base, "beltran", 100))
    row = at(m, START + MONTH)
    d = row["market depth"]
    assert 0.96 < d < 0.975
    assert row["five year supply premium"] == pytest.approx(
        expected_five_year("central", 100, 100, d), rel=1e-9
    )
    assert 0.40 <= row["five year supply premium"] <= 0.60
    assert row["five year supply premium"] == pytest.approx(0.42, abs=0.01)
    # once absorbed (one month), only the stock effect remains: about 19 bp, fading over 10 years
    assert at(m, START + 3 * MONTH)["five year supply premium"] == pytest.approx(0.19, abs=0.01)
    assert m["five year supply premium"].max() == pytest.approx(row["five year supply premium"])


def test_lasting_100bn_reduction_is_about_20bp_before_depth(base):
    # Beltran et al.: about 20 bp in the long run per $100bn (sensitivities in pp per $bn: 0.0026
    # pp = 0.26 bp). With the reference market equal to
    # the market (depth 1): 0.26 x 100 / (1 + 100/300) = 19.5 bp central; high 0.26 x 100 /
    # (1 + 100/450) = 21.3 bp; low shares central's curve (19.5 bp in 2009's market).
    debt = run.cached_inputs(VINTAGE).constants["initial debt held by the public"]
    got = {}
    for cal in cs.REQUIRED_SETS:
        row = at_start(base, {"Displaced official holdings": 100}, cal, {"reference market size": debt})
        assert row["market depth"] == pytest.approx(1.0, rel=1e-12)
        got[cal] = row["supply stock effect"]
    assert got["central"] == pytest.approx(0.0026 * 100 / (4 / 3), rel=1e-9)
    assert got["high"] == pytest.approx(0.0026 * 100 / (1 + 100 / 450), rel=1e-9)
    for value in got.values():
        assert 0.18 <= value <= 0.22


def test_fed_purchases_of_1_75tn_lower_the_ten_year_as_gagnon(base):
    # Gagnon et al. (2011): $1.75tn lowered the 10-year 50-100 bp. Central: x = 1,750 x 0.971 =
    # 1,699; 0.26 x 1,699 / (1 + 1,699/300) = 66 bp on the 5-year, / 0.859 = 77 bp on the 10-year.
    # Low (x = 1,750 x 0.25 = 438): 54 bp; high (saturation 450): 108 bp, Gagnon's top end.
    qe = {cal: at_start(base, {"Fed extra holdings": 1750}, cal) for cal in cs.REQUIRED_SETS}
    central = qe["central"]
    d = central["market depth"]
    assert d == pytest.approx(29300 / 30172.402, rel=1e-6)
    assert -central["QE effect"] == pytest.approx(expected_five_year("central", 0, 1750, d) / W5, rel=1e-9)
    assert -1.00 <= central["QE effect"] <= -0.50
    assert central["QE effect"] == pytest.approx(-0.77, abs=0.01)
    assert -1.00 <= qe["low"]["QE effect"] <= -0.50
    assert qe["high"]["QE effect"] < central["QE effect"] < qe["low"]["QE effect"]
    assert qe["high"]["QE effect"] == pytest.approx(-1.08, abs=0.01)


def test_a_141bn_month_matches_the_kansas_city_fed(base):
    # Kansas City Fed (2025): a one-standard-deviation month of foreign liquidation (~$141bn) lifts
    # yields 57 bp on average, 25-101 bp across studies. Central: x = 141 x 0.97 = 137: flow
    # 0.24 x 137 = 33 bp + stock 0.26 x 137 / 1.46 = 24 bp = 57 bp (5-year).
    peaks = {
        cal: monthly(sale(base, "kc", 141), cal)["five year supply premium"].max() for cal in cs.REQUIRED_SETS
    }
    assert peaks["central"] == pytest.approx(0.57, abs=0.01)
    assert 0.25 <= peaks["high"] <= 1.01
    # low takes the full depth allowance, which the bulletin's studies do not: below their floor
    assert peaks["low"] < 0.25 < peaks["central"] < peaks["high"]


@pytest.mark.parametrize(
    ("name", "months", "low_bp", "high_bp"),
    [
        # Japan's yen support, Sep and Oct 2022 (TIC): $80bn then $52bn. The studies' range for
        # $132bn: 25-101 bp per $141bn (Kansas City Fed) x 132/141 = 23-95 bp.
        ("japan-2022", (80, 52), 25 * 132 / 141, 101 * 132 / 141),
        # March 2020: foreign official holdings -$147bn in a month: 25-101 x 147/141 = 26-105 bp.
        ("march-2020", (147,), 25 * 147 / 141, 101 * 147 / 141),
    ],
)
def test_historical_sales_give_supply_effects_inside_the_literature(base, name, months, low_bp, high_bp):
    # the observed yield moves then were driven by the Fed: compare with the studies, not the market
    m = monthly(sale(base, name, *months))
    peak = m["five year supply premium"].max() * 100
    assert low_bp <= peak <= high_bp
    high = monthly(sale(base, name, *months), "high")["five year supply premium"].max() * 100
    assert peak < high <= high_bp


@pytest.fixture(scope="module")
def selloff_ranges():
    s = dataclasses.replace(load_scenario("japan-selloff"), baseline=VINTAGE)
    return supply.selloff_ranges([s], baseline=VINTAGE).set_index("calibration")


def test_low_central_high_order_the_selloff(selloff_ranges):
    r = selloff_ranges
    for col in ("ten_year_peak_bp", "debt_to_gdp", "net_interest"):
        assert r.at["low", col] < r.at["central", col] < r.at["high", col], col


def test_central_selloff_peak_sits_within_the_studies(selloff_ranges):
    # $1.2tn in a year, 10-year: Gagnon 50-100 bp per $1.75tn -> 34-69 bp; Beltran 20 bp per
    # $100bn -> 240 bp linear (60 bp with the 4x depth allowance); D'Amico and King 30-50 bp per
    # $300bn -> 120-200 bp: 34-240 bp. The peak includes the confidence and inflation premia the
    # scenario switches on (about 40 bp): it must still sit inside, and well below the seed's 470.
    r = selloff_ranges
    assert r.at["low", "ten_year_peak_bp"] >= 34
    assert 34 <= r.at["central", "ten_year_peak_bp"] <= 240
    assert r.at["high", "ten_year_peak_bp"] <= 240


@pytest.mark.slow
def test_the_baseline_is_identical_under_every_calibration(base):
    # every channel reacts to sales or Fed purchases (zero in the baseline), so the sets cannot move it
    stress = dataclasses.replace(load_scenario("rates-up-200bp"), baseline=VINTAGE)
    for scenario in (base, stress):
        ref = run.run(scenario, until=2055).results
        for cal in cs.REQUIRED_SETS:
            pd.testing.assert_frame_equal(
                run.run(scenario, until=2055, calibration=cal).results, ref, check_exact=True
            )
    assert (ref["supply_premium"] == 0).all() and (ref["qe_effect"] == 0).all()


def test_central_is_the_model_default():
    for name, value in cs.get_set("central").constants.items():
        assert model.default(name) == pytest.approx(value, rel=1e-12), name


def test_sets_state_their_studies_and_arithmetic():
    sets = cs.load_sets()
    assert set(cs.REQUIRED_SETS) <= set(sets)
    for s in sets.values():
        assert s.studies and "bp" in s.arithmetic
        assert {
            "reference market size",
            "short run supply sensitivity",
            "long run supply sensitivity",
        } <= set(s.constants)


def _write(tmp_path, text):
    path = tmp_path / "sets.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
[sets.{name}]
title = "t"
studies = ["s"]
arithmetic = "a"
[sets.{name}.constants]
"reference market size" = {size}
"""


def test_loader_errors_name_file_and_field(tmp_path):
    body = "".join(GOOD.format(name=n, size=7552) for n in ("low", "central"))
    with pytest.raises(SnowballError, match=r"sets.toml: field 'sets' lacks the required set 'high'"):
        cs.parse_sets(_write(tmp_path, body))
    bad = body + GOOD.format(name="high", size=10)
    with pytest.raises(
        SnowballError, match=r"field 'sets.high.constants.reference market size'.*out of range"
    ):
        cs.parse_sets(_write(tmp_path, bad))
    typo = body + GOOD.format(name="high", size=7552).replace("reference market size", "reference markt size")
    with pytest.raises(
        SnowballError, match=r"field 'sets.high.constants.reference markt size'.*unknown model constant"
    ):
        cs.parse_sets(_write(tmp_path, typo))
    with pytest.raises(SnowballError, match=r"unknown calibration 'centrl'.*close matches: central"):
        cs.get_set("centrl")
    for err in ("sets.toml: field", "unknown calibration"):
        assert err  # the messages above are one line each
    assert cs.parse_sets(_write(tmp_path, body + GOOD.format(name="high", size=7552)))["high"].constants == {
        "reference market size": 7552.0
    }


def test_behaviour_ranges_are_documented_and_centred_on_the_model():
    ranges = cs.load_ranges()
    for name in ("debt premium sensitivity", "confidence selling weight", "rating debt step",
                 "fed purchase intensity", "investment elasticity"):  # fmt: skip
        assert name in ranges
    for r in ranges.values():
        assert r.low <= r.central <= r.high and r.low < r.high
        assert model.default(r.name) == pytest.approx(r.central), r.name
        assert r.pinned or "No study" in r.evidence or "Not in the reference set" in r.evidence
    # CBO 2 bp to Laubach's 3-4 bp per point of debt/GDP
    assert (ranges["debt premium sensitivity"].low, ranges["debt premium sensitivity"].high) == (0.02, 0.04)


def test_selloff_uncertainty_draws_within_the_documented_ranges():
    spec = load_spec("selloff-uncertainty")
    assert spec.scenario.name == "japan-selloff"
    sets = cs.load_sets().values()
    ranges = cs.load_ranges()
    assert len(spec.factors) >= 5
    for f in spec.factors:
        low, high = f.dist.bounds()
        if f.constant in ranges:
            assert (low, high) == (ranges[f.constant].low, ranges[f.constant].high), f.constant
        else:
            values = [s.constants[f.constant] for s in sets]
            assert (low, high) == (min(values), max(values)), f.constant


def test_cli_calibration_flag(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "japan-selloff", "--until", "2030", "--calibration", "high", "--out", str(out)]) == 0
    assert json.loads((out / "run.json").read_text())["calibration"] == "high"
    text = capsys.readouterr().out
    assert "high (data/calibration/supply-effects.toml)" in text
    held = run.cached_inputs(load_scenario("japan-selloff").baseline).constants["initial japan holdings"]
    assert f"${held:,.0f}bn -> $" in text  # holdings before the sale: the vintage's initial state
    assert main(["run", "japan-selloff", "--calibration", "bogus", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("snowball: error: unknown calibration 'bogus'") and "\n" not in err
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_compare_reports_selloffs_with_a_range(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "japan-selloff", "--until", "2035", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    ranges = pd.read_csv(out / "ranges.csv", index_col=0)
    assert list(ranges.index) == ["japan-selloff"]  # the baseline has no official sales
    row = ranges.loc["japan-selloff"]
    assert row["ten_year_peak_bp_low"] < row["ten_year_peak_bp_central"] < row["ten_year_peak_bp_high"]
    line = f"japan-selloff: 10-year peak +{row['ten_year_peak_bp_central']:.0f} bp "
    line += f"({row['ten_year_peak_bp_low']:.0f}-{row['ten_year_peak_bp_high']:.0f})"
    assert line in text


def test_sweep_calibration_sits_beneath_the_spec():
    low = load_spec("selloff-uncertainty", calibration="low")
    assert low.calibration == "low"
    assert low.scenario.constants["stock effect saturation"] == 300  # the set's, beneath the spec
    assert low.scenario.constants["japan sale amount"] == 1200  # the scenario's own still there
    high = load_spec("monte-carlo", calibration="high")
    assert high.scenario.constants["short run supply sensitivity"] == 0.004


@pytest.mark.slow
def test_compare_ranges_stay_within_the_horizon(tmp_path, capsys):
    # `compare --until 2030` printed the sell-off's range at FY2035, beyond the table it printed
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "japan-selloff", "--until", "2030", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    row = pd.read_csv(out / "ranges.csv", index_col=0).loc["japan-selloff"]
    central = run.run(load_scenario("japan-selloff"), until=2030).results.at[2030, "debt_to_gdp"]
    assert row["debt_to_gdp_2030_pct_central"] == pytest.approx(central, abs=1e-6)  # ranges.csv: 6 decimals
    assert f"debt/GDP FY2030 {central:.1f}% (" in text and "FY2035" not in text
