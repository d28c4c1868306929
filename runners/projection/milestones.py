"""Milestones of a run: when net interest first passes defense, Medicare, Social Security and a
fifth of outlays (reaching back into history), and the explosive-path flag; and how every output
words them."""

from __future__ import annotations

import pandas as pd

EXPLOSIVE_DEBT = 300.0  # % of GDP: a stated threshold for flagging an explosive debt path
IMPLOSIVE_DEBT = 0.0  # % of GDP: debt at or below zero (paid off, or an impossible implosion)


MILESTONE_COMPARISONS = {
    "interest_exceeds_defense": "defense",
    "interest_exceeds_medicare": "medicare",
    "interest_exceeds_social_security": "social_security",
}


def first_year(mask: pd.Series) -> int | None:
    """The first fiscal year where ``mask`` holds, or None."""
    hits = mask[mask]
    return int(hits.index[0]) if len(hits) else None


def _spell_start(mask: pd.Series, first_projected: int) -> int | None:
    """The first year of the spell in force in ``first_projected`` (walking back through the years
    that have data), else the first later year ``mask`` holds; None if it never does."""
    known = mask.dropna().astype(bool)
    later = known[known.index >= first_projected]
    if len(later) and later.iloc[0] and later.index[0] == first_projected:
        start = first_projected
        for year in sorted(known.index[known.index < first_projected], reverse=True):
            if year != start - 1 or not known.at[year]:
                break
            start = year
        return int(start)
    return first_year(later)


def milestones(results: pd.DataFrame, history: pd.DataFrame | None = None) -> dict[str, int | None]:
    """Crowding-out milestones and the explosive-path flag, from history plus the projection.

    Each crowding-out milestone is the first fiscal year of the spell in which net interest
    exceeds the comparison (defense, Medicare, Social Security, 20% of outlays) that is in force
    in the first projected year, reaching back into the actual years of ``history`` (default: the
    packaged ``data/history/historical_fy.csv``) where they have the figures; when the
    projection starts below, the first projected year it holds. A year before the results' first
    year is an actual (see :func:`milestone_label`). ``debt_explodes`` is the first projected year
    debt leaves 0-300% of GDP or GDP stops being positive (the explosive-path flag: explosion or
    implosion; ``run`` refuses negative debt outright).
    """
    if history is None:
        from runners.inputs.vintage import read_history

        history = read_history()
    first = int(results.index[0])
    past = history[history.index < first]
    ni = pd.concat([past["net_interest"], results["net_interest"]])
    ratio = results["debt_to_gdp"]
    unstable = (ratio > EXPLOSIVE_DEBT) | (ratio <= IMPLOSIVE_DEBT) | ~(results["gdp"] > 0)
    out: dict[str, int | None] = {"debt_explodes": first_year(unstable)}
    for key, col in MILESTONE_COMPARISONS.items():
        other = pd.concat([past[col] if col in past else pd.Series(dtype=float), results[col]])
        other = pd.to_numeric(other, errors="coerce").reindex(ni.index)
        mask = (ni > other).where(other.notna())
        out[key] = _spell_start(mask, first)
    share = pd.concat(
        [past["net_interest"] / past["outlays"] * 100, results["net_interest_share_of_outlays"]]
    )
    out["interest_over_20pct_of_outlays"] = _spell_start((share > 20).astype(float), first)
    return out


def not_by(until: int) -> str:
    """How every output words a milestone not reached within the run: 'not by FY2055'."""
    return f"not by FY{until}"


def milestone_label(year: int | None, results: pd.DataFrame, until: int | None = None) -> str:
    """'FY2024 (actual)' for a year before the projection, 'FY2031', or 'not by FY2055'."""
    if year is None:
        return not_by(until if until is not None else int(results.index[-1]))
    return f"FY{year} (actual)" if year < int(results.index[0]) else f"FY{year}"
