"""The headline table of a run, as ``snowball run`` prints it: debt, net interest, the average
rate, the peak yield, the milestones, the credit rating, the explosive-path flag and a sell-off's
figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from runners.core.columns import rating_label
from runners.core.fiscal_years import first_peak_year
from runners.mdl import model
from runners.projection.milestones import EXPLOSIVE_DEBT, IMPLOSIVE_DEBT, milestone_label

if TYPE_CHECKING:
    from runners.projection.run import RunResult

# the headline's rows for the crowding-out milestones (the explorer shows the same words)
MILESTONE_LABELS = {
    "interest_exceeds_defense": "Net interest first exceeds defense",
    "interest_exceeds_medicare": "Net interest first exceeds Medicare (net)",
    "interest_exceeds_social_security": "Net interest first exceeds Social Security",
    "interest_over_20pct_of_outlays": "Net interest first over 20% of outlays",
}
EXPLOSIVE_FLAG = "Explosive debt path flag"


def headline(result: RunResult) -> list[tuple[str, str]]:
    """A short table of headline numbers, as (label, formatted value) rows."""
    r = result.results
    rows: list[tuple[str, str]] = []
    years = [y for y in (int(r.index[0]), 2035, 2055, result.until) if y in r.index]
    for y in dict.fromkeys(years):
        rows.append(
            (
                f"Debt held by the public, FY{y}",
                f"{r.at[y, 'debt_to_gdp']:.1f}% of GDP (${r.at[y, 'debt_held_by_public']:,.0f}bn)",
            )
        )
    for y in dict.fromkeys(years):
        rows.append(
            (
                f"Net interest, FY{y}",
                f"${r.at[y, 'net_interest']:,.0f}bn "
                f"({r.at[y, 'net_interest_share_of_outlays']:.1f}% of outlays)",
            )
        )
    y = years[-1]
    rows.append((f"Average interest rate on the debt, FY{y}", f"{r.at[y, 'average_interest_rate']:.2f}%"))
    rows.append(
        (
            "Peak 10-year yield (FY average)",
            f"{r['ten_year_yield'].max():.2f}% (FY{first_peak_year(r['ten_year_yield'])})",
        )
    )
    for key, label in MILESTONE_LABELS.items():
        rows.append((label, milestone_label(result.milestones.get(key), r, result.until)))
    first_notch = result.overrides.get(
        "initial rating notch",
        result.scenario.constants.get("initial rating notch", model.default("initial rating notch")),
    )
    notches = pd.concat([pd.Series({r.index[0] - 1: first_notch}), r["credit_rating_notch"].round()])
    moved = notches.index[1:][notches.diff().iloc[1:] != 0]
    changes = ", ".join(f"{r.at[y, 'credit_rating']} in FY{y}" for y in moved)
    rows.append(("Credit rating", f"{rating_label(first_notch)} at the start; " + (changes or "unchanged")))
    boom = result.milestones.get("debt_explodes")
    if boom:
        ratio = r.at[boom, "debt_to_gdp"]
        way = "above" if ratio > EXPLOSIVE_DEBT else "at or below"
        limit = EXPLOSIVE_DEBT if ratio > EXPLOSIVE_DEBT else IMPLOSIVE_DEBT
        flag = f"YES from FY{boom} (debt {way} {limit:.0f}% of GDP)"
    rows.append((EXPLOSIVE_FLAG, flag if boom else "no"))
    if r["official_sales"].sum() > 0:
        first = int(r["official_sales"].gt(0).idxmax())
        start = result.inputs.constants["initial japan holdings"]  # the vintage's initial state
        before = r.at[first - 1, "holdings_japan"] if first - 1 in r.index else start
        low_price = r["bond_price_10y"]
        rows += [
            ("Foreign official sales", f"${r['official_sales'].sum():,.0f}bn from FY{first}"),
            ("Supply-effect calibration", f"{result.calibration} (data/calibration/supply-effects.toml)"),
            ("Japan's holdings", f"${before:,.0f}bn -> ${r['holdings_japan'].min():,.0f}bn"),
            ("Lowest 10-year note price", f"${low_price.min():.2f} per $100 (FY{int(low_price.idxmin())})"),
            (
                "Peak total premium (FY average)",
                f"{r['total_premium'].max():.2f} pp (FY{int(r['total_premium'].idxmax())})",
            ),
        ]
    return rows


def format_table(rows: list[tuple[str, str]]) -> str:
    """Two aligned columns."""
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)
