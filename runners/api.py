"""Snowball's Python API: the same runs, checks and listings as the ``snowball`` command.

>>> from runners import api
>>> result = api.run("baseline", until=2035, overrides={"yield shift": 1})
>>> result.results.loc[2035, "debt_to_gdp"]  # a DataFrame indexed by fiscal year

Every function accepts a built-in name or a path to a TOML file wherever it takes a scenario or a
sweep spec, and checks its inputs with the functions the command line uses
(``runners.scenario.scenarios.check_overrides``, ``load_scenario``, ``runners.sweep.spec.load_spec``),
so a value the CLI refuses raises the same :class:`runners.core.errors.SnowballError` here. The
environment is input too: :func:`run`, :func:`compare` and :func:`sweep` first check it as the command does
(``runners.core.environment.check_environment``: ``SOURCE_DATE_EPOCH``, ``SNOWBALL_*``, thread
counts), removing an empty ``SOURCE_DATE_EPOCH`` or thread count from ``os.environ``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from runners.core.environment import check_environment
from runners.core.errors import SnowballError
from runners.projection import run as _run
from runners.projection.params import with_changes
from runners.projection.run import DEFAULT_UNTIL, RunResult
from runners.report import run_charts as _run_charts  # noqa: F401 (registers RunResult.plot)
from runners.scenario import supply_effects
from runners.scenario.scenarios import Scenario, check_distinct, check_scenario, load_scenario, rebase

__all__ = [
    "RunResult",
    "SnowballError",
    "backtest",
    "brief",
    "compare",
    "gap",
    "milestones",
    "parameters",
    "run",
    "scenarios",
    "sweep",
    "tables",
    "vintages",
]

ScenarioRef = Scenario | str | Path


def _scenario(ref: ScenarioRef) -> Scenario:
    return ref if isinstance(ref, Scenario) else load_scenario(str(ref))


def _each(scenarios, overrides, baseline, until, paths, calibration) -> list[RunResult]:
    """Each scenario on ``baseline``'s vintage, changed by ``overrides`` and ``paths``, run."""
    loaded = [rebase(_scenario(s), baseline) for s in scenarios]
    check_distinct(loaded)
    return [_run.run(with_changes(s, overrides, paths), until=until, calibration=calibration) for s in loaded]


def run(
    scenario: ScenarioRef,
    overrides: dict[str, float] | None = None,
    baseline: str | None = None,
    until: int = DEFAULT_UNTIL,
    monthly: list[str] | None = None,
    paths: object = None,
    calibration: str = "central",
) -> RunResult:
    """Run one scenario to the end of fiscal year ``until``.

    Parameters
    ----------
    scenario : a built-in name (``"baseline"``), a path to a scenario ``.toml``, or a Scenario.
    overrides : model constants to set, by Vensim or Python name (as ``snowball run --set``).
    baseline : a vintage (see :func:`vintages`) that replaces the scenario's own.
    until : the last fiscal year.
    monthly : model variables to return at every step as ``RunResult.monthly``.
    paths : input-table paths (as ``snowball run --path``): a text such as
        ``"ten-year=5.5 from 2027"`` or a list of them; a dict of table -> ``{year: value}``
        (levels) or table -> ``"+1 2027-2030"``; or a DataFrame with columns ``table``,
        ``fiscal_year`` and ``value``. Tables by the names ``snowball tables`` lists.
    calibration : the supply-effect set (``low``, ``central`` or ``high``), as ``--calibration``.

    Returns
    -------
    RunResult with ``results`` (a DataFrame indexed by fiscal year; columns in
    ``runners.core.columns.COLUMNS`` with their units), ``milestones``, ``manifest()`` and
    ``plot()``.

    >>> mine = api.run("baseline", overrides={"growth shift": -0.5}, paths="ten-year=5.5 from 2027")
    >>> float(round(mine.results.loc[2035, "debt_to_gdp"], 1))
    132.6
    """
    check_environment()
    return _run.run(
        _scenario(scenario),
        until=until,
        overrides=overrides,
        baseline=baseline,
        monthly=monthly,
        paths=paths,
        calibration=calibration,
    )


def compare(
    scenarios: list[ScenarioRef],
    overrides: dict[str, float] | None = None,
    baseline: str | None = None,
    until: int = DEFAULT_UNTIL,
    paths: object = None,
    calibration: str = "central",
) -> pd.DataFrame:
    """Headline numbers of several scenarios side by side (as ``snowball compare``).

    Rows are metrics, columns the scenarios, then ``"NAME - FIRST"`` differences from the first.
    ``overrides`` and ``paths`` (as :func:`run`'s) apply to every scenario.

    >>> api.compare(["baseline", "japan-selloff"]).loc["Debt, % of GDP, FY2035"]  # doctest: +SKIP
    """
    from runners.analysis.compare import compare_table

    check_environment()
    if isinstance(scenarios, str | Path | Scenario) or not scenarios:
        raise SnowballError("compare: give a list of one or more scenarios")
    return compare_table(_each(scenarios, overrides, baseline, until, paths, calibration))


def sweep(
    spec: str | Path,
    baseline: str | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    force: bool = False,
    resume: bool = False,
    progress: bool = False,
    draws: int | None = None,
    seed: int | None = None,
    calibration: str = "central",
    scenario: ScenarioRef | None = None,
    overrides: dict[str, float] | None = None,
    paths: object = None,
    thresholds: list[str] | None = None,
):
    """Run a sweep spec (a built-in name such as ``"monte-carlo"`` or a path) and write its outputs.

    Outputs go to ``out`` (default ``reports/sweeps/NAME/``) under the CLI's rules: an existing
    folder is replaced only when Snowball wrote everything in it, and when one of those files was
    edited since only if ``force`` is set. ``draws`` and ``seed`` replace the spec's (``--draws``,
    ``--seed``), ``calibration`` names the supply-effect set (``--calibration``); ``scenario``
    replaces the spec's base scenario (``--scenario``: a name or a file) and ``overrides`` and
    ``paths`` change it (``--set``, ``--path``; as :func:`run`'s); ``thresholds`` (``--threshold``,
    e.g. ``["debt_to_gdp > 150 by 2055"]``) are answered in ``.probabilities`` and
    probabilities.csv (any other later with ``.probability(text)``). Returns a
    SweepResult with ``summary``, ``sensitivity`` and ``calibration`` DataFrames and the output
    folder ``out``.

    >>> result = api.sweep("monte-carlo", draws=2000, thresholds=["debt_to_gdp > 150 by 2055"])
    >>> result.probabilities[["threshold", "probability_pct", "standard_error_pp"]]  # doctest: +SKIP
    """
    import dataclasses

    from runners.report.sweep_drawing import SWEEP_CHARTS
    from runners.sweep.probability import with_thresholds
    from runners.sweep.progress import AutoProgress
    from runners.sweep.runner import run_sweep
    from runners.sweep.spec import load_spec, spec_overrides

    check_environment()
    named = str(scenario) if isinstance(scenario, str | Path) else None
    loaded = load_spec(
        spec, baseline=baseline, calibration=calibration, overrides=spec_overrides(draws, seed, named)
    )
    if isinstance(scenario, Scenario):
        base = rebase(check_scenario(scenario), baseline)
        loaded = dataclasses.replace(loaded, scenario=supply_effects.apply(base, calibration))
    if overrides or paths is not None:
        loaded = dataclasses.replace(loaded, scenario=with_changes(loaded.scenario, overrides, paths))
    loaded = with_thresholds(loaded, thresholds, "thresholds")
    return run_sweep(
        loaded,
        out=Path(out) if out is not None else None,
        workers=workers,
        resume=resume,
        force=force,
        show_progress=progress,
        progress=AutoProgress(0, f"sweep {loaded.name}") if progress else None,
        drawer=SWEEP_CHARTS,
    )


def scenarios() -> pd.DataFrame:
    """The built-in scenarios: name (index), title, baseline vintage and file.

    >>> api.scenarios().loc["japan-selloff", "baseline"]
    'cbo-2026-02'
    """
    from runners.scenario.scenarios import builtin_names

    rows = []
    for name in builtin_names():
        s = load_scenario(name)
        rows.append({"name": name, "title": s.title, "baseline": s.baseline, "path": str(s.path)})
    return pd.DataFrame(rows, columns=["name", "title", "baseline", "path"]).set_index("name")


def parameters(baseline: str | None = None) -> pd.DataFrame:
    """Settable constants (as ``snowball parameters``): default, unit, range, source, description.

    >>> float(api.parameters().loc["japan sale start year", "default"])
    2026.0
    """
    from runners.report.listings import parameter_table

    return parameter_table(baseline).set_index("name")


def tables(baseline: str | None = None) -> pd.DataFrame:
    """Input tables a scenario may override (as ``snowball tables``): the names ``paths=`` and
    ``--path`` take.

    >>> "ten year yield table" in api.tables().index
    True
    """
    from runners.report.listings import input_table_table

    return input_table_table(baseline).set_index("name")


def vintages() -> pd.DataFrame:
    """The baseline vintages (as ``snowball vintages``), with a ``default`` column.

    ``start`` is the date of the initial state (ISO, the end of a fiscal year); ``first_year``
    the first fiscal year a run reports (as in ``tables()``), the year after it.

    >>> int(api.vintages().loc["cbo-2026-02", "first_year"])
    2026
    """
    from runners.inputs.vintage import DEFAULT_VINTAGE, available_vintages, vintage_meta

    rows = []
    for name in available_vintages():
        meta = vintage_meta(name)
        rows.append(
            {
                "vintage": name,
                "title": meta["title"],
                "published": str(meta.get("published", "")),
                "start": f"{int(meta['first_year'])}-09-30",
                "first_year": int(meta["first_year"]) + 1,
                "last_projection_year": int(meta["last_projection_year"]),
                "default": name == DEFAULT_VINTAGE,
            }
        )
    return pd.DataFrame(rows).set_index("vintage")


def milestones(
    scenarios: list[ScenarioRef],
    overrides: dict[str, float] | None = None,
    baseline: str | None = None,
    until: int = DEFAULT_UNTIL,
    paths: object = None,
    calibration: str = "central",
) -> pd.DataFrame:
    """The milestone years of each scenario as integers (pandas ``Int64``; ``<NA>``: not reached by
    ``until``), one row per scenario: the years ``snowball run`` prints ("FY2041", "not by FY2055").

    >>> int(api.milestones(["baseline", "japan-selloff"]).loc["baseline", "interest_exceeds_medicare"])
    2028
    """
    check_environment()
    rows = {
        r.scenario.name: r.milestones
        for r in _each(scenarios, overrides, baseline, until, paths, calibration)
    }
    frame = pd.DataFrame.from_dict(rows, orient="index").astype("Int64")
    frame.index.name = "scenario"
    return frame


def gap(
    scenario: ScenarioRef = "baseline",
    by: int = 2055,
    target: float | None = None,
    stabilise: bool = False,
    start: int | None = None,
    until: int | None = None,
    instrument: str = "both",
    phase_in: float = 0.0,
    baseline: str | None = None,
    overrides: dict[str, float] | None = None,
    paths: object = None,
    probability: float | None = None,
    sweep: str | Path | None = None,
    workers: int = 1,
    calibration: str = "central",
):
    """What it would take (as ``snowball gap``): the constant primary-balance adjustment, % of GDP
    a year from ``start``, that brings debt/GDP to ``target`` by ``by`` (or, ``stabilise``, keeps it
    from rising after ``by``); with ``probability`` and a Monte Carlo ``sweep``, the adjustment that
    meets the goal in that share of its draws; ``calibration`` names the supply-effect set
    (``--calibration``). Returns a GapResult (``.size``, ``.first_year_bn``,
    ``.adjusted`` and ``.baseline`` runs).

    >>> api.gap(target=100, by=2055).size  # doctest: +SKIP
    """
    from runners.analysis import gap as gapmod
    from runners.sweep.spec import load_spec

    check_environment()
    if stabilise == (target is not None):
        raise SnowballError("gap: give target= (debt/GDP to reach, % of GDP) or stabilise=True, not both")
    s = with_changes(gapmod.with_baseline(_scenario(scenario), baseline), overrides, paths)
    q = gapmod.question(
        s,
        by,
        target=target,
        start=start,
        until=until,
        instrument=instrument,
        phase_in=phase_in,
        calibration=calibration,
    )
    spec = load_spec(sweep) if sweep is not None else None
    return gapmod.gap(q, probability, spec, workers)


def backtest(start: int, until: int | None = None):
    """The model over history from FY``start`` (as ``snowball backtest``), against actual net
    interest and debt; returns a Backtest (``.table``: model and actual by fiscal year).

    >>> api.backtest(2015).table.loc[2019]  # doctest: +SKIP
    """
    from runners.analysis.backtest import backtest as run_backtest

    check_environment()
    return run_backtest(start, until)


def brief(
    scenarios: list[str] | None = None,
    out: str | Path | None = None,
    until: int = DEFAULT_UNTIL,
    sweeps: list[str] | None = None,
    baseline: str | None = None,
    calibration: str = "central",
    force: bool = False,
    overrides: dict[str, float] | None = None,
    paths: object = None,
) -> Path:
    """Write the briefing pack (as ``snowball brief``) to ``out`` (default ``reports/briefing/``)
    under the CLI's rules for output folders; returns its path. ``overrides`` and ``paths``
    (``--set``, ``--path``) change every briefed scenario.

    >>> api.brief(["baseline", "japan-selloff"], out="reports/my-brief")  # doctest: +SKIP
    """
    from runners.core.outputs import check_target
    from runners.core.paths import REPORTS
    from runners.report.brief import write_brief

    check_environment()
    folder = Path(out) if out is not None else REPORTS / "briefing"
    check_target(folder, force)
    return write_brief(
        scenarios,
        folder,
        until=until,
        sweeps=sweeps,
        baseline=baseline,
        calibration=calibration,
        force=force,
        overrides=overrides,
        paths=paths,
    )
