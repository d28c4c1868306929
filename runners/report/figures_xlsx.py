"""``figures.xlsx``, laid out as CBO publishes the data behind its reports' figures: a contents sheet,
the headline tables, then one sheet per chart: the chart's title, what it shows, the scenario(s)
and the data vintage, then the table (headers in words with units, the header row frozen, number
formats as the chart shows them, columns wide enough for their headers), then notes and source.

Byte-stable: fixed document and zip timestamps (two builds are byte-identical)."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from runners.core.columns import BY_NAME

FIXED_TIME = datetime.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
HEADER_ROW = 6  # title, what it shows, scenario(s), data vintage, a blank row, then the header
MAX_WIDTH = 48  # a column wider than this wraps its header instead

# parts of a column name that are not results columns: (words, unit or None)
WORDS: dict[str, tuple[str, str | None]] = {
    "fiscal_year": ("Fiscal year", None),
    "calendar_year": ("Calendar year (decimal, month end)", None),
    "end_of_month": ("Month end", None),
    "history": ("actual", None),
    "projection": ("projection", None),
    "model": ("Snowball", None),
    "cbo": ("CBO", None),
    "gap": ("Snowball less CBO", None),
    "base": ("base scenario", None),
    "cbo_low": ("CBO's own 10th\u201390th percentile error range around the base scenario, low end", None),
    "cbo_high": ("CBO's own 10th\u201390th percentile error range around the base scenario, high end", None),
    "share": ("", "% of debt held by the public"),
    "r": ("Average interest rate on the debt (r)", "% a year"),
    "g": ("Nominal GDP growth (g)", "% a year"),
    "r_minus_g": ("r \u2212 g", "percentage points"),
    # the r - g chart's decomposition: what moves debt/GDP each year
    "primary_deficit_share": ("Primary deficit", "% of GDP"),
    "interest_less_growth": ("Net interest less growth's erosion of debt/GDP", "percentage points of GDP"),
    "interest": ("Net interest", None),
    "growth": ("GDP growth", None),
    "other_means_of_financing": ("Other means of financing", None),
    "change": ("Change in debt/GDP", None),
    "residual": ("Residual", None),
    "scenario": ("Scenario", None),
    "title": ("Scenario title", None),
    "input": ("Input", None),
    "low": ("input in its bottom decile", None),
    "high": ("input in its top decile", None),
    "from_variable": ("From (model variable)", None),
    "to_variable": ("To (model variable)", None),
    "sign": ("Sign", "+1 same direction, \u22121 opposite"),
    "loops": ("Loops the arrow is on", None),
    # the "what it would take" table (runners.analysis.gap)
    "goal": ("Goal", None),
    "target_pct_gdp": ("Goal for debt/GDP", "% of GDP"),
    "by": ("Goal year", None),
    "from": ("Adjustment from fiscal year", None),
    "debt_to_gdp_by_without": ("Debt/GDP in the goal year without the adjustment", "% of GDP"),
    "adjustment_pct_gdp": ("Adjustment a year", "% of GDP"),
    "first_year_bn": ("Adjustment in the first year", "$bn"),
    "revenue_rise_pct": ("The adjustment as a rise in revenues", "% of revenues"),
    "spending_cut_pct": ("The adjustment as a cut in primary outlays", "% of primary outlays"),
    "note": ("Note", None),
}
# columns that are what they say (not a quantity of the chart's)
PLAIN = {"fiscal_year", "calendar_year", "end_of_month", "input", "from", "from_variable", "to_variable"}
PLAIN |= {"sign", "loops", "scenario", "title", "goal", "by", "note"}


def _part(part: str) -> tuple[str, str | None, bool]:
    """One part of a column name as (words, unit, whether it names a variable)."""
    if part in WORDS:
        words, unit = WORDS[part]
        return (
            words,
            unit,
            part in {"r", "g", "r_minus_g", "interest", "growth", "change", "interest_less_growth"},
        )
    if m := re.fullmatch(r"p(\d+)", part):
        return f"{m.group(1)}th percentile", None, False
    if part.endswith("_pp_of_gdp"):
        words, _, _ = _part(part[: -len("_pp_of_gdp")])
        return words, "percentage points of GDP", True
    if part in BY_NAME:
        return BY_NAME[part].label, BY_NAME[part].unit, True
    if m := re.fullmatch(r"(\w+?)_(\d{4})_(pct|bn)", part):  # the headline table: debt_to_gdp_2035_pct
        col = BY_NAME.get(m.group(1))
        label = col.label if col else m.group(1).replace("_", " ")
        return f"{label}, FY{m.group(2)}", col.unit if col else ("$bn" if m.group(3) == "bn" else "%"), True
    if m := re.fullmatch(r"peak_fy_average_(\w+)_(pct|fiscal_year)", part):
        label = BY_NAME[m.group(1)].label if m.group(1) in BY_NAME else m.group(1).replace("_", " ")
        if m.group(2) == "pct":
            return f"Peak fiscal-year average {label}", "%", True
        return f"Fiscal year of the peak {label}", None, True
    if m := re.fullmatch(r"lowest_fy_average_bond_price_(\d+)y_per_100", part):
        return f"Lowest fiscal-year average {m.group(1)}-year note price", "$ per $100 face", True
    if m := re.fullmatch(r"prob_debt_over_(\d+)pct_of_gdp_pct", part):
        return f"Probability that debt held by the public exceeds {m.group(1)}% of GDP", "%", True
    if m := re.fullmatch(r"first_year_(\w+?)(_is_actual)?", part):
        what = m.group(1).replace("pct", "%").replace("_", " ").replace("interest", "net interest", 1)
        if m.group(2):
            return f"Already so in the actuals: {what}", "True/False", True
        return f"First fiscal year: {what}", None, True
    return part.replace("_", " "), None, False


def header(column: str | tuple, variable: str = "", unit: str = "") -> str:
    """A column of a chart's data in words with its unit: results columns by the registry's label
    and unit (runners.core.columns), ``variable`` (the chart's quantity) where the name has none,
    ``unit`` (the chart's) over the registry's."""
    parts = [str(p) for p in column] if isinstance(column, tuple) else str(column).split(":")
    words, units, named = [], [], False
    for part in parts:
        w, u, is_variable = _part(part)
        named = named or is_variable
        if w:
            words.append(w)
        if u:
            units.append(u)
    if parts[0] in PLAIN:
        return words[0] + (f" ({units[0]})" if units else "")
    if not named and variable:
        words.insert(0, variable)
    text = ", ".join(words)
    found = unit or (units[0] if units else "")
    if found and not text.endswith(")"):
        text += f" ({found})"
    return text if text.startswith("r \u2212") else text[:1].upper() + text[1:]


def number_format(title: str, values: list) -> str | None:
    """The Excel number format of a column from its header's unit: $bn with thousands separators
    and no decimals, rates and yields (%) and probabilities with two decimals, other percentages
    and percentage points with one, basis points whole, years plain integers."""
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not numbers:
        return None
    unit = m.group(1) if (m := re.search(r"\(([^()]*)\)$", title)) else ""
    if "year" in title.lower() and unit == "" and all(float(v).is_integer() for v in numbers):
        return "0"
    if title.startswith("Calendar year"):
        return "0.000"
    if "$bn" in unit:
        return "#,##0"
    if "$ per $100" in unit:
        return "#,##0.00"
    if unit.startswith("bp"):
        return "#,##0"
    if unit == "%" or unit.startswith("% a year") or "yield" in title or "rate" in title.lower():
        return "0.00"
    if "%" in unit or "percentage points" in unit or unit == "months":
        return "#,##0.0"
    if all(isinstance(v, int) for v in numbers):
        return "0"
    return "#,##0.00"


def _sheet_name(stem: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "_", stem)[:31]
    base, k = name, 2
    while name in used:
        name = f"{base[:28]}_{k}"
        k += 1
    used.add(name)
    return name


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame with one header row (MultiIndex columns as tuples) and the index as column(s)."""
    out = frame.copy()
    out.columns = list(out.columns)
    idx = out.index
    if isinstance(idx, pd.MultiIndex):
        names = [str(n) if n is not None else f"level_{k}" for k, n in enumerate(idx.names)]
        return out.reset_index(names=names)
    if idx.name is None and isinstance(idx, pd.RangeIndex) and idx.start == 0:
        return out
    years = pd.api.types.is_integer_dtype(idx) and len(idx) and idx.min() >= 1900 and idx.max() <= 2200
    name = idx.name or ("fiscal_year" if years else "index")
    return out.reset_index(names=str(name))


def _cell(value):
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    return value


def _write_sheet(ws, lines: list[str], frame: pd.DataFrame, notes: list[str], variable="", unit="") -> None:
    """Title lines, the table from HEADER_ROW (header frozen), then notes and source."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for k, line in enumerate(lines, start=1):
        ws.cell(row=k, column=1, value=line).font = Font(bold=k == 1, size=12 if k == 1 else 11)
    flat = _flat(frame)
    rows = [[_cell(v) for v in row] for row in flat.itertuples(index=False)]
    lines_needed = 1
    for k, col in enumerate(flat.columns, start=1):
        title = header(col, variable, unit)
        values = [row[k - 1] for row in rows]
        fmt = number_format(title, values)
        head = ws.cell(row=HEADER_ROW, column=k, value=title)
        head.font = Font(bold=True)
        head.alignment = Alignment(wrap_text=True, vertical="bottom")
        for i, value in enumerate(values, start=HEADER_ROW + 1):
            cell = ws.cell(row=i, column=k, value=value)
            if fmt is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.number_format = fmt
        longest = max([len(str(v)) for v in values if v is not None and not isinstance(v, float)] + [10])
        width = min(max(len(title), longest) + 2, MAX_WIDTH)
        ws.column_dimensions[get_column_letter(k)].width = width
        lines_needed = max(lines_needed, -(-len(title) // (width - 2)))
    ws.row_dimensions[HEADER_ROW].height = 15 * lines_needed
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1).coordinate
    row = HEADER_ROW + len(rows) + 2
    for note in notes:
        ws.cell(row=row, column=1, value=note)
        row += 1


def _scenario_line(names) -> str:
    names = [n for n in names if n]
    return ("Scenarios: " if len(names) > 1 else "Scenario: ") + "; ".join(names)


def write_xlsx(doc: dict, figures: list, path: Path, take_note: str = "") -> Path:
    """``figures.xlsx``: a contents sheet, the headline tables, then one sheet per chart with its
    title, scenario(s), data vintage and exactly the data drawn, then its notes and source;
    byte-stable (fixed document and zip timestamps)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    titles = list(doc["titles"].values())
    vintage = "Data vintage: " + doc["vintage"]
    mc_scenario = doc.get("monte_carlo_scenario") or (titles[0] if titles else "")
    wb = Workbook()
    used: set[str] = set()
    ws = wb.active
    ws.title = _sheet_name("contents", used)
    ws["A1"] = doc["title"]
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = doc["header"]
    ws["A3"] = _scenario_line(titles)
    ws["A4"] = vintage
    sheets = [("headline", "Headline numbers", "Headline numbers by scenario", titles)]
    tables = [("headline", doc["table"])]
    if doc.get("probabilities") is not None:
        sheets.append(
            ("probabilities", "Monte Carlo probabilities", "P(debt/GDP above a threshold)", [mc_scenario])
        )
        tables.append(("probabilities", doc["probabilities"]))
    if doc.get("take") is not None and len(doc["take"]):
        sheets.append(("what_it_would_take", "What it would take", take_note, titles))
        tables.append(("what_it_would_take", doc["take"]))
    names = {}
    for stem, *_ in sheets:
        names[stem] = _sheet_name(stem, used)
    for chart in figures:
        names[chart.stem] = _sheet_name(chart.stem, used)
    contents = [(names[stem], heading, title) for stem, heading, title, _ in sheets] + [
        (names[c.stem], c.heading, c.title) for c in figures
    ]
    _write_sheet(ws, [], pd.DataFrame(contents, columns=["Sheet", "Chart", "Title"]), [doc["source"]])
    for k, line in enumerate([doc["title"], doc["header"], _scenario_line(titles), vintage], start=1):
        ws.cell(row=k, column=1, value=line).font = Font(bold=k == 1, size=13 if k == 1 else 11)
    for (stem, heading, title, scen), (_, frame) in zip(sheets, tables, strict=True):
        sheet = wb.create_sheet(names[stem])
        _write_sheet(sheet, [heading, title, _scenario_line(scen), vintage], frame, [doc["source"]])
    for chart in figures:
        sheet = wb.create_sheet(names[chart.stem])
        title = " ".join(chart.title.split())  # one line (the chart's title may wrap)
        lines = [title, chart.heading, _scenario_line(chart.scenarios or titles), vintage]
        notes = ([f"Note: {chart.caption}"] if chart.caption else []) + [doc["source"]]
        _write_sheet(sheet, lines, chart.data, notes, chart.variable, chart.unit)
    wb.properties.creator = "Snowball"
    wb.properties.created = FIXED_TIME
    raw = io.BytesIO()
    wb.save(raw)
    return _restamp(raw.getvalue(), path)


def _restamp(data: bytes, path: Path) -> Path:
    """Rewrite an xlsx with fixed zip timestamps and a fixed docProps/core.xml modified date."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\2", body
                )
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, body)
    path.write_bytes(out.getvalue())
    return path
