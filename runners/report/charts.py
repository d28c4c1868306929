"""Every chart of Snowball, in three layers: ``*_data`` (pure frames) -> ``plot_*`` (draw on given
Axes, no I/O) -> ``save``/``save_sweep_fan``/``save_sweep_tornado`` (files).

The briefing's charts (budget, spending, interest, r - g, changes from baseline, debt structure,
validation, the sell-off as gaps from the baseline, the decomposition) and the sweep charts (one
fan chart and one tornado implementation, used by ``snowball sweep`` and ``snowball brief`` alike).
Every chart carries a title that states its finding (tested against the data drawn), units on its
axes, the scenario's title and a source note; colours are Okabe-Ito (colour-blind-safe) with line
styles as a second cue; files are byte-stable (fixed DejaVu fonts, no creation dates in PNG, SVG
or PDF metadata, a fixed SVG hash salt) and SVG text stays text.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from runners.core.columns import BY_NAME  # noqa: E402
from runners.core.fiscal_years import first_peak_year  # noqa: E402

STYLE = Path(__file__).with_name("snowball.mplstyle")
SOURCE = "Source: CBO, OMB, Treasury, TIC; Snowball projections."  # the brief names the vintage (source_note)
RECORD_1946 = 106.1  # debt held by the public, % of GDP, FY1946 (OMB Historical Table 7.1)
HISTORY_COLOR = "#777777"
# Okabe-Ito, black first (the first scenario, normally the baseline)
PALETTE = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442"]
DASHES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1)), (0, (1, 1)), (0, (8, 2))]
PNG_DPI = 200
METADATA = {
    ".png": {"Software": None},
    ".svg": {"Date": None, "Creator": None},
    ".pdf": {"CreationDate": None, "Creator": None, "Producer": None},
}


def scenario_style(index: int) -> dict:
    """Colour and dash of the ``index``-th scenario (the same in every chart)."""
    return {"color": PALETTE[index % len(PALETTE)], "linestyle": DASHES[index % len(DASHES)]}


# ---------------------------------------------------------------------------------------- data


def debt_data(runs: dict[str, pd.DataFrame], history: pd.DataFrame) -> pd.DataFrame:
    """Debt held by the public, % of GDP: history (from 1940) and each scenario's projection."""
    parts = {"history": history["debt_to_gdp"]} | {n: r["debt_to_gdp"] for n, r in runs.items()}
    return pd.concat(parts, axis=1).sort_index()


def interest_data(runs: dict[str, pd.DataFrame], history: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Net interest as % of GDP and as a share of outlays (%): history and projections, each
    computed from the levels (so records are not ties at the file's rounding)."""
    out = {}
    for col, denominator in (("net_interest_to_gdp", "gdp"), ("net_interest_share_of_outlays", "outlays")):
        parts = {"history": history["net_interest"] / history[denominator] * 100}
        parts |= {n: r["net_interest"] / r[denominator] * 100 for n, r in runs.items()}
        out[col] = pd.concat(parts, axis=1).sort_index()
    return out


def rollover_data(result: pd.DataFrame) -> pd.DataFrame:
    """The rollover lag: average rate on the debt against the bill and 10-year yields, %."""
    return result[["average_interest_rate", "bill_yield", "ten_year_yield"]].copy()


def decomposition_data(result: pd.DataFrame) -> pd.DataFrame:
    """Each year's change in debt/GDP (pp) split into its sources (a reporting identity).

    With debt D, GDP Y, d = D/Y and nominal growth g = Y_t/Y_{t-1} - 1, and debt rising by the
    deficit plus other means of financing (OMF):
    d_t - d_{t-1} = primary deficit/Y + net interest/Y + OMF/Y - d_{t-1} g/(1+g) + residual.
    The residual is whatever the model's debt change is not explained by those flows (zero up to
    rounding, tested). The first projected year is dropped (it needs the previous year's debt).
    """
    r = result
    y = r["gdp"]
    d = r["debt_held_by_public"] / y * 100
    g = y / y.shift(1) - 1
    out = pd.DataFrame(
        {
            "primary_deficit": r["primary_deficit"] / y * 100,
            "interest": r["net_interest"] / y * 100,
            "growth": -d.shift(1) * g / (1 + g),
            "other_means_of_financing": r["other_means_of_financing"] / y * 100,
            "change": d - d.shift(1),
        }
    ).iloc[1:]
    parts = ["primary_deficit", "interest", "growth", "other_means_of_financing"]
    out["residual"] = out["change"] - out[parts].sum(axis=1)
    return out


def decomposition_table(result: pd.DataFrame) -> pd.DataFrame:
    """:func:`decomposition_data` as the briefing writes it (``tables/decomposition_*.csv`` and
    its figures sheet): every column named with its unit, percentage points of GDP
    (``primary_deficit_pp_of_gdp``), since ``results_*.csv`` beside it holds ``primary_deficit``
    in $bn."""
    return decomposition_data(result).add_suffix("_pp_of_gdp")


# ------------------------------------------------------------------------------------- drawing


def source_note(titles: Sequence[str]) -> str:
    """A source line from baseline vintage titles: the dates of their CBO publications (the
    parenthesised month and year in each title) and the other data."""
    dates = [d for t in titles for d in re.findall(r"\(([A-Z][a-z]+ \d{4})\)", t)]
    when = "; ".join(dict.fromkeys(dates)) or "baseline"
    return f"Source: CBO ({when}), OMB, Treasury, TIC; Snowball projections."


def _source(fig: Figure, note: str = SOURCE) -> None:
    fig.text(0.01, 0.012, note, fontsize=7, color="#444444", ha="left", va="bottom")


def _wrap_label(label: str, width: int) -> str:
    return "\n".join(textwrap.wrap(label, width, break_on_hyphens=False)) or label


def _legend_below(
    fig: Figure, ax: Axes, ncol: int = 3, handles: list | None = None, labels: list | None = None, **kw
) -> None:
    """A legend centred under the axes, labels wrapped to fit their column."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    width = max(18, 100 // ncol - 6)
    labels = [_wrap_label(str(x), width) for x in labels]
    height = fig.get_size_inches()[1]
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.2 / height), ncol=ncol, **kw)


TITLE_WIDTH = 72  # characters of the bold 10.5 pt title on a 6.5-inch figure
SUBTITLE_WIDTH = 100


def _finish(fig: Figure, ax: Axes, title: str, sub: str, source: str) -> Figure:
    """Title, a two-column legend below the axes and the source note: the one-panel layout."""
    bottom = _legend_room(fig, ax.get_legend_handles_labels()[1], 2)
    fig.subplots_adjust(top=0.86, bottom=bottom, left=0.1, right=0.98)
    _title(fig, title, sub)
    _legend_below(fig, ax, ncol=2)
    _source(fig, source)
    return fig


def plain(text: str) -> str:
    """Text matplotlib draws as written: a dollar sign is a dollar, not the start of math."""
    return re.sub(r"(?<!\\)\$", r"\\$", text)


def _title(fig: Figure, title: str, subtitle: str | None = None) -> float:
    """The chart's title (its finding, wrapped) and a subtitle; shrink the axes to fit below them.

    Returns the bottom of the header as a figure fraction.
    """
    title, subtitle = plain(title), (plain(subtitle) if subtitle else subtitle)
    height = fig.get_size_inches()[1]
    lines = textwrap.wrap(title, TITLE_WIDTH, break_on_hyphens=False)
    fig.suptitle(
        "\n".join(lines), x=0.01, y=1 - 0.08 / height, ha="left", va="top", fontsize=10.5, fontweight="bold"
    )
    y = 1 - (0.08 + 0.19 * len(lines) + 0.06) / height
    if subtitle:
        sub = [
            w
            for part in subtitle.split("\n")
            for w in textwrap.wrap(part, SUBTITLE_WIDTH, break_on_hyphens=False)
        ]
        fig.text(0.01, y, "\n".join(sub), ha="left", va="top", fontsize=8.5, color="#333333")
        y -= (0.155 * len(sub) + 0.04) / height
    _fit_below(fig, y)
    return y


def _fit_below(fig: Figure, header: float) -> None:
    """Squeeze the axes vertically (keeping their bottoms) so that their tops and panel titles
    sit below ``header`` (a figure fraction)."""
    axes = [a for a in fig.axes if a.get_visible()]
    if not axes:
        return
    height = fig.get_size_inches()[1]
    titled = any(a.get_title(loc="left") or a.get_title() for a in axes)
    limit = header - (0.3 if titled else 0.12) / height
    boxes = [a.get_position() for a in axes]
    bottom = min(b.y0 for b in boxes)
    top = max(b.y1 for b in boxes)
    if top <= limit or top <= bottom:
        return
    k = (limit - bottom) / (top - bottom)
    for a, b in zip(axes, boxes, strict=True):
        a.set_position([b.x0, bottom + (b.y0 - bottom) * k, b.width, b.height * k])


def _scenarios(data: pd.DataFrame, exclude: Sequence[str] = ("history",)) -> list[str]:
    return [c for c in data.columns if c not in exclude]


def _legend_room(fig: Figure, labels: Sequence[str], ncol: int, below: float = 0.62) -> float:
    """The bottom of the axes (figure fraction) that leaves room under them for an x label
    (``below`` inches), the wrapped legend and the source line."""
    width = max(18, 100 // ncol - 6)
    lines = [len(textwrap.wrap(str(x), width, break_on_hyphens=False)) or 1 for x in labels]
    rows = [max(lines[i : i + ncol]) for i in range(0, len(lines), ncol)]
    return (0.3 + below + 0.16 * sum(rows) + 0.05 * len(rows)) / fig.get_size_inches()[1]


def plot_debt(data: pd.DataFrame, ax: Axes, source: str = SOURCE) -> Figure:
    """Debt/GDP history and projections with the 1946 record marked."""
    fig = ax.figure
    fig.set_size_inches(6.5, 5.0)
    hist = data["history"].dropna()
    ax.plot(hist.index, hist.values, color=HISTORY_COLOR, linewidth=2, label="History (OMB, CBO)")
    names = _scenarios(data)
    for i, name in enumerate(names):
        s = data[name].dropna()
        ax.plot(s.index, s.values, label=name, **scenario_style(i))
    ax.axhline(RECORD_1946, color="#D55E00", linestyle=":", linewidth=1)
    ax.plot([1946], [hist.loc[1946]], "o", color="#D55E00", markersize=4)
    ax.annotate(
        f"1946 record: {RECORD_1946:.0f}% of GDP",
        (1946, RECORD_1946),
        xytext=(1952, RECORD_1946 + 14),
        fontsize=8,
        color="#A04000",
        arrowprops={"arrowstyle": "-", "color": "#A04000", "linewidth": 0.7},
    )
    base = data[names[0]].dropna()
    above = base[base > RECORD_1946]
    last = int(base.index.max())
    ax.set_ylabel("Debt held by the public, % of GDP")
    ax.set_xlabel("Fiscal year")
    ax.set_xlim(1938, last + 2)
    ax.set_ylim(0, max(200.0, float(np.nanmax(data.to_numpy(dtype=float))) * 1.08))
    title = f"Debt reaches {base.iloc[-1]:.0f}% of GDP by {last} ({names[0]})"
    sub = (
        f"{names[0]} passes the 1946 record in {int(above.index[0])}."
        if len(above)
        else f"{names[0]} stays below the 1946 record."
    )
    return _finish(fig, ax, title, sub, source)


def plot_interest(data: dict[str, pd.DataFrame], ax: Axes, source: str = SOURCE) -> Figure:
    """Net interest as % of GDP (left) and as a share of outlays with the 20% line (right)."""
    fig = ax.figure
    fig.set_size_inches(6.5, 5.0)
    ax2 = fig.add_subplot(1, 2, 2)
    panels = [
        (ax, "net_interest_to_gdp", "Net interest, % of GDP"),
        (ax2, "net_interest_share_of_outlays", "Net interest, % of outlays"),
    ]
    for a, col, ylabel in panels:
        frame = data[col]
        hist = frame["history"].dropna()
        a.plot(hist.index, hist.values, color=HISTORY_COLOR, linewidth=2, label="History (OMB, CBO)")
        for i, name in enumerate(_scenarios(frame)):
            s = frame[name].dropna()
            a.plot(s.index, s.values, label=name, **scenario_style(i))
        a.set_ylabel(ylabel)
        a.set_xlabel("Fiscal year")
        a.set_xlim(1938, int(frame.index.max()) + 2)
        a.set_ylim(bottom=0)
    ax2.axhline(20, color="#D55E00", linestyle=":", linewidth=1)
    ax2.annotate("20% of outlays", (1942, 20.8), fontsize=8, color="#A04000")
    share = data["net_interest_share_of_outlays"]
    names = _scenarios(share)
    passes = {n: share[n].dropna() for n in names}
    passes = {n: s[s > 20].index.min() for n, s in passes.items() if (s > 20).any()}
    gdp = data["net_interest_to_gdp"]
    record = gdp["history"].dropna()
    peak = gdp[names[0]].dropna()
    beyond = peak[peak > record.max()]
    title = f"Net interest reaches {peak.iloc[-1]:.1f}% of GDP by {int(peak.index[-1])} ({names[0]})"
    soonest = min(passes.values()) if passes else None
    first = [n for n, y in passes.items() if y == soonest]  # every scenario tied for first
    named = ", ".join(first[:-1]) + " and " + first[-1] if len(first) > 1 else "".join(first)
    sub = (
        f"Highest actual: {record.max():.2f}% of GDP (FY{int(record.idxmax())}); {names[0]} "
        + (f"passes it in FY{int(beyond.index[0])}. " if len(beyond) else "stays below it. ")
        + f"Over 20% of outlays by FY{int(share.index.max())}: {len(passes)} of {len(names)} scenarios"
        + (f", first {named} (FY{int(soonest)})." if first else ".")
    )
    bottom = _legend_room(fig, ax.get_legend_handles_labels()[1], 2)
    ax.set_position([0.09, bottom, 0.38, 0.82 - bottom])
    ax2.set_position([0.59, bottom, 0.38, 0.82 - bottom])
    _title(fig, title, sub)
    _legend_below(fig, ax, ncol=2)
    _source(fig, source)
    return fig


def plot_rollover(data: pd.DataFrame, ax: Axes, scenario: str, source: str = SOURCE) -> Figure:
    """Average rate on the debt lags market yields by the maturity structure."""
    fig = ax.figure
    labels = {
        "ten_year_yield": ("10-year note yield", "#E69F00", "--"),
        "bill_yield": ("3-month bill yield", "#56B4E9", "-."),
        "average_interest_rate": ("Average interest rate on the debt", "#000000", "-"),
    }
    for col, (label, color, dash) in labels.items():
        ax.plot(data.index, data[col], label=label, color=color, linestyle=dash, linewidth=2)
    ten, avg = data["ten_year_yield"], data["average_interest_rate"]
    peak = first_peak_year(ten)  # a flat path peaks when it gets there
    gap = ten - avg
    ax.set_ylabel("% a year")
    ax.set_xlabel("Fiscal year")
    ax.set_ylim(bottom=0)
    title = (
        f"The rate on the debt trails the 10-year yield: {avg.loc[peak]:.1f}% vs {ten.max():.1f}% "
        f"in FY{peak} (fiscal-year averages)"
    )
    catch = gap[(gap.index > peak) & (gap.abs() < 0.25)]
    sub = f"Scenario: {scenario}. " + (
        f"The average rate comes within 0.25 pp of the 10-year in FY{int(catch.index[0])}."
        if len(catch)
        else "Maturing debt leaves at its old coupon; new debt is issued at market yields."
    )
    bottom = _legend_room(fig, ax.get_legend_handles_labels()[1], 3)
    fig.subplots_adjust(top=0.84, bottom=bottom, left=0.1, right=0.98)
    _title(fig, title, sub)
    _legend_below(fig, ax, ncol=3)
    _source(fig, source)
    return fig


# ------------------------------------------------------------------------------ budget charts


def _pct_of_gdp(frame: pd.DataFrame, col: str) -> pd.Series:
    return frame[col] / frame["gdp"] * 100


def budget_data(run: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Revenues, outlays, deficit and primary deficit, % of GDP: actuals then one projection.

    Columns ``<measure>:history`` (OMB/CBO actuals) and ``<measure>:projection``.
    """
    parts = {}
    for col in ("revenues", "outlays", "deficit", "primary_deficit"):
        parts[f"{col}:history"] = _pct_of_gdp(history, col)
        parts[f"{col}:projection"] = _pct_of_gdp(run, col)
    return pd.DataFrame(parts).sort_index()


BUDGET_LINES = {
    "revenues": ("Revenues", "#0072B2"),
    "outlays": ("Outlays", "#D55E00"),
    "deficit": ("Total deficit", "#000000"),
    "primary_deficit": ("Primary deficit (excluding net interest)", "#009E73"),
}


def plot_budget(data: pd.DataFrame, ax: Axes, scenario: str, source: str = SOURCE) -> Figure:
    """Revenues and outlays (left), total and primary deficits (right), % of GDP."""
    fig = ax.figure
    ax2 = fig.add_subplot(1, 2, 2)
    ax.set_position([0.08, 0.3, 0.39, 0.5])
    ax2.set_position([0.585, 0.3, 0.39, 0.5])
    for a, cols in ((ax, ("revenues", "outlays")), (ax2, ("deficit", "primary_deficit"))):
        for col in cols:
            label, color = BUDGET_LINES[col]
            hist, proj = data[f"{col}:history"].dropna(), data[f"{col}:projection"].dropna()
            a.plot(hist.index, hist.values, color=color, linewidth=1.2, alpha=0.55)
            a.plot(proj.index, proj.values, color=color, linewidth=2, label=label)
        a.axvline(data[f"{cols[0]}:projection"].first_valid_index() - 0.5, color="#999999", linewidth=0.7)
        a.set_xlabel("Fiscal year")
        a.set_ylabel("% of GDP")
        a.set_xlim(1960, int(data.index.max()) + 1)
        shown = data.loc[data.index >= 1960, [f"{c}:{k}" for c in cols for k in ("history", "projection")]]
        lo, hi = float(np.nanmin(shown.to_numpy(dtype=float))), float(np.nanmax(shown.to_numpy(dtype=float)))
        a.set_ylim(min(0.0, lo - 1), hi + 2)
    ax2.axhline(0, color="#333333", linewidth=0.6)
    ax.set_title("Revenues and outlays", loc="left", fontsize=9)
    ax2.set_title("Deficits", loc="left", fontsize=9)
    last = int(data["deficit:projection"].dropna().index[-1])
    deficit = data.at[last, "deficit:projection"]
    primary = data.at[last, "primary_deficit:projection"]
    title = f"The deficit reaches {deficit:.1f}% of GDP in {last}, {primary:.1f}% before interest"
    sub = f"Scenario: {scenario}. Actuals 1960 onward in lighter lines; the projection after the grey rule."
    _title(fig, title, sub)
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + ax2.get_legend_handles_labels()[1]
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.05), ncol=2)
    _source(fig, source)
    return fig


SPENDING = {
    "social_security": ("Social Security", "#0072B2", "-"),
    "medicare": ("Medicare", "#CC79A7", "-"),
    "medicaid": ("Medicaid, CHIP, marketplace", "#E69F00", "--"),
    "defense": ("Defense", "#009E73", "-"),
    "nondefense": ("Nondefense discretionary", "#56B4E9", "-."),
    "net_interest": ("Net interest", "#D55E00", "-"),
}


def spending_data(run: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Spending by category and net interest, % of GDP: the actual years history has, then one
    projection (columns ``<category>:history`` and ``<category>:projection``)."""
    parts = {}
    for col in SPENDING:
        if col in history:
            parts[f"{col}:history"] = pd.to_numeric(history[col], errors="coerce") / history["gdp"] * 100
        parts[f"{col}:projection"] = _pct_of_gdp(run, col)
    out = pd.DataFrame(parts).sort_index()
    return out.loc[out.index >= 2020]


def plot_spending(
    data: pd.DataFrame,
    ax: Axes,
    scenario: str,
    window_end: int,
    milestones: Sequence[str] = (),
    source: str = SOURCE,
) -> Figure:
    """Net interest against the big spending lines, % of GDP; the years after CBO's window
    (``window_end``) shaded as the model's extension."""
    fig = ax.figure
    last = int(data.index.max())
    if window_end < last:
        ax.axvspan(window_end + 0.5, last + 0.5, color="#EEEEEE", linewidth=0, zorder=0)
        ax.text(
            window_end + 1,
            0.3,
            "Beyond CBO's 10-year window: each category's\n"
            "share of primary outlays held at its final-year\nlevel (assumption)",
            fontsize=7,
            color="#555555",
            va="bottom",
        )
    for col, (label, color, dash) in SPENDING.items():
        width, z = (3.2, 2) if col == "net_interest" else (1.6, 3)
        proj = data[f"{col}:projection"].dropna()
        ax.plot(proj.index, proj.values, color=color, linestyle=dash, linewidth=width, label=label, zorder=z)
        if f"{col}:history" in data:
            hist = data[f"{col}:history"].dropna()
            ax.plot(hist.index, hist.values, "o", color=color, markersize=3.5)
    ax.plot([], [], "o", color="#555555", markersize=3.5, label="Actual (OMB, CBO)")
    ax.set_ylabel("% of GDP")
    ax.set_xlabel("Fiscal year")
    ax.set_ylim(bottom=0)
    ax.set_xlim(int(data.index.min()) - 0.5, last + 0.5)
    title = "Net interest " + ("; ".join(milestones) if milestones else "against the main spending lines")
    bottom = _legend_room(fig, ax.get_legend_handles_labels()[1], 3)
    fig.subplots_adjust(top=0.84, bottom=bottom, left=0.09, right=0.98)
    _title(fig, title, f"Scenario: {scenario}. Dots: actual outlays; lines: the projection.")
    _legend_below(fig, ax, ncol=3)
    _source(fig, source)
    return fig


def revenue_share_data(runs: dict[str, pd.DataFrame], history: pd.DataFrame) -> pd.DataFrame:
    """Net interest as % of revenues: history (from levels) and each scenario."""
    parts = {"history": history["net_interest"] / history["revenues"] * 100}
    parts |= {n: r["net_interest"] / r["revenues"] * 100 for n, r in runs.items()}
    return pd.DataFrame(parts).sort_index()


def plot_revenue_share(data: pd.DataFrame, ax: Axes, source: str = SOURCE) -> Figure:
    """Net interest as a share of revenues, history and projections, with the historical peak."""
    fig = ax.figure
    fig.set_size_inches(6.5, 5.0)
    hist = data["history"].dropna()
    ax.plot(hist.index, hist.values, color=HISTORY_COLOR, linewidth=2, label="History (OMB)")
    names = _scenarios(data)
    for i, name in enumerate(names):
        s = data[name].dropna()
        ax.plot(s.index, s.values, label=name, **scenario_style(i))
    peak_year = int(hist.idxmax())
    ax.axhline(hist.max(), color="#D55E00", linestyle=":", linewidth=1)
    ax.annotate(
        f"Highest actual: {hist.max():.1f}% (FY{peak_year})",
        (1942, hist.max() + 0.8),
        fontsize=8,
        color="#A04000",
    )
    base = data[names[0]].dropna()
    above = base[base > hist.max()]
    ax.set_ylabel("Net interest, % of revenues")
    ax.set_xlabel("Fiscal year")
    ax.set_xlim(1938, int(data.index.max()) + 2)
    ax.set_ylim(bottom=0)
    title = f"Net interest takes {base.iloc[-1]:.0f}% of revenues by {int(base.index[-1])} ({names[0]})"
    sub = (
        f"{names[0]} passes the FY{peak_year} high in FY{int(above.index[0])}."
        if len(above)
        else f"{names[0]} stays below the FY{peak_year} high."
    )
    return _finish(fig, ax, title, sub, source)


def r_g_data(run: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """r, g and r - g, % a year: r is the average interest rate on the debt (history: net
    interest over average debt), g nominal GDP growth; actuals from 1960 then one projection."""
    hist_r = history["net_interest_rate_on_debt"]
    hist_g = history["gdp"].pct_change() * 100
    g = run["gdp"].pct_change() * 100
    first = run.index[0]
    last_actual = history["gdp"].loc[history.index < first]
    if len(last_actual) and first - 1 == last_actual.index[-1]:
        g.loc[first] = (run.at[first, "gdp"] / last_actual.iloc[-1] - 1) * 100
    out = pd.DataFrame(
        {
            "r:history": hist_r,
            "g:history": hist_g,
            "r:projection": run["average_interest_rate"],
            "g:projection": g,
        }
    ).sort_index()
    out["r_minus_g"] = out["r:projection"].fillna(out["r:history"]) - out["g:projection"].fillna(
        out["g:history"]
    )
    return out.loc[out.index >= 1960]


def plot_r_g(data: pd.DataFrame, ax: Axes, scenario: str, source: str = SOURCE) -> Figure:
    """r and g (top) and r - g as bars (bottom): positive r - g makes the debt snowball."""
    fig = ax.figure
    fig.set_size_inches(6.5, 5.0)
    ax2 = fig.add_subplot(2, 1, 2, sharex=ax)
    ax.set_position([0.1, 0.5, 0.87, 0.32])
    ax2.set_position([0.1, 0.2, 0.87, 0.22])
    for kind, (label, color) in {
        "r": ("r: average interest rate on the debt", "#D55E00"),
        "g": ("g: nominal GDP growth", "#0072B2"),
    }.items():
        hist, proj = data[f"{kind}:history"].dropna(), data[f"{kind}:projection"].dropna()
        ax.plot(hist.index, hist.values, color=color, linewidth=1.2, alpha=0.6)
        ax.plot(proj.index, proj.values, color=color, linewidth=2, label=label)
    ax.set_ylabel("% a year")
    ax.tick_params(labelbottom=False)
    # headroom for the legend across the top of the panel, above every line (g's actuals reach
    # 13% in FY1977-1981 and ran through it)
    drawn = data[[c for c in data.columns if c.startswith(("r:", "g:"))]]
    low, high = float(np.nanmin(drawn.to_numpy())), float(np.nanmax(drawn.to_numpy()))
    ax.set_ylim(low - 0.05 * (high - low), high + 0.3 * (high - low))
    diff = data["r_minus_g"].dropna()
    colors = np.where(diff.to_numpy() > 0, "#D55E00", "#0072B2")
    ax2.bar(diff.index, diff.values, color=colors, width=0.8, linewidth=0)
    ax2.axhline(0, color="#333333", linewidth=0.6)
    ax2.set_ylabel("r \u2212 g, pp")
    ax2.set_xlabel(
        "Fiscal year (lighter lines: actuals; r before the projection is net interest over average debt)"
    )
    proj = data["r:projection"].dropna().index
    for a in (ax, ax2):
        a.axvline(proj[0] - 0.5, color="#999999", linewidth=0.7)
    future = diff.loc[proj]
    positive = future[future > 0]
    if len(positive) and future.iloc[0] <= 0 and (future.loc[positive.index[0] :] > 0).all():
        title = f"r \u2212 g turns positive in {int(positive.index[0])}: the debt starts to snowball"
    elif len(positive) == len(future):
        title = "r exceeds g in every projected year: interest alone raises debt/GDP"
    elif len(positive):
        title = f"r \u2212 g is positive in {len(positive)} of {len(future)} projected years"
    else:
        title = "r stays below g: growth erodes the debt ratio faster than interest adds to it"
    sub = (
        f"Scenario: {scenario}. r \u2212 g averages {future.mean():+.1f} pp over the projection, "
        f"against {diff.loc[diff.index < proj[0]].mean():+.1f} pp since 1960."
    )
    _title(fig, title, sub)
    ax.legend(loc="upper left", fontsize=7.5, ncol=2)
    _source(fig, source)
    return fig


def change_data(runs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each scenario less the first (the baseline): debt/GDP and net interest, pp of GDP
    (columns ``debt_to_gdp:<scenario>`` and ``net_interest_to_gdp:<scenario>``)."""
    names = list(runs)
    base = runs[names[0]]
    parts = {}
    for col in ("debt_to_gdp", "net_interest_to_gdp"):
        for n in names[1:]:
            parts[f"{col}:{n}"] = runs[n][col] - base[col]
    return pd.DataFrame(parts)


def plot_change(data: pd.DataFrame, ax: Axes, baseline: str, source: str = SOURCE) -> Figure:
    """Change from the baseline by scenario: debt/GDP (left) and net interest (right), pp of GDP."""
    fig = ax.figure
    fig.set_size_inches(6.5, 5.0)
    ax2 = fig.add_subplot(1, 2, 2)
    names = list(dict.fromkeys(c.split(":", 1)[1] for c in data.columns))
    bottom = _legend_room(fig, names, 2)
    ax.set_position([0.1, bottom, 0.37, 0.8 - bottom])
    ax2.set_position([0.61, bottom, 0.37, 0.8 - bottom])
    for a, col, ylabel in (
        (ax, "debt_to_gdp", "Debt/GDP, pp difference"),
        (ax2, "net_interest_to_gdp", "Net interest/GDP, pp difference"),
    ):
        for i, n in enumerate(names):
            a.plot(data.index, data[f"{col}:{n}"], label=n, **scenario_style(i + 1))
        a.axhline(0, color="#333333", linewidth=0.6)
        a.set_ylabel(ylabel)
        a.set_xlabel("Fiscal year")
    ax.set_title("Debt held by the public", loc="left", fontsize=9)
    ax2.set_title("Net interest", loc="left", fontsize=9)
    years = [y for y in (2035, 2055) if y in data.index] or [int(data.index[-1])]
    y = years[0]
    d = data[[f"debt_to_gdp:{n}" for n in names]].loc[y]
    hi, lo = d.idxmax().split(":", 1)[1], d.idxmin().split(":", 1)[1]
    if len(names) == 1:  # one number, with its name (not "-14.0 to -14.0 ... Highest: A; lowest: A")
        title = f"In {y}, debt/GDP is {d.iloc[0]:+.1f} points of GDP from {baseline}"
        sub = f"{names[0]} less {baseline}, pp of GDP."
    else:
        title = f"In {y}, debt/GDP is {d.min():+.1f} to {d.max():+.1f} points of GDP from {baseline}"
        sub = f"Highest: {hi}; lowest: {lo}. Each scenario less {baseline}, pp of GDP."
    _title(fig, title, sub)
    _legend_below(fig, ax, ncol=2)
    _source(fig, source)
    return fig


HOLDERS = {
    "holdings_japan": ("Japan", "#D55E00"),
    "holdings_china": ("China", "#E69F00"),
    "holdings_other_foreign_official": ("Other foreign official", "#F0E442"),
    "holdings_foreign_private": ("Foreign private", "#56B4E9"),
    "holdings_fed": ("Federal Reserve", "#009E73"),
    "holdings_domestic_private": ("Domestic private", "#0072B2"),
}


HOLDER_CONSTANTS = {  # the initial state's holdings in the .mdl (domestic private holds the rest)
    "holdings_japan": "initial japan holdings",
    "holdings_china": "initial china holdings",
    "holdings_other_foreign_official": "initial other foreign official holdings",
    "holdings_foreign_private": "initial foreign private holdings",
    "holdings_fed": "initial fed holdings",
}


def structure_data(
    run: pd.DataFrame, history: pd.DataFrame | None = None, constants: dict[str, float] | None = None
) -> pd.DataFrame:
    """The debt's structure by fiscal year: bill share (%; actuals from Treasury's MSPD as
    ``bill_share:history`` where ``history`` has them), weighted average maturity (months) and the
    share held by each holder (% of debt held by the public) in the projection, and at the initial
    state (the year before the first projected one) when the run's ``constants`` are given."""
    out = run[["bill_share", "weighted_average_maturity"]].copy()
    total = run[list(HOLDERS)].sum(axis=1)
    for col in HOLDERS:
        out[f"share:{col}"] = run[col] / total * 100
    if constants is not None:
        start = int(run.index[0]) - 1
        held = {col: float(constants[name]) for col, name in HOLDER_CONSTANTS.items()}
        debt = float(constants["initial debt held by the public"])
        held["holdings_domestic_private"] = debt - sum(held.values())
        out.loc[start, [f"share:{col}" for col in HOLDERS]] = [held[col] / debt * 100 for col in HOLDERS]
        out = out.sort_index()
    if history is not None and "bill_share" in history:
        past = pd.to_numeric(history["bill_share"], errors="coerce").dropna()
        out = out.reindex(sorted(set(out.index) | set(past.index)))
        out["bill_share:history"] = past.reindex(out.index)
    return out


def plot_structure(data: pd.DataFrame, ax: Axes, scenario: str, source: str = SOURCE) -> Figure:
    """Bill share and average maturity (left), who holds the debt (right, stacked shares)."""
    fig = ax.figure
    ax_m = ax.twinx()
    ax3 = fig.add_subplot(1, 2, 2)
    ax.set_position([0.09, 0.3, 0.33, 0.5])
    ax_m.set_position([0.09, 0.3, 0.33, 0.5])
    ax3.set_position([0.6, 0.3, 0.37, 0.5])
    if "bill_share:history" in data:
        past = data["bill_share:history"].dropna()
        ax.plot(past.index, past.values, color="#D55E00", linewidth=1.2, alpha=0.55)
    proj = data["bill_share"].dropna()
    ax.plot(proj.index, proj.values, color="#D55E00", label="Bills and FRNs, % of debt (left)")
    wam = data["weighted_average_maturity"].dropna()
    ax_m.plot(
        wam.index,
        wam.values,
        color="#0072B2",
        linestyle="--",
        label="Average maturity, months (right)",
    )
    ax.set_ylabel("Bill share, % of debt")
    ax_m.set_ylabel("Weighted average maturity, months")
    ax_m.spines["right"].set_visible(True)
    ax_m.grid(False)
    ax.set_ylim(0, max(40.0, float(data["bill_share"].max()) * 1.2))
    ax_m.set_ylim(0, max(90.0, float(data["weighted_average_maturity"].max()) * 1.2))
    ax.set_xlabel("Fiscal year")
    ax.set_title("Maturity", loc="left", fontsize=9)
    held = data.dropna(subset=[f"share:{c}" for c in HOLDERS])
    shares = [held[f"share:{c}"].to_numpy() for c in HOLDERS]
    ax3.stackplot(
        held.index,
        *shares,
        colors=[c for _, c in HOLDERS.values()],
        labels=[label for label, _ in HOLDERS.values()],
        linewidth=0,
    )
    ax3.set_ylim(0, 100)
    ax3.set_xlim(held.index.min(), held.index.max())
    ax3.set_ylabel("% of debt held by the public")
    ax3.set_xlabel("Fiscal year")
    ax3.set_title("Who holds it", loc="left", fontsize=9)
    first, last = int(held.index[0]), int(held.index[-1])
    foreign = [f"share:{c}" for c in list(HOLDERS)[:4]]
    f0, f1 = held.loc[first, foreign].sum(), held.loc[last, foreign].sum()
    title = (
        f"Bills are {data.at[last, 'bill_share']:.0f}% of the debt in {last}; foreign holders "
        f"{f0:.0f}% in {first}, {f1:.0f}% in {last}"
    )
    sub = f"Scenario: {scenario}." + (
        " Bill share: actuals (Treasury MSPD) in the lighter line." if "bill_share:history" in data else ""
    )
    _title(fig, title, sub)
    handles = ax.get_legend_handles_labels()[0] + ax_m.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + ax_m.get_legend_handles_labels()[1]
    handles += ax3.get_legend_handles_labels()[0]
    labels += ax3.get_legend_handles_labels()[1]
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.045), ncol=4, fontsize=7)
    _source(fig, source)
    return fig


VALIDATION = {
    "debt_to_gdp": ("Debt/GDP", "% of GDP"),
    "net_interest": ("Net interest", "$bn"),
    "average_interest_rate": ("Average interest rate", "% a year"),
}


TRACKS_CBO = 2.0  # pp of GDP: the largest debt/GDP gap the validation chart calls tracking CBO


def validation_data(run: pd.DataFrame, cbo: pd.DataFrame) -> pd.DataFrame:
    """The model's baseline against CBO's own projection, over CBO's years (``<var>:model``,
    ``<var>:cbo`` and ``<var>:gap`` = model less CBO)."""
    years = [y for y in run.index if y in cbo.index and cbo.loc[y].notna().any()]
    parts = {}
    for col in VALIDATION:
        parts[f"{col}:model"] = run.loc[years, col]
        parts[f"{col}:cbo"] = cbo.loc[years, col]
        parts[f"{col}:gap"] = parts[f"{col}:model"] - parts[f"{col}:cbo"]
    return pd.DataFrame(parts)


def plot_validation(data: pd.DataFrame, ax: Axes, vintage: str, source: str = SOURCE) -> Figure:
    """Three panels, model (line) against CBO (dots): debt/GDP, net interest, average rate."""
    fig = ax.figure
    axes = [ax, fig.add_subplot(1, 3, 2), fig.add_subplot(1, 3, 3)]
    for k, (a, (col, (label, unit))) in enumerate(zip(axes, VALIDATION.items(), strict=True)):
        a.set_position([0.1 + k * 0.315, 0.3, 0.215, 0.48])
        a.plot(data.index, data[f"{col}:model"], color="#000000", label="Snowball")
        a.plot(data.index, data[f"{col}:cbo"], "o", color="#D55E00", markersize=3.5, label="CBO")
        a.set_title(label, loc="left", fontsize=8.5)
        a.set_ylabel(unit)
        a.set_xlabel("Fiscal year")
        a.tick_params(axis="x", labelrotation=45)
    last = int(data.index[-1])
    gap = data["debt_to_gdp:gap"].abs()
    verdict = "The model tracks CBO" if gap.max() <= TRACKS_CBO else "The model departs from CBO"
    title = (
        f"{verdict}: debt/GDP {data.at[last, 'debt_to_gdp:model']:.1f}% vs "
        f"{data.at[last, 'debt_to_gdp:cbo']:.1f}% in {last}"
    )
    sub = (
        f"Largest gap in debt/GDP {gap.max():.1f} pp ({int(gap.idxmax())}); net interest within "
        f"{math.ceil((data['net_interest:gap'] / data['net_interest:cbo']).abs().max() * 100)}% of CBO's. "
        f"Baseline: {vintage}."
    )
    _title(fig, title, sub)
    _legend_below(fig, ax, ncol=2)
    _source(fig, source)
    return fig


DECOMP = {
    "primary_deficit": ("Primary deficit", "#E69F00"),
    "interest": ("Net interest", "#D55E00"),
    "growth": ("Nominal GDP growth", "#56B4E9"),
    "other_means_of_financing": ("Other means of financing", "#999999"),
}


def plot_decomposition(data: dict[str, pd.DataFrame], ax: Axes, source: str = SOURCE) -> Figure:
    """Stacked bars: each year's change in debt/GDP by source, one panel per scenario, one scale."""
    fig = ax.figure
    names = list(data)
    fig.set_size_inches(6.5, 2.0 + 1.35 * len(names))
    axes = [ax] + [fig.add_subplot(len(names), 1, i + 1, sharex=ax, sharey=ax) for i in range(1, len(names))]
    height_in = fig.get_size_inches()[1]
    top, bottom = 1 - 0.95 / height_in, _legend_room(fig, ["x"] * 5, 3)
    gap = 0.42 / height_in
    height = (top - bottom - gap * (len(names) - 1)) / len(names)
    lo, hi = 0.0, 0.0
    for k, (a, name) in enumerate(zip(axes, names, strict=True)):
        a.set_position([0.1, top - (k + 1) * height - k * gap, 0.88, height])
        frame = data[name]
        pos = np.zeros(len(frame))
        neg = np.zeros(len(frame))
        for col, (label, color) in DECOMP.items():
            v = frame[col].to_numpy()
            bottom_ = np.where(v >= 0, pos, neg)
            a.bar(frame.index, v, bottom=bottom_, color=color, width=0.8, label=label, linewidth=0)
            pos += np.where(v >= 0, v, 0)
            neg += np.where(v < 0, v, 0)
        lo, hi = min(lo, float(neg.min())), max(hi, float(pos.max()))
        a.plot(
            frame.index,
            frame["change"],
            "o-",
            color="#000000",
            markersize=2,
            linewidth=1,
            label="Change in debt/GDP",
        )
        a.axhline(0, color="#333333", linewidth=0.6)
        a.set_ylabel("pp of GDP", fontsize=7.5)
        a.set_title(name, loc="left", fontsize=8)
    ax.set_ylim(lo * 1.1, hi * 1.25)
    axes[-1].set_xlabel("Fiscal year")
    for a in axes[:-1]:
        a.tick_params(labelbottom=False)
    first = data[names[0]]
    last = int(first.index[-1])
    ni, pd_ = first.at[last, "interest"], first.at[last, "primary_deficit"]
    gr = first.at[last, "growth"]
    title = f"Interest adds {ni:.1f} pp of GDP to the debt in {last} ({names[0]})"
    sub = (
        ("More than" if ni > pd_ else "Less than")
        + f" the primary deficit ({pd_:.1f} pp); growth takes off {-gr:.1f} pp. "
        + "Each year's change in debt/GDP by source; every panel on one scale."
    )
    _title(fig, title, sub)
    _legend_below(fig, axes[0], ncol=3, fontsize=7.5)
    _source(fig, source)
    return fig


# ------------------------------------------------------------------------------- the sell-off

SELLOFF_YIELDS = {
    "bill yield": "3-month bill",
    "two year yield": "2-year",
    "five year yield": "5-year",
    "ten year yield": "10-year",
    "thirty year yield": "30-year",
}
SELLOFF_PRICES = {"bond price 10y": "10-year note", "bond price 30y": "30-year bond"}
SELLOFF_HOLDERS = {
    "Japan holdings": "Japan",
    "China holdings": "China",
    "Other foreign official holdings": "Other foreign official",
    "Foreign private holdings": "Foreign private",
    "Fed holdings": "Federal Reserve",
    "Domestic private holdings": "Domestic private",
}
SELLOFF_VARIABLES = [*SELLOFF_YIELDS, *SELLOFF_PRICES, *SELLOFF_HOLDERS, "official sales"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def month_label(calendar: float) -> str:
    """'Oct 2025' for a decimal calendar year on the monthly grid (2025.75 is the end of
    September 2025, so the month that ends there is September)."""
    k = round(calendar * 12) - 1
    return f"{MONTHS[k % 12]} {k // 12}"


def selloff_data(
    monthly: pd.DataFrame, base: pd.DataFrame, first: float | None = None, years: float = 7.0
) -> pd.DataFrame:
    """Monthly gaps from the baseline run through the sale: yields (pp), prices ($ per $100)
    and holdings ($bn), plus the sale's own path (``official sales``, $bn a year).

    ``monthly`` and ``base`` are model-time indexed (time T is the end of fiscal year T, 30
    September); the result is indexed by calendar year as a decimal (T + 0.75), one column per
    variable (its gap from the baseline) and ``official sales`` (the scenario's own).
    """
    start = float(monthly.index[0]) if first is None else first
    keep = (monthly.index >= start - 1e-9) & (monthly.index <= start + years + 1e-9)
    frame = monthly.loc[keep, SELLOFF_VARIABLES]
    ref = base.reindex(frame.index)
    out = frame - ref
    out["official sales"] = frame["official sales"]
    out.index = np.round(out.index.to_numpy(dtype=float) + 0.75, 6)
    out.index.name = "calendar_year"
    return out


def selloff_table(data: pd.DataFrame) -> pd.DataFrame:
    """:func:`selloff_data` in the units the sell-off chart draws, each column named with its unit
    (yields in bp, as drawn; prices in $ per $100 face; holdings and sales in $bn), with the month
    each row ends and its fiscal year beside the decimal calendar year the chart's axis uses."""
    out = pd.DataFrame(index=data.index)
    # each row is an instant at a month's end (2026.75: the end of September 2026, in FY2026)
    out["end_of_month"] = [month_label(float(t)) for t in data.index]
    out["fiscal_year"] = [int(np.floor(float(t) + 0.25 - 1e-6)) for t in data.index]
    for var, label in SELLOFF_YIELDS.items():
        out[f"{label} yield (bp vs baseline)"] = data[var] * 100
    for var, label in SELLOFF_PRICES.items():
        out[f"{label} price ($ per $100 face vs baseline)"] = data[var]
    for var, label in SELLOFF_HOLDERS.items():
        out[f"{label} holdings ($bn vs baseline)"] = data[var]
    out["official sales ($bn a year)"] = data["official sales"]
    return out


def sale_span(data: pd.DataFrame) -> tuple[float, float] | None:
    """The months of selling, as decimal calendar years: a sales rate at instant t is sold over
    the month from t (Euler steps), so a sale of FY2026 spans 2025.75 (1 October 2025) to
    2026.75 (1 October 2026). None when nothing is sold."""
    selling = data["official sales"] > 1e-9
    if not selling.any():
        return None
    idx = data.index[selling]
    return float(idx.min()), float(idx.max()) + 1 / 12


def _shade_sale(ax: Axes, data: pd.DataFrame) -> None:
    span = sale_span(data)
    if span is not None:
        ax.axvspan(*span, color="#F0E442", alpha=0.3, linewidth=0)


def fiscal_year_ticks(ax: Axes, lo: float, hi: float) -> None:
    """A monthly time axis in fiscal years: a gridline at each fiscal year's start (1 October:
    calendar decimal Y - 0.25 for FY Y) and 'FY Y' in the middle of each year shown whole.

    ``lo``, ``hi``: the axis limits as decimal calendar years (2025.75 = 1 October 2025)."""
    from matplotlib.ticker import FixedLocator, NullFormatter

    first, last = int(np.floor(lo + 0.25)), int(np.ceil(hi + 0.25))
    starts = [y - 0.25 for y in range(first, last + 1) if lo - 1e-9 <= y - 0.25 <= hi + 1e-9]
    middles = [y + 0.25 for y in range(first, last + 1) if lo - 1e-9 <= y - 0.25 and y + 0.75 <= hi + 1e-9]
    ax.xaxis.set_major_locator(FixedLocator(starts))
    ax.xaxis.set_major_formatter(NullFormatter())
    ax.xaxis.set_minor_locator(FixedLocator(middles))
    ax.set_xticks(middles, [f"FY{round(m - 0.25)}" for m in middles], minor=True)
    ax.tick_params(axis="x", which="minor", length=0)


def plot_selloff(data: pd.DataFrame, ax: Axes, scenario: str, source: str = SOURCE) -> Figure:
    """Yields against their baseline paths, bond prices, and holdings against baseline, monthly."""
    fig = ax.figure
    fig.set_size_inches(6.5, 7.4)
    ax_p = fig.add_subplot(3, 1, 2)
    ax_h = fig.add_subplot(3, 1, 3)
    boxes = [[0.11, 0.66, 0.6, 0.2], [0.11, 0.4, 0.6, 0.18], [0.11, 0.1, 0.6, 0.22]]
    for a, box in zip((ax, ax_p, ax_h), boxes, strict=True):
        a.set_position(box)
        _shade_sale(a, data)
        a.set_xlim(data.index.min(), data.index.max())
        fiscal_year_ticks(a, float(data.index.min()), float(data.index.max()))
        a.axhline(0, color="#333333", linewidth=0.6)
    for i, (var, label) in enumerate(SELLOFF_YIELDS.items()):
        ax.plot(
            data.index, data[var] * 100, label=label, color=PALETTE[i + 1 if i else 0], linestyle=DASHES[i]
        )
    ax.set_ylabel("bp above baseline")
    ax.set_title("Treasury yields: gap from the baseline path", loc="left", fontsize=9)
    for i, (var, label) in enumerate(SELLOFF_PRICES.items()):
        ax_p.plot(data.index, data[var], label=label, color=PALETTE[i + 1], linestyle=DASHES[i])
    ax_p.set_ylabel(r"\$ per \$100 face")
    ax_p.set_title("Bond prices: gap from the baseline (par 100 there)", loc="left", fontsize=9)
    for i, (var, label) in enumerate(SELLOFF_HOLDERS.items()):
        ax_h.plot(data.index, data[var], label=label, color=PALETTE[(i + 1) % 8], linestyle=DASHES[i])
    ax_h.set_ylabel(r"\$bn vs baseline")
    ax_h.set_xlabel("Fiscal year (monthly; shaded: the sale)")
    ax_h.set_title("Treasuries held, by holder: change from the baseline", loc="left", fontsize=9)
    for a in (ax, ax_p, ax_h):
        a.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5)
    ten = data["ten year yield"]
    price = data["bond price 10y"]
    seller = min(SELLOFF_HOLDERS, key=lambda v: float(data[v].min()))
    sold, when = -float(data[seller].min()), month_label(float(data[seller].idxmin()))
    title = (
        f"The sale lifts the 10-year yield {ten.max() * 100:.0f} bp above its baseline path "
        f"(monthly peak, {month_label(float(ten.idxmax()))})"
    )
    sub = (
        f"Scenario: {scenario}. {SELLOFF_HOLDERS[seller]} holds ${sold:,.0f}bn less than at baseline "
        f"by {when} (at baseline its holdings grow with the debt); the 10-year note's price falls up to "
        f"${-price.min():.2f} per $100."
    )
    _title(fig, title, sub)
    _source(fig, source)
    return fig


# ------------------------------------------------------------------ uncertainty and sensitivity

PERCENTILE_BANDS = [("p5", "p95", 0.18), ("p10", "p90", 0.3), ("p25", "p75", 0.45)]


def fan_data(summary: pd.DataFrame, variable: str, base: pd.Series | None = None) -> pd.DataFrame:
    """Percentiles (p5 ... p95) by fiscal year of one variable from a sweep summary, plus the
    base scenario's own path (``base``) when given."""
    s = summary[summary["variable"] == variable] if "variable" in summary.columns else summary
    year = next(c for c in ("fiscal_year", "year") if c in s.columns)
    cols = [c for c in ("p5", "p10", "p25", "p50", "p75", "p90", "p95") if c in s.columns]
    if not cols:
        raise ValueError(f"no percentile columns for {variable}")
    out = s.set_index(year)[cols].astype(float).sort_index()
    out.index = out.index.astype(int)
    if base is not None:
        out["base"] = base.reindex(out.index)
    return out


def plot_fan(
    data: pd.DataFrame,
    ax: Axes,
    label: str,
    unit: str,
    note: str,
    probability: bool = True,
    errors: pd.DataFrame | None = None,
    exceed: Sequence[str] = (),
    source: str = SOURCE,
) -> Figure:
    """A fan chart: 5-95, 10-90 and 25-75 percentile bands, the median and the base path.

    ``probability`` False draws the bands grey and labels them as a range over a design (Sobol,
    grid), not a distribution. ``errors`` (horizon years with CBO's 10-90 error range, pp) adds
    CBO's historical error bars around the base path; ``exceed`` lines go into the subtitle.
    """
    fig = ax.figure
    fig.set_size_inches(6.5, 4.6)
    color = "#0072B2" if probability else "#888888"
    shown = 0.0  # the opacity a band shows: it lies over every wider band (nested, translucent)
    for lo, hi, alpha in PERCENTILE_BANDS:
        if lo in data and hi in data:
            name = f"{lo[1:]}th\u2013{hi[1:]}th percentile" + ("" if probability else " of the design's runs")
            ax.fill_between(data.index, data[lo], data[hi], color=color, alpha=alpha, linewidth=0)
            shown = 1 - (1 - shown) * (1 - alpha)
            # the legend's swatch in the colour the band shows, not the colour of its own layer
            ax.fill_between([], [], [], color=color, alpha=shown, linewidth=0, label=name)
    if "p50" in data:
        # wider than the dashed base line drawn over it, and edged in white against the bands:
        # where the two coincide (mean-zero shocks) both stay visible
        from matplotlib import patheffects

        ax.plot(
            data.index,
            data["p50"],
            color=color,
            linewidth=2.0,
            path_effects=[patheffects.Stroke(linewidth=3.4, foreground="white"), patheffects.Normal()],
            label="Median" if probability else "Median of the design's runs",
        )
    if "base" in data:
        ax.plot(
            data.index, data["base"], color="#000000", linestyle="--", linewidth=1.2, label="Base scenario"
        )
    if errors is not None and len(errors) and "base" in data:
        for _, r in errors.iterrows():
            y = float(data.at[int(r["fiscal_year"]), "base"])
            ax.errorbar(int(r["fiscal_year"]), y, yerr=float(r["cbo"]) / 2, color="#D55E00", capsize=3)
        ax.plot([], [], color="#D55E00", label="CBO's own 10th\u201390th error range")
    ax.set_ylabel(f"{label}, {unit}")
    ax.set_xlabel("Fiscal year")
    last = int(data.index.max())
    lo, hi = ("p5", "p95") if "p5" in data else (data.columns[0], data.columns[-1])
    share = f"{int(hi[1:]) - int(lo[1:])}%" if lo[1:].isdigit() and hi[1:].isdigit() else "most"
    if probability:
        title = (
            f"{label} in {last}: {share} of draws between {data.at[last, lo]:.0f} and "
            f"{data.at[last, hi]:.0f}{'' if unit.startswith('%') else ' '}{unit}"
        )
    else:
        span = (
            f"{data.at[last, lo]:.0f}\u2013{data.at[last, hi]:.0f}{'' if unit.startswith('%') else ' '}{unit}"
        )
        runs = f"in {share} of the design's runs"
        title = f"Sensitivity, not probability: {label.lower()} in {last} is {span} {runs}"
    bottom = _legend_room(fig, ax.get_legend_handles_labels()[1], 3)
    fig.subplots_adjust(top=0.83, bottom=bottom, left=0.1, right=0.98)
    _title(fig, title, note + ("\n" + "; ".join(exceed) if exceed else ""))
    _legend_below(fig, ax, ncol=3)
    _source(fig, source)
    return fig


class NoSensitivity(ValueError):
    """A sensitivity table with nothing to rank for one target and year (e.g. every run of the
    year non-finite): the panel is left out. Any other ValueError is a real failure."""


def tornado_data(
    sensitivity: pd.DataFrame,
    variable: str,
    year: int,
    labels: dict[str, str] | None = None,
    centre: float | None = None,
) -> pd.DataFrame:
    """One target's inputs ranked by influence, the largest last (drawn on top).

    Decile tables (``low``/``high``: median output with the input in its bottom / top decile)
    are centred on ``centre`` (the sweep median); Sobol tables give ``s1``/``st``; Morris ``mu_star``.
    Index: the input's readable label (``labels``), else its name.
    """
    s = sensitivity[(sensitivity["variable"] == variable) & (sensitivity["fiscal_year"] == year)]
    if s.empty:
        raise NoSensitivity(f"no sensitivity rows for {variable} in FY{year}")
    s = s.set_index("input")
    if {"low", "high"} <= set(s.columns) and s["low"].notna().any():
        out = s[["low", "high"]].astype(float)
        if centre is not None:
            out = out - centre
        out = out.loc[(out["high"] - out["low"]).abs().sort_values(kind="stable").index]
    elif "ST" in s.columns and s["ST"].notna().any():
        keep = [c for c in ("S1", "ST", "S1_conf", "ST_conf") if c in s.columns]
        out = s[keep].astype(float).rename(columns=str.lower).sort_values("st")
    elif "mu_star" in s.columns and s["mu_star"].notna().any():
        keep = [c for c in ("mu_star", "mu_star_conf") if c in s.columns]
        out = s[keep].astype(float).sort_values("mu_star")
    else:
        raise NoSensitivity("sensitivity table has neither low/high, S1/ST nor mu_star columns")
    out.index = [(labels or {}).get(i, i) for i in out.index]
    out.index.name = "input"
    col = BY_NAME.get(variable)
    out.attrs |= {"variable": variable, "year": year, "unit": col.unit if col else ""}
    out.attrs["label"] = col.label if col else variable
    return out


def plot_tornado(data: dict[int, pd.DataFrame], ax: Axes, note: str, source: str = SOURCE) -> Figure:
    """Tornado panels side by side, one per horizon (``{year: tornado_data(...)}``)."""
    fig = ax.figure
    years = list(data)
    # each frame is ranked for its own year; only the first panel carries the input labels, so every
    # panel draws its rows in the first panel's order (a bar beside its own label), and the title
    # names each year's most influential input from that year's own ranking
    tops = [str(data[y].index[-1]) for y in years]
    order = list(dict.fromkeys([*data[years[0]].index, *(i for y in years for i in data[y].index)]))
    if any(list(data[y].index) != order for y in years[1:]):
        note += f" Rows in FY{years[0]}'s order."
    axes = [ax] + [fig.add_subplot(1, len(years), k + 1) for k in range(1, len(years))]
    width = (0.6 - 0.06 * (len(years) - 1)) / len(years)
    for k, (a, year) in enumerate(zip(axes, years, strict=True)):
        frame = data[year].reindex(order)
        a.set_position([0.36 + k * (width + 0.06), 0.3, width, 0.48])
        y = np.arange(len(frame))
        unit = frame.attrs.get("unit", "")
        if {"low", "high"} <= set(frame.columns):
            a.barh(y, frame["high"], color="#D55E00", label="Input in its top decile")
            a.barh(y, frame["low"], color="#0072B2", label="Input in its bottom decile")
            a.axvline(0, color="#333333", linewidth=0.8)
            a.set_xlabel(f"From the median, {unit.replace('% of', 'pp of')}")
        elif "st" in frame.columns:
            a.barh(
                y + 0.2,
                frame["st"],
                xerr=frame.get("st_conf"),
                height=0.4,
                color="#56B4E9",
                label="Total Sobol index",
            )
            a.barh(
                y - 0.2,
                frame["s1"],
                xerr=frame.get("s1_conf"),
                height=0.4,
                color="#0072B2",
                label="First-order Sobol index",
            )
            a.set_xlabel("Share of variance (95% interval)")
        else:
            a.barh(y, frame["mu_star"], xerr=frame.get("mu_star_conf"), color="#0072B2", label="Morris mu*")
            a.set_xlabel(f"mu*, {unit}")
        names = [_wrap_label(str(i), 30) for i in frame.index]
        a.set_yticks(y, names if k == 0 else [""] * len(frame), fontsize=7.5)
        a.set_title(f"FY{year}", loc="left", fontsize=9)
        a.grid(axis="y", visible=False)
    label = data[years[0]].attrs.get("label", "")
    label = {"Debt held by the public": "debt/GDP"}.get(label, label.lower())
    short = [t.split(" (")[0] for t in tops]
    if len(set(short)) == 1:
        title = f"{short[0]} moves {label} most in " + " and ".join(f"FY{y}" for y in years)
    else:  # years with the same top input together, in the order they first come
        first: dict[str, list[int]] = {}
        for t, y in zip(short, years, strict=True):
            first.setdefault(t, []).append(y)
        title = f"What moves {label} most: " + "; ".join(
            " and ".join(f"FY{y}" for y in ys) + f": {t.lower()}" for t, ys in first.items()
        )
    _title(fig, title, note)
    _legend_below(fig, ax, ncol=2)
    _source(fig, source)
    # after the header's texts, which come first in fig.texts
    xlabels = {a.get_xlabel() for a in axes}
    if len(axes) > 1 and len(xlabels) == 1:  # one label under the panels, not one overlapping each
        for a in axes:
            a.set_xlabel("")
        first, last = axes[0].get_position(), axes[-1].get_position()
        fig.text(
            (first.x0 + last.x1) / 2,
            first.y0 - 0.065,
            xlabels.pop(),
            ha="center",
            va="top",
            fontsize=plt.rcParams["axes.labelsize"],
        )
    return fig


# ------------------------------------------------------------------------------ sweep outputs


TABLE_WORDS = {"productivity shift": "productivity growth"}  # what a path on the table moves


def _table_words(tables: Sequence[str]) -> tuple[str, str]:
    """Readable words and unit for the input tables a sweep path moves."""
    names = [t.removesuffix(" table") for t in tables]
    yields = {"bill yield": "bill", "ten year yield": "10-year"}
    if all(n in yields for n in names):
        words = " and ".join(yields[n] for n in names) + (" yields" if len(names) > 1 else " yield")
        return words, "pp"
    words = " and ".join(TABLE_WORDS.get(n, n.replace(" share", "")) for n in names)
    return words, "% of GDP" if any("share" in n for n in names) else "pp"


def input_labels(spec) -> dict[str, str]:
    """Readable labels with units for a sweep spec's varied inputs (``params.csv`` names):
    path parameters from their family and tables, constants from the model's own units."""
    from runners.mdl.model import parameters

    labels: dict[str, str] = {}
    for p in spec.paths:
        what, unit = _table_words(p.tables)
        half = p.params.get("half_life")
        forms = {
            "shift": f"Lasting shift in {what} ({unit})",
            "level": f"Ramp in {what}: level reached ({unit})",
            "years": f"Ramp in {what}: years to reach it",
            "size": f"Shock to {what}, first year ({unit}"
            + (f"; half-life {half:g} y)" if half is not None else ")"),
            "half_life": f"Shock to {what}: half-life (years)",
            "sd": f"Random walk in {what}: sd ({unit} a year)",
            "start": f"{what.capitalize()} shock: start year",
        }
        for param, factor in p.factors.items():
            labels[factor] = forms.get(param, factor)
    params = parameters()
    for f in spec.factors:
        if f.constant and f.constant in params:
            units = params[f.constant].units
            labels[f.name] = f.constant[:1].upper() + f.constant[1:] + (f" ({units})" if units else "")
    return labels


DESIGN_NAMES = {"grid": "grid", "latin-hypercube": "Latin hypercube", "sobol": "Sobol", "morris": "Morris"}


def sweep_fan_figure(
    summary: pd.DataFrame,
    base: pd.Series | None,
    spec,
    n_runs: int,
    calibration: pd.DataFrame | None = None,
    exceed: Sequence[str] = (),
    source: str = SOURCE,
) -> Figure:
    """The fan chart of debt/GDP for a sweep: a distribution for Monte Carlo, a sensitivity
    range for designs (Sobol, Morris, grid, Latin hypercube)."""
    probability = spec.method == "monte-carlo"
    data = fan_data(summary, "debt_to_gdp", base)
    errors = None
    if calibration is not None and len(calibration):
        errors = calibration[calibration["statistic"] == "p10_to_p90"]
    design = DESIGN_NAMES.get(spec.method, spec.method)
    kind = "draws" if probability else f"runs of a {design} design (not a probability)"
    note = f"{spec.title.split(':')[0]}: {n_runs:,} {kind}, on {spec.scenario.title.split(':')[0]}."
    return draw(
        plot_fan,
        data,
        "Debt held by the public",
        "% of GDP",
        note,
        probability=probability,
        errors=errors,
        exceed=exceed,
        source=source,
    )


def sweep_tornado_data(
    sensitivity: pd.DataFrame, summary: pd.DataFrame, spec, years: Sequence[int] | None = None
) -> dict[int, pd.DataFrame]:
    """The tornado frames for the sweep's first sensitivity variable at ``years`` (default: the
    spec's sensitivity years, at most three), centred on the sweep's median; {} when the sweep
    ranks nothing."""
    if sensitivity.empty or "input" not in sensitivity:
        return {}
    variable = str(sensitivity["variable"].iloc[0])
    years = list(years or spec.sensitivity_years)[-3:]
    labels = input_labels(spec)
    data = {}
    for y in years:
        row = summary[(summary["variable"] == variable) & (summary["fiscal_year"] == y)]
        centre = float(row["p50"].iloc[0]) if len(row) else None
        try:
            data[y] = tornado_data(sensitivity, variable, y, labels, centre)
        except NoSensitivity:  # no indices for this year (e.g. non-finite runs): no panel
            continue
    return data


def sweep_tornado_figure(
    sensitivity: pd.DataFrame,
    summary: pd.DataFrame,
    spec,
    years: Sequence[int] | None = None,
    source: str = SOURCE,
) -> Figure | None:
    """Tornado panels (:func:`sweep_tornado_data`); None when the sweep ranks nothing."""
    data = sweep_tornado_data(sensitivity, summary, spec, years)
    if not data:
        return None
    kind = {"sobol": "first-order and total Sobol indices", "morris": "Morris screening (mu*)"}.get(
        spec.method, "median with the input in its bottom / top decile"
    )
    note = f"{spec.title.split(':')[0]}: {kind}." + (
        "" if spec.method == "monte-carlo" else " Sensitivity, not probability."
    )
    return draw(plot_tornado, data, note, source=source)


def save_sweep_fan(
    summary: pd.DataFrame,
    base: pd.DataFrame,
    the_plan,
    folder: Path,
    calibration: pd.DataFrame | None = None,
    files: ChartFiles | None = None,
) -> Path:
    """A sweep's ``fan.png`` (the briefing draws the same chart; a sweep draws it while its
    sensitivity tasks still run; ``files``: rendered there, e.g. in a worker process)."""
    source = source_note([the_plan.base.inputs.title])
    fan = sweep_fan_figure(
        summary, base["debt_to_gdp"], the_plan.spec, the_plan.n_runs, calibration, source=source
    )
    if files is not None:
        files.submit(fan, folder / "fan", (".png",))
        return (folder / "fan").with_suffix(".png")
    return save(fan, folder / "fan", formats=(".png",))[0]


def save_sweep_tornado(sensitivity: pd.DataFrame, summary: pd.DataFrame, the_plan, folder: Path) -> Path:
    """A sweep's ``tornado.png`` (a note in its place when no input was ranked)."""
    source = source_note([the_plan.base.inputs.title])
    tornado = sweep_tornado_figure(sensitivity, summary, the_plan.spec, source=source)
    if tornado is None:
        with plt.style.context(STYLE):
            tornado, ax = plt.subplots()
            ax.text(0.5, 0.5, "No inputs ranked (none varied, or no indices)", ha="center", va="center")
            ax.set_axis_off()
    return save(tornado, folder / "tornado", formats=(".png",))[0]


# ----------------------------------------------------------------------------------- plumbing


def draw(fn: Callable[..., Figure], *args, **kwargs) -> Figure:
    """Run a plot function on fresh axes under the packaged style and return its figure (not
    registered with pyplot, so a pack of many charts keeps no global state)."""
    with plt.style.context(STYLE):
        fig = Figure(figsize=plt.rcParams["figure.figsize"], dpi=plt.rcParams["figure.dpi"])
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        fn(*args[:1], ax, *args[1:], **kwargs)
    return fig


def save(fig: Figure, stem: Path, close: bool = True, formats: Sequence[str] | None = None) -> list[Path]:
    """Write PNG (200 dpi), SVG and PDF (or only ``formats``, e.g. ``(".png",)``) with no creation
    dates; close the figure unless told."""
    paths = []
    with plt.style.context(STYLE):
        for ext, md in METADATA.items():
            if formats is not None and ext not in formats:
                continue
            path = stem.with_suffix(ext)
            fig.savefig(path, metadata=md, dpi=PNG_DPI if ext == ".png" else None)
            paths.append(path)
    if close:
        plt.close(fig)
    return paths


def save_pickled(blob: bytes, stem: str, formats: tuple[str, ...]) -> None:
    """In a worker process: :func:`save` a pickled figure (the same bytes as saving it here)."""
    import pickle

    save(pickle.loads(blob), Path(stem), formats=formats)


class ChartFiles:
    """Writes charts' files in worker processes while this process goes on: a briefing's PDFs
    spend most of their time subsetting fonts (0.25 s a chart), in pure Python, so threads would
    not help. ``workers`` 0 (or a figure that cannot be pickled): the files are written at once,
    here. Leaving the ``with`` block waits for every file and raises a worker's error here; the
    workers die with this process. ``executor``: worker processes started already (a sweep's
    chart process, which imported this module while the runs ran); they are left running."""

    def __init__(self, workers: int, executor=None):
        self.workers = workers
        self._executor = executor
        self._own = executor is None
        self._futures: list = []

    def __enter__(self) -> ChartFiles:
        return self

    def submit(self, fig: Figure, stem: Path, formats: Sequence[str]) -> None:
        """Write ``fig``'s ``formats`` at ``stem`` (the figure is pickled now: it may change after)."""
        import pickle

        try:
            blob = pickle.dumps(fig) if self.workers >= 1 else None
        except (pickle.PicklingError, TypeError, AttributeError):  # e.g. a lambda tick formatter
            blob = None
        if blob is None:
            save(fig, stem, close=False, formats=formats)
            return
        if self._executor is None:
            from runners.sweep.work import worker_processes

            self._executor = worker_processes(self.workers)
        self._futures.append(self._executor.submit(save_pickled, blob, str(stem), tuple(formats)))

    def wait(self) -> None:
        """Wait until every file submitted so far is written (a worker's error is raised here)."""
        for future in self._futures:
            future.result()

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._executor is None:
            return
        try:
            if exc_type is None:
                self.wait()
        finally:
            if self._own:
                self._executor.shutdown(wait=True, cancel_futures=True)


def backtest_data(table: pd.DataFrame, variable: str = "net_interest") -> pd.DataFrame:
    """Actual and model values of one backtested variable, by fiscal year."""
    sub = table[table["variable"] == variable]
    return sub.set_index("fiscal_year")[["actual", "model", "error_pct"]]


def plot_backtest(data: pd.DataFrame, ax: Axes, start: int) -> Figure:
    """Net interest: the model driven by actual data from FY``start`` against the actual outlays."""
    fig = ax.figure
    years = data.index.to_numpy()
    ax.bar(years, data["actual"], color="#BBBBBB", width=0.7, label="Actual (OMB/CBO)")
    ax.plot(
        years, data["model"], color=PALETTE[0], marker="o", lw=1.8, label="Snowball, driven by actual data"
    )
    for x, y, e in zip(years, data["model"], data["error_pct"], strict=True):
        ax.annotate(f"{e:+.1f}%", (x, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=7)
    ax.set_ylabel(r"Net interest, \$bn")
    ax.set_xticks(years)
    ax.set_xticklabels([f"{y % 100:02d}" for y in years])
    ax.set_xlabel("Fiscal year (20xx)")
    ax.set_ylim(0, max(data["actual"].max(), data["model"].max()) * 1.18)
    worst = data["error_pct"].abs().idxmax()
    _title(
        fig,
        f"Net interest, backtest from the end of FY{start - 1}",
        f"Mean absolute error {data['error_pct'].abs().mean():.1f}%; "
        f"worst {data.at[worst, 'error_pct']:+.1f}% (FY{worst}). Labels: model error against the actual.",
    )
    fig.subplots_adjust(top=0.8, bottom=0.27)
    _legend_below(fig, ax, ncol=2)
    _source(fig, "Source: OMB Historical Tables, CBO, Treasury, FRED, BLS; Snowball backtest.")
    return fig
