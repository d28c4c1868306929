"""The rollover is real: a permanent rise in yields reaches the debt's rate at the pace of its maturities.

Hand computation from the initial maturity profile (data/initial/treasury-2024-09-30/): after a
permanent +1 pp shift from the start of FY2025, the debt's average coupon at the end of year Y is
higher by 1 pp times the share of the debt issued since the shift: the initial debt that has
matured (bills and the buckets maturing by then) plus the net borrowing since, over the debt.
"""

import pytest
from conftest import variant

from runners import run

PROFILE = {  # $bn at 30 Sep 2024 by remaining maturity (maturity_profile.csv)
    "bills": 6619.671,
    "under 1y": 2550.0,
    "1 to 2y": 2850.0,
    "2 to 3y": 2450.0,
    "3 to 5y": 3600.5,
    "5 to 7y": 2150.0,
    "7 to 10y": 2640.0,
    "10 to 20y": 2000.0,
    "20 to 30y": 2850.0,
}
DEBT_2024 = 28199.313  # CBO, debt held by the public at the end of FY2024
MATURED_BY = {  # initial debt maturing by the end of each fiscal year, as a share of the profile
    2025: ["bills", "under 1y"],
    2027: ["bills", "under 1y", "1 to 2y", "2 to 3y"],
    2030: ["bills", "under 1y", "1 to 2y", "2 to 3y", "3 to 5y"],
}


@pytest.fixture(scope="module")
def pair(baseline, baseline_result):
    # the premia feedbacks are off: this checks the rollover mechanics alone
    mechanics = {
        "debt_premium_sensitivity": 0.0,
        "confidence_switch": 0.0,
        "inflation_expectations_yield_sensitivity": 0.0,
    }
    shocked = run.run(variant(baseline, "plus-100bp", yield_shift=1.0, **mechanics)).results
    return baseline_result.results, shocked


@pytest.mark.parametrize("year", sorted(MATURED_BY))
def test_average_coupon_rises_with_the_share_rolled_over(pair, year):
    base, shocked = pair
    matured = sum(PROFILE[b] for b in MATURED_BY[year]) / sum(PROFILE.values()) * DEBT_2024
    debt = shocked.at[year, "debt_held_by_public"]
    expected = (matured + debt - DEBT_2024) / debt  # in pp for a 1 pp shift
    # e.g. 2025: (9,169.7 / 27,710.2 x 28,199.3 + 30,1xx - 28,199.3) / 30,1xx = 0.374 pp
    got = shocked.at[year, "average_coupon_rate"] - base.at[year, "average_coupon_rate"]
    # the model ages debt first-order within each bucket, so it can differ from this
    # conveyor arithmetic by a little: 0.02 pp on a 1 pp shift
    assert got == pytest.approx(expected, abs=0.02)


def test_rise_is_gradual_not_immediate(pair):
    base, shocked = pair
    gap = shocked["average_interest_rate"] - base["average_interest_rate"]
    assert gap[2025] < 0.3  # a third of the debt reprices in the first year
    assert gap.is_monotonic_increasing
    assert 0.97 < gap[2055] <= 1.0 + 1e-9  # after 30 years nearly all debt carries the new yields
