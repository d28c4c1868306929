"""Charts in three layers: ``*_data`` (pure frames) -> ``plot_*`` (draw on given Axes) -> ``save``.

Every chart carries units on its axes, the scenario names and a source note; files are
byte-stable (no creation dates in PNG, SVG or PDF metadata).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

STYLE = Path(__file__).with_name("snowball.mplstyle")
SOURCE = "Source: CBO (January 2025; LTBO March 2025), OMB, Treasury; Snowball projections."
RECORD_1946 = 106.1  # debt held by the public, % of GDP, FY1946 (OMB Historical Table 7.1)


def debt_data(runs: dict[str, pd.DataFrame], history: pd.DataFrame) -> pd.DataFrame:
    """Debt held by the public, % of GDP: history (from 1940) and each scenario's projection."""
    parts = {"history": history["debt_to_gdp"]} | {n: r["debt_to_gdp"] for n, r in runs.items()}
    return pd.concat(parts, axis=1).sort_index()


def interest_data(runs: dict[str, pd.DataFrame], history: pd.DataFrame) -> pd.DataFrame:
    """Net interest as a share of outlays, %: history and projections."""
    col = "net_interest_share_of_outlays"
    parts = {"history": history[col]} | {n: r[col] for n, r in runs.items()}
    return pd.concat(parts, axis=1).sort_index()


def rollover_data(result: pd.DataFrame) -> pd.DataFrame:
    """The rollover lag: average rate on the debt against the bill and 10-year yields, %."""
    return result[["average_interest_rate", "bill_yield", "ten_year_yield"]].copy()


def crowding_data(result: pd.DataFrame) -> pd.DataFrame:
    """Net interest against the big spending lines, $ billions."""
    return result[["net_interest", "defense", "medicare", "social_security", "nondefense"]].copy()


def _finish(fig: Figure, ax, ylabel: str, title: str) -> Figure:
    ax.set_ylabel(ylabel)
    ax.set_xlabel("Fiscal year")
    ax.set_title(title, loc="left")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3)
    fig.text(0.01, 0.01, SOURCE, fontsize=7, color="#555555")
    fig.subplots_adjust(bottom=0.3, top=0.9, left=0.1, right=0.97)
    return fig


def plot_debt(data: pd.DataFrame, ax) -> Figure:
    """Debt/GDP history and projections with the 1946 record marked."""
    hist = data["history"].dropna()
    ax.plot(hist.index, hist.values, color="#777777", label="History (OMB, CBO)")
    for name in data.columns.drop("history"):
        s = data[name].dropna()
        ax.plot(s.index, s.values, label=name)
    ax.axhline(RECORD_1946, color="#D55E00", linestyle=":", linewidth=1)
    ax.annotate(f"1946 record: {RECORD_1946:.0f}%", (1950, RECORD_1946 + 3), fontsize=8, color="#D55E00")
    proj = data.drop(columns="history")
    last = proj.dropna(how="all").index.max()
    base = proj.iloc[:, 0].dropna()
    title = f"Debt reaches {base.iloc[-1]:.0f}% of GDP by {last} in the {proj.columns[0]}"
    return _finish(ax.figure, ax, "% of GDP", title)


def plot_interest(data: pd.DataFrame, ax) -> Figure:
    """Net interest share of outlays with the 20% line."""
    hist = data["history"].dropna()
    ax.plot(hist.index, hist.values, color="#777777", label="History (OMB)")
    for name in data.columns.drop("history"):
        s = data[name].dropna()
        ax.plot(s.index, s.values, label=name)
    ax.axhline(20, color="#D55E00", linestyle=":", linewidth=1)
    ax.annotate("20% of outlays", (1942, 20.6), fontsize=8, color="#D55E00")
    proj = data.drop(columns="history").iloc[:, 0].dropna()
    over = proj[proj > 20]
    when = f"passes 20% of outlays in {over.index[0]}" if len(over) else "stays under 20% of outlays"
    return _finish(ax.figure, ax, "% of outlays", f"Net interest {when} ({data.columns[1]})")


def plot_rollover(data: pd.DataFrame, ax, scenario: str) -> Figure:
    """Average rate on the debt lags market yields by the maturity structure."""
    labels = {
        "average_interest_rate": "Average rate on the debt",
        "bill_yield": "3-month bill",
        "ten_year_yield": "10-year note",
    }
    for col, label in labels.items():
        ax.plot(data.index, data[col], label=label)
    return _finish(ax.figure, ax, "Percent", f"The rate on the debt trails market yields ({scenario})")


def plot_crowding(data: pd.DataFrame, ax, scenario: str) -> Figure:
    """Net interest against defense, Medicare, Social Security and nondefense, $ billions."""
    labels = {
        "net_interest": "Net interest",
        "defense": "Defense",
        "medicare": "Medicare",
        "social_security": "Social Security",
        "nondefense": "Nondefense discretionary",
    }
    for col, label in labels.items():
        ax.plot(data.index, data[col], label=label)
    return _finish(ax.figure, ax, "$ billions", f"Net interest against major spending lines ({scenario})")


def new_axes():
    """A figure and axes under the packaged style."""
    with plt.style.context(STYLE):
        fig, ax = plt.subplots()
    return fig, ax


def draw(fn, *args) -> Figure:
    """Run a plot function under the packaged style and return its figure."""
    with plt.style.context(STYLE):
        fig, ax = plt.subplots()
        fn(*args[:1], ax, *args[1:])
    return fig


def save(fig: Figure, stem: Path) -> list[Path]:
    """Write PNG (200 dpi), SVG and PDF with no creation dates; close the figure."""
    paths = []
    meta = {
        ".png": {"Software": None},
        ".svg": {"Date": None, "Creator": None},
        ".pdf": {"CreationDate": None, "Creator": None, "Producer": None},
    }
    with plt.style.context(STYLE):
        for ext, md in meta.items():
            path = stem.with_suffix(ext)
            fig.savefig(path, metadata=md)
            paths.append(path)
    plt.close(fig)
    return paths
