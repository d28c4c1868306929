"""The data loader validates every file, and the initial state matches its cited aggregates."""

import shutil

import pandas as pd
import pytest

from runners.core import paths
from runners.core.errors import SnowballError
from runners.inputs import vintage as inputs

PROFILE = "data/initial/treasury-2024-09-30/maturity_profile.csv"
PROJ = "data/baselines/cbo-2025-01/budget_projections.csv"


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A private copy of data/ that a test may damage; the loader reads it."""
    target = tmp_path / "data"
    shutil.copytree(paths.REPO / "data", target)
    monkeypatch.setenv("SNOWBALL_DATA_DIR", str(target))
    return target


def test_vintage_loads_with_every_model_input():
    got = inputs.load_inputs("cbo-2025-01")
    assert got.constants["initial debt held by the public"] == pytest.approx(28199.313)
    assert got.constants["initial fiscal year GDP"] == pytest.approx(28823.0)
    # FY2025 nominal growth from CBO's GDP levels: 30,136.1 / 28,823 - 1 = 4.5557%
    assert got.tables["nominal GDP growth table"][2025] == pytest.approx(4.5557, abs=1e-4)
    assert got.tables["bill yield table"].index.max() == inputs.LAST_YEAR
    # vintage.toml, four vintage files, four initial-state files (profile, TIPS, issuance, holders)
    assert len(got.files) == 9
    # January 2025 has no CPI-U path: PCE plus the stated wedge (vintage.toml cpi_minus_pce)
    wedge = inputs.vintage_meta("cbo-2025-01").get("cpi_minus_pce", 0.0)
    assert got.tables["CPI inflation table"][2030] == pytest.approx(
        got.tables["baseline inflation table"][2030] + wedge, abs=1e-12
    )


# Treasury's average rates on notes and bonds at each start; 30 Sep 2025 is not published by
# security, so it is 31 May 2025 moved four months along the FY2025 trend (maturity_profile.csv):
# notes 3.008 + 4 x (3.008 - 2.730) / 8 = 3.147, bonds 3.278 + 4 x (3.278 - 3.196) / 8 = 3.319.
STATES = [
    ("treasury-2024-09-30", 32, 71, {"notes": 2.730, "bonds": 3.196}),
    ("treasury-2025-09-30", 31, 72, {"notes": 3.147, "bonds": 3.319}),
]


@pytest.mark.parametrize(("state", "share12", "wam", "rates"), STATES)
def test_profile_matches_cited_aggregates(state, share12, wam, rates):
    d = paths.REPO / "data/initial" / state
    prof = pd.read_csv(d / "maturity_profile.csv").set_index("bucket")
    amt = pd.read_csv(d / "composition.csv").set_index("security")["amount_bn"]
    tips = pd.read_csv(d / "tips.csv").set_index("parameter")["value"]
    a = prof["amount_bn"]
    # MSPD: the bills bucket is bills + FRNs; the coupon buckets hold nominal notes and bonds
    assert a["bills"] == pytest.approx(amt[["bills", "frn"]].sum(), abs=0.01)
    assert a.drop("bills").sum() == pytest.approx(amt[["notes", "bonds"]].sum(), abs=0.01)
    assert tips["tips_principal"] == pytest.approx(amt["tips"])
    total = a.sum() + tips["tips_principal"]
    assert total == pytest.approx(amt["total_marketable"], abs=0.01)
    # JEC share maturing (FRNs resetting) within 12 months; TIPS maturing within a year are the
    # steady state of the 5/10/30-year TIPS auctions, 12 x 17.5 / 1,980
    within = (a["bills"] + a["under 1y"] + 210 / 1980 * tips["tips_principal"]) / total * 100
    assert within == pytest.approx(share12, abs=0.05)
    # JEC weighted average maturity: bills at 2.4 months, buckets at mid-points, TIPS at their own
    mid = (prof["years_from"] + prof["years_to"]) / 2 * 12
    mid["bills"] = 2.4
    got = ((a * mid).sum() + tips["tips_principal"] * tips["tips_average_maturity"] * 12) / total
    assert got == pytest.approx(wam, abs=0.05)
    notes = ["under 1y", "1 to 2y", "2 to 3y", "3 to 5y", "5 to 7y", "7 to 10y"]
    bonds = ["10 to 20y", "20 to 30y"]
    for names, sec in [(notes, "notes"), (bonds, "bonds")]:
        avg = (a[names] * prof.loc[names, "coupon_pct"]).sum() / a[names].sum()
        assert avg == pytest.approx(rates[sec], abs=0.001)
        assert a[names].sum() == pytest.approx(amt[sec], abs=0.01)


def test_every_initial_state_loads_and_adds_up():
    """Backtest states 2014-2023 too: MSPD totals hold and the loader accepts every file."""
    root = paths.REPO / "data/initial"
    states = sorted(p.name for p in root.glob("treasury-*-09-30"))
    assert len(states) >= 12
    for state in states:
        constants, files, bill_share = inputs.load_initial_state(state)
        amt = pd.read_csv(root / state / "composition.csv").set_index("security")["amount_bn"]
        held = (
            sum(v for k, v in constants.items() if k.startswith("initial debt ")) + constants["initial bills"]
        )
        assert held + constants["initial TIPS principal"] == pytest.approx(amt["total_marketable"], abs=0.05)
        assert bill_share == pytest.approx(
            amt[["bills", "frn"]].sum() / amt["total_marketable"] * 100, abs=1e-4
        )
        assert len(files) == 4


def test_model_initial_state_matches_profile(baseline_result):
    # the first year's end values stem from the initial state (30 Sep 2025); the model reports them
    r = baseline_result.results
    assert r.at[2026, "weighted_average_maturity"] == pytest.approx(72, abs=2)
    # the bill share is steered to its path: the initial state's (bills + FRN) share, held
    assert r.at[2026, "bill_share"] == pytest.approx((6396.632 + 690.5) / 29695.003 * 100, abs=0.05)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p.unlink(), "data file is missing"),
        (lambda p: p.write_text("not,a\ncsv\n\x00\x00"), "missing column"),
        (
            lambda p: p.write_text(p.read_text().replace("4918.104", "", 1)),
            "an empty value in column 'value'",
        ),
        (
            # the issue: 'nan' was reported as an empty value, 'inf' as "non-numeric np.float64(inf)"
            lambda p: p.write_text(p.read_text().replace("4918.104", "nan", 1)),
            "a value that is not a finite number ('nan') in column 'value'",
        ),
        (
            lambda p: p.write_text(p.read_text().replace("4918.104", "inf", 1)),
            "column 'value' has a value that is not a finite number ('inf')",
        ),
        (
            lambda p: p.write_text(p.read_text().replace("4918.104", "abc", 1)),
            "not a finite number ('abc')",
        ),
        (
            lambda p: p.write_text(p.read_text().replace("30136.1,$bn", "30136.1,$tn", 1)),
            "expected '$bn'",
        ),
        (
            lambda p: p.write_text(
                "\n".join(row for row in p.read_text().splitlines() if not row.startswith("2030,bill_yield"))
                + "\n"
            ),
            "gap: fiscal year 2030",
        ),
    ],
)
def test_corrupt_projection_file_is_named(data_copy, mutate, message):
    path = data_copy / "baselines/cbo-2025-01/budget_projections.csv"
    mutate(path)
    with pytest.raises(SnowballError) as err:
        inputs.load_inputs("cbo-2025-01")
    assert "budget_projections.csv" in str(err.value)
    assert message in str(err.value)


def test_bad_profile_and_issuance_are_named(data_copy):
    prof = data_copy / "initial/treasury-2024-09-30/maturity_profile.csv"
    prof.write_text(prof.read_text().replace("under 1y", "under one year", 1))
    with pytest.raises(SnowballError, match=r"maturity_profile.csv: buckets must be"):
        inputs.load_inputs("cbo-2025-01")
    shutil.copy(paths.REPO / PROFILE, prof)
    iss = data_copy / "initial/treasury-2024-09-30/issuance.csv"
    iss.write_text(iss.read_text().replace("0.2130", "0.5130"))
    with pytest.raises(
        SnowballError, match=r"issuance.csv: issuance shares .* sum to 1 \(they sum to 1.3000\)"
    ):
        inputs.load_inputs("cbo-2025-01")


def test_unknown_vintage_lists_the_known_ones():
    with pytest.raises(
        SnowballError, match="unknown baseline vintage 'cbo-1999-01'; available: cbo-2025-01, cbo-2026-02"
    ):
        inputs.load_inputs("cbo-1999-01")


def test_a_new_vintage_is_data_only(data_copy):
    # Adding a baseline means adding a folder: copy the vintage under a new key and load it.
    shutil.copytree(data_copy / "baselines/cbo-2025-01", data_copy / "baselines/cbo-test-copy")
    assert inputs.available_vintages() == ["cbo-2025-01", "cbo-2026-02", "cbo-test-copy"]
    assert inputs.load_inputs("cbo-test-copy").constants == inputs.load_inputs("cbo-2025-01").constants


def test_history_file_is_valid():
    hist = inputs.read_history()
    assert hist.index.min() == 1940 and hist.index.max() == 2025
    # OMB Table 7.1: debt held by the public peaked at 106.1% of GDP in FY1946
    assert hist["debt_to_gdp"].idxmax() == 1946
    assert hist.at[1946, "debt_to_gdp"] == pytest.approx(106.1, abs=0.1)
