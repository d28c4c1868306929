"""Every output a user sees follows the same conventions: fiscal years, money in $ billions,
rates in percent, units in column names and labels, and one wording for one thing (a milestone
not reached within the run is 'not by FY2055' everywhere, as in ``snowball run``'s headline)."""

import re

import pandas as pd
import pytest

from runners import compare, run
from runners.cli import main
from runners.scenario import load_scenario


@pytest.fixture(scope="module")
def reform_and_baseline(baseline_result):
    """fiscal-reform and the baseline to FY2055: the baseline passes 20% of outlays in FY2041,
    the reform never does by FY2055; neither leaves 0-300% of GDP."""
    reform = run.run(load_scenario("fiscal-reform"), until=2055)
    return reform, baseline_result


def test_compare_words_a_milestone_never_reached_as_the_run_headline_does(reform_and_baseline):
    reform, base = reform_and_baseline
    assert base.milestones["interest_over_20pct_of_outlays"] == 2041
    assert reform.milestones["interest_over_20pct_of_outlays"] is None
    assert run.milestone_label(None, reform.results, reform.until) == "not by FY2055"  # the run's words
    text = compare.format_compare(compare.compare_table([base, reform]), base.until)
    rows = {line[:40].strip(): line[40:].split() for line in text.splitlines()[1:]}
    row = " ".join(rows["First year interest > 20% of outlays"])
    # baseline FY2041; fiscal-reform not by FY2055, so later by more than 2055 - 2041 = 14 years
    assert row == "FY2041 not by FY2055 > +14"
    assert " ".join(rows["First year debt > 300% of GDP"]) == "not by FY2055 not by FY2055 neither by FY2055"
    assert " ".join(rows["First year interest > Medicare"]) == "FY2029 FY2029 0"
    body = "\n".join(line[40:] for line in text.splitlines()[1:])  # the cells, not the header
    assert not re.search(r"(^|\s)-(\s|$)", body)  # no bare dash for 'never'
    assert "nan" not in body.lower()


def test_compare_bounds_a_difference_when_only_the_first_never_gets_there(reform_and_baseline):
    reform, base = reform_and_baseline
    text = compare.format_compare(compare.compare_table([reform, base]), base.until)
    row = next(line for line in text.splitlines() if line.startswith("First year interest > 20%"))
    # the baseline's FY2041 less a year after FY2055: earlier by more than 14 years
    assert row.split()[-6:] == ["not", "by", "FY2055", "FY2041", "<", "-14"]


def test_compare_command_prints_fiscal_years_and_never_a_dash(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "fiscal-reform", "--until", "2040", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    lines = {x[:40].strip(): " ".join(x[40:].split()) for x in text.splitlines()}
    # to FY2040 the baseline (FY2041) does not get there either
    assert lines["First year interest > 20% of outlays"] == "not by FY2040 not by FY2040 neither by FY2040"
    assert lines["First year interest > Medicare"] == "FY2029 FY2029 0"
    table = pd.read_csv(out / "compare.csv", index_col="metric")  # the file keeps numbers: empty = never
    assert pd.isna(table.at["First year interest > 20% of outlays", "fiscal-reform"])
    assert table.at["First year interest > Medicare", "baseline"] == 2029
