"""Run a scenario through pysd and return tidy fiscal-year results.

Stocks are reported at the fiscal-year end (30 September); flows as fiscal-year totals, taken as
the year-end differences of the model's accumulators; yields as fiscal-year averages. Each run
starts from a freshly reset model, so no parameter leaks from one run into the next.
"""

from __future__ import annotations

import contextlib
import io
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from runners import __version__
from runners.core.columns import COLUMNS, model_variables, rating_label
from runners.core.errors import SnowballError, raised_by_import
from runners.core.fiscal_years import NON_NEGATIVE, first_peak_year, fiscal_years, model_vars_for
from runners.core.paths import recorded_path
from runners.engine import program as engine
from runners.inputs.vintage import LAST_YEAR, ModelInputs, load_inputs
from runners.mdl import model
from runners.scenario.scenarios import (
    Scenario,
    check_combination,
    check_overrides,
    load_scenario,
    rebase,
)

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
    monthly: pd.DataFrame | None = None
    calibration: str = "central"

    def manifest(self, command: list[str] | None = None) -> dict:
        """What produced these results: scenario, overrides, data vintage, model hash, versions and
        ``command`` (the command line; None when called from Python)."""
        from importlib.metadata import version

        import pysd

        from runners.core.cache import sha256_of
        from runners.core.paths import data_dir
        from runners.scenario.supply_effects import calibration_dir, get_set

        s = self.scenario
        # read by every run besides the vintage's files: the calibration sets (beneath the
        # scenario's constants) and the history (the milestones reach back into it)
        other = [calibration_dir() / "supply-effects.toml", data_dir() / "history" / "historical_fy.csv"]
        return {
            "scenario": scenario_record(s),
            "overrides": self.overrides,
            "calibration": self.calibration,
            "calibration_constants": get_set(self.calibration).constants,
            "until": self.until,
            "data_vintage": self.inputs.vintage,
            "data_files": self.inputs.files,
            "other_data_files": {display_path(p): sha256_of(p) for p in other},
            "model_file": "models/snowball.mdl",
            "model_sha256": model.model_hash(),
            "snowball_version": __version__,
            "pysd_version": pysd.__version__,
            # what pysd computes with (its integration, lookups and the results' frames)
            "packages": {name: version(name) for name in ("numpy", "pandas", "xarray", "scipy")},
            "python_version": platform.python_version(),
            # the command line as typed (the CLI); None from Python, where sys.argv is the
            # notebook kernel's or the test runner's own, with this machine's paths in it
            "command": list(command) if command is not None else None,
        }


def scenario_record(s: Scenario) -> dict:
    """A scenario as manifests record it: name, title, file (display_path) and the sha256 of its
    bytes, and the constants and table points the run used (a Scenario changed in memory records
    its own values beside the file it came from)."""
    from runners.core.cache import sha256_of

    return {
        "name": s.name,
        "title": s.title,
        "path": display_path(s.path),
        "sha256": sha256_of(s.path) if s.path is not None and Path(s.path).is_file() else None,
        "constants": s.constants,
        "tables": s.table_points(),
    }


def display_path(path: Path | None) -> str | None:
    """A path as manifests record it (paths.recorded_path): ``data/...`` for a file in the data
    folder wherever it is, relative to the repository inside it (so manifests do not depend on the
    clone or on where ``$SNOWBALL_DATA_DIR`` puts the data), else absolute."""
    return None if path is None else recorded_path(path)


def cached_inputs(vintage: str) -> ModelInputs:
    """Inputs for a vintage, read and validated once per process and data folder (a session that
    points ``$SNOWBALL_DATA_DIR`` at another folder reads that folder's, as its manifests say)."""
    from runners.core.paths import data_dir

    return _inputs_in(data_dir(), vintage)


@cache
def _inputs_in(folder: Path, vintage: str) -> ModelInputs:
    return load_inputs(vintage)


def check_until(until: int, first_year: int = 1990) -> int:
    """The final fiscal year: after the initial state's year ``first_year``, at most 2100."""
    if isinstance(until, bool) or not isinstance(until, int) or not first_year < until <= LAST_YEAR:
        raise SnowballError(
            f"--until must be a fiscal year from {first_year + 1} to {LAST_YEAR}, got {until!r}"
        )
    return until


_PATHS: dict[int, tuple[ModelInputs, dict[str, pd.Series]]] = {}


def step_times(m, first_year: int, until: int) -> np.ndarray:
    """The pysd model's own step times from ``first_year`` to ``until`` (see engine.step_times)."""
    return engine.step_times(float(m.components.time_step()), first_year, until)


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
        paths = _stored_paths(inputs)
    _PATHS[id(inputs)] = (inputs, paths)
    return paths  # type: ignore[return-value]


def _paths_key(inputs: ModelInputs) -> dict:
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
        # this file, the model loader, and modeldata (computed_paths runs them, PATH_VARIABLES names them)
        "code": [cache.file_sha256(f) for f in (__file__, model.__file__, modeldata.__file__)],
    }


def _stored_paths(inputs: ModelInputs) -> dict[str, pd.Series]:
    """The baseline paths from the on-disk cache (runners.core.cache), else from a pysd run (stored)."""
    from runners.core import cache
    from runners.mdl.model_data import PATH_VARIABLES, computed_paths

    def read(doc: dict) -> dict[str, pd.Series]:
        times = np.array(doc["times"], dtype=float)
        out = {table: pd.Series(np.array(doc[table], dtype=float), index=times) for table in PATH_VARIABLES}
        if times.ndim != 1 or any(series.to_numpy().ndim != 1 for series in out.values()):
            raise ValueError("baseline paths: malformed series")
        return out

    key = _paths_key(inputs)
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


YEAR_CONSTANTS = ("shock start", "japan sale start", "china sale start", "consolidation start")


def check_years(params: dict[str, object], first_year: int, name: str) -> None:
    """Refuse a shock or sale dated before the vintage's initial state (it would never happen)."""
    for key in YEAR_CONSTANTS:
        value = float(params.get(key, model.default(key)))  # type: ignore[arg-type]
        if value < first_year:
            raise SnowballError(
                f"scenario '{name}': '{key}' = {value:g} is before the vintage's initial state "
                f"(end of FY{first_year}); allowed {first_year} to {LAST_YEAR}"
            )


def run(
    scenario: Scenario | str | Path,
    until: int = DEFAULT_UNTIL,
    overrides: dict[str, float] | None = None,
    inputs: ModelInputs | None = None,
    monthly: list[str] | None = None,
    baseline: str | None = None,
    calibration: str = "central",
) -> RunResult:
    """Run ``scenario`` (a Scenario, a built-in name or a .toml path) to the end of fiscal year
    ``until`` with ``overrides`` (Vensim or Python names), checked exactly as the CLI checks them.

    ``baseline`` names a vintage that replaces the scenario's own; ``calibration`` names the
    supply-effect parameter set (data/calibration/supply-effects.toml) beneath the scenario's
    constants; ``monthly`` names model variables to return at every step as ``RunResult.monthly``.
    A run whose stocks go negative or non-finite raises SnowballError naming the variable and the
    year.
    """
    from runners.scenario import supply_effects as calibration_sets

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(str(scenario))
    if overrides is not None and not isinstance(overrides, Mapping):
        raise SnowballError(
            "overrides: give a dict of constant names and values, e.g. {'yield shift': 1}, "
            f"got a {type(overrides).__name__}"
        )
    overrides = check_overrides(overrides, "override")
    scenario = rebase(scenario, baseline)
    inputs = inputs or cached_inputs(scenario.baseline)
    first = inputs.first_year
    check_until(until, first)
    # the calibration set sits beneath the scenario's own constants (and the overrides)
    params = scenario_params(calibration_sets.apply(scenario, calibration), inputs, overrides)
    check_years(params, first, scenario.name)
    check_monthly(monthly)
    m = model.load_model()
    columns = model_variables() + [v for v in (monthly or []) if v not in model_variables()]
    times = step_times(m, first, until) if monthly else np.arange(first, until + 1, dtype=float)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            m.set_components(params)
            raw = m.run(
                initial_condition=(first, {}),
                final_time=until,
                return_timestamps=list(times),
                return_columns=columns,
                progress=False,
            )
    except (ArithmeticError, ValueError) as exc:  # a KeyError is a bug: every name is checked before
        model.discard()
        if raised_by_import(exc):  # a library that failed to import is no numerical failure
            raise
        raise SnowballError(
            f"scenario '{scenario.name}': the run failed numerically ({type(exc).__name__}: {exc}); "
            "check the scenario's values"
        ) from None
    raw.index = times
    year_end = raw[np.isclose(times, np.rint(times), rtol=0, atol=1e-6)]
    results = tidy(year_end)
    check_results(results, f"scenario '{scenario.name}'")
    results.insert(
        list(results.columns).index("credit_rating_notch") + 1,
        "credit_rating",
        [rating_label(n) for n in results["credit_rating_notch"]],
    )
    frame = raw[list(monthly)].rename_axis("time") if monthly else None
    return RunResult(scenario, until, overrides, results, inputs, milestones(results), frame, calibration)


def check_monthly(monthly: list[str] | None) -> None:
    """Every name in ``monthly`` is a model variable (its Vensim or Python name); a misspelt one
    would otherwise fail inside pysd as a 'numerical' failure blamed on the scenario."""
    import difflib

    if not monthly:
        return
    if isinstance(monthly, str):
        raise SnowballError(f"monthly: give a list of model variable names, got the string {monthly!r}")
    doc = model.model_meta()["doc"]
    known = {d["name"] for d in doc} | {d["py_name"] for d in doc}
    for name in monthly:
        if name not in known:
            close = difflib.get_close_matches(str(name), sorted(d["name"] for d in doc), n=5, cutoff=0.6)
            raise SnowballError(
                f"monthly: unknown model variable {name!r}; close matches: {', '.join(close) or 'none'} "
                "(the .mdl's names, or their Python names)"
            )


def check_results(results: pd.DataFrame, where: str) -> None:
    """Refuse impossible results: a non-finite value, or a negative GDP, debt or holding.

    The message names the first offending column and fiscal year.
    """
    values = results.to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise SnowballError(
            f"{where}: {results.columns[col]} is not finite in FY{results.index[row]} (the run "
            "diverged); check the scenario's values"
        )
    cols = [c for c in NON_NEGATIVE if c in results.columns]
    negative = results[cols].to_numpy(dtype=float) < 0
    if negative.any():
        row, col = np.argwhere(negative)[0]
        raise SnowballError(
            f"{where}: {cols[col]} is negative ({results[cols[col]].iloc[row]:,.1f}) in "
            f"FY{results.index[row]}, which is impossible; check the scenario's values"
        )


def tidy(raw: pd.DataFrame) -> pd.DataFrame:
    """Fiscal-year results from the model's year-end values (arithmetic: ``runners.core.fiscal_years``)."""
    years = np.rint(raw.index.to_numpy(dtype=float)).astype(int)
    cols = [c.name for c in COLUMNS]
    values = fiscal_years({v: raw[v].to_numpy(dtype=float) for v in model_vars_for(cols)}, cols)
    return pd.DataFrame(values, index=pd.Index(years[1:], name="fiscal_year"))[cols]


def first_year(mask: pd.Series) -> int | None:
    """The first fiscal year where ``mask`` holds, or None."""
    hits = mask[mask]
    return int(hits.index[0]) if len(hits) else None


EXPLOSIVE_DEBT = 300.0  # % of GDP: a stated threshold for flagging an explosive debt path
IMPLOSIVE_DEBT = 0.0  # % of GDP: debt at or below zero (paid off, or an impossible implosion)


MILESTONE_COMPARISONS = {
    "interest_exceeds_defense": "defense",
    "interest_exceeds_medicare": "medicare",
    "interest_exceeds_social_security": "social_security",
}


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
    labels = {
        "interest_exceeds_defense": "Net interest first exceeds defense",
        "interest_exceeds_medicare": "Net interest first exceeds Medicare (net)",
        "interest_exceeds_social_security": "Net interest first exceeds Social Security",
        "interest_over_20pct_of_outlays": "Net interest first over 20% of outlays",
    }
    for key, label in labels.items():
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
    rows.append(("Explosive debt path flag", flag if boom else "no"))
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
