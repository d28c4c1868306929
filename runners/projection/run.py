"""Run a scenario through pysd and return tidy fiscal-year results.

Stocks are reported at the fiscal-year end (30 September); flows as fiscal-year totals, taken as
the year-end differences of the model's accumulators; yields as fiscal-year averages. Each run
starts from a freshly reset model, so no parameter leaks from one run into the next. What the run
is given comes from ``runners.projection.params``; its milestones, manifest and headline from
``runners.projection.milestones``, ``.manifest`` and ``.headline``.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from runners.core.columns import COLUMNS, model_variables, rating_label
from runners.core.errors import SnowballError, raised_by_import
from runners.core.fiscal_years import NON_NEGATIVE, fiscal_years, model_vars_for
from runners.inputs.vintage import LAST_YEAR, ModelInputs
from runners.mdl import model
from runners.mdl.model_data import model_step_times
from runners.projection.manifest import run_manifest
from runners.projection.milestones import milestones
from runners.projection.params import cached_inputs, checked_overrides, run_params
from runners.scenario.paths import apply_paths, from_python
from runners.scenario.scenarios import Scenario, check_scenario, load_scenario, rebase

DEFAULT_UNTIL = 2055
# who draws a run's charts (RunResult.plot): the report layer registers itself here when imported
# (runners.report.run_charts; runners.api imports it), so this layer never imports the one above
PLOTTERS: dict[str, Callable[..., dict]] = {}


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
        """What produced these results (:func:`runners.projection.manifest.run_manifest`), with
        ``command`` (the command line; None when called from Python)."""
        return run_manifest(self, command)

    def plot(self, charts: tuple[str, ...] | list[str] | None = None, baseline: bool = True) -> dict:
        """The run's charts as matplotlib figures, by name (``debt_to_gdp``, ``spending``,
        ``rates``, ``r_minus_g``; ``charts`` picks some), titled for this run; ``baseline``: draw
        the baseline of the same vintage beside it on the debt chart. They render inline in Jupyter.

        >>> from runners import api
        >>> figures = api.run("japan-selloff").plot()
        >>> figures["debt_to_gdp"].savefig("debt.png")  # doctest: +SKIP
        """
        draw = PLOTTERS.get("run")
        if draw is None:
            raise SnowballError("RunResult.plot: import runners.api (which loads the charts) first")
        return draw(self, charts, baseline)


def check_until(until: int, first_year: int = 1990) -> int:
    """The final fiscal year: after the initial state's year ``first_year``, at most 2100."""
    if isinstance(until, bool) or not isinstance(until, int) or not first_year < until <= LAST_YEAR:
        raise SnowballError(
            f"--until must be a fiscal year from {first_year + 1} to {LAST_YEAR}, got {until!r}"
        )
    return until


def run(
    scenario: Scenario | str | Path,
    until: int = DEFAULT_UNTIL,
    overrides: dict[str, float] | None = None,
    inputs: ModelInputs | None = None,
    monthly: list[str] | None = None,
    baseline: str | None = None,
    calibration: str = "central",
    paths: object = None,
) -> RunResult:
    """Run ``scenario`` (a Scenario, a built-in name or a .toml path) to the end of fiscal year
    ``until`` with ``overrides`` (Vensim or Python names), checked exactly as the CLI checks them.

    ``baseline`` names a vintage that replaces the scenario's own; ``calibration`` names the
    supply-effect parameter set (data/calibration/supply-effects.toml) beneath the scenario's
    constants; ``monthly`` names model variables to return at every step as ``RunResult.monthly``;
    ``paths`` are input-table paths (``runners.scenario.paths.from_python``: ``--path`` texts, a
    dict or a DataFrame) written into the scenario's table points on its (re-based) vintage. A
    Scenario built in Python is checked as a file's is (``check_scenario``). A run whose stocks go
    negative or non-finite raises SnowballError naming the variable and the year.
    """
    scenario = load_scenario(str(scenario)) if isinstance(scenario, str | Path) else check_scenario(scenario)
    overrides = checked_overrides(overrides)
    edits = from_python(paths)
    scenario = rebase(scenario, baseline)
    inputs = inputs or cached_inputs(scenario.baseline)
    check_until(until, inputs.first_year)
    scenario = apply_paths(scenario, edits, inputs.tables, inputs.first_year)
    # the calibration set sits beneath the scenario's own constants (and the overrides)
    params = run_params(scenario, inputs, overrides, calibration)
    check_monthly(monthly)
    raw = _simulate(params, inputs.first_year, until, monthly, scenario.name)
    results = _year_end_results(raw, f"scenario '{scenario.name}'")
    frame = raw[list(monthly)].rename_axis("time") if monthly else None
    return RunResult(scenario, until, overrides, results, inputs, milestones(results), frame, calibration)


def _simulate(
    params: dict[str, object], first: int, until: int, monthly: list[str] | None, name: str
) -> pd.DataFrame:
    """One pysd run of ``params`` from the end of FY``first`` to the end of FY``until``: the model
    variables (and ``monthly``), indexed by model time, at each fiscal-year end, or at every step
    when ``monthly`` names any. A numerical failure is the scenario's, named ``name``."""
    m = model.load_model()
    columns = model_variables() + [v for v in (monthly or []) if v not in model_variables()]
    times = model_step_times(m, first, until) if monthly else np.arange(first, until + 1, dtype=float)
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
            f"scenario '{name}': the run failed numerically ({type(exc).__name__}: {exc}); "
            "check the scenario's values"
        ) from None
    raw.index = times
    return raw


def _year_end_results(raw: pd.DataFrame, where: str) -> pd.DataFrame:
    """The fiscal-year results (:func:`tidy`) of the year-end rows of ``raw``, checked
    (:func:`check_results`), with the credit rating's label beside its notch."""
    times = raw.index.to_numpy(dtype=float)
    year_end = raw[np.isclose(times, np.rint(times), rtol=0, atol=1e-6)]
    results = tidy(year_end)
    check_results(results, where)
    results.insert(
        list(results.columns).index("credit_rating_notch") + 1,
        "credit_rating",
        [rating_label(n) for n in results["credit_rating_notch"]],
    )
    return results


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
