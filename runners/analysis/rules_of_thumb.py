"""CBO's rules of thumb for the economy, the model's version (``snowball rules-of-thumb``).

CBO publishes how its ten-year deficits would change if one economic variable differed from its
forecast by 0.1 percentage point every year: interest rates higher, productivity growth slower,
labour-force growth slower, inflation higher (with interest rates following, real rates
unchanged). Each rule here is a run of the model with one of the ``.mdl``'s levers (``yield
shift``, ``productivity shift``, ``labor force shift``, ``inflation shift`` with ``rates follow
inflation switch``) from the fiscal year after the vintage's first (CBO's changes begin in the
January of its current year), against the vintage's baseline; no economics is written here.
The effect is the change in the deficit summed over the vintage's ten-year budget window (the
second to the eleventh fiscal year after the initial state: FY2026-2035 for January 2025).

CBO's own figures, with the tolerance and the reason for it, are in the vintage's
``rules_of_thumb.csv`` (``data/baselines/VINTAGE/``), also rows on other horizons (CBO's
long-term productivity scenarios: the ratio of debt/GDP with and without the change).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from runners.core.errors import SnowballError
from runners.core.paths import data_dir

# the rule, what it is, and the lever(s) a change of ``change_pp`` sets
RULES: dict[str, tuple[str, dict[str, float]]] = {
    "interest_rates": ("Interest rates (every Treasury yield)", {"yield shift": 1.0}),
    "productivity": ("Productivity growth (output per worker)", {"productivity shift": 1.0}),
    "labor_force": ("Labor-force growth (unemployment rate unchanged)", {"labor force shift": 1.0}),
    "inflation": (
        "Inflation, interest rates following (real rates unchanged)",
        {"inflation shift": 1.0},
    ),
    "inflation_alone": ("Inflation, interest rates unchanged", {"inflation shift": 1.0}),
}
SWITCH = {"inflation": 1.0, "inflation_alone": 0.0}  # rates follow inflation switch
STANDARD = [("interest_rates", 0.1), ("productivity", -0.1), ("labor_force", -0.1), ("inflation", 0.1)]
STANDARD.append(("inflation_alone", 0.1))
COLUMNS = [
    "rule",
    "description",
    "change_pp",
    "measure",
    "first_year",
    "last_year",
    "unit",
    "model",
    "revenues_change",
    "primary_outlays_change",
    "net_interest_change",
    "last_year_deficit_change",
    "cbo",
    "low",
    "high",
    "within",
    "tolerance",
    "why",
    "source",
]


@dataclass(frozen=True)
class RulesResult:
    """The rules of thumb for ``vintage``: ``table`` (COLUMNS), the baseline run (its manifest)."""

    vintage: str
    table: pd.DataFrame
    baseline: object  # run.RunResult


def overrides(rule: str, change: float, start: int) -> dict[str, float]:
    """The model constants one rule sets: its lever at ``change`` (pp) from fiscal year ``start``."""
    if rule not in RULES:
        raise SnowballError(f"unknown rule of thumb '{rule}'; known: {', '.join(RULES)}")
    levers = {name: scale * change for name, scale in RULES[rule][1].items()}
    if rule in SWITCH:
        levers["rates follow inflation switch"] = SWITCH[rule]
    return levers | {"shock start": float(start)}


def cbo_rules(vintage: str) -> pd.DataFrame:
    """CBO's published figures for ``vintage`` (its rules_of_thumb.csv), or an empty table."""
    path = data_dir() / "baselines" / vintage / "rules_of_thumb.csv"
    if not path.is_file():
        return pd.DataFrame(columns=["rule", "change_pp", "measure", "first_year", "last_year"])
    return pd.read_csv(path)


def window(first_year: int) -> tuple[int, int, int]:
    """(shock start, first and last fiscal year of the ten-year window) for a vintage whose
    initial state is fiscal year ``first_year`` (CBO's current year is the next one)."""
    return first_year + 1, first_year + 2, first_year + 11


def rules_of_thumb(vintage: str) -> RulesResult:
    """Every standard rule (0.1 pp) and every row of the vintage's rules_of_thumb.csv, run."""
    from runners.projection import run

    inputs = run.cached_inputs(vintage)
    start, first, last = window(inputs.first_year)
    cbo = cbo_rules(vintage)
    wanted = [(r, c, "deficit_change", first, last) for r, c in STANDARD]
    for _, row in cbo.iterrows():
        key = (
            row["rule"],
            float(row["change_pp"]),
            row["measure"],
            int(row["first_year"]),
            int(row["last_year"]),
        )
        if key not in wanted:
            wanted.append(key)
    until = max(k[4] for k in wanted)
    base = run.run("baseline", until=until, baseline=vintage)
    rows = []
    for rule, change, measure, y0, y1 in wanted:
        shocked = run.run(
            "baseline", until=until, baseline=vintage, overrides=overrides(rule, change, y0 - 1)
        )
        rows.append(_row(rule, change, measure, y0, y1, base.results, shocked.results, cbo))
    return RulesResult(vintage, pd.DataFrame(rows, columns=COLUMNS), base)


def _row(
    rule: str,
    change: float,
    measure: str,
    y0: int,
    y1: int,
    base: pd.DataFrame,
    r: pd.DataFrame,
    cbo: pd.DataFrame,
) -> dict:
    """One line of the table: the model's effect and CBO's figure beside it."""
    years = list(range(y0, y1 + 1))
    d = {c: (r[c] - base[c]).loc[years] for c in ("deficit", "revenues", "primary_outlays", "net_interest")}
    if measure == "deficit_change":
        model, unit = float(d["deficit"].sum()), "$bn"
    elif measure == "debt_to_gdp_ratio":
        model, unit = float(r.at[y1, "debt_to_gdp"] / base.at[y1, "debt_to_gdp"]), "ratio"
    else:
        raise SnowballError(f"rules_of_thumb.csv: unknown measure '{measure}'")
    mine = cbo[
        (cbo["rule"] == rule)
        & (cbo["change_pp"].astype(float) == change)
        & (cbo["measure"] == measure)
        & (cbo["first_year"].astype(int) == y0)
        & (cbo["last_year"].astype(int) == y1)
    ]
    ref = mine.iloc[0] if len(mine) else None

    def field(name: str) -> object:
        return None if ref is None or pd.isna(ref[name]) else ref[name]

    low, high = field("low"), field("high")
    return {
        "rule": rule,
        "description": RULES[rule][0],
        "change_pp": change,
        "measure": measure,
        "first_year": y0,
        "last_year": y1,
        "unit": unit,
        "model": model,
        "revenues_change": float(d["revenues"].sum()),
        "primary_outlays_change": float(d["primary_outlays"].sum()),
        "net_interest_change": float(d["net_interest"].sum()),
        "last_year_deficit_change": float(d["deficit"].loc[y1]),
        "cbo": field("cbo_value"),
        "low": low,
        "high": high,
        "within": None if low is None else bool(float(low) <= model <= float(high)),
        "tolerance": field("tolerance"),
        "why": field("why"),
        "source": field("source"),
    }
