"""The data loader validates every file, and the initial state matches its cited aggregates."""

import shutil

import pandas as pd
import pytest

from runners import inputs, paths
from runners.errors import SnowballError

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
    assert len(got.files) == 8


def test_profile_matches_cited_aggregates():
    prof = pd.read_csv(paths.REPO / PROFILE).set_index("bucket")
    comp = pd.read_csv(paths.REPO / "data/initial/treasury-2024-09-30/composition.csv").set_index("security")
    amount = prof["amount_bn"]
    # MSPD 30 Sep 2024: bills 6,004.1 + FRN 615.5 = 6,619.7; notes + bonds + TIPS = 21,090.5
    assert amount["bills"] == pytest.approx(comp.loc[["bills", "frn"], "amount_bn"].sum(), abs=0.01)
    assert amount.drop("bills").sum() == pytest.approx(
        comp.loc[["notes", "bonds", "tips"], "amount_bn"].sum(), abs=0.01
    )
    # JEC: about 32% matures within 12 months (FRNs counted as resetting): 33.1%
    assert (amount["bills"] + amount["under 1y"]) / amount.sum() * 100 == pytest.approx(32, abs=1.5)
    # JEC: weighted average maturity 70 (Mar 2024) and 71 months (Mar 2025); bills at 2.4 months
    mid = (prof["years_from"] + prof["years_to"]) / 2 * 12
    mid["bills"] = 2.4
    assert (amount * mid).sum() / amount.sum() == pytest.approx(71, abs=1.0)
    # coupons average Treasury's rates: notes 2.730, bonds 3.196, TIPS 0.747 + 2.255 inflation
    avg = (amount * prof["coupon_pct"]).drop("bills").sum() / amount.drop("bills").sum()
    assert avg == pytest.approx(
        (14338.035 * 2.730 + 4701.364 * 3.196 + 2051.11 * 3.002) / 21090.509, abs=0.002
    )


def test_model_initial_state_matches_profile(baseline_result):
    # FY2025 end values stem from the initial state; the model reports them too
    r = baseline_result.results
    assert r.at[2025, "weighted_average_maturity"] == pytest.approx(70, abs=2)
    assert r.at[2025, "bill_share"] == pytest.approx(6619.671 / 27710.171 * 100, abs=0.05)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p.unlink(), "data file is missing"),
        (lambda p: p.write_text("not,a\ncsv\n\x00\x00"), "missing column"),
        (
            lambda p: p.write_text(p.read_text().replace("4918.104", "", 1)),
            "empty value in column 'value'",
        ),
        (
            lambda p: p.write_text(p.read_text().replace("4918.104", "abc", 1)),
            "non-numeric value 'abc'",
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
    iss.write_text(iss.read_text().replace("0.2020", "0.5020"))
    with pytest.raises(
        SnowballError, match=r"issuance.csv: issuance shares .* sum to 1 \(they sum to 1.3000\)"
    ):
        inputs.load_inputs("cbo-2025-01")


def test_unknown_vintage_lists_the_known_ones():
    with pytest.raises(SnowballError, match="unknown baseline vintage 'cbo-1999-01'; available: cbo-2025-01"):
        inputs.load_inputs("cbo-1999-01")


def test_a_new_vintage_is_data_only(data_copy):
    # Adding a baseline means adding a folder: copy the vintage under a new key and load it.
    shutil.copytree(data_copy / "baselines/cbo-2025-01", data_copy / "baselines/cbo-test-copy")
    assert inputs.available_vintages() == ["cbo-2025-01", "cbo-test-copy"]
    assert inputs.load_inputs("cbo-test-copy").constants == inputs.load_inputs("cbo-2025-01").constants


def test_history_file_is_valid():
    hist = inputs.read_history()
    assert hist.index.min() == 1940 and hist.index.max() == 2025
    # OMB Table 7.1: debt held by the public peaked at 106.1% of GDP in FY1946
    assert hist["debt_to_gdp"].idxmax() == 1946
    assert hist.at[1946, "debt_to_gdp"] == pytest.approx(106.1, abs=0.1)
