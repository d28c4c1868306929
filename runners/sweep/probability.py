"""The probability asked for: ``--threshold "debt_to_gdp > 150 by 2055"`` on a sweep's runs.

A threshold is ``VARIABLE OP VALUE (in|by) YEAR``: ``in YEAR`` asks about that fiscal year only,
``by YEAR`` whether the path crosses at any fiscal year from the first projected one to YEAR. The
probability is the share of runs that meet it, with its Monte Carlo standard error
(sqrt(p(1 - p)/n)) and Wilson's 95% interval. A run that failed (its path went non-finite: the
debt exploded) meets a ``>``/``>=`` threshold and not a ``<``/``<=`` one.
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from runners.core.errors import SnowballError
from runners.sweep.precision import wilson

OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
_THRESHOLD = re.compile(
    r"^\s*(?P<var>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>>=|<=|>|<)\s*(?P<value>[+-]?(?:\d+\.?\d*|\.\d+))"
    r"\s+(?P<when>in|by)\s+(?P<year>\d{4})\s*$"
)
EXAMPLE = '"debt_to_gdp > 150 by 2055"'


@dataclass(frozen=True)
class Threshold:
    """One question: is ``variable`` ``op`` ``value`` in (``when='in'``) or by fiscal ``year``?"""

    variable: str
    op: str
    value: float
    when: str
    year: int

    def text(self) -> str:
        """The threshold as written on the command line (canonical spacing)."""
        return f"{self.variable} {self.op} {self.value:g} {self.when} {self.year}"


def parse_threshold(
    text: str, columns: tuple[str, ...], years: tuple[int, ...], what: str = "--threshold"
) -> Threshold:
    """``text`` checked against the sweep's result ``columns`` and fiscal ``years``."""
    m = _THRESHOLD.match(str(text))
    if m is None:
        raise SnowballError(
            f"{what} {text!r}: expected VARIABLE OP VALUE (in|by) YEAR with OP one of > >= < <=, "
            f"e.g. {EXAMPLE}"
        )
    if m["var"] not in columns:
        raise SnowballError(
            f"{what} {text!r}: '{m['var']}' is not a result this sweep keeps; allowed: {', '.join(columns)}"
        )
    year = int(m["year"])
    if year not in years:
        raise SnowballError(
            f"{what} {text!r}: {year} is not a year of this sweep; allowed {years[0]} to {years[-1]}"
        )
    return Threshold(m["var"], m["op"], float(m["value"]), m["when"], year)


def meets(block: np.ndarray, th: Threshold, years: tuple[int, ...]) -> np.ndarray:
    """Per run, whether it meets ``th``; ``block`` is (runs, len(years)) of ``th.variable``."""
    last = years.index(th.year)
    part = block[:, last : last + 1] if th.when == "in" else block[:, : last + 1]
    with np.errstate(invalid="ignore"):
        hit = OPS[th.op](part, th.value)
    hit = np.where(np.isfinite(part), hit, th.op in (">", ">="))  # a failed run exploded
    return hit.any(axis=1)


def estimate(hits: np.ndarray) -> dict[str, float]:
    """The share of runs meeting a threshold, in percent, with its Monte Carlo standard error
    (percentage points) and Wilson's 95% interval (percent)."""
    n, met = len(hits), int(np.sum(hits))
    p = met / n if n else float("nan")
    low, high = wilson(met, n)
    return {
        "probability_pct": 100 * p,
        "standard_error_pp": 100 * math.sqrt(p * (1 - p) / n) if n else float("nan"),
        "wilson_low_pct": 100 * low,
        "wilson_high_pct": 100 * high,
        "runs": n,
        "runs_meeting": met,
    }


def probability_row(th: Threshold, block: np.ndarray, years: tuple[int, ...]) -> dict:
    """One row of probabilities.csv."""
    row = {"threshold": th.text(), "variable": th.variable, "comparison": th.op, "value": th.value}
    row |= {"when": th.when, "fiscal_year": th.year}
    return row | estimate(meets(block, th, years))


def from_runs(runs: pd.DataFrame, th: Threshold) -> dict:
    """:func:`probability_row` from runs.parquet's long table (run_id, fiscal_year, variable, value)."""
    wide = runs[runs["variable"] == th.variable].pivot(index="run_id", columns="fiscal_year", values="value")
    years = tuple(int(y) for y in wide.columns)
    return probability_row(th, wide.to_numpy(dtype=float), years)


def line(row: dict, n_draws: int) -> str:
    """The line the command prints for one threshold."""
    return (
        f"P({row['threshold']}) = {row['probability_pct']:.1f}% (Monte Carlo standard error "
        f"{row['standard_error_pp']:.1f} pp; Wilson 95%: "
        f"{row['wilson_low_pct']:.1f}-{row['wilson_high_pct']:.1f}%; "
        f"{row['runs_meeting']:,} of {n_draws:,} runs)"
    )


def with_thresholds(spec, texts: list[str] | None, what: str = "--threshold"):
    """``spec`` (a SweepSpec) asking for ``texts`` (``--threshold``), each checked against the
    columns it computes and its fiscal years."""
    import dataclasses

    from runners.inputs.vintage import vintage_meta

    if not texts:
        return spec
    if isinstance(texts, str):
        texts = [texts]
    first = vintage_meta(spec.scenario.baseline)["first_year"]
    years = tuple(range(first + 1, spec.until + 1))
    parsed = tuple(parse_threshold(t, spec.columns, years, what) for t in texts)
    return dataclasses.replace(spec, thresholds=tuple(dict.fromkeys(parsed)))
