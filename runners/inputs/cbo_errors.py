"""CBO's historical projection errors of debt/GDP, and the sweep's comparison with them.

``python -m runners.inputs.cbo_errors derive DIR`` reads CBO's baselines since 1984 and the actuals
(``../shared/reference/cbo_eval/``: data only, not committed) and writes the statistics derived
from them to ``data/uncertainty/cbo_debt_errors.csv`` with their provenance. A Monte Carlo sweep
with ``compare_with_cbo = true`` puts its own spread of debt/GDP five and ten years out beside
CBO's (``calibration.csv`` and the fan chart).

Method: for each spring baseline (one a year, 1984-2020), the error h years out is
(actual debt held by the public - projected) / actual GDP x 100, in percentage points of GDP,
for the fiscal year h years after the baseline's first year (h = projected year number - 1, so
the January 2025 baseline's FY2030 is h = 5). The projections give no GDP, so the error is the
debt error scaled by actual GDP (CBO's own practice for deficit errors).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from runners.core.errors import SnowballError
from runners.core.paths import data_dir

HORIZONS = (5, 10)
SOURCE = (
    "CBO, 'An Evaluation of CBO's Projections of Deficits and Debt' data: baseline projections "
    "(1984-2026) and actual debt held by the public and GDP (cbo_eval_projections_*.csv)"
)
METHOD = (
    "spring baselines; error = (actual - projected debt held by the public) / actual GDP x 100 "
    "for the fiscal year h years after the baseline's first year"
)


def errors_path() -> Path:
    """data/uncertainty/cbo_debt_errors.csv."""
    return data_dir() / "uncertainty" / "cbo_debt_errors.csv"


def derive(source: Path) -> pd.DataFrame:
    """Statistics of CBO's debt/GDP projection errors at 5 and 10 years (pp of GDP)."""
    b = pd.read_csv(source / "cbo_eval_projections_baselines.csv")
    a = pd.read_csv(source / "cbo_eval_projections_actuals.csv")
    g = pd.read_csv(source / "cbo_eval_projections_actual_GDP.csv")
    debt = b[(b["component"] == "debt") & (b["category"] == "Total") & b["Spring_flag"].astype(bool)].copy()
    actual = a[(a["component"] == "debt") & (a["category"] == "Total")].set_index("fiscal_year")[
        "actual_value"
    ]
    gdp = g.set_index("fiscal_year")["GDP"]
    debt["h"] = debt["projected_year_number"] - 1
    debt["actual"] = debt["projected_fiscal_year"].map(actual)
    debt["gdp"] = debt["projected_fiscal_year"].map(gdp)
    debt = debt.dropna(subset=["actual", "gdp"])
    debt["error"] = (debt["actual"] - debt["value"]) / debt["gdp"] * 100
    rows = []
    for h in HORIZONS:
        e = debt.loc[debt["h"] == h, "error"].to_numpy()
        first, last = debt.loc[debt["h"] == h, "baseline_date"].agg(["min", "max"])
        p = dict(zip((5, 10, 50, 90, 95), np.percentile(e, [5, 10, 50, 90, 95]), strict=True))
        stats = {
            "n": len(e),
            "mean": e.mean(),
            "sd": e.std(ddof=1),
            "p5": p[5],
            "p10": p[10],
            "p50": p[50],
            "p90": p[90],
            "p95": p[95],
            "p10_to_p90": p[90] - p[10],
            "p5_to_p95": p[95] - p[5],
        }
        for stat, value in stats.items():
            rows.append(
                {
                    "horizon_years": h,
                    "statistic": stat,
                    "value": round(float(value), 4),
                    "unit": "baselines" if stat == "n" else "percentage points of GDP",
                    "baselines": f"{first[:7]} to {last[:7]}",
                    "source": SOURCE,
                    "method": METHOD,
                }
            )
    return pd.DataFrame(rows)


def load_errors() -> pd.DataFrame:
    """The committed statistics (horizon_years, statistic -> value)."""
    path = errors_path()
    if not path.is_file():
        raise SnowballError(
            f"{path}: missing; derive it with 'python -m runners.inputs.cbo_errors derive DIR'"
        )
    return pd.read_csv(path)


def comparison(the_plan, debt_in) -> pd.DataFrame:
    """CBO's error spread beside the sweep's spread of debt/GDP, 5 and 10 years out.

    ``debt_in(year)``: every run's debt/GDP in that fiscal year, failed runs as NaN. The sweep's
    first projected fiscal year is horizon 0 (as the January 2025 baseline's FY2025).
    """
    errors = load_errors().set_index(["horizon_years", "statistic"])["value"]
    first = the_plan.years[0]
    rows = []
    for h in HORIZONS:
        year = first + h
        if year not in the_plan.years:
            continue
        y = debt_in(year)
        y = y[np.isfinite(y)]
        p = dict(zip((5, 10, 50, 90, 95), np.percentile(y, [5, 10, 50, 90, 95]), strict=True))
        sim = {"sd": y.std(ddof=1), "p10_to_p90": p[90] - p[10], "p5_to_p95": p[95] - p[5]}
        for stat, value in sim.items():
            rows.append(
                {
                    "horizon_years": h,
                    "fiscal_year": year,
                    "statistic": stat,
                    "cbo": float(errors[(h, stat)]),
                    "snowball": float(value),
                    "unit": "percentage points of GDP",
                }
            )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    """``python -m runners.inputs.cbo_errors derive SOURCE_DIR``: writes
    data/uncertainty/cbo_debt_errors.csv."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) != 2 or argv[0] != "derive":
        print("usage: python -m runners.inputs.cbo_errors derive SOURCE_DIR", file=sys.stderr)
        return 2
    frame = derive(Path(argv[1]))
    path = errors_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    print(frame[["horizon_years", "statistic", "value"]].to_string(index=False))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
