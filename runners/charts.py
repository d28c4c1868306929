"""Charts in three layers: ``*_data`` (pure frames) -> ``plot_*`` (draw on given Axes) -> ``save``.

Every chart carries a title that states its finding, units on its axes, the scenario names and a
source note; colours are Okabe-Ito (colour-blind-safe) with line styles as a second cue; files
are byte-stable (fixed DejaVu fonts, no creation dates in PNG, SVG or PDF metadata, a fixed SVG
hash salt).
"""

from __future__ import annotations

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
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .registry import BY_NAME  # noqa: E402

STYLE = Path(__file__).with_name("snowball.mplstyle")
SOURCE = "Source: CBO (January 2025; LTBO March 2025), OMB, Treasury, TIC; Snowball projections."
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
    """Net interest as % of GDP and as a share of outlays (%): history and projections."""
    out = {}
    for col in ("net_interest_to_gdp", "net_interest_share_of_outlays"):
        parts = {"history": history[col]} | {n: r[col] for n, r in runs.items()}
        out[col] = pd.concat(parts, axis=1).sort_index()
    return out


CROWDING = {
    "defense": "Defense",
    "medicare": "Medicare",
    "social_security": "Social Security",
    "nondefense": "Nondefense discretionary",
}


def crowding_data(runs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """% of GDP: net interest by scenario and the big spending lines of the first scenario."""
    first = next(iter(runs.values()))
    parts = {f"net_interest:{n}": r["net_interest"] / r["gdp"] * 100 for n, r in runs.items()}
    parts |= {col: first[col] / first["gdp"] * 100 for col in CROWDING}
    return pd.DataFrame(parts)


def rollover_data(result: pd.DataFrame) -> pd.DataFrame:
    """The rollover lag: average rate on the debt against the bill and 10-year yields, %."""
    return result[["average_interest_rate", "bill_yield", "ten_year_yield"]].copy()


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


def selloff_data(monthly: pd.DataFrame, first: float = 2024.0, last: float = 2031.0) -> pd.DataFrame:
    """Monthly yields (%), prices ($ per $100) and holdings ($bn) through the sale.

    The index is the calendar year as a decimal (model time 2024 is 30 September 2024, so
    calendar = time + 0.75); ``official sales`` ($bn a year) marks the sale window.
    """
    frame = monthly.loc[(monthly.index >= first - 1e-9) & (monthly.index <= last + 1e-9), SELLOFF_VARIABLES]
    frame = frame.copy()
    frame.index = np.round(frame.index.to_numpy(dtype=float) + 0.75, 6)
    frame.index.name = "calendar_year"
    return frame


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


def fan_data(summary: pd.DataFrame, variable: str) -> pd.DataFrame:
    """Percentiles (columns p5 ... p95) by fiscal year of one variable from a sweep summary."""
    s = summary
    if "variable" in s.columns:
        s = s[s["variable"] == variable]
    year = next(c for c in ("fiscal_year", "year") if c in s.columns)
    cols = {}
    for c in s.columns:
        m = re.fullmatch(r"(?:p|q|pct|percentile_?)?0*(\d{1,2})", str(c).strip().lower())
        if m and 0 < int(m.group(1)) < 100:
            cols[c] = f"p{int(m.group(1))}"
    out = s.set_index(year)[list(cols)].rename(columns=cols).astype(float).sort_index()
    out.index = out.index.astype(int)
    return out[sorted(out.columns, key=lambda c: int(c[1:]))]


def tornado_data(sensitivity: pd.DataFrame, summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """Inputs ranked by influence on the sweep's first target (variable and fiscal year).

    Sobol sweeps give ``S1``/``ST`` indices; others give the median output in each input's bottom
    and top decile (``low``/``high``), drawn as changes from the sweep's median (``summary.csv``).
    """
    s = sensitivity.rename(columns={c: str(c).lower() for c in sensitivity.columns})
    name = next(c for c in ("input", "parameter", "name", "factor") if c in s.columns)
    target, s_unit = "", ""
    if {"variable", "fiscal_year"} <= set(s.columns):
        variable, year = s["variable"].iloc[0], int(s["fiscal_year"].iloc[0])
        s = s[(s["variable"] == variable) & (s["fiscal_year"] == year)]
        column = BY_NAME.get(variable)
        target = f"{column.label.lower() if column else variable}, FY{year}"
        s_unit = column.unit if column else ""
    if {"low", "high"} <= set(s.columns):
        out = s.set_index(name)[["low", "high"]].astype(float)
        if summary is not None and target:
            row = summary[(summary["variable"] == variable) & (summary["fiscal_year"] == year)]
            if len(row):
                out = out - float(row["p50"].iloc[0])
        out = out.loc[(out["high"] - out["low"]).abs().sort_values().index]
    else:
        keep = [c for c in ("s1", "st") if c in s.columns]
        if not keep:
            raise ValueError("sensitivity table has neither low/high nor S1/ST columns")
        out = s.set_index(name)[keep].astype(float).sort_values(keep[-1])
    out.attrs["target"] = target
    out.attrs["unit"] = s_unit
    return out


# ------------------------------------------------------------------------------------- drawing


def _source(fig: Figure, note: str = SOURCE) -> None:
    fig.text(0.01, 0.012, note, fontsize=7, color="#444444", ha="left", va="bottom")


def _legend_below(fig: Figure, ax: Axes, ncol: int = 3) -> None:
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.05), ncol=ncol)


def _title(fig: Figure, title: str, subtitle: str | None = None) -> None:
    fig.suptitle(title, x=0.01, y=0.985, ha="left", va="top", fontsize=10.5, fontweight="bold")
    if subtitle:
        lines = (
            "\n".join(textwrap.wrap(subtitle, 92, break_on_hyphens=False))
            if "\n" not in subtitle
            else subtitle
        )
        fig.text(0.01, 0.925, lines, ha="left", va="top", fontsize=8.5, color="#333333")


def _scenarios(data: pd.DataFrame, exclude: Sequence[str] = ("history",)) -> list[str]:
    return [c for c in data.columns if c not in exclude]


def plot_debt(data: pd.DataFrame, ax: Axes) -> Figure:
    """Debt/GDP history and projections with the 1946 record marked."""
    fig = ax.figure
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
    title = f"Debt reaches {base.iloc[-1]:.0f}% of GDP by {last} in the {names[0]}"
    sub = (
        f"The {names[0]} passes the 1946 record in {int(above.index[0])}"
        if len(above)
        else f"The {names[0]} stays below the 1946 record"
    )
    _title(fig, title, sub)
    _legend_below(fig, ax, ncol=3)
    _source(fig)
    fig.subplots_adjust(top=0.86, bottom=0.26, left=0.1, right=0.98)
    return fig


def plot_interest(data: dict[str, pd.DataFrame], ax: Axes) -> Figure:
    """Net interest as % of GDP (left) and as a share of outlays with the 20% line (right)."""
    fig = ax.figure
    ax2 = fig.add_subplot(1, 2, 2)
    ax.set_position([0.09, 0.3, 0.38, 0.52])
    ax2.set_position([0.59, 0.3, 0.38, 0.52])
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
    title = f"Net interest reaches {peak.iloc[-1]:.1f}% of GDP by {int(peak.index[-1])} ({names[0]})"
    sub = f"Record so far: {record.max():.1f}% ({int(record.idxmax())}). Over 20% of outlays: " + (
        ", ".join(f"{n} {int(y)}" for n, y in passes.items()) if passes else "none"
    )
    _title(fig, title, sub)
    _legend_below(fig, ax, ncol=3)
    _source(fig)
    return fig


def plot_crowding(data: pd.DataFrame, ax: Axes, scenario: str) -> Figure:
    """Net interest by scenario against defense, Medicare, Social Security and nondefense (% of GDP)."""
    fig = ax.figure
    greys = {
        "defense": ("#555555", "--"),
        "medicare": ("#555555", ":"),
        "social_security": ("#555555", "-"),
        "nondefense": ("#999999", "-."),
    }
    for col, label in CROWDING.items():
        color, dash = greys[col]
        ax.plot(data.index, data[col], color=color, linestyle=dash, linewidth=1.4, label=label)
    names = [c.split(":", 1)[1] for c in data.columns if c.startswith("net_interest:")]
    for i, name in enumerate(names):
        ax.plot(
            data.index,
            data[f"net_interest:{name}"],
            color=PALETTE[i % len(PALETTE)] if i else "#0072B2",
            linestyle=DASHES[i % len(DASHES)],
            linewidth=2.2,
            label=f"Net interest: {name}",
        )
    ni = data[f"net_interest:{names[0]}"]
    events = []
    for col, label in (
        ("defense", "defense"),
        ("medicare", "Medicare"),
        ("social_security", "Social Security"),
    ):
        hit = ni[ni > data[col]]
        if len(hit):
            events.append(f"{label} in {int(hit.index[0])}")
    ax.set_ylabel("% of GDP")
    ax.set_xlabel("Fiscal year")
    ax.set_ylim(bottom=0)
    title = (
        f"Net interest passes {' and '.join(events)} ({names[0]})" if events else "Net interest stays below"
    )
    _title(fig, title, f"Spending lines: {scenario} (all as % of GDP)")
    _legend_below(fig, ax, ncol=3)
    _source(fig)
    fig.subplots_adjust(top=0.86, bottom=0.33, left=0.1, right=0.98)
    return fig


def plot_rollover(data: pd.DataFrame, ax: Axes, scenario: str) -> Figure:
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
    peak = int(ten.idxmax())
    gap = ten - avg
    ax.set_ylabel("Percent a year")
    ax.set_xlabel("Fiscal year")
    ax.set_ylim(bottom=0)
    title = (
        f"The rate on the debt trails the 10-year yield: {avg.loc[peak]:.1f}% vs {ten.max():.1f}% in {peak}"
    )
    catch = gap[(gap.index > peak) & (gap.abs() < 0.25)]
    sub = f"Scenario: {scenario}. " + (
        f"The average rate comes within 0.25 pp of the 10-year in {int(catch.index[0])}."
        if len(catch)
        else "Maturing debt leaves at its old coupon; new debt is issued at market yields."
    )
    _title(fig, title, sub)
    _legend_below(fig, ax, ncol=3)
    _source(fig)
    fig.subplots_adjust(top=0.86, bottom=0.24, left=0.1, right=0.98)
    return fig


def _shade_sale(ax: Axes, data: pd.DataFrame) -> None:
    selling = data["official sales"] > 1e-9
    if selling.any():
        idx = data.index[selling]
        ax.axvspan(float(idx.min()) - 1 / 12, float(idx.max()), color="#F0E442", alpha=0.3, linewidth=0)


def plot_selloff(data: pd.DataFrame, ax: Axes, scenario: str) -> Figure:
    """Yields by tenor, bond prices and holdings by holder, monthly, through the sale."""
    fig = ax.figure
    fig.set_size_inches(6.5, 7.4)
    ax_p = fig.add_subplot(3, 1, 2)
    ax_h = fig.add_subplot(3, 1, 3)
    boxes = [[0.11, 0.69, 0.6, 0.2], [0.11, 0.43, 0.6, 0.18], [0.11, 0.14, 0.6, 0.21]]
    for a, box in zip((ax, ax_p, ax_h), boxes, strict=True):
        a.set_position(box)
        _shade_sale(a, data)
        a.set_xlim(data.index.min(), data.index.max())
    for i, (var, label) in enumerate(SELLOFF_YIELDS.items()):
        ax.plot(data.index, data[var], label=label, color=PALETTE[i + 1 if i else 0], linestyle=DASHES[i])
    ax.set_ylabel("Yield, %")
    ax.set_title("Treasury yields by tenor", loc="left", fontsize=9)
    for i, (var, label) in enumerate(SELLOFF_PRICES.items()):
        ax_p.plot(data.index, data[var], label=label, color=PALETTE[i + 1], linestyle=DASHES[i])
    ax_p.axhline(100, color="#999999", linewidth=0.8)
    ax_p.set_ylabel(r"\$ per \$100 face")
    ax_p.set_title("Price of a representative note and bond (par 100 at baseline)", loc="left", fontsize=9)
    for i, (var, label) in enumerate(SELLOFF_HOLDERS.items()):
        ax_h.plot(data.index, data[var] / 1000, label=label, color=PALETTE[(i + 1) % 8], linestyle=DASHES[i])
    ax_h.set_ylabel(r"\$ trillions")
    ax_h.set_xlabel("Calendar year (monthly; shaded: the sale)")
    ax_h.set_title("Treasuries held, by holder", loc="left", fontsize=9)
    for a in (ax, ax_p, ax_h):
        a.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5)
    ten = data["ten year yield"]
    price = data["bond price 10y"]
    title = (
        f"The sale lifts the 10-year yield to {ten.max():.1f}% and cuts the note's price to "
        f"${price.min():.0f}"
    )
    fig.suptitle(title, x=0.01, y=0.99, ha="left", va="top", fontsize=10.5, fontweight="bold")
    fig.text(0.01, 0.955, f"Scenario: {scenario}", ha="left", va="top", fontsize=8.5, color="#333333")
    _source(fig)
    return fig


DECOMP = {
    "primary_deficit": ("Primary deficit", "#E69F00", None),
    "interest": ("Net interest", "#D55E00", None),
    "growth": ("Nominal GDP growth", "#56B4E9", None),
    "other_means_of_financing": ("Other means of financing", "#999999", None),
}


def plot_decomposition(data: dict[str, pd.DataFrame], ax: Axes) -> Figure:
    """Stacked bars: each year's change in debt/GDP by source, one panel per scenario."""
    fig = ax.figure
    names = list(data)
    axes = [ax] + [fig.add_subplot(len(names), 1, i + 1, sharex=ax) for i in range(1, len(names))]
    if len(names) > 1:
        fig.set_size_inches(6.5, 2.2 + 2.1 * len(names))
    top, bottom, gap = 0.86, 0.17, 0.06
    height = (top - bottom - gap * (len(names) - 1)) / len(names)
    for k, (a, name) in enumerate(zip(axes, names, strict=True)):
        a.set_position([0.1, top - (k + 1) * height - k * gap, 0.88, height])
        frame = data[name]
        pos = np.zeros(len(frame))
        neg = np.zeros(len(frame))
        for col, (label, color, _) in DECOMP.items():
            v = frame[col].to_numpy()
            bottom = np.where(v >= 0, pos, neg)
            a.bar(frame.index, v, bottom=bottom, color=color, width=0.8, label=label, linewidth=0)
            pos += np.where(v >= 0, v, 0)
            neg += np.where(v < 0, v, 0)
        a.plot(
            frame.index,
            frame["change"],
            "o-",
            color="#000000",
            markersize=2.5,
            linewidth=1,
            label="Change in debt/GDP",
        )
        a.axhline(0, color="#333333", linewidth=0.6)
        a.set_ylabel("pp of GDP")
        a.set_title(f"{name}", loc="left", fontsize=9)
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
        + "Change in debt/GDP by source"
    )
    _title(fig, title, sub)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.045), ncol=3)
    _source(fig)
    return fig


def plot_fan(data: pd.DataFrame, ax: Axes, label: str, unit: str, sweep: str) -> Figure:
    """A fan chart: 5-95, 10-90 and 25-75 percentile bands and the median."""
    fig = ax.figure
    bands = [("p5", "p95", 0.18), ("p10", "p90", 0.3), ("p25", "p75", 0.45)]
    for lo, hi, alpha in bands:
        if lo in data and hi in data:
            ax.fill_between(
                data.index,
                data[lo],
                data[hi],
                color="#0072B2",
                alpha=alpha,
                linewidth=0,
                label=f"{lo[1:]}th-{hi[1:]}th percentile",
            )
    if "p50" in data:
        ax.plot(data.index, data["p50"], color="#000000", label="Median")
    ax.set_ylabel(f"{label}, {unit}")
    ax.set_xlabel("Fiscal year")
    last = int(data.index.max())
    lo, hi = next(
        ((lo, hi) for lo, hi, _ in bands if lo in data and hi in data), (data.columns[0], data.columns[-1])
    )
    title = (
        f"{label} in {last}: {data.at[last, lo]:.0f} to {data.at[last, hi]:.0f} {unit} "
        f"({lo[1:]}th-{hi[1:]}th percentile)"
    )
    _title(fig, title, f"Sweep: {sweep}")
    _legend_below(fig, ax, ncol=4)
    _source(fig)
    fig.subplots_adjust(top=0.86, bottom=0.24, left=0.1, right=0.98)
    return fig


def plot_tornado(data: pd.DataFrame, ax: Axes, sweep: str) -> Figure:
    """A tornado chart: inputs ranked by their effect (a low/high range or Sobol indices)."""
    fig = ax.figure
    y = np.arange(len(data))
    if {"low", "high"} <= set(data.columns):
        ax.barh(y, data["high"], color="#D55E00", label="High value of the input")
        ax.barh(y, data["low"], color="#0072B2", label="Low value of the input")
        ax.axvline(0, color="#333333", linewidth=0.8)
        unit = data.attrs.get("unit", "")
        ax.set_xlabel(
            f"Change from the sweep median{f' ({unit})' if unit else ''}: input in its bottom / top decile"
        )
        top = data.index[-1]
    else:
        cols = list(data.columns)
        h = 0.8 / len(cols)
        for k, c in enumerate(cols):
            label = {"s1": "First-order Sobol index", "st": "Total Sobol index"}.get(c, c)
            ax.barh(y + (k - (len(cols) - 1) / 2) * h, data[c], height=h, color=PALETTE[k + 1], label=label)
        ax.set_xlabel("Sobol index (share of output variance)")
        top = data.index[-1]
    ax.set_yticks(y, [str(i) for i in data.index])
    target = data.attrs.get("target", "")
    title = f"'{top}' matters most" + (f" for {target}" if target else "")
    _title(fig, title, f"Sweep: {sweep}")
    _legend_below(fig, ax, ncol=2)
    _source(fig)
    fig.subplots_adjust(top=0.86, bottom=0.24, left=0.3, right=0.98)
    return fig


# ----------------------------------------------------------------------------------- plumbing


def draw(fn: Callable[..., Figure], *args) -> Figure:
    """Run a plot function on fresh axes under the packaged style and return its figure."""
    with plt.style.context(STYLE):
        fig, ax = plt.subplots()
        fn(*args[:1], ax, *args[1:])
    return fig


def save(fig: Figure, stem: Path, close: bool = True) -> list[Path]:
    """Write PNG (200 dpi), SVG and PDF with no creation dates; close the figure unless told."""
    paths = []
    with plt.style.context(STYLE):
        for ext, md in METADATA.items():
            path = stem.with_suffix(ext)
            fig.savefig(path, metadata=md, dpi=PNG_DPI if ext == ".png" else None)
            paths.append(path)
    if close:
        plt.close(fig)
    return paths


def save_book(figures: Sequence[Figure], path: Path, title: str = "Snowball briefing: charts") -> Path:
    """All figures in one PDF, one per page, with fixed metadata (no dates)."""
    meta = {"Title": title, "CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}
    with plt.style.context(STYLE), PdfPages(path, metadata=meta) as pdf:
        for fig in figures:
            pdf.savefig(fig)
    return path


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
    ax.set_ylabel("$ billions")
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
