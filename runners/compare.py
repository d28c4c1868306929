"""Side-by-side headline numbers of several runs, with differences from the first."""

from __future__ import annotations

import pandas as pd

from .run import RunResult

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


def format_compare(table: pd.DataFrame) -> str:
    """A fixed-width text rendering (years as integers, blanks for 'never')."""

    def fmt(value: float, label: str) -> str:
        if pd.isna(value):
            return "-"
        return f"{value:.0f}" if label.startswith("First year") else f"{value:,.2f}"

    width = max(len(i) for i in table.index)
    cols = [max(len(c), 10) for c in table.columns]
    lines = [" " * width + "  " + "  ".join(c.rjust(w) for c, w in zip(table.columns, cols, strict=True))]
    for label, row in table.iterrows():
        cells = [fmt(v, label).rjust(w) for v, w in zip(row, cols, strict=True)]
        lines.append(label.ljust(width) + "  " + "  ".join(cells))
    return "\n".join(lines)
