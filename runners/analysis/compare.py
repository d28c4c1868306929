"""Side-by-side headline numbers of several runs, with differences from the first."""

from __future__ import annotations

import pandas as pd

from runners.projection.milestones import not_by
from runners.projection.run import RunResult

METRICS = [
    ("debt_to_gdp", 2035, "Debt, % of GDP, FY2035"),
    ("debt_to_gdp", 2055, "Debt, % of GDP, FY2055"),
    ("net_interest", 2035, "Net interest, $bn, FY2035"),
    ("net_interest_share_of_outlays", 2035, "Net interest, % of outlays, FY2035"),
    ("average_interest_rate", 2035, "Average rate on the debt, %, FY2035"),
    ("ten_year_yield", 2026, "10-year yield, %, FY2026"),
    ("bond_price_10y", 2026, "10-year note price, $ per $100, FY2026"),
]
YEARS = [
    ("interest_exceeds_medicare", "First year interest > Medicare"),
    ("interest_over_20pct_of_outlays", "First year interest > 20% of outlays"),
    ("debt_explodes", "First year debt > 300% of GDP"),
]


def compare_table(results: list[RunResult]) -> pd.DataFrame:
    """Rows: metrics; columns: scenarios, then 'NAME - FIRST' differences for the others."""
    data: dict[str, dict[str, float]] = {}
    for res in results:
        r, col = res.results, {}
        for var, year, label in METRICS:
            if year in r.index:
                col[label] = float(r.at[year, var])
        col["Peak 10-year yield, % (FY average)"] = float(r["ten_year_yield"].max())
        for key, label in YEARS:
            year = res.milestones.get(key)
            col[label] = float(year) if year is not None else float("nan")
        data[res.scenario.name] = col
    table = pd.DataFrame(data)
    first = results[0].scenario.name
    for res in results[1:]:
        table[f"{res.scenario.name} - {first}"] = table[res.scenario.name] - table[first]
    return table.rename_axis("metric")


def ranges_file(ranges: pd.DataFrame, year: int) -> pd.DataFrame:
    """The sell-off ranges (``runners.projection.supply.selloff_range_table``) as ``ranges.csv`` and the
    briefing's ``tables/selloff_ranges.csv`` write them: each column names its fiscal year and
    unit, as ``headline.csv`` does (``debt_to_gdp_2035_pct_central``, ``net_interest_2035_bn_low``;
    ``ten_year_peak_bp_high``: the monthly peak gap over the run to FY``year``, bp)."""
    names = {}
    for level in ("central", "low", "high"):
        names[f"debt_to_gdp_{level}"] = f"debt_to_gdp_{year}_pct_{level}"
        names[f"net_interest_{level}"] = f"net_interest_{year}_bn_{level}"
    return ranges.rename(columns=names)


def _year_difference(first: float, other: float, until: int) -> str:
    """A milestone's year in ``other`` less ``first``, in years: '+3', '0', or, where one is not
    reached by FY``until``, the bound the horizon gives ('> +14': reached later than FY``until``)."""
    if pd.isna(first) and pd.isna(other):
        return f"neither by FY{until}"
    if pd.isna(other):  # other's year is after until
        return f"> +{until - first:.0f}"
    if pd.isna(first):
        return f"< {other - until:+.0f}"
    return f"{other - first:+.0f}" if other != first else "0"


def format_compare(table: pd.DataFrame, until: int) -> str:
    """A fixed-width text rendering: milestone years as 'FY2029', or 'not by FY``until``' when
    not reached within the run (``until``: its final fiscal year); differences in years."""
    first = table.columns[0]

    def fmt(value: float, label: str, column: str) -> str:
        if not label.startswith("First year"):
            return f"{value:,.2f}"
        if column != first and column.endswith(f" - {first}"):  # a difference from the first scenario
            other = column[: -len(f" - {first}")]
            return _year_difference(table.at[label, first], table.at[label, other], until)
        return not_by(until) if pd.isna(value) else f"FY{value:.0f}"

    width = max(len(i) for i in table.index)
    cells = {
        label: [fmt(v, label, c) for v, c in zip(row, table.columns, strict=True)]
        for label, row in table.iterrows()
    }
    cols = [max([len(c), 10] + [len(cells[i][k]) for i in table.index]) for k, c in enumerate(table.columns)]
    lines = [" " * width + "  " + "  ".join(c.rjust(w) for c, w in zip(table.columns, cols, strict=True))]
    for label, row in cells.items():
        values = "  ".join(v.rjust(w) for v, w in zip(row, cols, strict=True))
        lines.append(label.ljust(width) + "  " + values)
    return "\n".join(lines)
