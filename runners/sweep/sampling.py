"""The runs' inputs: every run's factor values by the spec's method (same seed, same values), and the
check that the paths keep every run's input tables within a scenario's ranges."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np

from runners.core.errors import SnowballError
from runners.sweep.spec import SweepSpec

MORRIS_LEVELS = 4
MORRIS_SPAN = (0.01, 0.99)  # Morris levels map to these quantiles (normal inputs stay finite)

PATH_CHECK_BLOCK = 20_000  # runs whose path tables are checked at once (memory stays flat)


def check_path_ranges(
    spec: SweepSpec, values: np.ndarray, tables: dict[str, tuple[np.ndarray, np.ndarray]], first: int
) -> None:
    """Every run's input tables, the base plus its paths, stay within the range a scenario may
    give them (scenario.TABLE_RANGES) in the fiscal years the runs read (after ``first``, up to
    ``until``), as scenario.check_combination requires of a scenario; otherwise a SnowballError
    naming the paths, the table, the first run and year out of range and what is allowed.

    ``values`` are the sampled factors (sample's order), ``tables`` the base tables on the annual
    grid; the paths are runners.sweep.work.path_values, exactly as the runs add them.
    """
    from runners.scenario.scenarios import TABLE_RANGES
    from runners.sweep.work import path_values

    targets = sorted({t for p in spec.paths for t in p.tables if t in TABLE_RANGES})
    factors = {f.name: values[:, i] for i, f in enumerate(spec.factors)}
    for name in targets:
        x, y = tables[name]
        read = (x > first) & (x <= spec.until)
        years, base = x[read], y[read]
        on = [p for p in spec.paths if name in p.tables]
        low, high, units = TABLE_RANGES[name]
        if within_bounds(on, factors, years, base, low, high, spec.seed):
            continue  # every run is (the bounds hold each run's table): no need to build them all
        for start in range(0, len(values), PATH_CHECK_BLOCK):
            block = values[start : start + PATH_CHECK_BLOCK]
            drawn = {f.name: block[:, i] for i, f in enumerate(spec.factors)}  # this block's runs
            ids = np.arange(start, start + len(block))
            total = base[None, :] + sum(path_values(p, drawn, years, ids, spec.seed) for p in on)
            bad = ~((total >= low) & (total <= high))  # NaN is out of range too
            if bad.any():
                run, j = np.argwhere(bad)[0]
                fields = ", ".join(f"paths[{p.index + 1}] ('{p.name}')" for p in on)
                raise SnowballError(
                    f"{spec.path}: field {fields}: run {start + run} puts '{name}' at "
                    f"{total[run, j]:g} in FY{int(years[j])}, out of range; allowed {low:g} to "
                    f"{high:g} ({units}); narrow the paths' parameters"
                )


MAGNITUDE = {"level-shift": "shift", "ramp": "level", "spike": "size"}  # the parameter a path scales by


def within_bounds(
    on: list,
    factors: dict[str, np.ndarray],
    years: np.ndarray,
    base: np.ndarray,
    low: float,
    high: float,
    seed: int,
) -> bool:
    """True when every run's table ``base`` + the paths ``on`` is surely within [low, high].

    A level shift, ramp or spike whose timing is the same in every run is its magnitude times a
    shape that is never negative, so in each year every run lies between base + the sum of each
    path's smallest magnitude times its shape and base + the sum of the largest (floating-point
    addition and multiplication by a shape >= 0 are monotone, and the bounds are summed in the
    runs' order, so they hold as the runs compute them). False when they may not
    (a random walk, a start or half-life drawn per run, or bounds beyond the range): the caller
    then checks every run.
    """
    from runners.sweep.work import path_values

    lower, upper = 0.0, 0.0  # the paths' sums, added up as the runs add them, then the base
    for p in on:
        size = MAGNITUDE.get(p.family)
        if size is None or any(k != size for k in p.factors):
            return False
        if size in p.factors:
            drawn = np.asarray(factors[p.factors[size]], dtype=float)
            smallest, largest = float(drawn.min()), float(drawn.max())
        else:
            smallest = largest = float(p.params[size])
        unit = dataclasses.replace(p, params=dict(p.params) | {size: 1.0}, factors={})
        shape = path_values(unit, {}, years, np.zeros(1, dtype=int), seed)[0]
        lower, upper = lower + smallest * shape, upper + largest * shape
    return bool(np.all((base + lower >= low) & (base + upper <= high)))


def sample(spec: SweepSpec) -> np.ndarray:
    """The factor values of every run (n_runs, k), in params.csv order; same seed, same values."""
    k = len(spec.factors)
    if spec.method == "grid":
        grids = [f.dist.grid() for f in spec.factors]
        return np.array(list(itertools.product(*grids)), dtype=float).reshape(-1, k)
    u = unit_sample(spec)
    if k == 0:
        return u
    return np.column_stack([f.dist.ppf(u[:, i]) for i, f in enumerate(spec.factors)])


def unit_sample(spec: SweepSpec) -> np.ndarray:
    """Quantiles in [0, 1) of every run's factors (the method's own design)."""
    k = len(spec.factors)
    if spec.method == "monte-carlo":
        return np.random.default_rng(spec.seed).random((spec.draws, k))
    if spec.method == "latin-hypercube":
        if k == 0:
            return np.empty((spec.draws, 0))
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=k, seed=np.random.default_rng(spec.seed)).random(spec.draws)
    if spec.method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(spec.problem(), spec.draws, calc_second_order=False, seed=spec.seed)
    if spec.method == "morris":
        from SALib.sample import morris

        u = morris.sample(spec.problem(), spec.draws, num_levels=MORRIS_LEVELS, seed=spec.seed)
        low, high = MORRIS_SPAN
        return low + (high - low) * u
    raise SnowballError(f"method '{spec.method}' has no unit sample")
