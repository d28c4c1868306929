"""The calibrated Monte Carlo as the briefing uses it (``data/sweeps/monte-carlo.toml``, run in
this process as ``snowball sweep`` runs it) and the briefing's headline years: the fan chart, the
tornado and the probabilities of debt/GDP above 150% and 200% of GDP. Two fans: current law
(``monte-carlo``: the spread of CBO's errors, centred on the baseline) and current law with policy
drift (``monte-carlo-drift``: the same draws plus a drift solved so that their mean error matches
the mean of CBO's recorded errors)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from runners.report.render import odds

MONTE_CARLO = "monte-carlo"
MONTE_CARLO_DRIFT = "monte-carlo-drift"  # the same draws plus CBO's historical error centre
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
    record: pd.DataFrame | None = None  # CBO's recorded errors beside the draws' (see :func:`record_check`)
    drift: bool = False  # the draws carry CBO's historical error centre (policy drift)

    @property
    def label(self) -> str:
        """What the fan is, as its chart and sentences name it."""
        return (
            "with policy drift (CBO's error centre and spread)"
            if self.drift
            else "current law (CBO's error spread only)"
        )

    def cbo_band(self) -> pd.DataFrame:
        """CBO's 10th-90th error range as the fan draws it (columns ``cbo_low``, ``cbo_high``;
        index: fiscal year): with drift, where CBO's record puts it (the base path plus CBO's 10th
        and 90th percentile errors, around base + its mean error); under current law, its width
        only, centred on the base path (the draws carry the spread of CBO's errors, not their
        centre)."""
        rows = {}
        for r in (self.record if self.record is not None else pd.DataFrame()).itertuples():
            y = float(self.base.at[r.fiscal_year])
            if self.drift:
                rows[r.fiscal_year] = {"cbo_low": y + r.cbo_p10, "cbo_high": y + r.cbo_p90}
            else:
                half = r.cbo_p10_to_p90 / 2
                rows[r.fiscal_year] = {"cbo_low": y - half, "cbo_high": y + half}
        out = pd.DataFrame.from_dict(rows, orient="index", columns=["cbo_low", "cbo_high"], dtype=float)
        out.index = out.index.astype(int)
        out.index.name = "fiscal_year"
        return out


def record_check(debt: np.ndarray, base: pd.Series, years: list[int]) -> pd.DataFrame | None:
    """CBO's recorded debt/GDP errors (mean, 10th and 90th percentiles, pp of GDP;
    data/uncertainty/cbo_debt_errors.csv) beside the draws' mean error (mean debt/GDP of the draws
    less the base path's) at each horizon of CBO's record (5 and 10 years after the first projected
    year, as runners.inputs.cbo_errors counts them); None where the sweep reaches none."""
    from runners.inputs.cbo_errors import load_errors

    errors = load_errors().set_index(["horizon_years", "statistic"])["value"]
    rows = []
    for h in sorted({int(h) for h, _ in errors.index}):
        year = years[0] + h
        if year not in years:
            continue
        v = debt[:, years.index(year)]
        rows.append(
            {
                "horizon_years": h,
                "fiscal_year": year,
                "cbo_mean": float(errors[(h, "mean")]),
                "cbo_p10": float(errors[(h, "p10")]),
                "cbo_p90": float(errors[(h, "p90")]),
                "cbo_p10_to_p90": float(errors[(h, "p10_to_p90")]),
                "snowball_mean": float(np.nanmean(v) - base.at[year]),
            }
        )
    return pd.DataFrame(rows) if rows else None


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
    name: str = MONTE_CARLO, baseline: str | None = None, until: int | None = None, drift: bool = False
) -> Uncertainty:
    """Run the calibrated Monte Carlo in this process (seconds) and summarise it as
    `snowball sweep` does (sweep.computed); ``baseline`` names a vintage that replaces its
    scenario's. ``until``: the briefing's last year; the fan, the tornado and the probabilities
    stop there (at the briefing's headline years), as the briefing's other charts and tables do.
    ``drift``: the spec carries CBO's historical error centre (``monte-carlo-drift``)."""
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
    record = record_check(debt, base, years) if spec.compare_with_cbo else None
    summary = summary[summary["fiscal_year"] <= last]
    sensitivity = sensitivity[sensitivity["fiscal_year"] <= last]
    base = base[base.index <= last]
    if record is not None:
        record = record[record["fiscal_year"] <= last]
    return Uncertainty(spec, the_plan.n_runs, summary, sensitivity, calibration, base, probs, record, drift)


def both_probabilities(current: Uncertainty, drift: Uncertainty | None) -> pd.DataFrame:
    """The current-law fan's probabilities (columns suffixed ``:current_law``) and the drift
    fan's beside them (``:with_policy_drift``) where run, for the briefing's table; its ``attrs``
    carry the years each horizon lies after the first projected year (``years_out``: fiscal year
    -> years) and the reach of CBO's record (``cbo_record_years``: its longest horizon), so that a
    year beyond the reach is marked extrapolated. Without drift: the current-law frame as is."""
    from runners.inputs.cbo_errors import load_errors

    out = current.probabilities.copy()
    if drift is not None:
        out = out.add_suffix(":current_law").join(drift.probabilities.add_suffix(":with_policy_drift"))
    first = int(current.summary["fiscal_year"].min())  # the first projected year: horizon 0
    out.attrs["years_out"] = {int(y): int(y) - first for y in out.index}
    out.attrs["cbo_record_years"] = int(load_errors()["horizon_years"].max())
    return out


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
