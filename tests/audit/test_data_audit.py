"""Audit of data/: every cited figure against its source, every derived figure from its inputs.

Two kinds of test. The first kind checks data/'s own identities and runs everywhere: the debt
identity, debt/GDP, deficits and primary deficits, the ratios of the history file, the derived
rows of ``actuals_fy.csv`` from the rows they name, the initial states' sums, and the files'
agreement with one another. The second kind compares each value with its counterpart in the
reference collection (``../shared/reference``, CBO, OMB, Treasury MSPD, TIC, Fed H.4.1, FRED) and
is skipped where that folder is absent (a user's clone). Tolerances are the sources' rounding:
CBO's and OMB's files carry three decimals ($ millions as $ billions), so a transcribed value is
within 0.0015 of its source; a ratio recomputed from rounded inputs within the stated allowance.
"""

from __future__ import annotations

import math
import re
import statistics

import pandas as pd
import pytest

from runners.core import paths
from runners.inputs import vintage as inputs

REFERENCE = paths.REPO.parent / "shared" / "reference"
needs_reference = pytest.mark.skipif(
    not REFERENCE.is_dir(), reason="../shared/reference is not present (a user's clone)"
)
VINTAGES = ["cbo-2025-01", "cbo-2026-02"]
TRANSCRIBED = 0.0015  # three-decimal sources: a copied value differs by rounding at most
STATES = sorted(p.name for p in (paths.REPO / "data" / "initial").glob("treasury-*-09-30"))


def data(rel: str) -> pd.DataFrame:
    """A data/ CSV (from $SNOWBALL_DATA_DIR when set, so a damaged copy can be audited)."""
    return pd.read_csv(paths.data_dir() / rel)


def tidy(rel: str) -> pd.DataFrame:
    """A tidy data/ file as a fiscal_year x variable table of values."""
    return data(rel).pivot(index="fiscal_year", columns="variable", values="value")


def ref(name: str) -> pd.DataFrame:
    """A reference-collection CSV."""
    return pd.read_csv(REFERENCE / name)


def mismatches(ours: pd.Series, theirs: pd.Series, tol: float = TRANSCRIBED) -> dict:
    """Labels where ours holds a value and theirs differs by more than ``tol`` or lacks it."""
    both = pd.concat([ours.rename("ours"), theirs.rename("theirs")], axis=1, join="inner")
    both = both.dropna(subset=["ours"])
    bad = both[~((both["ours"] - both["theirs"]).abs() <= tol)]
    return {k: (float(r.ours), float(r.theirs)) for k, r in bad.iterrows()}


def numbers(text: str) -> list[float]:
    """Every number written in ``text`` (thousands separators allowed)."""
    return [float(x.replace(",", "")) for x in re.findall(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?", text)]


# ---------------------------------------------------------------- data/'s own identities


@pytest.mark.parametrize("vintage", VINTAGES)
def test_baseline_debt_identity(vintage):
    p = tidy(f"baselines/{vintage}/budget_projections.csv")
    # debt(t) = debt(t-1) + (outlays - revenues) + other means of financing. Feb 2026, FY2026:
    # 30,172.402 + (7,448.619 - 5,595.916) + 70.060 = 32,095.165 (CBO: 32,095.165)
    implied = p["debt_held_by_public"].shift(1) + p["outlays"] - p["revenues"] + p["other_means_of_financing"]
    gap = (p["debt_held_by_public"] - implied).dropna()
    assert len(gap) >= 11
    # CBO rounds each term to $1m, and its deficit for the identity (debt_change_from_deficit)
    # differs from revenues - outlays by up to $13m (FY2025: 1,775.357 vs 1,775.370)
    assert gap.abs().max() < 0.02, gap[gap.abs() >= 0.02]


@pytest.mark.parametrize("vintage", VINTAGES)
def test_baseline_debt_to_gdp_is_debt_over_gdp(vintage):
    p = tidy(f"baselines/{vintage}/budget_projections.csv")
    computed = p["debt_held_by_public"] / p["nominal_gdp"] * 100
    gap = (p["debt_to_gdp"] - computed).dropna()
    if vintage == "cbo-2026-02":
        # documented exception: FY2025 keeps CBO's ratio 99.375, which implies GDP of
        # 30,172.402 / 0.99375 = 30,362.2 where CBO's economic file has 30,330.3 (99.479%)
        assert gap[2025] == pytest.approx(99.375 - 30172.402 / 30330.3 * 100, abs=1e-6)
        assert 30172.402 / (p.at[2025, "debt_to_gdp"] / 100) == pytest.approx(30362.2, abs=0.1)
        gap = gap.drop(2025)
    # Jan 2025, FY2035: 52,056.2 / 43,922.1 x 100 = 118.52 (CBO 118.5)
    assert gap.abs().max() < 0.002, gap[gap.abs() >= 0.002]


def test_feb_2026_fy2024_row_is_its_stated_arithmetic():
    p = tidy("baselines/cbo-2026-02/budget_projections.csv")
    a = tidy("history/actuals_fy.csv")
    # debt FY2025 30,172.402 - (deficit 1,775.357 + other means 201.470) = 28,195.575
    assert p.at[2024, "debt_held_by_public"] == pytest.approx(30172.402 - (1775.357 + 201.470), abs=1e-6)
    # other means FY2024 = 28,195.575 - 26,235.592 - (6,735.261 - 4,919.884) = 144.606
    omf = p.at[2024, "debt_held_by_public"] - a.at[2023, "debt_held_by_public"]
    omf -= p.at[2024, "outlays"] - p.at[2024, "revenues"]
    assert p.at[2024, "other_means_of_financing"] == pytest.approx(omf, abs=0.0005)
    assert p.at[2024, "other_means_of_financing"] == pytest.approx(144.606, abs=0.0005)
    # the FY2024 flows are OMB's revised actuals, the same as the history file's
    for v in ["revenues", "outlays", "net_interest", "nominal_gdp", "debt_held_by_public"]:
        assert p.at[2024, v] == pytest.approx(a.at[2024, v], abs=1e-9), v
    # derived ratio: 28,195.575 / 28,947.9 x 100 = 97.401
    assert p.at[2024, "debt_to_gdp"] == pytest.approx(97.401, abs=0.0005)


@pytest.mark.parametrize("vintage", VINTAGES)
def test_categories_agree_with_the_projection(vintage):
    cat = tidy(f"baselines/{vintage}/outlays_by_category.csv")
    p = tidy(f"baselines/{vintage}/budget_projections.csv")
    # the same net interest in both files: Jan 2025 rounds to $1bn (FY2035 1,783 vs 1,782.585)
    tol = 0.5 if vintage == "cbo-2025-01" else 1e-9
    ni = mismatches(cat["net_interest"], p["net_interest"], tol)
    assert ni == {}
    # the listed categories are part of outlays: Feb 2026, FY2036, 2,549.6 + 1,964.2 + 1,148.8 +
    # 1,163.2 + 1,122.3 + 2,144.3 = 10,092.4 of 10,611.0 (the rest: other mandatory, offsets)
    parts = cat.drop(columns="outlays_timing_adjusted").sum(axis=1)
    share = parts / cat["outlays_timing_adjusted"]
    assert share.between(0.80, 1.0).all(), share


def test_feb_2026_long_term_rows_are_their_basis_arithmetic():
    lt = data("baselines/cbo-2026-02/long_term.csv")
    p = tidy("baselines/cbo-2026-02/budget_projections.csv")
    checked = 0
    for _, r in lt.iterrows():
        basis = str(r["basis"])
        if r["variable"] == "primary_outlays_pct_gdp":
            # 2056: outlays 27.932 - net interest 6.930 = 21.002
            a, b = (float(x) for x in basis.split(" - "))
            assert r["value"] == pytest.approx(a - b, abs=0.0005), r["fiscal_year"]
            checked += 1
        elif r["variable"] == "nominal_gdp_growth":
            # 2056: 95.690 / 92.435 - 1 = 3.521%
            a, b = (float(x) for x in basis.removesuffix(" - 1").split(" / "))
            assert r["value"] == pytest.approx((a / b - 1) * 100, abs=0.0005), r["fiscal_year"]
            checked += 1
        elif basis == "CBO FY2036 value held":  # 3-month 3.116%, 10-year 4.386% every year
            assert r["value"] == p.at[2036, r["variable"]], (r["fiscal_year"], r["variable"])
            checked += 1
        elif basis.startswith("debt identity: "):
            # 2039: (66,323.4 - 62,747.7 - 3,592.7) / 52,196 x 100 = -0.033% of GDP (inputs
            # to $0.1bn, so within 0.0006 of the three-decimal value)
            d1, d0, deficit, *_, gdp = numbers(basis.split(" = ", 1)[1].replace("(", " "))
            assert r["value"] == pytest.approx((d1 - d0 - deficit) / gdp * 100, abs=0.0006), r["fiscal_year"]
            checked += 1
        elif r["variable"] == "other_means_of_financing_pct_gdp":  # 2040 on: 0 within rounding
            assert r["value"] == 0 and "within the rounding" in basis, r["fiscal_year"]
            checked += 1
    # primary outlays, growth, other means, the two yields, fed funds and PCE: 7 rows a year
    assert checked == 7 * 20


def test_jan_2025_long_term_anchors_are_their_basis_arithmetic():
    lt = data("baselines/cbo-2025-01/long_term.csv").set_index("variable")
    p = tidy("baselines/cbo-2025-01/budget_projections.csv")
    assert lt.at["primary_outlays_pct_gdp", "value"] == pytest.approx(26.6 - 5.4, abs=1e-9)  # 21.2
    assert lt.at["nominal_gdp_growth", "value"] == pytest.approx(1.4 + 2.0, abs=1e-9)  # 3.4
    for v in ["bill_yield", "ten_year_yield", "fed_funds_rate", "pce_inflation"]:
        assert lt.at[v, "value"] == p.at[2035, v], v  # held at CBO's FY2035 values
    # the LTBO's 2055 deficit: primary 21.2 - 19.3 = 1.9 plus net interest 5.4 = 7.3% of GDP
    t = data("baselines/cbo-2025-01/targets.csv").set_index(["variable", "fiscal_year"])["value"]
    deficit = lt.at["primary_outlays_pct_gdp", "value"] - lt.at["revenues_pct_gdp", "value"] + 5.4
    assert deficit == pytest.approx(t[("total_deficit_pct_gdp", 2055)], abs=1e-9)


def test_history_identities_every_year():
    h = data("history/historical_fy.csv").set_index("fiscal_year")
    assert list(h.index) == list(range(1940, 2026))
    # deficit is positive here (the model's sign): FY2024 6,735.261 - 4,919.884 = 1,815.377
    checks = {
        "deficit": (h["outlays"] - h["revenues"], TRANSCRIBED),
        "primary_deficit": (h["deficit"] - h["net_interest"], TRANSCRIBED),  # 1,815.377 - 879.879
        "debt_to_gdp": (h["debt_held_by_public"] / h["gdp"] * 100, 0.0051),  # 97.40 in FY2024
        "net_interest_share_of_outlays": (h["net_interest"] / h["outlays"] * 100, 0.0051),  # 13.06
        "net_interest_to_gdp": (h["net_interest"] / h["gdp"] * 100, 0.0051),  # 3.04
        "net_interest_share_of_revenues": (h["net_interest"] / h["revenues"] * 100, 0.0051),  # 17.88
    }
    for col, (computed, tol) in checks.items():
        assert mismatches(h[col], computed, tol) == {}, col
    # net interest / average debt: FY2024 879.879 / ((26,235.592 + 28,195.575) / 2) = 3.233%
    avg = (h["debt_held_by_public"] + h["debt_held_by_public"].shift(1)) / 2
    rate = (h["net_interest"] / avg * 100).dropna()
    assert mismatches(h["net_interest_rate_on_debt"], rate, 0.0006) == {}
    assert h["net_interest_rate_on_debt"].count() == 85  # every year but FY1940


def test_actuals_derived_rows_are_their_stated_arithmetic():
    a = tidy("history/actuals_fy.csv")
    d = a["debt_held_by_public"]
    avg = (d + d.shift(1)) / 2
    checks = {
        # FY2024: 6,735.261 - 879.879 = 5,855.382
        "primary_outlays": (a["outlays"] - a["net_interest"], TRANSCRIBED),
        # negative = deficit: 4,919.884 - 6,735.261 = -1,815.377
        "deficit": (a["revenues"] - a["outlays"], TRANSCRIBED),
        "primary_deficit": (a["deficit"] + a["net_interest"], TRANSCRIBED),  # -935.498
        # (28,195.575 - 26,235.592) - 1,815.377 = 144.606
        "other_means_of_financing": (d - d.shift(1) + a["deficit"], TRANSCRIBED),
        "average_interest_rate": (a["net_interest"] / avg * 100, 0.0006),  # 3.233
        "average_rate_on_public_issues": (a["interest_on_debt"] / avg * 100, 0.0006),  # 3.292
        "other_interest": (a["interest_on_debt"] - a["net_interest"], TRANSCRIBED),  # 16.131
    }
    for col, (computed, tol) in checks.items():
        assert a[col].count() >= 11, col
        assert mismatches(a[col], computed, tol) == {}, col
    # and the numbers each derived row quotes in its source are the rows it is derived from
    rows = data("history/actuals_fy.csv").set_index(["fiscal_year", "variable"])
    quoted = {
        "average_interest_rate": ["net_interest"],
        "other_interest": ["interest_on_debt", "net_interest"],
        "primary_outlays": ["outlays", "net_interest"],
    }
    for (year, var), row in rows.iterrows():
        for inp in quoted.get(var, []):
            assert any(abs(n - a.at[year, inp]) < 0.001 for n in numbers(row["source"])), (year, var, inp)


def test_actuals_agree_with_the_history_file():
    a = tidy("history/actuals_fy.csv")
    h = data("history/historical_fy.csv").set_index("fiscal_year")
    same = {
        "nominal_gdp": "gdp",
        "revenues": "revenues",
        "outlays": "outlays",
        "net_interest": "net_interest",
        "debt_held_by_public": "debt_held_by_public",
        "average_interest_rate": "net_interest_rate_on_debt",
    }
    for ours, theirs in same.items():
        assert mismatches(a[ours], h[theirs], 1e-9) == {}, ours
    # opposite signs by design: actuals_fy -1,815.377 (reference convention), history +1,815.377
    assert mismatches(a["deficit"], -h["deficit"], 1e-9) == {}
    assert mismatches(a["primary_deficit"], -h["primary_deficit"], 1e-9) == {}


def test_monthly_yields_average_to_the_fiscal_year_values():
    y = data("history/yields_monthly.csv")
    month = y["month"].str[5:].astype(int)
    assert (y["fiscal_year"] == y["month"].str[:4].astype(int) + (month >= 10)).all()
    a = tidy("history/actuals_fy.csv")
    full = y.groupby("fiscal_year").filter(lambda g: len(g) == 12).groupby("fiscal_year")
    # FY2024 (Oct 2023 - Sep 2024) mean of TB3MS = 5.188, of GS10 = 4.247
    assert len(full) == 11  # FY2015-2025; FY2014 starts in January
    assert mismatches(full["bill_yield"].mean(), a["bill_yield"], 0.0006) == {}
    assert mismatches(full["ten_year_yield"].mean(), a["ten_year_yield"], 0.0006) == {}


@pytest.mark.parametrize("state", STATES)
def test_initial_state_sums(state):
    d = f"initial/{state}/"
    comp = data(d + "composition.csv").set_index("security")
    amt, rate = comp["amount_bn"], comp["average_rate_pct"]
    # MSPD 30 Sep 2024: 6,004.141 + 14,338.035 + 4,701.364 + 2,051.110 + 615.530 = 27,710.180
    parts = ["bills", "notes", "bonds", "tips", "frn"]
    assert amt[parts].sum() == pytest.approx(amt["total_marketable"], abs=0.003)
    prof = data(d + "maturity_profile.csv").set_index("bucket")
    # the bills bucket: bills + FRNs at their amount-weighted rate,
    # 2024: (6,004.141 x 5.154 + 615.530 x 4.728) / 6,619.671 = 5.114%
    bills = amt["bills"] + amt["frn"]
    assert prof.at["bills", "amount_bn"] == pytest.approx(bills, abs=0.001)
    assert prof.at["bills", "coupon_pct"] == pytest.approx(
        (amt["bills"] * rate["bills"] + amt["frn"] * rate["frn"]) / bills, abs=0.0006
    )
    coupons = prof.drop("bills")
    assert coupons["amount_bn"].sum() == pytest.approx(amt["notes"] + amt["bonds"], abs=0.01)
    tips = data(d + "tips.csv").set_index("parameter")["value"]
    assert tips["tips_principal"] == pytest.approx(amt["tips"], abs=1e-9)
    assert tips["tips_real_coupon"] == pytest.approx(rate["tips"], abs=1e-9)
    # holders: fed and foreign holdings are part of the debt held by the public (MSPD 28,307 in
    # 2024), so the domestic private remainder is positive
    holders = data(d + "holders.csv").set_index("holder")["amount_bn"]
    assert 0 < holders.sum() < amt["total_marketable"]
    src = data(d + "holders.csv").set_index("holder")["source"]
    # other foreign official = official - Japan - China; foreign private = grand total - official
    off = numbers(src["other_foreign_official"].split("foreign official total")[1])[0]
    assert holders["other_foreign_official"] == pytest.approx(
        off - holders["japan"] - holders["china"], abs=0.05
    )
    total = numbers(src["foreign_private"].split("grand total")[1])[0]
    assert holders["foreign_private"] == pytest.approx(total - off, abs=0.05)
    # issuance: 2024's nominal auction sizes, 69/58/70/44/42/16/25 of $324bn a month
    iss = data(d + "issuance.csv").set_index("parameter")["value"]
    sizes = {"two": 69, "three": 58, "five": 70, "seven": 44, "ten": 42, "twenty": 16, "thirty": 25}
    for tenor, size in sizes.items():
        assert iss[f"{tenor}_year_issuance_share"] == pytest.approx(size / 324, abs=0.00006), tenor
    assert tips["tips_issuance_share"] == pytest.approx(17.5 / 341.5, abs=0.00006)


def test_every_row_has_a_source_and_the_loaders_unit():
    units = inputs.PROJECTION_UNITS | {"cpiu_inflation": "%"} | inputs.CATEGORY_UNITS
    for vintage in VINTAGES:
        for name, table in [
            ("budget_projections", units),
            ("outlays_by_category", units),
            ("long_term", inputs.LONG_TERM_UNITS),
        ]:
            df = data(f"baselines/{vintage}/{name}.csv")
            assert df["source"].fillna("").str.strip().ne("").all(), (vintage, name)
            wrong = df[df["unit"] != df["variable"].map(table)]
            assert wrong.empty, wrong[["fiscal_year", "variable", "unit"]]
    actuals = data("history/actuals_fy.csv")
    assert actuals["source"].fillna("").str.strip().ne("").all()
    # amounts in $ billions; rates, yields, shares and inflation rates in percent
    rates = ("rate", "yield", "share", "cpiu_inflation", "pce_inflation")
    expected = actuals["variable"].map(lambda v: "%" if any(w in v for w in rates) else "$bn")
    assert (expected[actuals["variable"] == "tips_inflation_compensation"] == "$bn").all()
    wrong = actuals[actuals["unit"] != expected]
    assert wrong.empty, wrong[["fiscal_year", "variable", "unit"]]
    for state in STATES:
        for f in ["composition", "holders", "issuance", "maturity_profile", "tips"]:
            assert data(f"initial/{state}/{f}.csv")["source"].fillna("").str.strip().ne("").all(), (state, f)


# ---------------------------------------------------------------- against ../shared/reference


def by_year(name: str) -> pd.DataFrame:
    return ref(name).set_index("fiscal_year")


CBO_COLUMNS = {
    "nominal_gdp": "nominal_gdp_fy_bn",
    "revenues": "revenues_bn",
    "outlays": "outlays_bn",
    "net_interest": "net_interest_bn",
    "other_means_of_financing": "other_means_of_financing_bn",
    "debt_held_by_public": "debt_held_by_public_bn",
    "debt_to_gdp": "debt_held_by_public_pct_gdp",
    "average_interest_rate": "avg_interest_rate_on_debt_pct",
    "bill_yield": "treasury_3m_bill_rate_pct",
    "ten_year_yield": "treasury_10y_rate_pct",
    "fed_funds_rate": "fed_funds_rate_pct",
    "pce_inflation": "pce_inflation_pct",
    "gdp_price_index_growth": "gdp_price_index_growth_pct",
    "cpiu_inflation": "cpiu_inflation_pct",
}


@needs_reference
@pytest.mark.parametrize(
    ("vintage", "source"),
    [("cbo-2025-01", "cbo_baseline_2025_01_fy.csv"), ("cbo-2026-02", "cbo_baseline_2026_02_fy.csv")],
)
def test_baseline_values_are_cbos(vintage, source):
    p = tidy(f"baselines/{vintage}/budget_projections.csv")
    cbo = by_year(source)
    compared = 0
    for var in p.columns:
        got = mismatches(p[var], cbo[CBO_COLUMNS[var]])
        assert got == {}, (var, got)
        compared += len(p[var].dropna().index.intersection(cbo.index))
    # Jan 2025: 13 variables x FY2024-2035; Feb 2026: 14 x FY2025-2036 (FY2024 is checked below)
    assert compared == (13 * 12 if vintage == "cbo-2025-01" else 14 * 12)
    # e.g. Jan 2025, FY2035 debt 52,055.866 (By the Numbers: 52,056); Feb 2026, FY2036 56,152.391
    last = p.index.max()
    assert p.at[last, "debt_held_by_public"] == {2035: 52055.866, 2036: 56152.391}[last]


@needs_reference
def test_feb_2026_fy2024_economic_row_is_cbos_actual():
    p = tidy("baselines/cbo-2026-02/budget_projections.csv")
    long = ref("cbo_baseline_2026_02_fy_long.csv")
    actual = long[(long["fiscal_year"] == 2024) & (long["cbo_estimate_type"] == "actual")]
    actual = actual.set_index("column")["value"]
    for var in [
        "nominal_gdp",
        "bill_yield",
        "ten_year_yield",
        "fed_funds_rate",
        "pce_inflation",
        "cpiu_inflation",
    ]:
        assert p.at[2024, var] == pytest.approx(actual[CBO_COLUMNS[var]], abs=1e-9), var
    # FY2024 GDP price index growth 2.536; Jan 2025's average rate for FY2024, 3.341
    assert p.at[2024, "gdp_price_index_growth"] == actual["gdp_price_index_growth_pct"]
    assert (
        p.at[2024, "average_interest_rate"]
        == by_year("cbo_baseline_2025_01_fy.csv").at[2024, "avg_interest_rate_on_debt_pct"]
    )


@needs_reference
def test_categories_are_cbos():
    jan = tidy("baselines/cbo-2025-01/outlays_by_category.csv")
    btn = ref("cbo_2025_01_outlays_by_category.csv").drop_duplicates("category").set_index("category")
    cols = {2024: "fy2024_actual", 2025: "fy2025", 2026: "fy2026", 2035: "fy2035"}
    for var in jan.columns:
        theirs = pd.Series({y: btn.at[var, c] for y, c in cols.items()})
        assert mismatches(jan[var], theirs, 0) == {}, var  # whole $bn, copied exactly
    feb = tidy("baselines/cbo-2026-02/outlays_by_category.csv")
    cbo = by_year("cbo_baseline_2026_02_fy.csv")
    # Medicare net: FY2025 gross 1,179.972 (timing-adjusted) + offsetting receipts -192.315 = 987.657
    theirs = {
        "social_security": cbo["social_security_bn"],
        "medicare": cbo["medicare_gross_timing_adj_bn"] + cbo["medicare_offsetting_receipts_bn"],
        "medicaid_chip_marketplace": cbo["medicaid_bn"],
        "defense": cbo["defense_discretionary_timing_adj_bn"],
        "nondefense": cbo["nondefense_discretionary_timing_adj_bn"],
        "net_interest": cbo["net_interest_bn"],
        "outlays_timing_adjusted": cbo["outlays_timing_adj_bn"],
    }
    for var, series in theirs.items():
        assert mismatches(feb[var], series) == {}, var
    assert feb.at[2025, "medicare"] == pytest.approx(987.657, abs=0.0005)


@needs_reference
def test_feb_2026_long_term_is_the_ltbo():
    lt = tidy("baselines/cbo-2026-02/long_term.csv")
    ltbo = by_year("cbo_ltbo_2026_02_extended_baseline.csv")
    assert mismatches(lt["revenues_pct_gdp"], ltbo["revenues_pct_gdp"]) == {}
    primary = ltbo["outlays_pct_gdp"] - ltbo["net_interest_pct_gdp"]
    assert mismatches(lt["primary_outlays_pct_gdp"], primary) == {}
    growth = (ltbo["gdp_trillions"] / ltbo["gdp_trillions"].shift(1) - 1) * 100
    assert mismatches(lt["nominal_gdp_growth"], growth) == {}
    # other means of financing from the debt identity, % of GDP: 2037 (59,354.7 - 56,152.0 -
    # 3,252.1) / 48,473 = -0.102%; from 2040 within the rounding of CBO's ratios (|x| < 0.003%)
    gdp = ltbo["gdp_trillions"] * 1000
    debt = ltbo["debt_held_by_public_pct_gdp"] / 100 * gdp
    omf = (debt - debt.shift(1) + ltbo["total_deficit_pct_gdp"] / 100 * gdp) / gdp * 100
    assert mismatches(lt["other_means_of_financing_pct_gdp"], omf, 0.003) == {}
    assert lt.at[2037, "other_means_of_financing_pct_gdp"] == pytest.approx(omf[2037], abs=0.0005)
    # the LTBO's FY2036 is the Feb 2026 baseline's (120.209% of GDP, $46.7tn)
    p = tidy("baselines/cbo-2026-02/budget_projections.csv")
    assert ltbo.at[2036, "debt_held_by_public_pct_gdp"] == p.at[2036, "debt_to_gdp"]


@needs_reference
def test_targets_are_cbos():
    feb = data("baselines/cbo-2026-02/targets.csv")
    cbo = by_year("cbo_baseline_2026_02_fy.csv")
    ltbo = by_year("cbo_ltbo_2026_02_extended_baseline.csv")
    for _, t in feb.iterrows():
        y, v = int(t["fiscal_year"]), t["variable"]
        theirs = {
            "net_interest": lambda y=y: cbo.at[y, "net_interest_bn"],
            "average_interest_rate": lambda y=y: cbo.at[y, "avg_interest_rate_on_debt_pct"],
            "debt_to_gdp": lambda y=y: (cbo if y in cbo.index else ltbo).at[y, "debt_held_by_public_pct_gdp"],
            "net_interest_pct_gdp": lambda y=y: ltbo.at[y, "net_interest_pct_gdp"],
            "total_deficit_pct_gdp": lambda y=y: -ltbo.at[y, "total_deficit_pct_gdp"],
        }[v]()
        # debt/GDP targets are CBO's ratio to one decimal (171.785 -> 171.8)
        assert t["value"] == pytest.approx(theirs, abs=0.051 if v == "debt_to_gdp" else TRANSCRIBED), (v, y)
    jan = data("baselines/cbo-2025-01/targets.csv")
    cbo = by_year("cbo_baseline_2025_01_fy.csv")
    heads = ref("cbo_ltbo_2025_03_headlines.csv").set_index(["fiscal_year", "variable"])["value"]
    for _, t in jan.iterrows():
        y, v = int(t["fiscal_year"]), t["variable"]
        if v in ("net_interest", "average_interest_rate"):
            col = "net_interest_bn" if v == "net_interest" else "avg_interest_rate_on_debt_pct"
            assert t["value"] == pytest.approx(cbo.at[y, col], abs=TRANSCRIBED), (v, y)
        elif v == "debt_to_gdp" and y == 2035:
            assert t["value"] == pytest.approx(cbo.at[y, "debt_held_by_public_pct_gdp"], abs=0.051)
        else:  # the March 2025 LTBO's headline figures (156% in 2055, 107% in 2029, 7.3%, 5.4%)
            name = {"debt_to_gdp": "debt_held_by_public_pct_gdp"}.get(v, v)
            assert t["value"] == pytest.approx(float(heads[(str(y), name)]), abs=1e-9), (v, y)


@needs_reference
def test_history_is_omb_and_cbo_every_year_1940_2025():
    h = data("history/historical_fy.csv").set_index("fiscal_year")
    omb = by_year("historical_fy_1940_2025.csv")
    columns = {
        "debt_held_by_public": "debt_held_by_public_bn",
        "gdp": "nominal_gdp_fy_bn",
        "debt_to_gdp": "debt_pct_gdp",
        "net_interest": "net_interest_bn",
        "outlays": "outlays_bn",
        "revenues": "revenues_bn",
        "net_interest_share_of_outlays": "net_interest_pct_outlays",
        "net_interest_to_gdp": "net_interest_pct_gdp",
        "net_interest_share_of_revenues": "net_interest_pct_revenues",
        "net_interest_rate_on_debt": "effective_rate_net_interest_over_avg_debt_pct",
    }
    for ours, theirs in columns.items():
        assert mismatches(h[ours], omb[theirs]) == {}, ours
        assert h[ours].count() == omb[theirs].count(), ours
    # OMB Table 1.1 signs surpluses positive; our deficit is positive: FY1998 surplus 69.270
    assert mismatches(h["deficit"], -omb["surplus_deficit_bn"]) == {}
    assert mismatches(h["primary_deficit"], -omb["primary_surplus_deficit_bn"]) == {}
    assert h.at[1998, "deficit"] == pytest.approx(-69.27, abs=0.0005)
    # debt 1984-2025 and GDP 1982-2025 are CBO's actuals (eval-projections)
    actuals = ref("cbo_eval/cbo_eval_projections_actuals.csv")
    debt = actuals[(actuals["component"] == "debt") & (actuals["category"] == "Total")]
    debt = debt.set_index("fiscal_year")["actual_value"]
    assert mismatches(h.loc[1984:, "debt_held_by_public"], debt) == {}
    gdp = ref("cbo_eval/cbo_eval_projections_actual_GDP.csv").set_index("fiscal_year")["GDP"]
    assert mismatches(h.loc[1982:, "gdp"], gdp) == {}
    # bill share: (bills + FRN) / MSPD debt held by the public, 30 Sep 2024:
    # (6,004.141 + 615.530) / 28,307.312 x 100 = 23.39
    mspd = ref("treasury_marketable_composition_fy_end.csv")
    mspd = mspd[mspd["record_date"].str.endswith("-09-30")]
    mspd = mspd.set_index(mspd["record_date"].str[:4].astype(int))
    share = (mspd["bills_bn"] + mspd["frn_bn"]) / mspd["total_public_debt_held_by_public_bn"] * 100
    assert mismatches(h["bill_share"], share, 0.0051) == {}
    assert h["bill_share"].count() == 25  # FY2001-2025


@needs_reference
def test_actuals_are_their_cited_sources():
    a = tidy("history/actuals_fy.csv")
    omb = by_year("historical_fy_1940_2025.csv")
    rates = ref("interest_rates_annual.csv").set_index("year")
    infl = by_year("inflation_fy_2014_2025.csv")
    expense = by_year("treasury_interest_expense_fy.csv")
    tips = by_year("treasury_tips_interest_components_fy.csv")
    tips = tips[tips["period"].str.startswith("full")]
    mspd = ref("treasury_marketable_composition_fy_end.csv")
    mspd = mspd[mspd["record_date"].str.endswith("-09-30")]
    mspd = mspd.set_index(mspd["record_date"].str[:4].astype(int))
    theirs = {
        "nominal_gdp": omb["nominal_gdp_fy_bn"],
        "revenues": omb["revenues_bn"],
        "outlays": omb["outlays_bn"],
        "net_interest": omb["net_interest_bn"],
        "debt_held_by_public": omb["debt_held_by_public_bn"],
        "deficit": omb["surplus_deficit_bn"],
        "primary_deficit": omb["primary_surplus_deficit_bn"],
        "average_interest_rate": omb["effective_rate_net_interest_over_avg_debt_pct"],
        "fed_holdings": omb.loc[:2022, "fed_reserve_holdings_bn"],  # OMB Table 7.1 ends FY2022
        "bill_yield": rates["tb3ms_fy_avg_pct"],
        "ten_year_yield": rates["gs10_fy_avg_pct"],
        "cpiu_inflation": infl["cpi_u_fy_avg_pct_change"],
        "pce_inflation": infl["pce_fy_avg_pct_change"],
        "cpiu_inflation_sep": infl["cpi_u_sep_over_sep_pct"],
        "interest_on_debt": expense["interest_expense_public_issues_bn"],
        "tips_inflation_compensation": tips["tips_inflation_compensation_bn"],
        # (bills + FRN) / total marketable: 2024 (6,004.141 + 615.530) / 27,710.179 = 23.889%
        "bill_share": (mspd["bills_bn"] + mspd["frn_bn"]) / mspd["total_marketable_bn"] * 100,
        "tips_share": mspd["tips_bn"] / mspd["total_marketable_bn"] * 100,
        "tips_stock": mspd["tips_bn"],  # 30 Sep 2022: 1,839.843
    }
    for var, series in theirs.items():
        tol = (
            0.0006
            if var in ("bill_share", "tips_share")
            else 0.006
            if var == "interest_on_debt"
            else TRANSCRIBED
        )
        assert mismatches(a[var], series, tol) == {}, var
    # Fed holdings after OMB's last year (FY2022): H.4.1 Wednesday levels, equal to CBO's figures
    assert (
        a.at[2024, "fed_holdings"]
        == by_year("cbo_baseline_2025_01_fy.csv").at[2024, "fed_reserve_holdings_of_debt_bn"]
    )
    assert (
        a.at[2025, "fed_holdings"]
        == by_year("cbo_baseline_2026_02_fy.csv").at[2025, "fed_reserve_holdings_of_debt_bn"]
    )


@needs_reference
def test_monthly_yields_are_fred_verbatim():
    y = data("history/yields_monthly.csv").set_index("month")
    fred = ref("treasury_yields_monthly_2014_2025.csv").set_index("month")
    assert list(y.index) == list(fred.index)  # Jan 2014 - Dec 2025, 144 months
    assert mismatches(y["bill_yield"], fred["tb3ms_pct"], 0) == {}
    assert mismatches(y["ten_year_yield"], fred["gs10_pct"], 0) == {}
    assert (y["fiscal_year"] == fred["fiscal_year"]).all()


@needs_reference
def test_monthly_curve_is_treasurys_constant_maturity_yields_verbatim():
    curve = data("history/curve_monthly.csv").set_index("month")
    cmt = ref("treasury_cmt_yields_monthly_2000_2025.csv").set_index("month").loc["2013-10":]
    assert list(curve.index) == list(cmt.index)  # Oct 2013 - Jun 2025, 141 months
    for ours, theirs in [("two", "2y"), ("three", "3y"), ("five", "5y"), ("seven", "7y"), ("twenty", "20y")]:
        assert mismatches(curve[f"{ours}_year_yield"], cmt[f"cmt_{theirs}"], 0) == {}, ours
    assert mismatches(curve["thirty_year_yield"], cmt["cmt_30y"], 0) == {}
    assert (curve["fiscal_year"] == cmt["fiscal_year"]).all()


@needs_reference
@pytest.mark.parametrize("state", STATES)
def test_initial_state_is_mspd_treasury_tic_and_the_fed(state):
    date = state.removeprefix("treasury-")
    comp = data(f"initial/{state}/composition.csv").set_index("security")
    mspd = ref("treasury_marketable_composition_fy_end.csv").set_index("record_date").loc[date]
    # rates by security at 30 Sep; for 2025 the latest in the reference, 31 May 2025
    rates = ref("treasury_avg_interest_rates_fy_end.csv").set_index("record_date")
    rates = rates.loc[date if date in rates.index else "2025-05-31"]
    for sec in ["bills", "notes", "bonds", "tips", "frn", "total_marketable"]:
        assert comp.at[sec, "amount_bn"] == pytest.approx(mspd[f"{sec}_bn"], abs=TRANSCRIBED), sec
        if not (sec == "total_marketable" and date == "2025-09-30"):
            assert comp.at[sec, "average_rate_pct"] == pytest.approx(rates[f"{sec}_pct"], abs=1e-9), sec
    if date == "2025-09-30":  # JEC, Oct 2025: total marketable 3.406% at 30 Sep 2025
        jec = ref("treasury_debt_state_2025_09_30.csv")
        jec = jec[(jec["as_of"] == "2025-09") & jec["measure"].str.startswith("average interest rate, total")]
        assert comp.at["total_marketable", "average_rate_pct"] == float(jec["value"].iloc[0])
    holders = data(f"initial/{state}/holders.csv").set_index("holder")["amount_bn"]
    tic = ref("tic_major_foreign_holders_monthly.csv")
    tic = tic[(tic["series"] == "current") & (tic["date"] == date[:7])].set_index("holder")["holdings_bn"]
    official = tic["Foreign official (total)"]
    # Sep 2024: 3,914.1 - 1,095.5 - 772.0 = 2,046.6; 8,766.3 - 3,914.1 = 4,852.2
    assert holders["japan"] == tic["Japan"]
    assert holders["china"] == tic["China, Mainland"]
    assert holders["other_foreign_official"] == pytest.approx(
        official - tic["Japan"] - tic["China, Mainland"], abs=0.05
    )
    assert holders["foreign_private"] == pytest.approx(tic["Grand Total"] - official, abs=0.05)
    year = int(date[:4])
    omb = by_year("historical_fy_1940_2025.csv")["fed_reserve_holdings_bn"]
    if not math.isnan(omb[year]):
        assert holders["fed"] == pytest.approx(omb[year], abs=TRANSCRIBED)  # OMB Table 7.1
    elif year >= 2024:  # CBO's FY-end Fed holdings, the H.4.1 Wednesday level
        cbo = by_year("cbo_baseline_2026_02_fy.csv" if year == 2025 else "cbo_baseline_2025_01_fy.csv")
        assert holders["fed"] == cbo.at[year, "fed_reserve_holdings_of_debt_bn"]
    else:  # FY2023: H.4.1 of 21 Sep 2023, outside the reference collection (cited in the row)
        assert holders["fed"] == pytest.approx(4964.01, abs=1e-9)


@needs_reference
def test_uncertainty_statistics_recomputed_from_cbos_evaluation_data():
    base = ref("cbo_eval/cbo_eval_projections_baselines.csv")
    base = base[(base["component"] == "debt") & (base["category"] == "Total") & (base["Spring_flag"])]
    actuals = ref("cbo_eval/cbo_eval_projections_actuals.csv")
    debt = actuals[(actuals["component"] == "debt") & (actuals["category"] == "Total")]
    debt = debt.set_index("fiscal_year")["actual_value"]
    gdp = ref("cbo_eval/cbo_eval_projections_actual_GDP.csv").set_index("fiscal_year")["GDP"]
    stats = data("uncertainty/cbo_debt_errors.csv").set_index(["horizon_years", "statistic"])["value"]
    for h in (5, 10):
        rows = base[base["projected_year_number"] - 1 == h]
        rows = rows[rows["projected_fiscal_year"].isin(debt.index)]
        fy = rows["projected_fiscal_year"]
        err = ((fy.map(debt) - rows["value"]) / fy.map(gdp) * 100).tolist()
        # one spring baseline a year: 37 (1984-2020) five years out, 20 (1996-2015) ten years out
        assert len(err) == stats[(h, "n")]
        assert statistics.mean(err) == pytest.approx(stats[(h, "mean")], abs=5e-5)
        assert statistics.stdev(err) == pytest.approx(stats[(h, "sd")], abs=5e-5)
        assert statistics.median(err) == pytest.approx(stats[(h, "p50")], abs=5e-5)


def test_data_readme_bucket_table_is_the_files():
    """data/README.md's table of the two starting profiles shows the files' own values."""
    readme = (paths.REPO / "data" / "README.md").read_text(encoding="utf-8")
    order = inputs.BUCKETS  # bills, then the note and bond buckets from under 1 year to 20-30 years
    for year in (2024, 2025):
        d = f"initial/treasury-{year}-09-30/"
        prof = data(d + "maturity_profile.csv").set_index("bucket").loc[order]
        tips = data(d + "tips.csv").set_index("parameter")["value"]
        amounts = numbers(re.search(rf"^\| {year} \$bn \|(.*)$", readme, re.M).group(1))
        coupons = numbers(re.search(rf"^\| {year} coupon % \|(.*)$", readme, re.M).group(1))
        # 2025, under 1y: 0.31 x 29,695.003 - 7,087.132 - 221.4 = 1,896.9 -> "1,897"; its coupon
        # 2.8128% -> "2.81" (May's 2.69% moved to September: x 1.04621)
        assert amounts == [round(x) for x in [*prof["amount_bn"], tips["tips_principal"]]], year
        assert coupons == [round(x, 2) for x in prof["coupon_pct"]] + [tips["tips_real_coupon"]], year


def test_data_readme_other_interest_range():
    a = tidy("history/actuals_fy.csv")["other_interest"].dropna()
    readme = (paths.REPO / "data" / "README.md").read_text(encoding="utf-8")
    low, high = numbers(
        re.search(r"gap to net interest \(\$(\S+)bn a year", readme).group(1).replace("–", " ")
    )
    # FY2023: 666.170 - 658.267 = 7.903 (lowest); FY2021: 36.702 (highest)
    assert (low, high) == (round(a.min()), round(a.max()))


@needs_reference
def test_jan_2025_cpi_wedge_is_cbos_end_of_window_wedge():
    wedge = inputs.vintage_meta("cbo-2025-01")["cpi_minus_pce"]
    cbo = by_year("cbo_baseline_2026_02_fy.csv")
    gap = (cbo["cpiu_inflation_pct"] - cbo["pce_inflation_pct"]).round(3)
    # FY2036: 2.257 - 1.957 = 0.300; FY2032-2036 0.276-0.300; FY2025 2.704 - 2.574 = 0.130
    assert wedge == gap[2036] == 0.3
    assert gap.loc[2032:2036].between(0.276, 0.300).all()
    assert wedge - gap.loc[2025:2031].min() == pytest.approx(0.17, abs=0.001)


SIZES = {2: 69, 3: 58, 5: 70, 7: 44, 10: 42, 20: 16, 30: 25}  # 2024 nominal auctions, $bn a month
EDGES = {
    "under 1y": (0, 1),
    "1 to 2y": (1, 2),
    "2 to 3y": (2, 3),
    "3 to 5y": (3, 5),
    "5 to 7y": (5, 7),
    "7 to 10y": (7, 10),
    "10 to 20y": (10, 20),
    "20 to 30y": (20, 30),
}


def issue_yield_coupons(year: int, tenors: dict, weight) -> dict[str, float]:
    """Each bucket's amount-weighted yield at issue (the stated rule, as the sources describe it).

    A security of tenor T with remaining maturity r at 30 Sep ``year`` was issued T - r years
    earlier, in the fiscal year that holds that date, at FRED's fiscal-year average yield for its
    tenor: 3-month and 10-year as published, 2-7 years linear in log maturity between them, 20 and
    30 years at the 10-year + 0.3 pp, never below 0.125%. ``tenors`` maps a bucket to its tenors,
    ``weight(T, r)`` is the amount issued at that tenor and remaining maturity.
    """
    fred = ref("interest_rates_annual.csv").set_index("year")

    def at_issue(tenor: int, fy: int) -> float:
        short, ten = fred.at[fy, "tb3ms_fy_avg_pct"], fred.at[fy, "gs10_fy_avg_pct"]
        w = math.log(tenor / 0.25) / math.log(10 / 0.25)
        return max(ten + 0.3 if tenor >= 20 else short + (ten - short) * w, 0.125)

    out = {}
    for bucket, (lo, hi) in EDGES.items():
        num = den = 0.0
        for tenor in tenors[bucket]:
            # midpoint rule, 100 points a year of remaining maturity: the fiscal year of issue
            # changes only at whole years (30 Sep less whole years is a fiscal year's end)
            for i in range(100 * (hi - lo)):
                r = lo + (i + 0.5) / 100
                if r < tenor:
                    fy = math.floor(year + 0.75 - (tenor - r) + 0.25)
                    num += weight(tenor, r) * at_issue(tenor, fy)
                    den += weight(tenor, r)
        out[bucket] = num / den
    return out


@needs_reference
@pytest.mark.parametrize("state", STATES)
def test_bucket_coupons_are_fred_issue_yields_scaled_to_treasurys_rates(state):
    year = int(state[9:13])
    prof = data(f"initial/{state}/maturity_profile.csv").set_index("bucket")
    comp = data(f"initial/{state}/composition.csv").set_index("security")
    amt = prof.loc[list(EDGES), "amount_bn"]
    if year >= 2024:
        # steady state of the 2024 auctions, notes in the notes buckets, bonds in the bond buckets;
        # one factor per type so the averages are Treasury's rates (2025: moved to 30 Sep, notes
        # 3.008 + 4 x (3.008 - 2.730) / 8 = 3.147, bonds 3.278 + 4 x (3.278 - 3.196) / 8 = 3.319)
        notes = [2, 3, 5, 7, 10]
        tenors = {
            b: [t for t in (notes if hi <= 10 else [20, 30]) if t > lo] for b, (lo, hi) in EDGES.items()
        }
        raw = pd.Series(issue_yield_coupons(year, tenors, lambda t, r: SIZES[t]))
        rates = {"notes": 2.730, "bonds": 3.196} if year == 2024 else {"notes": 3.147, "bonds": 3.319}
        groups = {"notes": list(EDGES)[:6], "bonds": list(EDGES)[6:]}
        want = pd.concat(
            [raw[b] * rates[s] / ((amt[b] * raw[b]).sum() / amt[b].sum()) for s, b in groups.items()]
        )
        # 2024, 3 to 5y: raw 3.0660% x 2.730 / 2.8486 (the notes buckets' raw average) = 2.9383
        tol = 0.0005  # the file's coupons have four decimals
    else:
        # issuance growing at the stated rate g, the 20- and 30-year auctions scaled by k, all
        # coupons times one factor so the average is Treasury's notes-and-bonds rate (2014: 2.3001%)
        src = prof.at["under 1y", "source"]
        k = float(re.search(r"scaled by ([\d.]+)", src).group(1))
        g = float(re.search(r"growing ([\d.]+)% a year", src).group(1)) / 100
        tenors = {b: [t for t in SIZES if t > lo] for b, (lo, _) in EDGES.items()}
        raw = pd.Series(
            issue_yield_coupons(
                year, tenors, lambda t, r: SIZES[t] * (k if t >= 20 else 1) * math.exp(-g * (t - r))
            )
        )
        target = (
            comp.loc[["notes", "bonds"], "amount_bn"] * comp.loc[["notes", "bonds"], "average_rate_pct"]
        ).sum()
        target /= comp.loc[["notes", "bonds"], "amount_bn"].sum()
        want = raw * target / ((amt * raw).sum() / amt.sum())
        tol = 0.0015  # k and g are stated to 3 and 4 digits
    gap = prof.loc[list(EDGES), "coupon_pct"] - want[list(EDGES)]
    assert gap.abs().max() < tol, gap


@pytest.mark.parametrize("state", [s for s in STATES if s < "treasury-2024"])
def test_past_profiles_meet_their_stated_maturity_figures(state):
    """2014-2023: the weighted average maturity and the share within 12 months that each
    profile's source states are what its amounts give."""
    prof = data(f"initial/{state}/maturity_profile.csv").set_index("bucket")
    tips = data(f"initial/{state}/tips.csv").set_index("parameter")
    total = data(f"initial/{state}/composition.csv").set_index("security").at["total_marketable", "amount_bn"]
    src = prof.at["under 1y", "source"]
    a = prof["amount_bn"]
    principal, years = tips.at["tips_principal", "value"], tips.at["tips_average_maturity", "value"]
    mid = (prof["years_from"] + prof["years_to"]) / 2 * 12
    mid["bills"] = 2.4
    wam = ((a * mid).sum() + principal * years * 12) / total
    stated = float(re.search(r"TIPS at [\d.]+ years\) is ([\d.]+) months", src).group(1))
    # 2014: (1,532.6 x 2.4 + bucket amounts x mid-points + 1,044.7 x 7.48 x 12) / 12,271.6 = 67.8
    assert wam == pytest.approx(stated, abs=0.05)
    tips_within = float(
        re.search(
            r"([\d.]+)% of it matures within 12 months", tips.at["tips_average_maturity", "source"]
        ).group(1)
    )
    within, no_tips = (
        float(x) for x in re.search(r"Result: ([\d.]+)% .*?\(([\d.]+)% counting no TIPS", src).group(1, 2)
    )
    # 2014: (1,532.6 + 1,195.1 + 4.7% x 1,044.7) / 12,271.6 = 22.6%; without the TIPS 22.2%
    assert (a["bills"] + a["under 1y"] + tips_within / 100 * principal) / total * 100 == pytest.approx(
        within, abs=0.06
    )
    assert (a["bills"] + a["under 1y"]) / total * 100 == pytest.approx(no_tips, abs=0.05)
