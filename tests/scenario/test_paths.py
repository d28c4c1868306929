"""Input-table paths without a file (issue 27 item 1): the ``--path`` syntax, its Python forms and
how a path becomes table points; worked examples on the default vintage's own tables."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from runners.core.errors import SnowballError
from runners.projection.params import cached_inputs, with_changes
from runners.projection.run import run
from runners.scenario.paths import PathEdit, from_python, parse_path
from runners.scenario.scenarios import load_scenario

BILL, TEN = "bill yield table", "ten year yield table"


@pytest.mark.parametrize(
    ("text", "edit"),
    [
        ("ten-year=5.5 from 2027", PathEdit(TEN, False, 5.5, 2027, None)),
        ("bill=+1 2027-2030", PathEdit(BILL, True, 1.0, 2027, 2030)),
        ("10y=-0.25 in 2028", PathEdit(TEN, True, -0.25, 2028, 2028)),
        ("Bill_Yield_Table = 3", PathEdit(BILL, False, 3.0, None, None)),  # the Python name, any case
        (
            "primary outlays share table=+0.5 2030 to 2035",
            PathEdit("primary outlays share table", True, 0.5, 2030, 2035),
        ),
    ],
)
def test_the_syntax(text, edit):
    assert parse_path(text) == edit


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("bil=1", "unknown input table; close matches: bill"),
        ("ten-year", "expected TABLE=VALUE"),
        ("ten-year=high", "'high' is not a number"),
        ("ten-year=٥", "is not a number"),  # Arabic-Indic digit: ASCII only, as --set
        ("ten-year=nan", "not a finite number"),
        ("ten-year=5 from 20x7", "is not a time"),
        ("ten-year=5 2030-2027", "ends before it starts"),
        ("ten-year=", "no value"),
        ("rating premium table=1", "unknown input table"),  # not one a scenario may replace
    ],
)
def test_bad_paths_are_one_line_errors(text, words):
    with pytest.raises(SnowballError, match=words) as err:
        parse_path(text)
    assert "\n" not in str(err.value)


def test_a_shift_moves_only_the_years_it_names():
    """bill=+1 2027-2030 on the baseline: the vintage's FY2027-2030 bill yields plus 1.000 each,
    FY2026 and FY2031 unchanged (points either side hold the path), nothing else changed."""
    base = cached_inputs("cbo-2026-02").tables[BILL]
    s = with_changes(load_scenario("baseline"), paths="bill=+1 2027-2030")
    points = s.tables[BILL]
    for year in range(2027, 2031):
        assert points[year] == pytest.approx(float(base.loc[year]) + 1.0, abs=1e-12)
    assert points[2026] == pytest.approx(float(base.loc[2026]), abs=1e-12)
    assert points[2031] == pytest.approx(float(base.loc[2031]), abs=1e-12)
    assert set(points) == set(range(2026, 2032))
    assert s.paths == ("bill yield table=+1 2027-2030",)
    assert "with bill yield table=+1 2027-2030" in s.title


def test_the_run_reads_the_path_by_fiscal_year():
    """The fiscal-year average bill yield moves by exactly the shift in the years named (the model
    reads its tables by fiscal year), and the level path is the 10-year yield itself."""
    b = run("baseline", until=2033).results
    r = run("baseline", until=2033, paths=["bill=+1 2027-2030", "ten-year=5.5 from 2029"]).results
    diff = (r["bill_yield"] - b["bill_yield"]).round(9)
    assert diff.loc[2027:2030].tolist() == [1.0] * 4
    assert diff.drop(range(2027, 2031)).abs().max() == 0
    assert r.loc[2029:2033, "ten_year_yield"].round(9).tolist() == [5.5] * 5
    assert r.loc[2028, "ten_year_yield"] == pytest.approx(b.loc[2028, "ten_year_yield"], abs=1e-9)


def test_a_shift_is_on_the_scenarios_own_path():
    """A scenario's own table points are what a shift moves, not the vintage's under them."""
    s = load_scenario("baseline")
    own = dataclasses.replace(s, tables={TEN: {2030: 6.0}})
    shifted = with_changes(own, paths="ten-year=+0.5 in 2030")
    assert shifted.tables[TEN][2030] == pytest.approx(6.5)


def test_every_python_form_gives_the_same_points():
    s = load_scenario("baseline")
    forms = [
        "ten-year=5.5 2027-2028",
        ["ten-year=5.5 2027-2028"],
        {"ten-year": "5.5 2027-2028"},
        {"ten year yield table": {2027: 5.5, 2028: 5.5}},
        pd.DataFrame({"table": ["ten-year"] * 2, "fiscal_year": [2027, 2028], "value": [5.5, 5.5]}),
    ]
    got = [with_changes(s, paths=f).tables[TEN] for f in forms]
    for points in got:
        assert {y: points[y] for y in (2027, 2028)} == {2027: 5.5, 2028: 5.5}
    assert len(from_python(forms[3])) == 2  # a dict of points: one level per year


@pytest.mark.parametrize(
    ("paths", "words"),
    [
        ("ten-year=+50", r"path 'ten year yield table=\+50'.*out of range; allowed -5 to 50"),
        ("ten-year=5 from 2020", "years must be fiscal years 2026-2100"),
        ({"ten-year": {2030.5: 4}}, "must be a fiscal year"),
        ({"ten-year": {2030: "4"}}, "must be a number"),
        (pd.DataFrame({"table": ["bill"], "year": [2030], "value": [1.0]}), "lacks column"),
        (42, "give a text, a list of texts, a dict or a DataFrame"),
    ],
)
def test_bad_python_paths_are_refused(paths, words):
    with pytest.raises(SnowballError, match=words):
        with_changes(load_scenario("baseline"), paths=paths)


def test_an_old_start_in_model_time_still_works_with_a_note(tmp_path, capsys):
    """Issue 27 item 6: every start lever is a fiscal year. A file (or --set) with the old name
    'japan sale start' in model time (2025 = 1 Oct 2025) is read as 'japan sale start year' =
    2026 with a one-line note, and gives exactly the built-in japan-selloff's results."""
    from runners.cli.common import parse_set
    from runners.scenario.scenarios import parse_scenario, scenarios_dir

    text = (scenarios_dir() / "japan-selloff.toml").read_text(encoding="utf-8")
    assert '"japan sale start year" = 2026' in text
    old = tmp_path / "japan-selloff.toml"
    old.write_text(
        text.replace('"japan sale start year" = 2026', '"japan sale start" = 2025'), encoding="utf-8"
    )
    scenario = parse_scenario(old)
    note = capsys.readouterr().err
    assert note.count("\n") == 1 and "'japan sale start' = 2025 is model time" in note
    assert "read as 'japan sale start year' = 2026" in note
    assert scenario.constants["japan sale start year"] == 2026
    new = run("japan-selloff", until=2030).results
    pd.testing.assert_frame_equal(run(scenario, until=2030).results, new, check_exact=True)
    assert parse_set(["japan_sale_start=2026.5"]) == {"japan sale start year": 2027.5}
    with pytest.raises(SnowballError, match="'japan sale start year' is already set"):
        parse_set(["japan sale start=2025", "japan sale start year=2026"])


def test_the_sale_starts_in_the_fiscal_year_given():
    """japan sale start year = 2028: nothing moves in FY2026-27, Japan's holdings fall in FY2028."""
    s = with_changes(load_scenario("japan-selloff"), {"japan sale start year": 2028})
    r = run(s, until=2029).results
    b = run("baseline", until=2029).results
    assert (r.loc[2026:2027, "debt_to_gdp"] - b.loc[2026:2027, "debt_to_gdp"]).abs().max() < 1e-9
    assert r.loc[2026:2027, "japan_sales"].abs().max() == 0
    assert r.loc[2028, "japan_sales"] == pytest.approx(1200, rel=1e-9)  # the whole sale, in FY2028
    assert r.loc[2028, "holdings_japan"] < b.loc[2028, "holdings_japan"] - 1000
