"""The projection charts of Snowball, in two layers: ``*_data`` (pure frames) -> ``plot_*`` (draw on
given Axes, no I/O); :mod:`runners.report.style` draws and saves them.

The briefing's charts (debt, interest, rollover, budget, spending, revenue, r - g, changes from
baseline, debt structure, validation, the decomposition, the sell-off as gaps from the baseline)
and the backtest's (r - g and the decomposition are in :mod:`runners.report.snowball_charts`, re-exported
here); the sweep charts are in :mod:`runners.report.sweep_charts`. Every chart
carries a title that states its finding (tested against the data drawn), units on its axes, the
scenario's title and a source note.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from runners.core.fiscal_years import first_peak_year
from runners.report import style
from runners.report.snowball_charts import (  # noqa: F401 (re-exported: the pack's chart functions)
    DECOMP,
    DECOMP_EDGE,
    R_G_EDGE,
    decomposition_claim,
    decomposition_data,
    decomposition_table,
    plot_decomposition,
    plot_r_g,
    r_g_claim,
    r_g_data,
)
from runners.report.style import HISTORY_COLOR, REFERENCE_COLOR, SERIES, SOURCE

RECORD_1946 = 106.1  # debt held by the public, % of GDP, FY1946 (OMB Historical Table 7.1)

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


def _scenarios(data: pd.DataFrame, exclude: Sequence[str] = ("history",)) -> list[str]:
    return [c for c in data.columns if c not in exclude]


def plot_debt(data: pd.DataFrame, ax: Axes, source: str = SOURCE) -> Figure:
    """Debt/GDP history and projections with the 1946 record marked."""
    fig = ax.figure
    fig.set_size_inches(6.5, 5.0)
    hist = data["history"].dropna()
    ax.plot(hist.index, hist.values, color=HISTORY_COLOR, linewidth=2, label="History (OMB, CBO)")
    names = _scenarios(data)
    lines = []
    for i, name in enumerate(names):
        s = data[name].dropna()
        lines += ax.plot(s.index, s.values, label=name, **style.scenario_style(i))
    ax.axhline(RECORD_1946, color=REFERENCE_COLOR, linestyle=":", linewidth=1)
    ax.plot([1946], [hist.loc[1946]], "o", color=REFERENCE_COLOR, markersize=4)
    ax.annotate(
        f"1946 record: {RECORD_1946:.0f}% of GDP",
        (1946, RECORD_1946),
        xytext=(1952, RECORD_1946 + 14),
        fontsize=8,
        color=REFERENCE_COLOR,
        arrowprops={"arrowstyle": "-", "color": REFERENCE_COLOR, "linewidth": 0.7},
    )
    base = data[names[0]].dropna()
    style.mark_projection(ax, float(base.index.min()))
    above = base[base > RECORD_1946]
    last = int(base.index.max())
    ax.set_ylabel("Debt held by the public, % of GDP")
    ax.set_xlabel("Fiscal year")
    ax.set_xlim(1938, last + 1)
    ax.set_ylim(0, max(200.0, float(np.nanmax(data.to_numpy(dtype=float))) * 1.08))
    title = f"Debt reaches {base.iloc[-1]:.0f}% of GDP by {last} ({names[0]})"
    sub = (
        f"{names[0]} passes the 1946 record in {int(above.index[0])}."
        if len(above)
        else f"{names[0]} stays below the 1946 record."
    )
    style.finish(fig, ax, title, sub, source)
    style.direct_labels(ax, lines)
    return fig


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
        lines = []
        for i, name in enumerate(_scenarios(frame)):
            s = frame[name].dropna()
            lines += a.plot(s.index, s.values, label=name, **style.scenario_style(i))
        a.set_ylabel(ylabel)
        a.set_xlabel("Fiscal year")
        a.set_xlim(1938, int(frame.index.max()) + 1)
        a.set_ylim(bottom=0)
        style.mark_projection(a, float(frame[_scenarios(frame)[0]].first_valid_index()))
    ax2.axhline(20, color=REFERENCE_COLOR, linestyle=":", linewidth=1)
    ax2.annotate("20% of outlays", (1942, 20.8), fontsize=8, color=REFERENCE_COLOR)
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
    bottom = style.legend_room(fig, ax.get_legend_handles_labels()[1], 2)
    ax.set_position([0.09, bottom, 0.36, 0.82 - bottom])
    ax2.set_position([0.55, bottom, 0.43, 0.82 - bottom])
    style.title(fig, title, sub)
    style.legend_below(fig, ax, ncol=2)
    style.source(fig, source)
    style.direct_labels(ax2, lines)  # the right panel's line ends; both panels share the styles
    return fig


def plot_rollover(data: pd.DataFrame, ax: Axes, scenario: str, source: str = SOURCE) -> Figure:
    """Average rate on the debt lags market yields by the maturity structure."""
    fig = ax.figure
    labels = {
        "ten_year_yield": ("10-year note yield", SERIES[0], "--"),
        "bill_yield": ("3-month bill yield", SERIES[2], "-."),
        "average_interest_rate": ("Average interest rate on the debt", SERIES[7], "-"),
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
        f"{scenario}: the rate on the debt trails the 10-year yield, {avg.loc[peak]:.1f}% vs "
        f"{ten.max():.1f}% in FY{peak} (fiscal-year averages)"
    )
    catch = gap[(gap.index > peak) & (gap.abs() < 0.25)]
    sub = (
        f"The average rate comes within 0.25 pp of the 10-year in FY{int(catch.index[0])}."
        if len(catch)
        else "Maturing debt leaves at its old coupon; new debt is issued at market yields."
    )
    bottom = style.legend_room(fig, ax.get_legend_handles_labels()[1], 3)
    fig.subplots_adjust(top=0.84, bottom=bottom, left=0.1, right=0.98)
    style.title(fig, title, sub)
    style.legend_below(fig, ax, ncol=3)
    style.source(fig, source)
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
    "revenues": ("Revenues", SERIES[0], "-"),
    "outlays": ("Outlays", SERIES[4], "--"),
    "deficit": ("Total deficit", SERIES[5], "-"),
    "primary_deficit": ("Primary deficit (excluding net interest)", SERIES[3], "--"),
}


def plot_budget(data: pd.DataFrame, ax: Axes, scenario: str, source: str = SOURCE) -> Figure:
    """Revenues and outlays (left), total and primary deficits (right), % of GDP."""
    fig = ax.figure
    ax2 = fig.add_subplot(1, 2, 2)
    ax.set_position([0.08, 0.3, 0.39, 0.5])
    ax2.set_position([0.585, 0.3, 0.39, 0.5])
    for a, cols in ((ax, ("revenues", "outlays")), (ax2, ("deficit", "primary_deficit"))):
        for col in cols:
            label, color, dash = BUDGET_LINES[col]
            hist, proj = data[f"{col}:history"].dropna(), data[f"{col}:projection"].dropna()
            a.plot(hist.index, hist.values, color=color, linestyle=dash, linewidth=1.2, alpha=0.55)
            a.plot(proj.index, proj.values, color=color, linestyle=dash, linewidth=2, label=label)
        # labelled on the deficits panel only (the left panel's title runs under the label)
        first = float(data[f"{cols[0]}:projection"].first_valid_index())
        style.mark_projection(a, first, label=a is ax2)
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
    style.title(fig, title, sub)
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + ax2.get_legend_handles_labels()[1]
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.05), ncol=2)
    style.source(fig, source)
    return fig


SPENDING = {  # label, colour, dash, marker (also the marker of the category's actual outlays)
    "social_security": ("Social Security", SERIES[0], "-", "o"),
    "medicare": ("Medicare (net of premiums)", SERIES[2], "-", "D"),
    "medicaid": ("Medicaid, CHIP, marketplace", SERIES[3], "--", "v"),
    "defense": ("Defense", SERIES[4], (0, (1.2, 1.2)), "s"),
    "nondefense": ("Nondefense discretionary", SERIES[5], "-.", "^"),
    "net_interest": ("Net interest", SERIES[1], "-", "None"),
}
MEDICAID_ONLY = "Medicaid ONLY"  # how a vintage's category file says its line is Medicaid alone


def medicaid_label(sources: Sequence[str]) -> str:
    """The spending chart's name for the vintage's ``medicaid_chip_marketplace`` line, from its
    source notes in ``outlays_by_category.csv``: 'Medicaid' where every note says the line is
    Medicaid only (CBO's February 2026 open data has no CHIP or marketplace line), else
    'Medicaid, CHIP, marketplace'."""
    return (
        "Medicaid" if sources and all(MEDICAID_ONLY in str(x) for x in sources) else SPENDING["medicaid"][0]
    )


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
    medicaid: str = SPENDING["medicaid"][0],
) -> Figure:
    """Net interest against the big spending lines, % of GDP; the years after CBO's window
    (``window_end``) shaded as the model's extension; ``medicaid`` names the vintage's
    Medicaid line (:func:`medicaid_label`)."""
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
    for k, (col, (label, color, dash, marker)) in enumerate(SPENDING.items()):
        width, z = (3.2, 2) if col == "net_interest" else (1.6, 3)
        proj = data[f"{col}:projection"].dropna()
        label = medicaid if col == "medicaid" else label
        ax.plot(
            proj.index,
            proj.values,
            color=color,
            linestyle=dash,
            linewidth=width,
            label=label,
            zorder=z,
            marker=marker,
            markevery=(k % 5, 5),
            markersize=4,
        )
        if f"{col}:history" in data:
            hist = data[f"{col}:history"].dropna()
            m = "X" if marker == "None" else marker
            ax.plot(hist.index, hist.values, m, color=color, markersize=3.5, linestyle="None")
    first = data[[c for c in data.columns if c.endswith(":projection")]].first_valid_index()
    style.mark_projection(ax, float(first))
    ax.plot([], [], "o", color=HISTORY_COLOR, markersize=3.5, label="Actual (OMB, CBO)")
    ax.set_ylabel("% of GDP")
    ax.set_xlabel("Fiscal year")
    ax.set_ylim(bottom=0)
    ax.set_xlim(int(data.index.min()) - 0.5, last + 0.5)
    title = "Net interest " + ("; ".join(milestones) if milestones else "against the main spending lines")
    bottom = style.legend_room(fig, ax.get_legend_handles_labels()[1], 3)
    fig.subplots_adjust(top=0.84, bottom=bottom, left=0.09, right=0.98)
    style.title(fig, title, f"Scenario: {scenario}. Markers alone: actual outlays; lines: the projection.")
    style.legend_below(fig, ax, ncol=3)
    style.source(fig, source)
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
    lines = []
    for i, name in enumerate(names):
        s = data[name].dropna()
        lines += ax.plot(s.index, s.values, label=name, **style.scenario_style(i))
    peak_year = int(hist.idxmax())
    ax.axhline(hist.max(), color=REFERENCE_COLOR, linestyle=":", linewidth=1)
    ax.annotate(
        f"Highest actual: {hist.max():.1f}% (FY{peak_year})",
        (1942, hist.max() + 0.8),
        fontsize=8,
        color=REFERENCE_COLOR,
    )
    base = data[names[0]].dropna()
    style.mark_projection(ax, float(base.index.min()))
    above = base[base > hist.max()]
    ax.set_ylabel("Net interest, % of revenues")
    ax.set_xlabel("Fiscal year")
    ax.set_xlim(1938, int(data.index.max()) + 1)
    ax.set_ylim(bottom=0)
    title = f"Net interest takes {base.iloc[-1]:.0f}% of revenues by {int(base.index[-1])} ({names[0]})"
    sub = (
        f"{names[0]} passes the FY{peak_year} high in FY{int(above.index[0])}."
        if len(above)
        else f"{names[0]} stays below the FY{peak_year} high."
    )
    style.finish(fig, ax, title, sub, source)
    style.direct_labels(ax, lines)
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
    bottom = style.legend_room(fig, names, 2)
    ax.set_position([0.1, bottom, 0.35, 0.8 - bottom])
    ax2.set_position([0.57, bottom, 0.41, 0.8 - bottom])
    for a, col, ylabel in (
        (ax, "debt_to_gdp", "Debt/GDP, pp difference"),
        (ax2, "net_interest_to_gdp", "Net interest/GDP, pp difference"),
    ):
        lines = [
            a.plot(data.index, data[f"{col}:{n}"], label=n, **style.scenario_style(i + 1))[0]
            for i, n in enumerate(names)
        ]
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
    style.title(fig, title, sub)
    style.legend_below(fig, ax, ncol=2)
    style.source(fig, source)
    style.direct_labels(ax2, lines)  # the right panel's line ends; both panels share the styles
    return fig


HOLDERS = {  # label, colour, hatch (neighbours in the stack differ in grey or in hatching)
    "holdings_japan": ("Japan", SERIES[7], ""),
    "holdings_china": ("China", SERIES[3], "...."),
    "holdings_other_foreign_official": ("Other foreign official", SERIES[6], ""),
    "holdings_foreign_private": ("Foreign private", SERIES[2], "////"),
    "holdings_fed": ("Federal Reserve", SERIES[4], ""),
    "holdings_domestic_private": ("Domestic private", SERIES[5], "\\\\"),
}
BILL_SHARE_FLAT = 0.5  # pp: a projected bill share that moves less than this is called held flat


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
        ax.plot(past.index, past.values, color=SERIES[1], linewidth=1.2, alpha=0.55)
    proj = data["bill_share"].dropna()
    ax.plot(proj.index, proj.values, color=SERIES[1], label="Bills and FRNs, % of debt (left)")
    style.mark_projection(ax, float(proj.index.min()), label=False)
    wam = data["weighted_average_maturity"].dropna()
    ax_m.plot(
        wam.index,
        wam.values,
        color=SERIES[0],
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
    layers = ax3.stackplot(
        held.index,
        *shares,
        colors=[c for _, c, _ in HOLDERS.values()],
        labels=[label for label, _, _ in HOLDERS.values()],
        linewidth=0,
    )
    for layer, (_, _, hatch) in zip(layers, HOLDERS.values(), strict=True):
        layer.set_hatch(hatch)
        layer.set_edgecolor("#FFFFFF")
    ax3.set_ylim(0, 100)
    ax3.set_xlim(held.index.min(), held.index.max())
    ax3.set_ylabel("% of debt held by the public")
    ax3.set_xlabel("Fiscal year")
    ax3.set_title("Who holds it", loc="left", fontsize=9)
    first, last = int(held.index[0]), int(held.index[-1])
    foreign = [f"share:{c}" for c in list(HOLDERS)[:4]]
    f0, f1 = held.loc[first, foreign].sum(), held.loc[last, foreign].sum()
    title = f"{scenario}: foreign holders " + (
        f"hold {f0:.0f}% of the debt in {first} and in {last}"
        if round(f0) == round(f1)
        else f"hold {f0:.0f}% of the debt in {first}, {f1:.0f}% in {last}"
    )
    bills = data["bill_share"].dropna()
    sub = (
        f"Bills and FRNs stay at {bills.mean():.0f}% of the debt in every projected year (within "
        f"{BILL_SHARE_FLAT} pp): the issuance mix is an input held flat, not a result."
        if bills.max() - bills.min() < BILL_SHARE_FLAT
        else f"Bills and FRNs are {bills.loc[last]:.0f}% of the debt in {last}."
    ) + (" Bill share: actuals (Treasury MSPD) in the lighter line." if "bill_share:history" in data else "")
    style.title(fig, title, sub)
    handles = ax.get_legend_handles_labels()[0] + ax_m.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + ax_m.get_legend_handles_labels()[1]
    handles += ax3.get_legend_handles_labels()[0]
    labels += ax3.get_legend_handles_labels()[1]
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.045), ncol=4, fontsize=7)
    style.source(fig, source)
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
        a.plot(data.index, data[f"{col}:model"], color=SERIES[0], label="Snowball")
        a.plot(data.index, data[f"{col}:cbo"], "o", color=SERIES[1], markersize=3.5, label="CBO")
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
    style.title(fig, title, sub)
    style.legend_below(fig, ax, ncol=2)
    style.source(fig, source)
    return fig


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
        years, data["model"], color=SERIES[0], marker="o", lw=1.8, label="Snowball, driven by actual data"
    )
    for x, y, e in zip(years, data["model"], data["error_pct"], strict=True):
        ax.annotate(f"{e:+.1f}%", (x, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=7)
    ax.set_ylabel(r"Net interest, \$bn")
    ax.set_xticks(years)
    ax.set_xticklabels([f"{y % 100:02d}" for y in years])
    ax.set_xlabel("Fiscal year (20xx)")
    ax.set_ylim(0, max(data["actual"].max(), data["model"].max()) * 1.18)
    worst = data["error_pct"].abs().idxmax()
    style.title(
        fig,
        f"Net interest, backtest from the end of FY{start - 1}",
        f"Mean absolute error {data['error_pct'].abs().mean():.1f}%; "
        f"worst {data.at[worst, 'error_pct']:+.1f}% (FY{worst}). Labels: model error against the actual.",
    )
    fig.subplots_adjust(top=0.8, bottom=0.27)
    style.legend_below(fig, ax, ncol=2)
    style.source(fig, "Source: OMB Historical Tables, CBO, Treasury, FRED, BLS; Snowball backtest.")
    return fig
