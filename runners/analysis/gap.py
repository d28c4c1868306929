"""What would it take? The fiscal gap: the primary-balance adjustment that brings debt/GDP to a goal.

The adjustment acts through the model: the ``.mdl``'s consolidation block (``consolidation size``
in % of GDP from ``consolidation start``, ramped in over ``consolidation phase in years``, a
``consolidation revenue share`` of it raising revenues and the rest cutting noninterest spending).
The size is found by a root-finder on the model itself, run by the vectorised engine compiled
from the ``.mdl``: a grid over the sane range (-5 to +15% of GDP) brackets the answer, then
Brent's method (``scipy.optimize.brentq``) pins it down; the feedback loops act as the scenario
sets them (lower debt lowers premia and interest). The answer is then run once more through pysd
(``results.csv``), which must land on the goal.

Goals: ``target`` (debt/GDP equals PCT in FY ``by``) or ``stabilise`` (debt/GDP in no fiscal year
after ``by``, up to ``until``, above its FY ``by`` level). The probabilistic answer is the size
at which at least a share P of a sweep's draws meet the goal (the EU-style stochastic criterion):
the P-th order statistic of each draw's miss is a continuous, decreasing function of the size,
and Brent's method finds its zero, each evaluation running every draw through the engine.

This module solves and returns data; :mod:`runners.report.gap` prints, draws and writes the
answer, and :mod:`runners.cli.gap` is the command.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from runners.core.errors import SnowballError
from runners.core.paths import recorded_path
from runners.inputs.vintage import LAST_YEAR, available_vintages
from runners.scenario.scenarios import Scenario, rebase

SANE_RANGE = (-5.0, 15.0)  # % of GDP: the adjustments searched (a loosening of 5 to a tightening of 15)
GRID_STEP = 0.5  # % of GDP between the bracketing grid's points
XTOL = 1e-6  # % of GDP: the deterministic answer's tolerance
PROB_XTOL = 1e-4  # % of GDP: the probabilistic answer's tolerance (each evaluation runs every draw)
LANDING_TOLERANCE = 0.05  # pp of GDP: the pysd run must land this close to the goal
MISSED = 1e6  # a draw whose path is not finite misses the goal by this much (pp)
INSTRUMENTS = {"revenue": 1.0, "spending": 0.0, "both": 0.5}  # -> consolidation revenue share
INSTRUMENT_WORDS = {
    "revenue": "all from higher revenues",
    "spending": "all from lower noninterest spending",
    "both": "half from higher revenues, half from lower noninterest spending",
}
CONSOLIDATION = (
    "consolidation size",
    "consolidation start",
    "consolidation phase in years",
    "consolidation revenue share",
)
DEFAULT_BY_HORIZON = 2055  # the runs (and charts) reach at least this fiscal year


class GapUnreachable(SnowballError):
    """No adjustment within the sane range meets the goal."""


# ---------------------------------------------------------------------------------- the question


@dataclass(frozen=True)
class GapQuestion:
    """A validated question: the scenario, the goal and how the adjustment is made.

    ``target`` is debt/GDP (% of GDP) in FY ``by``; None means stabilise (debt/GDP after ``by``
    never above its FY ``by`` level, up to FY ``until``). ``start`` is the first adjusted fiscal
    year; ``phase_in`` the years of the linear ramp (0 = at once); ``first_year`` the fiscal
    year of the initial state (from the baseline data).
    """

    scenario: Scenario
    by: int
    target: float | None
    start: int
    until: int
    instrument: str
    phase_in: float
    first_year: int
    calibration: str = "central"  # the supply-effect set beneath the scenario's own constants

    @property
    def stabilise(self) -> bool:
        """True when the goal is to stop debt/GDP rising after ``by``."""
        return self.target is None

    @property
    def period(self) -> tuple[int, int]:
        """Fiscal years over which the adjustment is compared with revenues and spending."""
        return self.start, (self.until if self.stabilise else self.by)

    def goal(self) -> str:
        """The goal in words."""
        if self.stabilise:
            return f"debt/GDP no higher than in FY{self.by} in any year to FY{self.until}"
        return f"debt/GDP at {self.target:.1f}% in FY{self.by}"

    def how(self) -> str:
        """How the adjustment is made, in words."""
        ramp = (
            f"phased in linearly over {self.phase_in:g} years"
            if self.phase_in > 1
            else "in full from the first year"
        )
        return f"from FY{self.start}, {ramp}, {INSTRUMENT_WORDS[self.instrument]}"

    def constants(self, size: float | np.ndarray) -> dict[str, float | np.ndarray]:
        """The model constants (Vensim names) that make an adjustment of ``size`` % of GDP."""
        return {
            "consolidation size": size,
            "consolidation start": float(self.start),
            "consolidation phase in years": float(self.phase_in),
            "consolidation revenue share": INSTRUMENTS[self.instrument],
        }


def with_baseline(scenario: Scenario, vintage: str | None) -> Scenario:
    """``scenario`` on another baseline vintage (``--baseline``), checked against data/baselines/."""
    if vintage is None:
        return scenario
    known = available_vintages()
    if vintage not in known:
        raise SnowballError(f"--baseline: unknown vintage '{vintage}'; available: {', '.join(known)}")
    return rebase(scenario, vintage)


def question(
    scenario: Scenario,
    by: int,
    target: float | None = None,
    start: int | None = None,
    until: int | None = None,
    instrument: str = "both",
    phase_in: float = 0.0,
    calibration: str = "central",
) -> GapQuestion:
    """Check a question and fill in the defaults.

    ``start`` defaults to the first projected fiscal year; ``until`` (the end of the runs) to
    FY2055 or ``by`` if later (stabilise: FY2055 or ``by`` + 5 if later, at most 2100);
    ``calibration`` names the supply-effect set put beneath the scenario's own constants, as
    ``snowball run --calibration`` does (an unknown set is refused here).
    """
    from runners.projection.params import cached_inputs

    for name in CONSOLIDATION:
        if name in scenario.constants:
            raise SnowballError(
                f"scenario '{scenario.name}' sets '{name}'; snowball gap solves for the consolidation, "
                "so remove it from the scenario"
            )
    first = cached_inputs(scenario.baseline).first_year
    start = first + 1 if start is None else start
    if isinstance(start, bool) or not isinstance(start, int) or not first < start <= LAST_YEAR:
        raise SnowballError(f"--from must be a fiscal year from {first + 1} to {LAST_YEAR}, got {start}")
    if isinstance(by, bool) or not isinstance(by, int) or not start <= by <= LAST_YEAR:
        raise SnowballError(
            f"--by must be a fiscal year from the first adjusted year (FY{start}) to {LAST_YEAR}, got {by}"
        )
    if target is not None and not (math.isfinite(target) and 0 < target <= 300):
        raise SnowballError(
            "--target must be a debt/GDP ratio above 0 and at most 300 (% of GDP; debt paid off "
            f"exactly, 0, is never reached: the runs stop when the debt would go negative), got {target:g}"
        )
    if instrument not in INSTRUMENTS:
        raise SnowballError(f"--instrument must be one of {', '.join(INSTRUMENTS)}, got '{instrument}'")
    if not (math.isfinite(phase_in) and 0 <= phase_in <= 50):
        raise SnowballError(f"--phase-in must be from 0 to 50 years, got {phase_in:g}")
    if until is None:
        until = max(DEFAULT_BY_HORIZON, by + 5 if target is None else by)
        until = min(until, LAST_YEAR)
    if isinstance(until, bool) or not isinstance(until, int) or not by <= until <= LAST_YEAR:
        raise SnowballError(f"--until must be a fiscal year from --by (FY{by}) to {LAST_YEAR}, got {until}")
    if target is None and until == by:
        raise SnowballError(
            f"--stabilise needs --until after --by (FY{by}); it keeps debt/GDP from rising then"
        )
    from runners.scenario import supply_effects

    scenario = supply_effects.apply(scenario, calibration)
    return GapQuestion(scenario, by, target, start, until, instrument, float(phase_in), first, calibration)


def miss(q: GapQuestion, years: np.ndarray, debt: np.ndarray) -> np.ndarray:
    """How far each path misses the goal (pp of GDP; <= 0 meets it), from debt/GDP (years, n).

    Target: debt/GDP in FY ``by`` less the target. Stabilise: the highest debt/GDP after FY
    ``by`` (to ``until``) less its FY ``by`` level. Non-finite paths miss by ``MISSED``.
    """
    row = {int(y): i for i, y in enumerate(years)}
    at_by = debt[row[q.by]]
    if q.stabilise:
        after = debt[row[q.by] + 1 : row[q.until] + 1]
        out = after.max(axis=0) - at_by
    else:
        out = at_by - q.target
    return np.where(np.isfinite(out), out, MISSED)


# ------------------------------------------------------------------------- the model, vectorised


OUTPUTS = ("debt_to_gdp", "gdp", "revenues", "primary_outlays", "net_interest")


class ModelRuns:
    """The scenario through the vectorised engine, one run per adjustment size."""

    def __init__(self, q: GapQuestion, engine=None):
        """``engine``: an Engine to build the program from; by default the cached program (no pysd
        parse once the .mdl's program is cached, as for sweeps)."""
        from runners.core.fiscal_years import model_vars_for
        from runners.engine.program import cached_program
        from runners.sweep.runner import scenario_inputs

        self.q = q
        self.engine = engine
        record = tuple(dict.fromkeys([*model_vars_for(OUTPUTS), "consolidation"]))
        source = engine or cached_program(record)
        self.base = scenario_inputs(source, q.scenario)
        first = self.base.inputs.first_year
        if engine is None:
            self.program = dataclasses.replace(source, initial_time=first)
        else:
            self.program = engine.program(record, initial_time=first)

    def run(self, sizes: Sequence[float] | np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Fiscal years (first projected to ``until``) and each output (years, n) for ``sizes``.

        ``consolidation`` is the adjustment in force in each fiscal year ($bn; constant within a
        year, read at the year's first step, which is the previous year-end).
        """
        from runners.core.fiscal_years import fiscal_years

        sizes = np.asarray(sizes, dtype=float)
        n = len(sizes)
        constants = self.base.constants | self.q.constants(sizes if n > 1 else float(sizes[0]))
        times, raw = self.program.simulate(n, self.q.until, constants=constants, tables=self.base.tables)
        out = fiscal_years(raw, OUTPUTS)
        out["consolidation"] = raw["consolidation"][:-1]
        years = np.rint(times[1:]).astype(int)
        return years, out

    def miss(self, sizes: Sequence[float] | np.ndarray) -> np.ndarray:
        """How far each size misses the goal (pp of GDP)."""
        years, out = self.run(sizes)
        return miss(self.q, years, out["debt_to_gdp"])


class NotBracketed(Exception):
    """No size on the grid meets the goal, or the smallest already does: the one failure
    :func:`solve` turns into GapUnreachable (a ValueError might be anything, a failed import too)."""


def _bracket_and_solve(f, grid: np.ndarray, values: np.ndarray, xtol: float) -> float:
    """The smallest size on ``grid`` that meets the goal brackets the root; Brent's method finds it.

    Raises NotBracketed when there is no such size (or the grid's first already meets the goal).
    """
    from scipy.optimize import brentq

    ok = np.flatnonzero(values <= 0)
    if len(ok) == 0 or ok[0] == 0:
        raise NotBracketed
    i = int(ok[0])
    if values[i] == 0:
        return float(grid[i])
    return float(brentq(f, float(grid[i - 1]), float(grid[i]), xtol=xtol, rtol=4 * np.finfo(float).eps))


def _unreachable(q: GapQuestion, runs: ModelRuns, values: np.ndarray) -> GapUnreachable:
    low, high = SANE_RANGE
    years, out = runs.run([low, high])
    at = out["debt_to_gdp"][list(years).index(q.by)]
    if values[0] <= 0:
        what = (
            f"the goal ({q.goal()}) is met even with a loosening of {-low:g}% of GDP "
            f"(debt/GDP {at[0]:.1f}% in FY{q.by})"
        )
    else:
        what = (
            f"no adjustment from {low:g} to {high:g}% of GDP meets the goal ({q.goal()}): "
            f"even {high:g}% of GDP a year leaves debt/GDP at {at[1]:.1f}% in FY{q.by}"
        )
    return GapUnreachable(f"scenario '{q.scenario.name}': {what}; try a later --by or another target")


def solve(q: GapQuestion, runs: ModelRuns | None = None) -> float:
    """The adjustment (% of GDP, at full size) that meets the goal, on the vectorised model.

    Raises GapUnreachable when no size in SANE_RANGE meets it (or the smallest already does).
    """
    runs = runs or ModelRuns(q)
    low, high = SANE_RANGE
    grid = np.linspace(low, high, int(round((high - low) / GRID_STEP)) + 1)
    values = runs.miss(grid)
    try:
        return _bracket_and_solve(lambda x: float(runs.miss([x])[0]), grid, values, XTOL)
    except NotBracketed:
        raise _unreachable(q, runs, values) from None


# ----------------------------------------------------------------------------- probabilistic


@dataclass(frozen=True)
class Probabilistic:
    """The probabilistic answer: the size at which a share ``probability`` of draws meet the goal."""

    probability: float
    spec: str
    spec_sha256: str
    draws: int
    seed: int | None  # the spec's seed, which fixes the draws
    spec_file: str | None  # as manifests record a path (paths.recorded_path)
    size: float
    share_met: float  # share of draws meeting the goal at ``size``
    share_met_deterministic: float  # ... at the deterministic answer
    evaluations: int
    seconds: float


class DrawRuns:
    """Every draw of a sweep spec applied to the question's scenario, for one size at a time."""

    def __init__(self, q: GapQuestion, spec, workers: int = 1, engine=None):
        from runners.sweep.runner import plan

        for name in CONSOLIDATION:
            if name in spec.constants or any(f.constant == name for f in spec.factors):
                raise SnowballError(f"{spec.path}: the sweep sets '{name}', which snowball gap solves for")
        if workers < 1:
            raise SnowballError(f"--workers must be at least 1, got {workers}")
        self.q, self.workers = q, workers
        spec = dataclasses.replace(
            spec,
            scenario=q.scenario,
            until=q.until,
            keep_variables=("debt_to_gdp",),
            keep_years=(q.by,),
            sensitivity_variables=("debt_to_gdp",),
            sensitivity_years=(q.by,),
            compare_with_cbo=False,
        )
        self.plan = plan(spec, engine)  # engine None: the cached program, as a sweep
        self.column = self.plan.columns.index("debt_to_gdp")
        self.years = np.array(self.plan.years)
        self.jobs = [self.plan.job(i) for i in range(len(self.plan.chunks))]
        self.evaluations = 0
        self._pool = None

    def __enter__(self) -> DrawRuns:
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.close(failed=exc[0] is not None)
            self._pool = None

    def miss(self, size: float) -> np.ndarray:
        """Each draw's miss (pp of GDP) with an adjustment of ``size`` % of GDP."""
        from runners.sweep.work import run_chunk

        extra = self.q.constants(float(size))
        jobs = [dataclasses.replace(j, constants=j.constants | extra) for j in self.jobs]
        if self.workers > 1 and len(jobs) > 1:
            if self._pool is None:  # the sweep's workers: they die with this process (watch_parent)
                from runners.sweep.runner import Pool

                self._pool = Pool(min(self.workers, len(jobs)))
            blocks = list(self._pool.executor().map(run_chunk, jobs))
        else:
            blocks = [run_chunk(j) for j in jobs]
        self.evaluations += 1
        debt = np.concatenate([b[:, :, self.column] for b in blocks]).T  # (years, draws)
        return miss(self.q, self.years, debt)


def order_statistic(values: np.ndarray, probability: float) -> float:
    """The k-th smallest value, k = ceil(P n): the goal is met in at least P of draws iff it is <= 0."""
    k = max(1, math.ceil(probability * len(values) - 1e-9))
    return float(np.partition(values, k - 1)[k - 1])


def check_probability(probability: float) -> float:
    """P strictly between 0 and 1."""
    if not (math.isfinite(probability) and 0 < probability < 1):
        raise SnowballError(f"--probability must be strictly between 0 and 1 (e.g. 0.9), got {probability:g}")
    return float(probability)


def solve_probabilistic(
    q: GapQuestion, spec, probability: float, deterministic: float, workers: int = 1, engine=None
) -> Probabilistic:
    """The smallest adjustment with which at least ``probability`` of the spec's draws meet the goal.

    Starts from the deterministic answer, steps out (0.5, 1, 2, 4... % of GDP) until the goal's
    order statistic changes sign, then Brent's method on it.
    """
    from scipy.optimize import brentq

    check_probability(probability)
    began = time.perf_counter()
    low, high = SANE_RANGE
    with DrawRuns(q, spec, workers, engine) as draws:
        cache: dict[float, np.ndarray] = {}

        def g(x: float) -> float:
            if x not in cache:
                cache[x] = draws.miss(x)
            return order_statistic(cache[x], probability)

        x0 = min(max(deterministic, low), high)
        g0 = g(x0)
        share_det = float(np.mean(cache[x0] <= 0))
        step, a, b = GRID_STEP, x0, x0
        direction = 1.0 if g0 > 0 else -1.0
        while True:
            nxt = min(max(x0 + direction * step, low), high)
            gn = g(nxt)
            if (gn <= 0) if direction > 0 else (gn > 0):
                a, b = (b, nxt) if direction > 0 else (nxt, a)
                break
            if nxt in (low, high):
                at = order_statistic(cache[nxt], probability)
                what = (
                    f"no adjustment from {low:g} to {high:g}% of GDP meets the goal ({q.goal()})"
                    if direction > 0
                    else f"the goal ({q.goal()}) is met even with a loosening of {-low:g}% of GDP"
                )
                raise GapUnreachable(
                    f"scenario '{q.scenario.name}': {what} in {probability * 100:g}% of the "
                    f"{draws.plan.n_runs:,} draws of '{spec.name}' (at {nxt:g}% of GDP the "
                    f"{probability * 100:g}% order statistic of the draws' miss is {at:.1f} pp)"
                )
            a = b = nxt
            step *= 2
        # a: misses (g > 0); b: meets (g <= 0)
        size = b if g(b) == 0 else float(brentq(g, a, b, xtol=PROB_XTOL))
        if g(size) > 0:  # Brent's point is within PROB_XTOL of the root, maybe on its far side
            size = min(size + PROB_XTOL, b)
        share = (
            float(np.mean(draws.miss(size) <= 0)) if size not in cache else float(np.mean(cache[size] <= 0))
        )
        return Probabilistic(
            probability=probability,
            spec=spec.name,
            spec_sha256=spec.sha256,
            draws=draws.plan.n_runs,
            seed=spec.seed,
            spec_file=recorded_path(spec.path) if spec.path is not None else None,
            size=size,
            share_met=share,
            share_met_deterministic=share_det,
            evaluations=draws.evaluations,
            seconds=time.perf_counter() - began,
        )


# ----------------------------------------------------------------------------- the full answer


@dataclass(frozen=True)
class GapResult:
    """The answer: the size, what it means, the adjusted and baseline runs (pysd)."""

    question: GapQuestion
    size: float  # % of GDP once phased in
    first_year_bn: float  # $bn of adjustment in the first adjusted year
    first_year_pct: float  # % of GDP in the first adjusted year (size / ramp years when phased)
    revenue_rise_pct: float  # the period's adjustment as a % of the period's baseline revenues
    spending_cut_pct: float  # ... as a % of the period's baseline noninterest (primary) outlays
    baseline: object  # runners.projection.run.RunResult without the adjustment
    adjusted: object  # runners.projection.run.RunResult with it
    consolidation: pd.Series  # $bn by fiscal year (the model's own variable)
    probabilistic: Probabilistic | None
    seconds: float

    @property
    def landed(self) -> float:
        """The pysd run's miss (pp of GDP; 0 = exactly on the goal)."""
        r = self.adjusted.results["debt_to_gdp"]
        years = r.index.to_numpy()
        return float(miss(self.question, years, r.to_numpy()[:, None])[0])


def meaning(q: GapQuestion, years: np.ndarray, out: dict[str, np.ndarray], base: dict[str, np.ndarray]):
    """(first-year $bn, first-year % of GDP, % rise in revenues, % cut in noninterest spending).

    The percentages compare the adjustment summed over the period (FY ``start`` to ``by``, or to
    ``until`` when stabilising) with the same years' revenues and primary outlays without it,
    as CBO states its fiscal gap ("a 20% increase in revenues or a 17% cut in noninterest
    spending").
    """
    row = {int(y): i for i, y in enumerate(years)}
    first, last = q.period
    rows = slice(row[first], row[last] + 1)
    cons = out["consolidation"][:, 0]
    total = cons[rows].sum()
    first_bn = float(cons[row[first]])
    first_pct = first_bn / float(out["gdp"][row[first], 0]) * 100
    revenue = total / base["revenues"][rows, 0].sum() * 100
    spending = total / base["primary_outlays"][rows, 0].sum() * 100
    return first_bn, first_pct, float(revenue), float(spending)


def gap(
    q: GapQuestion,
    probability: float | None = None,
    spec=None,
    workers: int = 1,
) -> GapResult:
    """Solve the question on the vectorised model, then run the answer through pysd."""
    from runners.projection import run as runmod

    began = time.perf_counter()
    if (probability is None) != (spec is None):
        raise SnowballError("--probability and --sweep go together: give both or neither")
    if probability is not None:
        check_probability(probability)
    runs = ModelRuns(q)
    size = solve(q, runs)
    years, out = runs.run([size])
    _, base = runs.run([0.0])
    first_bn, first_pct, revenue, spending = meaning(q, years, out, base)
    baseline = runmod.run(q.scenario, until=q.until, calibration=q.calibration)
    try:
        adjusted = runmod.run(
            q.scenario, until=q.until, overrides=q.constants(size), calibration=q.calibration
        )
    except SnowballError as exc:  # e.g. the adjustment, kept up, pays the debt off before --until
        why = str(exc).removesuffix("; check the scenario's values")
        raise SnowballError(
            f"the adjustment that meets the goal ({q.goal()}), {size:.2f}% of GDP a year from "
            f"FY{q.start}, cannot be kept up to FY{q.until}: {why}; stop the runs earlier with "
            "--until, or choose a later --by or another target"
        ) from None
    cons = pd.Series(
        out["consolidation"][:, 0], index=pd.Index(years, name="fiscal_year"), name="consolidation"
    )
    prob = (
        solve_probabilistic(q, spec, probability, size, workers, runs.engine)
        if probability is not None
        else None
    )
    result = GapResult(
        q, size, first_bn, first_pct, revenue, spending, baseline, adjusted, cons, prob,
        time.perf_counter() - began,
    )  # fmt: skip
    if abs(result.landed) > LANDING_TOLERANCE and not (q.stabilise and result.landed < 0):
        raise SnowballError(
            f"the pysd run with {size:.4f}% of GDP misses the goal by {result.landed:.3f} pp "
            "(the engine and pysd disagree; run the tests)"
        )
    return result


# ------------------------------------------------------------------------------ tables and text


def gap_table(result: GapResult) -> pd.DataFrame:
    """gap.csv: one row per answer (deterministic, and probabilistic when asked)."""
    q = result.question
    share = INSTRUMENTS[q.instrument]
    r = result.adjusted.results["debt_to_gdp"]
    b = result.baseline.results["debt_to_gdp"]
    common = {
        "scenario": q.scenario.name,
        "baseline_data": q.scenario.baseline,
        "goal": "stabilise" if q.stabilise else "target",
        "target_pct_gdp": np.nan if q.stabilise else q.target,
        "by": q.by,
        "from": q.start,
        "until": q.until,
        "phase_in_years": q.phase_in,
        "instrument": q.instrument,
        "revenue_share_pct": share * 100,  # percent, as every rate in a user's files
        "debt_to_gdp_by_without": float(b.loc[q.by]),
    }
    rows = [
        common
        | {
            "answer": "deterministic",
            "probability_pct": np.nan,
            "draws": np.nan,
            "share_of_draws_met_pct": np.nan,
            "share_of_draws_met_low_pct": np.nan,
            "share_of_draws_met_high_pct": np.nan,
            "adjustment_pct_gdp": result.size,
            "first_year_bn": result.first_year_bn,
            "first_year_pct_gdp": result.first_year_pct,
            "revenue_rise_pct": result.revenue_rise_pct,
            "spending_cut_pct": result.spending_cut_pct,
            "debt_to_gdp_by_with": float(r.loc[q.by]),
        }
    ]
    p = result.probabilistic
    if p is not None:
        scale = p.size / result.size if result.size else np.nan
        rows.append(
            common
            | {
                "answer": f"probabilistic ({p.spec})",
                "probability_pct": p.probability * 100,
                "draws": p.draws,
                "share_of_draws_met_pct": p.share_met * 100,
                **interval_columns(p),
                "adjustment_pct_gdp": p.size,
                "first_year_bn": result.first_year_bn * scale,
                "first_year_pct_gdp": result.first_year_pct * scale,
                "revenue_rise_pct": result.revenue_rise_pct * scale,
                "spending_cut_pct": result.spending_cut_pct * scale,
                "debt_to_gdp_by_with": np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("answer")


def wilson_of(p: Probabilistic) -> tuple[float, float]:
    """Wilson's 95% interval for the share of draws meeting the goal (its Monte Carlo precision)."""
    from runners.sweep.runner import wilson

    return wilson(round(p.share_met * p.draws), p.draws)


def interval_columns(p: Probabilistic) -> dict[str, float]:
    """gap.csv's columns for the share's 95% interval, in percent."""
    low, high = wilson_of(p)
    return {"share_of_draws_met_low_pct": low * 100, "share_of_draws_met_high_pct": high * 100}


def path_table(result: GapResult) -> pd.DataFrame:
    """Debt/GDP and net interest by fiscal year, without and with the adjustment, and the adjustment."""
    b, a = result.baseline.results, result.adjusted.results
    return pd.DataFrame(
        {
            "debt_to_gdp_without": b["debt_to_gdp"],
            "debt_to_gdp_with": a["debt_to_gdp"],
            "net_interest_without": b["net_interest"],
            "net_interest_with": a["net_interest"],
            "net_interest_to_gdp_with": a["net_interest_to_gdp"],
            "adjustment_bn": result.consolidation.reindex(a.index),
            "adjustment_pct_gdp": result.consolidation.reindex(a.index) / a["gdp"] * 100,
        }
    )


# --------------------------------------------------------------------- the briefing's table


def current_debt_to_gdp(q: GapQuestion) -> float:
    """Debt/GDP (%) at the initial state: the baseline data's last actual year."""
    from runners.projection.params import cached_inputs

    c = cached_inputs(q.scenario.baseline).constants
    return c["initial debt held by the public"] / c["initial fiscal year GDP"] * 100


def published_debt_to_gdp(q: GapQuestion) -> float:
    """Debt/GDP (%) at the initial state as CBO publishes it: the vintage's own ``debt_to_gdp``
    for its last actual year (CBO divides by the budget's fiscal-year GDP, which for FY2025 is
    $30,362bn against the economic file's $30,330bn: 99.4% rather than 99.5%), else
    ``current_debt_to_gdp`` where the vintage gives no ratio. From FY2026 the two GDPs agree, so
    the model's debt/GDP in a goal year is on the same measure."""
    from runners.projection.params import cached_inputs

    cbo = cached_inputs(q.scenario.baseline).cbo
    if (
        "debt_to_gdp" in cbo.columns
        and q.first_year in cbo.index
        and pd.notna(cbo.at[q.first_year, "debt_to_gdp"])
    ):
        return float(cbo.at[q.first_year, "debt_to_gdp"])
    return current_debt_to_gdp(q)


def with_switches(scenario: Scenario, switches: Mapping[str, float] | None) -> Scenario:
    """``scenario`` with ``switches`` (Vensim constants) set on top of its own constants."""
    if not switches:
        return scenario
    return dataclasses.replace(scenario, constants=dict(scenario.constants) | dict(switches))


def what_it_would_take(
    scenarios: Sequence[Scenario],
    by: int = 2055,
    return_to: float = 100.0,
    instrument: str = "both",
    engine=None,
    switches: Mapping[str, float] | None = None,
    published_level: bool = False,
) -> pd.DataFrame:
    """For each scenario, the adjustment from the first projected year that holds debt at its
    current share of GDP in FY ``by``, and the one that returns it to ``return_to`` % of GDP.

    One row per scenario and goal: debt/GDP in ``by`` without the adjustment, the adjustment (%
    of GDP, and $bn in its first year) and what it means as a % rise in revenues or a % cut in
    noninterest spending; NaN with a note where no adjustment from -5 to 15% of GDP reaches it.

    ``switches`` (e.g. ``{"debt premium switch": 1}``) are set on every scenario before solving, so
    that rows differ only by the scenario (the briefing solves the baseline under the sell-offs'
    market feedbacks); ``published_level`` holds debt at CBO's published current level
    (``published_debt_to_gdp``) instead of the model's initial debt over its initial GDP.
    """
    rows = []
    level = published_debt_to_gdp if published_level else current_debt_to_gdp
    for s in scenarios:
        s = with_switches(s, switches)
        q0 = question(s, by, target=100.0, instrument=instrument)
        current = level(q0)
        goals = (
            (f"hold at the FY{q0.first_year} level", round(current, 6)),
            (f"return to {return_to:g}%", float(return_to)),
        )
        for goal, target in goals:
            q = dataclasses.replace(q0, target=target, until=by)
            runs = ModelRuns(q, engine)
            years, base = runs.run([0.0])
            row = {
                "scenario": s.name,
                "title": s.title,
                "goal": goal,
                "target_pct_gdp": target,
                "by": by,
                "from": q.start,
                "debt_to_gdp_by_without": float(base["debt_to_gdp"][list(years).index(by), 0]),
            }
            try:
                size = solve(q, runs)
            except GapUnreachable as exc:
                rows.append(
                    row
                    | {
                        "adjustment_pct_gdp": np.nan,
                        "first_year_bn": np.nan,
                        "revenue_rise_pct": np.nan,
                        "spending_cut_pct": np.nan,
                        "note": str(exc).split(": ", 1)[-1],
                    }
                )
                continue
            _, out = runs.run([size])
            first_bn, _, revenue, spending = meaning(q, years, out, base)
            rows.append(
                row
                | {
                    "adjustment_pct_gdp": size,
                    "first_year_bn": first_bn,
                    "revenue_rise_pct": revenue,
                    "spending_cut_pct": spending,
                    "note": "",
                }
            )
    return pd.DataFrame(rows)


__all__ = [
    "GapQuestion",
    "GapResult",
    "GapUnreachable",
    "question",
    "solve",
    "solve_probabilistic",
    "gap",
    "what_it_would_take",
    "published_debt_to_gdp",
    "with_switches",
]
