"""CBO's rules of thumb for the economy reproduced (issue 24): the March 2025 rules on the January
2025 vintage, the July 2023 long-term productivity scenarios on February 2026, and the command
that prints the table (``snowball rules-of-thumb``)."""

import json

import pandas as pd
import pytest

from runners.analysis import rules_of_thumb as rules
from runners.cli import main
from runners.core.paths import data_dir
from runners.inputs.vintage import load_inputs


@pytest.fixture(scope="module")
def jan25():
    """The rules on CBO January 2025: shocks from FY2025 (CBO's start, January 2025), FY2026-35."""
    return rules.rules_of_thumb("cbo-2025-01").table.set_index(["rule", "change_pp", "measure"])


@pytest.fixture(scope="module")
def feb26():
    return rules.rules_of_thumb("cbo-2026-02").table.set_index(["rule", "change_pp", "measure"])


def test_window_is_cbos_budget_window():
    # January 2025 starts from FY2024's end: CBO's current year FY2025, its window FY2026-2035
    assert rules.window(load_inputs("cbo-2025-01").first_year) == (2025, 2026, 2035)
    assert rules.window(load_inputs("cbo-2026-02").first_year) == (2026, 2027, 2036)


@pytest.mark.slow
def test_productivity_slower_reproduces_388bn(jan25):
    # CBO: +$388bn over FY2026-35; stated tolerance 20% -> $310.4bn to $465.6bn. The model: lost
    # revenues (nominal GDP about 0.6% lower on average, x 1.1 elasticity, x ~$63tn of ten years'
    # revenues, about $500bn) less lower outlays (real wages feed Social Security and real costs)
    # and lower interest rates (0.15 x 0.1 = 1.5 bp).
    row = jan25.loc[("productivity", -0.1, "deficit_change")]
    assert row["model"] == pytest.approx(388, rel=0.2)
    assert row["revenues_change"] < -400 and row["primary_outlays_change"] < 0
    assert row["within"]


def test_labour_force_slower_reproduces_184bn(jan25):
    # CBO: +$184bn over FY2026-35, tolerance 20% -> $147.2bn to $220.8bn; output falls by labour's
    # share (0.7) of the workers lost, so revenues fall by about 0.7 of the productivity case's
    row = jan25.loc[("labor_force", -0.1, "deficit_change")]
    assert row["model"] == pytest.approx(184, rel=0.2)
    prod = jan25.loc[("productivity", -0.1, "deficit_change"), "revenues_change"]
    assert row["revenues_change"] / prod == pytest.approx(0.7, abs=0.05)
    assert row["within"]


def test_rates_and_inflation_with_rates_lie_in_cbos_range(jan25):
    # CBO: its four scenarios each enlarge the ten-year deficit by $184bn to $388bn
    for rule in ("interest_rates", "inflation"):
        row = jan25.loc[(rule, 0.1, "deficit_change")]
        assert 184 <= row["model"] <= 388, rule
    # rates alone move only net interest
    rates = jan25.loc[("interest_rates", 0.1, "deficit_change")]
    assert rates["revenues_change"] == 0 and rates["primary_outlays_change"] == 0


def test_inflation_alone_lowers_the_ten_year_deficit(jan25):
    # Prices alone raise revenues (elasticity 1.1, at once) more than outlays (indexed with a
    # year's lag), so the deficit falls; with rates following, interest costs outweigh that
    alone = jan25.loc[("inflation_alone", 0.1, "deficit_change")]
    assert -200 <= alone["model"] < 0
    assert alone["revenues_change"] > alone["primary_outlays_change"] > 0
    both = jan25.loc[("inflation", 0.1, "deficit_change")]
    assert both["revenues_change"] == pytest.approx(alone["revenues_change"], rel=1e-9)
    assert both["model"] > 0


@pytest.mark.slow
def test_long_term_productivity_ratios(feb26):
    # CBO July 2023: productivity 0.5 pp faster / slower -> debt 137% / 228% of GDP in 2053 against
    # 181%: ratios 0.757 and 1.260, each within 0.05, here over the same 30 years (FY2026-2055)
    faster = feb26.loc[(("productivity", 0.5, "debt_to_gdp_ratio")), "model"]
    slower = feb26.loc[(("productivity", -0.5, "debt_to_gdp_ratio")), "model"]
    assert faster == pytest.approx(137 / 181, abs=0.05)
    assert slower == pytest.approx(228 / 181, abs=0.05)


@pytest.mark.slow
def test_every_published_figure_is_within_its_stated_tolerance(jan25, feb26):
    for table in (jan25, feb26):
        checked = table[table["low"].notna()]
        assert len(checked) >= 2 and checked["within"].all(), checked[["model", "low", "high"]]


def test_targets_files_state_tolerances_no_wider_than_20pct():
    for vintage in ("cbo-2025-01", "cbo-2026-02"):
        t = pd.read_csv(data_dir() / "baselines" / vintage / "rules_of_thumb.csv")
        assert t["why"].str.len().gt(40).all() and t["source"].str.contains("CBO").all()
        published = t[t["cbo_value"].notna()]
        # low and high within 20% of CBO's own figure (0.05 on a ratio of 0.76-1.26 is under 7%)
        assert (published["low"] >= published["cbo_value"] * 0.8 - 1e-9).all()
        assert (published["high"] <= published["cbo_value"] * 1.2 + 1e-9).all()


@pytest.mark.slow
def test_command_writes_the_table_with_units_and_a_manifest(tmp_path, capsys):
    out = tmp_path / "rot"
    assert main(["rules-of-thumb", "--baseline", "cbo-2025-01", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Productivity growth (output per worker)" in printed and "$388bn" in printed
    table = pd.read_csv(out / "rules_of_thumb.csv")
    assert list(table["rule"]) == [
        "interest_rates",
        "productivity",
        "labor_force",
        "inflation",
        "inflation_alone",
    ]
    assert set(table["unit"]) == {"$bn"}
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["data_vintage"] == "cbo-2025-01"
    assert manifest["rules_of_thumb"][1] == {
        "rule": "productivity",
        "change_pp": -0.1,
        "measure": "deficit_change",
        "productivity shift": -0.1,
        "shock start": 2025.0,
    }
    assert list(manifest["rules_of_thumb_file"]) == ["data/baselines/cbo-2025-01/rules_of_thumb.csv"]
