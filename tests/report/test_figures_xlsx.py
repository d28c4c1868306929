"""The briefing pack's tables/figures.xlsx laid out as CBO publishes the data behind its figures:
each sheet names its chart, scenario(s) and data vintage above the table and its source below;
headers are words with units (the results-column registry's labels), every number has a number
format, the header row is frozen, and the fan chart's sheet holds CBO's error range as drawn."""

import re

import pandas as pd
import pytest
from conftest import BRIEF_SCENARIOS

from runners.core.columns import BY_NAME
from runners.core.paths import data_dir
from runners.report.brief import short_title
from runners.scenario.scenarios import load_scenario

pytestmark = pytest.mark.slow

UNIT = re.compile(r"\([^()]*(%|\$bn|\bbp\b|\$ per \$100|months|percentage points|\+1|True/False)[^()]*\)$")


@pytest.fixture(scope="module")
def book(briefing_pack):
    from openpyxl import load_workbook

    return load_workbook(briefing_pack / "tables/figures.xlsx")


def _header_row(ws) -> int:
    """The row the sheet freezes below (its table's header)."""
    assert ws.freeze_panes, f"{ws.title}: no frozen header row"
    row = int(re.search(r"\d+", ws.freeze_panes).group()) - 1
    assert row >= 1 and ws.freeze_panes.startswith("A"), (ws.title, ws.freeze_panes)
    return row


def _columns(ws) -> dict[str, list]:
    """Header -> the column's cells below it (to the first empty row of column A)."""
    row = _header_row(ws)
    headers = [c.value for c in ws[row]]
    out = {h: [] for h in headers}
    for cells in ws.iter_rows(min_row=row + 1):
        if all(c.value is None for c in cells):
            break
        for h, c in zip(headers, cells, strict=False):
            out[h].append(c)
    return out


def _numeric(cell) -> bool:
    return isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)


def _is_year(cells) -> bool:
    values = [c.value for c in cells if _numeric(c)]
    return bool(values) and all(float(v).is_integer() and 1900 <= v <= 2200 for v in values)


def test_every_sheet_has_a_frozen_header_of_words_with_units(book):
    for ws in book:
        columns = _columns(ws)
        for title, cells in columns.items():
            assert isinstance(title, str) and title, (ws.title, title)
            assert "_" not in title and not re.search(r"\b[a-z]+_[a-z]", title), (ws.title, title)
            if not any(_numeric(c) for c in cells):
                continue
            if _is_year(cells) or title.startswith("Calendar year"):  # fiscal years; months as decimal years
                assert "year" in title.lower(), (ws.title, title)
            else:
                assert UNIT.search(title), (ws.title, title)
    # results columns by the registry's label and unit
    debt = _columns(book["debt_to_gdp"])
    label = f"{BY_NAME['debt_to_gdp'].label}, actual ({BY_NAME['debt_to_gdp'].unit})"
    assert list(debt)[:2] == ["Fiscal year", label]
    rollover = list(_columns(book["rollover_lag"]))
    for name in ("average_interest_rate", "bill_yield", "ten_year_yield"):
        assert f"{BY_NAME[name].label} ({BY_NAME[name].unit})" in rollover
    validation = list(_columns(book["validation"]))
    assert f"{BY_NAME['net_interest'].label}, CBO ({BY_NAME['net_interest'].unit})" in validation


def test_every_number_has_a_format_and_columns_fit_their_headers(book):
    from openpyxl.utils import get_column_letter

    for ws in book:
        row = _header_row(ws)
        for k, (title, cells) in enumerate(_columns(ws).items(), start=1):
            numbers = [c for c in cells if _numeric(c)]
            for c in numbers:
                assert c.number_format != "General", (ws.title, title, c.coordinate)
            if numbers and _is_year(cells) and "year" in title.lower():
                assert {c.number_format for c in numbers} == {"0"}, (ws.title, title)
            elif numbers and "$bn" in title:
                assert {c.number_format for c in numbers} <= {"#,##0", "#,##0.0"}, (ws.title, title)
            elif numbers and "%" in title:
                assert {c.number_format for c in numbers} <= {"0.0", "#,##0.0", "0.00"}, (ws.title, title)
            width = ws.column_dimensions[get_column_letter(k)].width
            head = ws.cell(row=row, column=k)
            # wide enough for the header, or the header wraps onto lines that fit
            assert width >= len(title) or (head.alignment.wrap_text and width >= 20), (ws.title, title)


def test_every_sheet_names_its_chart_scenarios_vintage_and_source(book, baseline_result):
    scenarios = [load_scenario(n) for n in BRIEF_SCENARIOS]
    names = {short_title(s) for s in scenarios} | {s.title for s in scenarios}
    vintage = baseline_result.inputs.title
    for ws in book:
        top = [str(ws.cell(row=r, column=1).value or "") for r in range(1, _header_row(ws))]
        assert top[0], ws.title  # the title first
        scenario_lines = [t for t in top if t.startswith(("Scenario: ", "Scenarios: "))]
        assert len(scenario_lines) == 1, (ws.title, top)
        assert any(n in scenario_lines[0] for n in names), (ws.title, scenario_lines)
        assert any(t.startswith("Data vintage: ") and vintage in t for t in top), (ws.title, top)
        below = [c.value for c in ws["A"] if c.row > _header_row(ws) and isinstance(c.value, str)]
        assert below and below[-1].startswith("Source: CBO"), ws.title
    # the charts of every scenario name every scenario
    for stem in ("debt_to_gdp", "net_interest", "decomposition", "headline"):
        line = next(c.value for c in book[stem]["A"] if str(c.value).startswith("Scenario"))
        assert all(short_title(s) in line for s in scenarios), (stem, line)


def test_fan_sheet_holds_cbo_error_range_as_drawn(book):
    """The fan chart draws CBO's own 10th-90th percentile error range (data/uncertainty/
    cbo_debt_errors.csv, p10_to_p90 at 5 and 10 years) as a bar centred on the base path in the
    fiscal year that many years after the first projected year; the sheet holds its two ends."""
    cols = _columns(book["fan_monte_carlo"])
    years = [c.value for c in cols["Fiscal year"]]
    base_h = next(k for k in cols if k.startswith("Debt held by the public, base"))
    base = [c.value for c in cols[base_h]]
    low_h = next(k for k in cols if "error range" in k and "low end" in k)
    high_h = next(k for k in cols if "error range" in k and "high end" in k)
    assert "CBO" in low_h and low_h.endswith("(% of GDP)")
    low = dict(zip(years, [c.value for c in cols[low_h]], strict=True))
    high = dict(zip(years, [c.value for c in cols[high_h]], strict=True))
    errors = pd.read_csv(data_dir() / "uncertainty" / "cbo_debt_errors.csv")
    spread = errors[errors["statistic"] == "p10_to_p90"].set_index("horizon_years")["value"]
    first = min(years)
    expected = {first + int(h): v for h, v in spread.items() if first + int(h) <= max(years)}
    assert expected, "no CBO horizon within the fan"
    by_year = dict(zip(years, base, strict=True))
    for year in years:
        if year in expected:
            assert low[year] == pytest.approx(by_year[year] - expected[year] / 2, abs=1e-9)
            assert high[year] == pytest.approx(by_year[year] + expected[year] / 2, abs=1e-9)
            assert high[year] - low[year] == pytest.approx(expected[year])
        else:
            assert low[year] is None and high[year] is None, year
