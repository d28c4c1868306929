"""The calibrated Monte Carlo as the briefing uses it (``data/sweeps/monte-carlo.toml``, run in
this process as ``snowball sweep`` runs it) and the briefing's headline years: the fan chart, the
tornado and the probabilities of debt/GDP above 150% and 200% of GDP."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from runners.report.render import odds

MONTE_CARLO = "monte-carlo"
THRESHOLDS = (150.0, 200.0)  # debt/GDP, % of GDP: the probabilities the brief reports
HORIZONS = (2035, 2055)


@dataclass(frozen=True)
class Uncertainty:
    """The calibrated Monte Carlo as the brief uses it."""

    spec: object
    n_runs: int
    summary: pd.DataFrame
    sensitivity: pd.DataFrame
    calibration: pd.DataFrame | None
    base: pd.Series
    probabilities: pd.DataFrame  # index: fiscal year; columns: threshold (% of GDP) -> probability %


def exceedance(
    values: np.ndarray, years: list[int], thresholds=THRESHOLDS, horizons=HORIZONS
) -> pd.DataFrame:
    """Share of draws (%) with debt/GDP above each threshold in each horizon year.

    ``values`` is (runs, years) of debt/GDP; a draw whose path is not finite counts as above.
    """
    rows = {}
    for y in horizons:
        if y not in years:
            continue
        v = values[:, years.index(y)]
        rows[y] = {t: float(np.mean(np.where(np.isfinite(v), v > t, True)) * 100) for t in thresholds}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "fiscal_year"
    frame.columns = [f"prob_debt_over_{t:.0f}pct_of_gdp_pct" for t in frame.columns]  # percent of draws
    return frame


def monte_carlo(
    name: str = MONTE_CARLO, baseline: str | None = None, until: int | None = None
) -> Uncertainty:
    """Run the calibrated Monte Carlo in this process (seconds) and summarise it as
    `snowball sweep` does (sweep.computed); ``baseline`` names a vintage that replaces its
    scenario's. ``until``: the briefing's last year; the fan, the tornado and the probabilities
    stop there (at the briefing's headline years), as the briefing's other charts and tables do."""
    from runners.sweep import runner as sweep
    from runners.sweep.spec import load_spec

    spec = load_spec(name, baseline=baseline)
    the_plan = sweep.plan(spec)
    with sweep.computed(the_plan) as chunks:
        summary = sweep.summary_frame(the_plan, chunks)
        sensitivity = sweep.sensitivity_frame(the_plan, chunks)
        calibration = sweep.calibration_frame(the_plan, chunks)
        debt = chunks.gather(slice(None), the_plan.columns.index("debt_to_gdp"))
    base = sweep.base_run(the_plan)["debt_to_gdp"]
    years = list(the_plan.years)
    last = years[-1] if until is None else min(until, years[-1])
    probs = exceedance(debt, years, horizons=[y for y in briefing_years(last) if y in years])
    summary = summary[summary["fiscal_year"] <= last]
    sensitivity = sensitivity[sensitivity["fiscal_year"] <= last]
    base = base[base.index <= last]
    return Uncertainty(spec, the_plan.n_runs, summary, sensitivity, calibration, base, probs)


def exceed_lines(probs: pd.DataFrame) -> list[str]:
    """'P(debt > 150% of GDP): 12% in 2035, 48% in 2055' lines from :func:`exceedance`."""
    out = []
    for col in probs.columns:
        t = re.search(r"(\d+)pct", col).group(1)
        out.append(
            f"P(debt > {t}% of GDP): " + ", ".join(f"{odds(probs.at[y, col])} in {y}" for y in probs.index)
        )
    return out


def briefing_years(until: int) -> list[int]:
    """The headline years of a briefing that ends in FY ``until`` (see :func:`horizons`)."""
    years = [y for y in HORIZONS if y <= until]
    return years + [until] if until < HORIZONS[-1] and until not in years else years
