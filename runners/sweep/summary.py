"""A sweep's summary (percentiles by variable and year), sensitivity (inputs ranked per target) and
comparison with CBO's projection errors, computed from the chunk files, on the pool when it pays.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from runners.sweep.planning import Plan
from runners.sweep.pool import Pool
from runners.sweep.sampling import MORRIS_LEVELS, MORRIS_SPAN, unit_sample
from runners.sweep.spec import SweepSpec
from runners.sweep.work import SensitivityJob, Stored, sensitivity_rows, summary_rows

MIN_RANK_DRAWS = 2  # draws (Sobol: base samples; grid: runs) below which no input is ranked
SUMMARY_VALUES = 4_000_000  # values per summary task (32 MB): years are split to stay below


def summary_frame(the_plan: Plan, chunks: Stored, pool: Pool | None = None) -> pd.DataFrame:
    """Percentiles 5-95, mean and sd by variable and fiscal year (finite runs only); one task per
    variable and block of years (at most SUMMARY_VALUES values each, and at least one task per
    worker process), on the pool when it runs."""
    return summary_later(the_plan, chunks, pool)()


def summary_later(the_plan: Plan, chunks: Stored, pool: Pool | None = None) -> Callable[[], pd.DataFrame]:
    """:func:`summary_frame`'s tasks handed to the pool now; the function returned waits for them."""
    n_years = len(the_plan.years)
    step = max(1, min(n_years, SUMMARY_VALUES // max(the_plan.n_runs, 1)))  # years per task
    if pool is not None and pool.client is None and pool.size > len(the_plan.columns):
        # a task for every worker: 16 workers and 5 variables of 31 years: 4 blocks of 8 years
        # (not on a Dask cluster, where each task also gathers its block from every chunk)
        blocks = -(-pool.size // len(the_plan.columns))
        step = min(step, -(-n_years // blocks))
    tasks = [
        (slice(j, j + step), k, col, the_plan.years[j : j + step])
        for k, col in enumerate(the_plan.columns)
        for j in range(0, n_years, step)
    ]
    parts = (pool or Pool()).submit_blocks(summary_rows, chunks, tasks)
    return lambda: pd.DataFrame([row for part in parts() for row in part])


def sensitivity_job(spec: SweepSpec, values: np.ndarray) -> SensitivityJob:
    """What the sensitivity tasks need of ``spec`` (``values``: the runs' factor values)."""
    names = tuple(f.name for f in spec.factors)
    if spec.method == "sobol":
        return SensitivityJob(spec.method, names, spec.seed, spec.problem())
    if spec.method == "morris":
        low, high = MORRIS_SPAN
        x = (unit_sample(spec) - low) / (high - low)
        return SensitivityJob(spec.method, names, spec.seed, spec.problem(), x, MORRIS_LEVELS)
    return SensitivityJob(spec.method, names, spec.seed, x=values)


def sensitivity_frame(the_plan: Plan, chunks: Stored, pool: Pool | None = None) -> pd.DataFrame:
    """Sensitivity of each target (variable, year) to each input, by the spec's method.

    Sobol: first-order and total indices with 95% confidence intervals (SALib, bootstrap).
    Morris: mu, mu* (with its 95% interval) and sigma, per unit of the input's quantile range.
    Other methods: Spearman rank correlation and the median of the output among the runs in the
    input's bottom and top deciles (the tornado's bars). One task per target, on the pool.
    """
    return sensitivity_later(the_plan, chunks, pool)()


def sensitivity_later(the_plan: Plan, chunks: Stored, pool: Pool | None = None) -> Callable[[], pd.DataFrame]:
    """:func:`sensitivity_frame`'s tasks handed to the pool now; the function returned waits for
    them and ranks the inputs."""
    spec = the_plan.spec
    targets = [(var, year) for var in spec.sensitivity_variables for year in spec.sensitivity_years]
    draws = the_plan.n_runs if spec.method == "grid" else spec.draws
    if draws < MIN_RANK_DRAWS:  # one draw ranks nothing: every input's swing is 0, its correlation none
        note = f"{draws} draw cannot rank the inputs (at least {MIN_RANK_DRAWS} needed)"
        rows = [
            {"variable": var, "fiscal_year": year, "method": spec.method, "input": f.name, "note": note}
            for var, year in targets
            for f in spec.factors
        ]
        return lambda: ranked(spec, pd.DataFrame(rows))
    job = sensitivity_job(spec, the_plan.values)
    # rank correlations and decile swings are input by input: with more worker processes than
    # targets, one task per target and input (the same rows, in the same order); Sobol and Morris
    # take all inputs. Not on a Dask cluster, where each task also gathers its column from every
    # chunk as tasks of their own
    jobs = [job]
    split = pool is not None and pool.client is None and pool.size > len(targets)
    if job.method not in ("sobol", "morris") and split:
        jobs = [job.only(i) for i in range(len(job.names))]
    tasks = [
        (the_plan.years.index(year), the_plan.columns.index(var), one, var, year)
        for var, year in targets
        for one in jobs
    ]
    parts = (pool or Pool()).submit_blocks(sensitivity_rows, chunks, tasks)
    return lambda: ranked(spec, pd.DataFrame([row for part in parts() for row in part]))


def ranked(spec: SweepSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """The sensitivity rows with each target's inputs ranked by the method's measure, and the
    target's unit (that of low, high and swing, and of Morris' mu, mu* and sigma; Spearman's rho
    and Sobol's indices have none)."""
    from runners.core.fiscal_years import BY_NAME

    if frame.empty:
        return pd.DataFrame(columns=["variable", "unit", "fiscal_year", "method", "input"])
    frame.insert(1, "unit", [BY_NAME[v].unit for v in frame["variable"]])
    rank_by = {"sobol": "ST", "morris": "mu_star"}.get(spec.method, "swing")
    if rank_by in frame:
        frame["rank"] = (
            frame.groupby(["variable", "fiscal_year"])[rank_by]
            .rank(ascending=False, method="first")
            .astype(int)
        )
        frame = frame.sort_values(["variable", "fiscal_year", "rank"], kind="stable")
    return frame.reset_index(drop=True)


def calibration_frame(the_plan: Plan, chunks: Stored) -> pd.DataFrame | None:
    """The spread of debt/GDP beside CBO's projection errors, when the spec asks for it."""
    from runners.inputs.cbo_errors import comparison

    if not the_plan.spec.compare_with_cbo:
        return None
    k = the_plan.columns.index("debt_to_gdp")
    return comparison(the_plan, lambda year: chunks.gather(the_plan.years.index(year), k))
