"""The explorer's bundle: one self-contained JavaScript text that runs the whole .mdl for a vintage.

:func:`explorer_bundle` joins the engine's runtime and the ``simulate`` generated from the .mdl
(:func:`runners.engine.js.js_module`), the vintage's inputs as ``api.run`` sets them
(:func:`runners.projection.params.scenario_params`: the vintage's constants and tables, the
baseline paths, ``baseline path on`` = 1), the supply-effect sets (each beneath a scenario's own
constants, as :func:`runners.projection.params.run_params` puts them), every built-in scenario
runnable on the vintage as a preset (its constants and the tables its points change), the levers
(every settable constant with its .mdl range, unit and comment), the columns, the history the
milestones reach back into, and :data:`runners.projection.explorer_js.YEARS_JS`. Its one entry
point, ``Snowball.run(overrides, {scenario, calibration})``, gives ``{fiscal_year, columns,
milestones, milestone_labels, explosive_flag}``: ``api.run``'s results and ``snowball run``'s words.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from runners.core.columns import COLUMNS, RATING_LABELS
from runners.core.errors import SnowballError
from runners.core.fiscal_years import DEBT, NON_NEGATIVE, RATIOS, model_vars_for
from runners.inputs.vintage import LAST_YEAR, read_history
from runners.mdl.model import parameters
from runners.projection.explorer_js import YEARS_JS
from runners.projection.headline import MILESTONE_LABELS
from runners.projection.milestones import EXPLOSIVE_DEBT, IMPLOSIVE_DEBT, MILESTONE_COMPARISONS
from runners.projection.params import YEAR_CONSTANTS, cached_inputs, scenario_params
from runners.scenario import supply_effects
from runners.scenario.scenarios import DEBT as INITIAL_DEBT
from runners.scenario.scenarios import HOLDINGS, bounds, builtin_names, load_scenario, rebase

DEFAULT_VINTAGE = "cbo-2026-02"
RECORD = model_vars_for(tuple(c.name for c in COLUMNS))


def _split(params: dict[str, object]) -> tuple[dict[str, float], dict[str, list[list[float]]]]:
    """A run's parameters as the generated model takes them: constants, and tables as [x, y]."""
    constants: dict[str, float] = {}
    tables: dict[str, list[list[float]]] = {}
    for key, value in params.items():
        if isinstance(value, pd.Series):
            tables[key] = [value.index.to_numpy(dtype=float).tolist(), value.to_numpy(dtype=float).tolist()]
        else:
            constants[key] = float(value)  # type: ignore[arg-type]
    return constants, tables


def _history(first_projected: int) -> dict[str, list[float | None]]:
    """The actual years before ``first_projected`` that the milestones read (None where not published)."""
    h = read_history()
    h = h[h.index < first_projected]
    cols = ["net_interest", "outlays", *[c for c in MILESTONE_COMPARISONS.values() if c in h]]
    out: dict[str, list[float | None]] = {"fiscal_year": [int(y) for y in h.index]}
    for c in cols:
        out[c] = [None if not math.isfinite(v) else float(v) for v in pd.to_numeric(h[c], errors="coerce")]
    return out


def _presets(vintage: str, inputs, base_tables: dict) -> dict[str, dict]:
    """Each built-in scenario runnable on ``vintage``: its title, constants and changed tables."""
    out: dict[str, dict] = {}
    for name in builtin_names():
        try:
            scenario = rebase(load_scenario(name), vintage)
        except SnowballError:  # a table point before this vintage's first year
            continue
        constants, tables = _split(scenario_params(scenario, inputs))
        out[name] = {
            "title": scenario.title,
            "constants": {k: float(v) for k, v in scenario.constants.items()},
            "tables": {k: t for k, t in tables.items() if t != base_tables[k]},
        }
    return out


def _levers(program) -> dict[str, dict]:
    """Every settable constant (a .mdl range; not the clock): name, Python name, range, unit, comment."""
    return {
        name: {
            "name": name,
            "py_name": p.py_name,
            "low": None if p.low is None else float(p.low),
            "high": None if p.high is None else float(p.high),
            "min": bounds(p)[0],  # where the .mdl gives none, the open bound the checks use
            "max": bounds(p)[1],
            "units": p.units,
            "comment": p.comment,
        }
        for name, p in parameters().items()
        if name in program.constants and name not in program.clock_inputs
    }


def bundle_data(vintage: str, calibration: str, until: int) -> tuple[dict, dict, dict]:
    """The base scenario's constants and tables (the vintage's, as ``api.run`` sets them) and the
    bundle's data (``SNOWBALL``)."""
    from runners.engine.program import cached_program

    inputs = cached_inputs(vintage)
    supply_effects.get_set(calibration)  # a set that does not exist is refused here
    program = cached_program(RECORD, initial_time=inputs.first_year)
    constants, tables = _split(scenario_params(rebase(load_scenario("baseline"), vintage), inputs))
    sets = supply_effects.load_sets()
    data = {
        "vintage": vintage,
        "calibration": calibration,
        "first_year": inputs.first_year,
        "until": until,
        "last_year": LAST_YEAR,
        "model_sha256": program.model_sha256,
        "columns": [
            {"name": c.name, "label": c.label, "unit": c.unit, "kind": c.kind, "model_var": c.model_var}
            | {"definition": c.definition}
            for c in COLUMNS
        ],
        "ratios": {k: list(v) for k, v in RATIOS.items()},
        "debt": DEBT,
        "non_negative": list(NON_NEGATIVE),
        "rating_labels": list(RATING_LABELS),
        "history": _history(inputs.first_year + 1),
        "explosive_debt": EXPLOSIVE_DEBT,
        "implosive_debt": IMPLOSIVE_DEBT,
        "milestone_comparisons": dict(MILESTONE_COMPARISONS),
        "milestone_labels": dict(MILESTONE_LABELS),
        "year_constants": [[k, v] for k, v in YEAR_CONSTANTS.items()],  # in check_years' order
        "holdings": list(HOLDINGS),
        "initial_debt": INITIAL_DEBT,
        "calibrations": {name: dict(s.constants) for name, s in sets.items()},
        "presets": _presets(vintage, inputs, tables),
        "levers": _levers(program),
    }
    data["column"] = {c["name"]: c for c in data["columns"]}
    return constants, tables, data


def explorer_bundle(vintage: str = DEFAULT_VINTAGE, calibration: str = "central", until: int = 2055) -> str:
    """One self-contained JavaScript text: the model for ``vintage`` to FY``until`` and
    ``Snowball.run`` (a page: a script; Node: ``require``). ``calibration``: the default set."""
    return bundle_text(*bundle_data(vintage, calibration, until), until)


def bundle_text(constants: dict, tables: dict, data: dict, until: int) -> str:
    """:func:`explorer_bundle` from what :func:`bundle_data` gave (a caller that needs the data
    too computes it once)."""
    from runners.engine.js import js_module
    from runners.engine.program import cached_program

    program = cached_program(RECORD, initial_time=data["first_year"])
    tabs = {k: (np.asarray(x), np.asarray(y)) for k, (x, y) in tables.items()}
    model = js_module(program, constants, tabs, until, python_power=True)  # api.run's pysd arithmetic
    text = json.dumps(data, allow_nan=False, separators=(",", ":"), sort_keys=True)
    return model + "\nconst SNOWBALL = " + text + ";\n" + YEARS_JS
