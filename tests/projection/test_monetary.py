"""Issue 6 channels: the Fed's policy rule, credit ratings, private borrowing costs, safe havens."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from runners.core.columns import rating_label
from runners.projection import run
from runners.projection.headline import headline
from runners.scenario.scenarios import load_scenario

ALL_ON = {"policy rule switch": 1, "rating switch": 1, "private crowding switch": 1, "fed response switch": 1}


def with_constants(scenario, **constants):
    return dataclasses.replace(scenario, constants=scenario.constants | constants)


@pytest.fixture(scope="module")
def selloff():
    return load_scenario("japan-selloff")


def test_baseline_with_every_channel_switched_on_is_still_the_baseline(baseline, baseline_result):
    # Every new channel reacts to gaps from the baseline path, so in the baseline they rest.
    switched = dataclasses.replace(baseline, constants=ALL_ON | {"vicious cycle switch": 1})
    pd.testing.assert_frame_equal(run.run(switched).results, baseline_result.results, check_exact=True)


def test_policy_rule_off_uses_the_baseline_short_rate(baseline_result):
    cbo = baseline_result.inputs.cbo
    r = baseline_result.results
    np.testing.assert_allclose(
        r.loc[2026:2036, "policy_rate"], cbo.loc[2026:2036, "fed_funds_rate"], rtol=1e-12
    )
    np.testing.assert_allclose(
        r.loc[2026:2036, "inflation_expectations"], cbo.loc[2026:2036, "pce_inflation"], rtol=1e-12
    )


def test_policy_rule_raises_the_policy_rate_and_net_interest(selloff, baseline_result):
    off = run.run(selloff).results
    on = run.run(with_constants(selloff, **{"policy rule switch": 1})).results
    base = baseline_result.results
    # the sale lifts yields, yields lift inflation expectations (10% of the 10-year gap: with the
    # central supply calibration about 7-9 bp in FY2027-30) ...
    assert (
        off.loc[2027:2030, "inflation_expectations"] > base.loc[2027:2030, "inflation_expectations"] + 0.05
    ).all()
    # ... the rule answers with 1.5 x the expectations gap, which bills carry into interest
    assert (on.loc[2027:2030, "policy_rate"] > off.loc[2027:2030, "policy_rate"] + 0.08).all()
    assert (off["policy_rate"] == base["policy_rate"]).all()
    assert (on.loc[2026:2035, "bill_yield"] > off.loc[2026:2035, "bill_yield"]).all()
    assert (on.loc[2026:2035, "net_interest"] > off.loc[2026:2035, "net_interest"]).all()


def test_a_downgrade_raises_the_premium():
    s = load_scenario("japan-china-selloff")
    off = run.run(s).results
    on_result = run.run(with_constants(s, **{"rating switch": 1}), monthly=["Rating notch"])
    on = on_result.results
    assert off["credit_rating_notch"].eq(1).all() and off["credit_rating"].eq("AA+").all()
    assert on["credit_rating_notch"].max() >= 2
    first = int(on.index[on["credit_rating_notch"] > 1][0])
    assert on.at[first, "credit_rating"] in ("AA", "AA-")
    assert (on.loc[first:, "confidence_premium"] > off.loc[first:, "confidence_premium"]).all()
    # no instant bounce-back: after the first downgrade the notch holds for at least three years
    notch = on_result.monthly["Rating notch"]
    t0 = notch.index[notch > 1.5][0]
    assert notch[(notch.index >= t0) & (notch.index < t0 + 2.95)].min() >= 2 - 1e-9


def test_rating_labels():
    assert [rating_label(n) for n in (0, 1, 2, 3, 4, 7, 10)] == [
        "AAA",
        "AA+",
        "AA",
        "AA-",
        "A+",
        "BBB+",
        "BB+",
    ]


def test_wider_spreads_raise_private_rates(selloff, baseline_result):
    r, b = run.run(selloff).results, baseline_result.results
    # baseline: mortgage = 10-year + 1.7 pp, corporate = 10-year + 2 pp
    np.testing.assert_allclose(b["mortgage_rate"] - b["ten_year_yield"], 1.7, atol=1e-9)
    np.testing.assert_allclose(b["corporate_rate"] - b["ten_year_yield"], 2.0, atol=1e-9)
    # a sell-off widens them by half the confidence and supply premia
    spread = r["mortgage_rate"] - r["ten_year_yield"]
    np.testing.assert_allclose(spread, 1.7 + 0.5 * (r["confidence_premium"] + r["supply_premium"]), atol=1e-9)
    # central supply calibration: the 10-year +95 bp in FY2026, the spread +45 bp, corporates +140 bp
    assert spread[2026] > 1.9 and r.at[2026, "corporate_rate"] > b.at[2026, "corporate_rate"] + 1.2


def test_crowding_out_lowers_gdp_and_raises_debt(selloff):
    off = run.run(selloff).results
    on = run.run(with_constants(selloff, **{"private crowding switch": 1})).results
    assert on.at[2027, "private_investment_change"] < -3
    assert (on.loc[2027:, "gdp"] < off.loc[2027:, "gdp"]).all()
    assert on.at[2035, "debt_to_gdp"] > off.at[2035, "debt_to_gdp"]
    assert off["growth_drag"].abs().max() == 0


def test_safe_haven_flows(selloff, baseline_result):
    r, b = run.run(selloff).results, baseline_result.results
    assert b[["gold_flow_index", "equity_flow_index"]].abs().max().max() < 1e-12
    assert r.at[2026, "gold_flow_index"] > 10  # Treasuries fall: flows into gold
    assert r.at[2026, "equity_flow_index"] > 0  # and into equities, helped by the strong dollar


@pytest.mark.slow
def test_new_scenarios_tell_their_stories(selloff, baseline_result):
    squeeze = run.run(load_scenario("monetary-squeeze")).results
    plain = run.run(selloff).results
    assert (squeeze["policy_rate"] - plain["policy_rate"]).max() > 0.1  # central calibration: 12 bp
    assert squeeze["fed_purchases"].sum() == 0
    spiral = run.run(load_scenario("downgrade-spiral"))
    # central supply calibration: AA in FY2027, regained after three calm years, lost again, AA- by 2055
    notch = spiral.results["credit_rating_notch"]
    assert notch[2027] == 2 and notch.loc[:2035].min() == 1 and notch.max() >= 3
    assert spiral.results.at[2035, "debt_to_gdp"] > plain.at[2035, "debt_to_gdp"]
    assert "Credit rating" in dict(headline(spiral))


def test_rating_changes_in_the_headline():
    res = run.run(load_scenario("downgrade-spiral"), until=2040)
    line = dict(headline(res))["Credit rating"]
    assert line.startswith("AA+ at the start; AA in FY")
