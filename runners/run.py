"""Run a scenario through pysd and return tidy fiscal-year results.

Stocks are reported at the fiscal-year end (30 September); flows as fiscal-year totals, taken as
the year-end differences of the model's accumulators; yields as fiscal-year averages. Each run
starts from a freshly reset model, so no parameter leaks from one run into the next.
"""

from __future__ import annotations

import contextlib
import io
import platform
import sys
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from . import __version__, model
from .errors import SnowballError
from .inputs import FIRST_YEAR, LAST_YEAR, ModelInputs, load_inputs
from .registry import COLUMNS, model_variables
from .scenario import Scenario

DEFAULT_UNTIL = 2055


@dataclass(frozen=True)
class RunResult:
    """Results of one run: a frame indexed by fiscal year, plus what produced it."""

    scenario: Scenario
    until: int
    overrides: dict[str, float]
    results: pd.DataFrame
    inputs: ModelInputs
    milestones: dict[str, int | None] = field(default_factory=dict)

    def manifest(self, command: list[str] | None = None) -> dict:
        """What produced these results: scenario, overrides, data vintage, model hash, versions."""
        import pysd

        s = self.scenario
        return {
            "scenario": {
                "name": s.name,
                "title": s.title,
                "path": str(s.path) if s.path else None,
                "constants": s.constants,
                "tables": {k: {str(y): v for y, v in t.items()} for k, t in s.tables.items()},
            },
            "overrides": self.overrides,
            "until": self.until,
            "data_vintage": self.inputs.vintage,
            "data_files": self.inputs.files,
            "model_file": "models/snowball.mdl",
            "model_sha256": model.model_hash(),
            "snowball_version": __version__,
            "pysd_version": pysd.__version__,
            "python_version": platform.python_version(),
            "command": command if command is not None else sys.argv,
        }


@cache
def cached_inputs(vintage: str) -> ModelInputs:
    """Inputs for a vintage, read and validated once per process."""
    return load_inputs(vintage)


def check_until(until: int) -> int:
    """The final fiscal year, 2025-2100."""
    if isinstance(until, bool) or not isinstance(until, int) or not FIRST_YEAR < until <= LAST_YEAR:
        raise SnowballError(
            f"--until must be a fiscal year from {FIRST_YEAR + 1} to {LAST_YEAR}, got {until}"
        )
    return until


def run(
    scenario: Scenario,
    until: int = DEFAULT_UNTIL,
    overrides: dict[str, float] | None = None,
    inputs: ModelInputs | None = None,
) -> RunResult:
    """Run ``scenario`` to the end of fiscal year ``until`` with ``overrides`` (Vensim names)."""
    check_until(until)
    overrides = dict(overrides or {})
    inputs = inputs or cached_inputs(scenario.baseline)
    params: dict[str, object] = dict(inputs.constants)
    params.update(scenario.constants)
    params.update(overrides)
    tables = dict(inputs.tables)
    for name, points in scenario.tables.items():
        merged = tables[name].copy()
        for year, value in points.items():
            merged.loc[year] = value
        tables[name] = merged.sort_index()
    params.update(tables)
    m = model.load_model()
    with contextlib.redirect_stdout(io.StringIO()):
        m.set_components(params)
        raw = m.run(
            final_time=until,
            return_timestamps=list(range(FIRST_YEAR, until + 1)),
            return_columns=model_variables(),
            progress=False,
        )
    results = tidy(raw)
    bad = ~np.isfinite(results.to_numpy(dtype=float))
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise SnowballError(
            f"scenario '{scenario.name}': {results.columns[col]} is not finite in FY{results.index[row]}"
        )
    return RunResult(scenario, until, overrides, results, inputs, milestones(results))


def tidy(raw: pd.DataFrame) -> pd.DataFrame:
    """Fiscal-year results from the model's year-end values (see the column registry)."""
    raw = raw.copy()
    raw.index = np.rint(raw.index.to_numpy(dtype=float)).astype(int)
    out = pd.DataFrame(index=pd.Index(raw.index[1:], name="fiscal_year"))
    for col in COLUMNS:
        if col.kind == "stock":
            out[col.name] = raw[col.model_var].iloc[1:].to_numpy()
        elif col.kind in ("flow", "mean"):
            out[col.name] = raw[col.model_var].diff().iloc[1:].to_numpy()
    debt = raw["debt held by the public"]
    out["debt_to_gdp"] = out["debt_held_by_public"] / out["gdp"] * 100
    out["net_interest_to_gdp"] = out["net_interest"] / out["gdp"] * 100
    out["net_interest_share_of_outlays"] = out["net_interest"] / out["outlays"] * 100
    out["net_interest_share_of_revenues"] = out["net_interest"] / out["revenues"] * 100
    average_debt = (debt.shift(1) + debt).iloc[1:].to_numpy() / 2
    out["average_interest_rate"] = out["interest_on_debt"] / average_debt * 100
    out["bill_share"] = raw["Bills"].iloc[1:].to_numpy() / debt.iloc[1:].to_numpy() * 100
    return out[[c.name for c in COLUMNS]]


def first_year(mask: pd.Series) -> int | None:
    """The first fiscal year where ``mask`` holds, or None."""
    hits = mask[mask]
    return int(hits.index[0]) if len(hits) else None


def milestones(results: pd.DataFrame) -> dict[str, int | None]:
    """Crowding-out milestones: the first fiscal year net interest passes each comparison."""
    ni = results["net_interest"]
    return {
        "interest_exceeds_defense": first_year(ni > results["defense"]),
        "interest_exceeds_medicare": first_year(ni > results["medicare"]),
        "interest_exceeds_social_security": first_year(ni > results["social_security"]),
        "interest_over_20pct_of_outlays": first_year(results["net_interest_share_of_outlays"] > 20),
    }


def headline(result: RunResult) -> list[tuple[str, str]]:
    """A short table of headline numbers, as (label, formatted value) rows."""
    r = result.results
    rows: list[tuple[str, str]] = []
    years = [y for y in (2025, 2035, 2055, result.until) if y in r.index]
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
            "Peak 10-year yield",
            f"{r['ten_year_yield'].max():.2f}% (FY{int(r['ten_year_yield'].idxmax())})",
        )
    )
    labels = {
        "interest_exceeds_defense": "Net interest first exceeds defense",
        "interest_exceeds_medicare": "Net interest first exceeds Medicare",
        "interest_exceeds_social_security": "Net interest first exceeds Social Security",
        "interest_over_20pct_of_outlays": "Net interest first over 20% of outlays",
    }
    for key, label in labels.items():
        year = result.milestones.get(key)
        rows.append((label, f"FY{year}" if year else f"not by FY{result.until}"))
    return rows


def format_table(rows: list[tuple[str, str]]) -> str:
    """Two aligned columns."""
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)

