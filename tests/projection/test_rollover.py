"""The rollover is real: a permanent rise in yields reaches the debt's rate at the pace of its maturities.

Hand computation from the initial maturity profile (data/initial/treasury-2025-09-30/, the default
vintage's): after a permanent +1 pp shift from the start of FY2026, the debt's average coupon at
the end of year Y is higher by 1 pp times the share of the debt issued since the shift: the
initial debt that has matured (bills, the nominal buckets maturing by then and the TIPS redeemed)
plus the net borrowing since, over the debt.
"""

import pytest
from conftest import variant

from runners.projection import run

PROFILE = {  # $bn at 30 Sep 2025 by remaining maturity (maturity_profile.csv), nominal notes/bonds
    "bills": 7087.132,
    "under 1y": 1896.932,
    "1 to 2y": 3448.780,
    "2 to 3y": 2607.912,
    "3 to 5y": 3802.189,
    "5 to 7y": 2096.079,
    "7 to 10y": 1535.499,
    "10 to 20y": 1991.829,
    "20 to 30y": 3141.289,
}
TIPS, TIPS_MATURITY = 2087.362, 7.12  # tips.csv: principal $bn, average remaining maturity (years)
MARKETABLE = sum(PROFILE.values()) + TIPS  # 29,695.0 (MSPD, 30 Sep 2025)
DEBT_2025 = 30172.402  # CBO, debt held by the public at the end of FY2025
MATURED_BY = {  # initial nominal debt maturing by the end of each fiscal year
    2026: ["bills", "under 1y"],
    2028: ["bills", "under 1y", "1 to 2y", "2 to 3y"],
    2031: ["bills", "under 1y", "1 to 2y", "2 to 3y", "3 to 5y"],
}


@pytest.fixture(scope="module")
def pair(baseline, baseline_result):
    # no market feedback is on by default: this checks the rollover mechanics alone
    shocked = run.run(variant(baseline, "plus-100bp", yield_shift=1.0, shock_start=2026)).results
    return baseline_result.results, shocked


@pytest.mark.parametrize("year", sorted(MATURED_BY))
def test_average_coupon_rises_with_the_share_rolled_over(pair, year):
    base, shocked = pair
    months = 12 * (year - 2025)
    tips_redeemed = TIPS * (1 - (1 - 1 / (12 * TIPS_MATURITY)) ** months)  # first-order, monthly steps
    matured = (sum(PROFILE[b] for b in MATURED_BY[year]) + tips_redeemed) / MARKETABLE * DEBT_2025
    debt = shocked.at[year, "debt_held_by_public"]
    expected = (matured + debt - DEBT_2025) / debt  # in pp for a 1 pp shift
    # e.g. 2026: ((8,984.1 + 228.6) / 29,695.0 x 30,172.4 + 32,1xx - 30,172.4) / 32,1xx = 0.35 pp
    got = shocked.at[year, "average_coupon_rate"] - base.at[year, "average_coupon_rate"]
    # the model ages debt first-order within each bucket (part of the 3-5 year bucket has
    # matured by FY2028, part of the 2-3 year one has not), so it can differ from this conveyor
    # arithmetic by a little: up to 0.025 pp on a 1 pp shift (0.020 in FY2028)
    assert got == pytest.approx(expected, abs=0.025)


def test_rise_is_gradual_not_immediate(pair):
    base, shocked = pair
    gap = shocked["average_interest_rate"] - base["average_interest_rate"]
    assert gap[2026] < 0.3  # about a third of the debt reprices in the first year
    assert gap.is_monotonic_increasing
    assert 0.97 < gap[2055] <= 1.0 + 1e-9  # after 30 years nearly all debt carries the new yields
