"""Issue 27 item 5: the probability asked for, ``--threshold "debt_to_gdp > 150 by 2055"``, with its
Monte Carlo standard error, in probabilities.csv and from ``SweepResult.probability``."""

from __future__ import annotations

import contextlib
import io
import json
import math

import numpy as np
import pandas as pd
import pytest

from runners import api
from runners.cli import main
from runners.core.errors import SnowballError
from runners.sweep.probability import Threshold, estimate, meets, parse_threshold

YEARS = (2026, 2027, 2028)
COLUMNS = ("debt_to_gdp", "net_interest")


def test_a_worked_example():
    """Four runs over three years: 'in 2027' counts the middle column only, 'by 2028' any year;
    a failed run (NaN) exploded, so it is above any ceiling and below no floor."""
    block = np.array(
        [
            [100.0, 151.0, 140.0],  # above 150 in 2027 only
            [100.0, 120.0, 160.0],  # above in 2028 only
            [100.0, 110.0, 120.0],  # never
            [100.0, np.nan, np.nan],  # failed in 2027
        ]
    )
    above_in = parse_threshold("debt_to_gdp > 150 in 2027", COLUMNS, YEARS)
    above_by = parse_threshold("debt_to_gdp > 150 by 2028", COLUMNS, YEARS)
    below_in = parse_threshold("debt_to_gdp < 130 in 2028", COLUMNS, YEARS)
    assert meets(block, above_in, YEARS).tolist() == [True, False, False, True]
    assert meets(block, above_by, YEARS).tolist() == [True, True, False, True]
    assert meets(block, below_in, YEARS).tolist() == [False, False, True, False]
    est = estimate(meets(block, above_by, YEARS))  # 3 of 4: p = 0.75, se = sqrt(.75 * .25 / 4) = 0.2165
    assert est["probability_pct"] == 75.0 and est["runs_meeting"] == 3 and est["runs"] == 4
    assert est["standard_error_pp"] == pytest.approx(100 * math.sqrt(0.75 * 0.25 / 4))
    assert est["wilson_low_pct"] < 75 < est["wilson_high_pct"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("debt > 150 by 2055", "'debt' is not a result this sweep keeps; allowed: debt_to_gdp, net_interest"),
        ("debt_to_gdp > 150 by 2099", "2099 is not a year of this sweep; allowed 2026 to 2028"),
        ("debt_to_gdp => 150 by 2027", "expected VARIABLE OP VALUE"),
        ("debt_to_gdp > 150 2027", "expected VARIABLE OP VALUE"),
        ("debt_to_gdp > high by 2027", "expected VARIABLE OP VALUE"),
    ],
)
def test_bad_thresholds_are_one_line_errors(text, words):
    with pytest.raises(SnowballError, match=words):
        parse_threshold(text, COLUMNS, YEARS)


def test_canonical_text():
    assert Threshold("debt_to_gdp", ">=", 150.0, "by", 2055).text() == "debt_to_gdp >= 150 by 2055"


@pytest.mark.slow
def test_the_command_the_csv_and_the_api_agree(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            ["sweep", "monte-carlo", "--scenario", "baseline", "--draws", "600", "--out", str(tmp_path / "m"),
             "--threshold", "debt_to_gdp > 150 by 2055", "--threshold", "debt_to_gdp > 200 in 2055"]
        )  # fmt: skip
    assert code == 0, err.getvalue()
    table = pd.read_csv(tmp_path / "m" / "probabilities.csv")
    # recomputed here from runs.parquet with pandas alone
    runs = pd.read_parquet(tmp_path / "m" / "runs.parquet")
    debt = runs[runs["variable"] == "debt_to_gdp"].pivot(
        index="run_id", columns="fiscal_year", values="value"
    )
    by = ((debt.loc[:, :2055] > 150) | debt.loc[:, :2055].isna()).any(axis=1).mean() * 100
    in_year = ((debt[2055] > 200) | debt[2055].isna()).mean() * 100
    assert table["probability_pct"].tolist() == pytest.approx([by, in_year], abs=1e-6)  # CSV: 6 decimals
    se = [math.sqrt(p / 100 * (1 - p / 100) / 600) * 100 for p in (by, in_year)]
    assert table["standard_error_pp"].tolist() == pytest.approx(se, abs=1e-6)
    printed = out.getvalue()
    assert f"P(debt_to_gdp > 150 by 2055) = {by:.1f}% (Monte Carlo standard error {se[0]:.1f} pp" in printed
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert manifest["thresholds"] == ["debt_to_gdp > 150 by 2055", "debt_to_gdp > 200 in 2055"]
    assert "probabilities.csv" in manifest["output_files_sha256"]
    result = api.sweep("monte-carlo", draws=600, out=tmp_path / "a", thresholds=["debt_to_gdp > 150 by 2055"])
    assert result.probabilities["probability_pct"].tolist() == pytest.approx([by], abs=1e-9)
    assert result.probability("debt_to_gdp > 150 by 2055")["probability_pct"] == pytest.approx(by, abs=1e-9)
    assert result.probability("debt_to_gdp > 200 in 2055")["probability_pct"] == pytest.approx(
        in_year, abs=1e-9
    )
    with pytest.raises(SnowballError, match="'gdp' is not a result this sweep keeps"):
        result.probability("gdp > 1 in 2030")
