"""Sweep charts in three layers: ``*_data`` (pure frames) -> ``plot_*`` (given Axes) -> ``save_*``.

The fan chart shows percentile bands of debt/GDP and of net interest as a share of outlays with
the base scenario's own line; the tornado ranks the inputs for the first sensitivity target.
Units on every axis, a source note, byte-stable PNGs (no software or date metadata).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .registry import BY_NAME  # noqa: E402

STYLE = Path(__file__).with_name("snowball.mplstyle")
SOURCE = "Source: CBO (January 2025); Snowball sweep"
FAN = (
    ("debt_to_gdp", "Debt held by the public", "% of GDP"),
    ("net_interest_share_of_outlays", "Net interest share of outlays", "% of outlays"),
)


def fan_data(summary: pd.DataFrame, base: pd.DataFrame, variable: str) -> pd.DataFrame:
    """Percentile bands of ``variable`` by fiscal year, plus the base scenario ('base')."""
    rows = summary[summary["variable"] == variable].set_index("fiscal_year")
    data = rows[["p5", "p10", "p25", "p50", "p75", "p90", "p95"]].copy()
    data["base"] = base[variable].reindex(data.index)
    return data


def plot_fan(
    data: pd.DataFrame, ax, title: str, unit: str, calibration: pd.DataFrame | None = None
) -> Figure:
    """Bands 5-95, 10-90, 25-75, the median and the base scenario on ``ax``."""
    x = data.index.to_numpy()
    for lo, hi, alpha, label in (
        ("p5", "p95", 0.15, "5-95th percentile"),
        ("p10", "p90", 0.25, "10-90th"),
        ("p25", "p75", 0.4, "25-75th"),
    ):
        ax.fill_between(x, data[lo], data[hi], color="#0072B2", alpha=alpha, linewidth=0, label=label)
    ax.plot(x, data["p50"], color="#0072B2", label="Median")
    ax.plot(x, data["base"], color="#000000", linestyle="--", linewidth=1.2, label="Base scenario")
    if calibration is not None and not calibration.empty:
        sub = calibration[calibration["statistic"] == "p10_to_p90"]
        for _, r in sub.iterrows():
            y = float(data.loc[r["fiscal_year"], "p50"])
            ax.errorbar(r["fiscal_year"] + 0.4, y, yerr=r["cbo"] / 2, color="#D55E00", capsize=3, linewidth=1)
        if len(sub):
            ax.plot([], [], color="#D55E00", label="CBO's 10-90th error range")
    ax.set_title(title, loc="left")
    ax.set_ylabel(unit)
    ax.set_xlabel("Fiscal year")
    ax.legend(loc="upper left", fontsize=7)
    return ax.figure


def save_fan(summary: pd.DataFrame, base: pd.DataFrame, the_plan, path: Path, calibration=None) -> Path:
    """Two panels (debt/GDP, net interest share of outlays) in one PNG."""
    spec = the_plan.spec
    with plt.style.context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.2))
        for ax, (var, title, unit) in zip(axes, FAN, strict=True):
            plot_fan(
                fan_data(summary, base, var), ax, title, unit, calibration if var == "debt_to_gdp" else None
            )
        fig.suptitle(
            f"Sweep '{spec.name}': {the_plan.n_runs:,} runs ({spec.method})",
            x=0.01,
            ha="left",
            fontsize=10,
            fontweight="bold",
        )
        fig.text(
            0.01,
            0.01,
            f"{SOURCE} '{spec.name}' on scenario '{spec.scenario.name}'.",
            fontsize=7,
            color="#555555",
        )
        fig.subplots_adjust(bottom=0.17, top=0.85, left=0.07, right=0.98, wspace=0.22)
        fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return path


def tornado_data(sensitivity: pd.DataFrame, method: str) -> pd.DataFrame:
    """Bars for the first target (variable, year), largest effect at the top."""
    if sensitivity.empty or "input" not in sensitivity:
        return pd.DataFrame()
    first = sensitivity.iloc[0]
    sub = sensitivity[
        (sensitivity["variable"] == first["variable"]) & (sensitivity["fiscal_year"] == first["fiscal_year"])
    ].copy()
    key = {"sobol": "ST", "morris": "mu_star"}.get(method, "swing")
    if key not in sub:
        return pd.DataFrame()
    return sub.sort_values(key, ascending=True, kind="stable").reset_index(drop=True)


def plot_tornado(data: pd.DataFrame, ax, method: str, variable: str, year: int) -> Figure:
    """Sobol ST and S1 (with intervals), Morris mu*, or decile swings around the median."""
    col = BY_NAME[variable]
    y = range(len(data))
    if method == "sobol":
        ax.barh(y, data["ST"], xerr=data["ST_conf"], color="#56B4E9", label="Total index (ST)")
        ax.barh(y, data["S1"], xerr=data["S1_conf"], color="#0072B2", height=0.4, label="First-order (S1)")
        ax.set_xlabel("Share of the variance of the output (Sobol index, 95% interval)")
    elif method == "morris":
        ax.barh(y, data["mu_star"], xerr=data["mu_star_conf"], color="#0072B2", label="mu*")
        ax.set_xlabel(f"Mean absolute elementary effect ({col.unit} per input range, Morris mu*)")
    else:
        mid = float(pd.concat([data["low"], data["high"]]).median())
        ax.barh(y, data["high"] - mid, left=mid, color="#D55E00", label="Input in its top decile")
        ax.barh(y, data["low"] - mid, left=mid, color="#0072B2", label="Input in its bottom decile")
        ax.axvline(mid, color="#000000", linewidth=0.8)
        ax.set_xlabel(f"{col.label}, FY{year} ({col.unit}): median of the runs")
    ax.set_yticks(list(y), list(data["input"]))
    ax.set_title(f"What moves {col.label.lower()} ({col.unit}) in FY{year}", loc="left")
    ax.legend(loc="lower right", fontsize=7)
    return ax.figure


def save_tornado(sensitivity: pd.DataFrame, the_plan, path: Path) -> Path:
    """The tornado chart as PNG (a note when the method gives no ranking)."""
    spec = the_plan.spec
    data = tornado_data(sensitivity, spec.method)
    with plt.style.context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 1.6 + 0.35 * max(len(data), 2)))
        if data.empty:
            ax.text(0.5, 0.5, "No varied inputs to rank", ha="center", va="center")
            ax.set_axis_off()
        else:
            plot_tornado(
                data, ax, spec.method, str(data["variable"].iloc[0]), int(data["fiscal_year"].iloc[0])
            )
        fig.text(
            0.01,
            0.01,
            f"{SOURCE} '{spec.name}' ({the_plan.n_runs:,} runs, {spec.method}).",
            fontsize=7,
            color="#555555",
        )
        fig.subplots_adjust(left=0.3, right=0.97, bottom=0.3 if len(data) < 4 else 0.18, top=0.88)
        fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return path
