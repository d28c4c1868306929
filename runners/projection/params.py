"""Parameter assembly: what pysd is given for one run.

The vintage's constants and tables (read once per process), the baseline paths the premia are
measured against, the supply-effect calibration set beneath the scenario's own constants and
table points, then the overrides: checked together (``check_combination``, ``check_years``)
before anything runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from runners.core.errors import SnowballError
from runners.inputs.vintage import LAST_YEAR, ModelInputs, load_inputs
from runners.mdl import model
from runners.scenario import supply_effects
from runners.scenario.scenarios import Scenario, check_combination, check_overrides


def cached_inputs(vintage: str) -> ModelInputs:
    """Inputs for a vintage, read and validated once per process and data folder (a session that
    points ``$SNOWBALL_DATA_DIR`` at another folder reads that folder's, as its manifests say)."""
    from runners.core.paths import data_dir

    return _inputs_in(data_dir(), vintage)


@cache
def _inputs_in(folder: Path, vintage: str) -> ModelInputs:
    return load_inputs(vintage)


def checked_overrides(overrides: Mapping[str, object] | None) -> dict[str, float]:
    """A run's ``overrides`` (Vensim or Python names) checked exactly as the CLI's ``--set``."""
    if overrides is not None and not isinstance(overrides, Mapping):
        raise SnowballError(
            "overrides: give a dict of constant names and values, e.g. {'yield shift': 1}, "
            f"got a {type(overrides).__name__}"
        )
    return check_overrides(overrides, "override")  # type: ignore[arg-type]


_PATHS: dict[int, tuple[ModelInputs, dict[str, pd.Series]]] = {}


def model_holds(inputs: ModelInputs) -> bool:
    """True when the .mdl's own constants and tables are exactly ``inputs``' (written there by
    ``snowball model --write-data`` for the default vintage)."""
    from runners.mdl.model_data import same

    defaults = model.defaults()
    values = dict(inputs.constants) | dict(inputs.tables)
    return all(same(defaults.get(name), value) for name, value in values.items())


def baseline_paths(inputs: ModelInputs) -> dict[str, pd.Series]:
    """Monthly baseline paths (debt/GDP, interest/revenues, 10-year yield, GDP) of the vintage's own
    baseline run, which the premia that MODEL.md measures against the baseline path read.

    For the vintage written into the .mdl (the default) they are the .mdl's own tables; for any
    other inputs, a run with ``baseline path on`` = 0 computes them, cached on disk (runners.core.cache)
    by the model, the inputs, pysd's version and the code.
    """
    from runners.mdl.model_data import PATH_VARIABLES

    cached = _PATHS.get(id(inputs))
    if cached is not None and cached[0] is inputs:
        return cached[1]
    if model_holds(inputs):
        defaults = model.defaults()
        paths = {name: defaults[name] for name in PATH_VARIABLES}
    else:
        paths = stored_paths(inputs)
    _PATHS[id(inputs)] = (inputs, paths)
    return paths  # type: ignore[return-value]


def paths_key(inputs: ModelInputs) -> dict:
    """What the baseline paths depend on: the model, the inputs (files and values), pysd, the code."""
    import hashlib
    import json
    from importlib.metadata import version

    from runners.core import cache
    from runners.mdl import model_data as modeldata

    values = {
        "constants": {k: float(v) for k, v in inputs.constants.items()},
        "tables": {k: [t.index.tolist(), t.to_numpy(dtype=float).tolist()] for k, t in inputs.tables.items()},
    }
    return {
        "model": model.model_hash(),
        "data": inputs.files,
        # the values themselves: a caller may pass inputs changed in memory from the same files
        "inputs": hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest(),
        "first_year": inputs.first_year,
        "pysd": version("pysd"),
        # this file, the model loader and model_data (computed_paths runs them, PATH_VARIABLES names them)
        "code": [cache.file_sha256(f) for f in (__file__, model.__file__, modeldata.__file__)],
    }


def stored_paths(inputs: ModelInputs) -> dict[str, pd.Series]:
    """The baseline paths from the on-disk cache (runners.core.cache), else from a pysd run (stored)."""
    from runners.core import cache
    from runners.mdl.model_data import PATH_VARIABLES, computed_paths

    def read(doc: dict) -> dict[str, pd.Series]:
        times = np.array(doc["times"], dtype=float)
        out = {table: pd.Series(np.array(doc[table], dtype=float), index=times) for table in PATH_VARIABLES}
        if times.ndim != 1 or any(series.to_numpy().ndim != 1 for series in out.values()):
            raise ValueError("baseline paths: malformed series")
        return out

    key = paths_key(inputs)
    cached = cache.load("baseline-paths", key, read)
    if cached is not None:
        return cached
    paths = computed_paths(inputs)
    doc = {"times": next(iter(paths.values())).index.tolist()}
    doc |= {table: series.tolist() for table, series in paths.items()}
    cache.store("baseline-paths", key, doc)
    return read(doc)


def scenario_params(
    scenario: Scenario, inputs: ModelInputs, overrides: dict[str, float] | None = None
) -> dict[str, object]:
    """Everything a run sets, by Vensim name: the vintage's constants and tables, the baseline
    paths (switched on), the scenario's constants and table points, then the overrides."""
    params: dict[str, object] = dict(inputs.constants)
    params.update(baseline_paths(inputs))
    params["baseline path on"] = 1
    params.update(scenario.constants)
    params.update(overrides or {})
    tables = dict(inputs.tables)
    for name, points in scenario.tables.items():
        if name not in tables:
            raise SnowballError(
                f"scenario '{scenario.name}': table '{name}' is not a fiscal-year input of "
                f"baseline '{inputs.vintage}'; allowed: {', '.join(sorted(tables))}"
            )
        base = tables[name]
        # built afresh, not set with enlargement: on a stepped RangeIndex (a table of two points,
        # 2024 and 2100) pandas' .loc enlargement failed for a year between them
        merged = pd.Series(dict(base.items()) | dict(points.items()), dtype=float).sort_index()
        merged.index.name = base.index.name
        tables[name] = merged
    params.update(tables)
    check_combination(params, f"scenario '{scenario.name}'")
    return params


# every start lever is a fiscal year; a sale's starts no earlier than the first projected year
YEAR_CONSTANTS = {
    "shock start": 0,
    "japan sale start year": 1,
    "china sale start year": 1,
    "consolidation start": 0,
}


def check_years(params: dict[str, object], first_year: int, name: str) -> None:
    """Refuse a shock or sale dated before the vintage's initial state (it would never happen)."""
    for key, after in YEAR_CONSTANTS.items():
        value = float(params.get(key, model.default(key)))  # type: ignore[arg-type]
        if value < first_year + after:
            raise SnowballError(
                f"scenario '{name}': '{key}' = {value:g} is before the vintage's first projected year "
                f"(FY{first_year + 1}; its initial state is the end of FY{first_year}); allowed "
                f"{first_year + after} to {LAST_YEAR} (fiscal years)"
            )


def run_params(
    scenario: Scenario, inputs: ModelInputs, overrides: dict[str, float], calibration: str
) -> dict[str, object]:
    """What one run sets (:func:`scenario_params`), with the supply-effect set ``calibration``
    beneath the scenario's own constants (and the overrides), its dates checked (:func:`check_years`)."""
    params = scenario_params(supply_effects.apply(scenario, calibration), inputs, overrides)
    check_years(params, inputs.first_year, scenario.name)
    return params


def with_changes(
    scenario: Scenario, overrides: Mapping[str, object] | None = None, paths: object = None
) -> Scenario:
    """``scenario`` with constants set (``--set``, checked as :func:`checked_overrides`) and input
    table paths written into its table points (``--path``, :mod:`runners.scenario.paths`) on its
    own vintage: what ``compare``, ``sweep``, ``gap`` and ``brief`` run. The constants and points
    land in the scenario, so its manifest records them (and ``paths`` the texts as given)."""
    import dataclasses

    from runners.scenario.paths import apply_paths, from_python

    constants = checked_overrides(overrides)
    edits = from_python(paths)
    if not constants and not edits:
        return scenario
    inputs = cached_inputs(scenario.baseline)
    changed = apply_paths(scenario, edits, inputs.tables, inputs.first_year)
    said = [f"{k} = {v:g}" for k, v in constants.items()] + list(changed.paths[len(scenario.paths) :])
    return dataclasses.replace(
        changed, constants=changed.constants | constants, title=f"{scenario.title} (with {'; '.join(said)})"
    )
