"""Fiscal-year results from the model's year-end values: the one home of this arithmetic.

Stocks are reported at the fiscal-year end (30 September); flows and yearly means as the
year-end differences of the model's accumulators; the ratio columns from those. Single runs
(``runners.projection.run.tidy``, arrays of shape (T,)) and sweeps (``runners.sweep.work``, arrays (T, n))
call the same :func:`fiscal_years`, so the two can never drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from runners.core.columns import COLUMNS

if TYPE_CHECKING:
    import pandas as pd

RATIOS = {
    "debt_to_gdp": ("debt_held_by_public", "gdp"),
    "net_interest_to_gdp": ("net_interest", "gdp"),
    "net_interest_share_of_outlays": ("net_interest", "outlays"),
    "net_interest_share_of_revenues": ("net_interest", "revenues"),
}
DEBT = "debt held by the public"
BY_NAME = {c.name: c for c in COLUMNS}
# values that cannot be negative: GDP, the debt (and its ratio to GDP) and every holder's holdings
NON_NEGATIVE = ("gdp", "debt_held_by_public", "debt_to_gdp") + tuple(
    c.name for c in COLUMNS if c.name.startswith("holdings_")
)


def model_vars_for(columns: Sequence[str]) -> tuple[str, ...]:
    """The model variables (Vensim names) that :func:`fiscal_years` needs for ``columns``."""
    need: set[str] = set()

    def add(col: str) -> None:
        c = BY_NAME[col]
        if c.model_var:
            need.add(c.model_var)

    for col in columns:
        if col in RATIOS:
            for part in RATIOS[col]:
                add(part)
        elif col == "average_interest_rate":
            add("interest_on_debt")
            need.add(DEBT)
        elif col == "bill_share":
            need |= {"Bills", DEBT}
        else:
            add(col)
    return tuple(sorted(need))


def fiscal_years(raw: Mapping[str, np.ndarray], columns: Sequence[str]) -> dict[str, np.ndarray]:
    """Fiscal-year values of ``columns`` from year-end model values.

    ``raw`` maps model variables to year-end values of shape (T,) or (T, n) from the initial
    state's year; the result maps each column to (T - 1,) or (T - 1, n), fiscal years from the
    first projected year. Percent columns: ratio x 100; the average interest rate divides the
    year's interest by the mean of the opening and closing debt.
    """
    out: dict[str, np.ndarray] = {}

    def base(col: str) -> np.ndarray:
        if col not in out:
            c = BY_NAME[col]
            values = np.asarray(raw[c.model_var], dtype=float)
            out[col] = values[1:] if c.kind == "stock" else np.diff(values, axis=0)
        return out[col]

    result: dict[str, np.ndarray] = {}
    # a ratio over a zero (a run whose revenues or debt reach zero) is inf or nan here, and
    # check_results refuses it in one line naming the column and year: no RuntimeWarning first
    with np.errstate(divide="ignore", invalid="ignore"):
        _fill(result, columns, base, raw)
    return result


def _fill(result: dict, columns: Sequence[str], base, raw: Mapping[str, np.ndarray]) -> None:
    """Each column of :func:`fiscal_years` into ``result``."""
    for col in columns:
        if col in RATIOS:
            num, den = RATIOS[col]
            result[col] = base(num) / base(den) * 100
        elif col == "average_interest_rate":
            debt = np.asarray(raw[DEBT], dtype=float)
            result[col] = base("interest_on_debt") / ((debt[:-1] + debt[1:]) / 2) * 100
        elif col == "bill_share":
            result[col] = (
                np.asarray(raw["Bills"], dtype=float)[1:] / np.asarray(raw[DEBT], dtype=float)[1:] * 100
            )
        else:
            result[col] = base(col)


def first_peak_year(series: pd.Series, tol: float = 1e-6) -> int:
    """The first fiscal year a series reaches its maximum (a path held flat peaks when it gets there,
    not in whichever later year rounding puts a hair higher)."""
    return int(series.index[series.to_numpy() >= series.max() - tol][0])
