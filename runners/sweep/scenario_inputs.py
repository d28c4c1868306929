"""Scenarios' inputs as the vectorised engine takes them, assembled exactly as ``runners.projection.run.run``
sets them in pysd; several scenarios in one vectorised run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from runners.core.errors import SnowballError
from runners.core.fiscal_years import fiscal_years, model_vars_for
from runners.engine.program import Engine, Program, cached_program
from runners.inputs.vintage import LAST_YEAR, ModelInputs


@dataclass(frozen=True)
class BaseInputs:
    """The base scenario's inputs exactly as ``runners.projection.run.run`` assembles them."""

    constants: dict[str, float]
    tables: dict[str, tuple[np.ndarray, np.ndarray]]
    inputs: ModelInputs


def scenario_inputs(
    engine: Engine | Program,
    scenario,
    overrides: dict[str, float] | None = None,
    inputs: ModelInputs | None = None,
) -> BaseInputs:
    """Constants and tables for ``scenario`` (+ ``overrides``), as run.run sets them in pysd.

    The .mdl's values, then the vintage's constants, the baseline paths, ``baseline path on`` = 1,
    the scenario's constants and the overrides; tables: the vintage's, with the scenario's points.
    """
    from runners.projection.params import cached_inputs, scenario_params

    inputs = inputs or cached_inputs(scenario.baseline)
    params = scenario_params(scenario, inputs, overrides)
    constants = dict(engine.constants)
    tabs = {k: (np.asarray(x, float), np.asarray(y, float)) for k, (x, y) in engine.tables.items()}
    for key, value in params.items():
        if isinstance(value, pd.Series):
            if key not in tabs:
                raise SnowballError(f"input table '{key}' is not a lookup of the model")
            tabs[key] = (value.index.to_numpy(dtype=float), value.to_numpy(dtype=float))
        else:
            if key not in constants:
                raise SnowballError(f"input '{key}' is not a constant of the model")
            constants[key] = float(value)
    return BaseInputs(constants, tabs, inputs)


def stack_inputs(
    items: list[BaseInputs],
) -> tuple[dict[str, float | np.ndarray], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Many scenarios' inputs as engine arguments: per-scenario arrays only where they differ.

    Tables that differ share the union of their x points (each scenario's own values interpolated
    there, which leaves every lookup unchanged).
    """
    constants: dict[str, float | np.ndarray] = {}
    for key in items[0].constants:
        vals = np.array([b.constants[key] for b in items], dtype=float)
        constants[key] = float(vals[0]) if np.all(vals == vals[0]) else vals
    tables: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for key, (x0, y0) in items[0].tables.items():
        same = all(
            np.array_equal(b.tables[key][0], x0) and np.array_equal(b.tables[key][1], y0) for b in items
        )
        if same:
            tables[key] = (x0, y0)
            continue
        grid = np.unique(np.concatenate([b.tables[key][0] for b in items]))
        tables[key] = (grid, np.array([np.interp(grid, *b.tables[key]) for b in items]))
    return constants, tables


def run_scenarios(scenarios: list, until: int = 2055, engine: Engine | None = None) -> list[pd.DataFrame]:
    """Several scenarios in one vectorised run: fiscal-year results like ``run.run(...).results``.

    (Numeric columns only: no ``credit_rating`` label.)
    """
    from runners.core.columns import COLUMNS

    cols = tuple(c.name for c in COLUMNS)
    items = [scenario_inputs(engine or cached_program(model_vars_for(cols)), s) for s in scenarios]
    first = items[0].inputs.first_year
    if any(b.inputs.first_year != first for b in items):
        raise SnowballError("scenarios run together must start from the same initial state")
    constants, tables = stack_inputs(items)
    if engine is None:
        program = cached_program(model_vars_for(cols), initial_time=first)
    else:
        program = engine.program(model_vars_for(cols), initial_time=first)
    _, raw = program.simulate(len(items), until, constants=constants, tables=tables)
    res = fiscal_years(raw, cols)
    years = pd.Index(range(first + 1, until + 1), name="fiscal_year")
    return [pd.DataFrame({c: res[c][:, i] for c in cols}, index=years) for i in range(len(items))]


def annual(x: np.ndarray, y: np.ndarray, first: int) -> tuple[np.ndarray, np.ndarray]:
    """A fiscal-year table on every year first..LAST_YEAR plus its own points (same lookups)."""
    grid = np.union1d(x, np.arange(first, LAST_YEAR + 1, dtype=float))
    return grid, np.interp(grid, x, y)
