"""The snowball's charts: r against g (the average rate on the debt against nominal GDP growth)
and the decomposition of each year's change in debt/GDP into the primary deficit, net interest,
growth's erosion and other means of financing; :mod:`runners.report.charts` re-exports them.

Their titles make no knife-edge claim: r - g within :data:`R_G_EDGE` of zero is called that, not
a sign, and the decomposition compares the two net terms of the identity (the primary deficit and
net interest less growth's erosion)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from runners.report import style
from runners.report.style import SERIES, SOURCE


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
    # what moves debt/GDP in the projection, pp of GDP a year: the primary deficit, and net interest
    # less growth's erosion of the debt (d[t-1] g/(1+g)), the terms of the snowball identity
    debt = pd.concat([history["debt_held_by_public"].loc[history.index < first], run["debt_held_by_public"]])
    gdp = pd.concat([history["gdp"].loc[history.index < first], run["gdp"]])
    ratio, growth = debt / gdp * 100, gdp.pct_change()
    erosion = (ratio.shift(1) * growth / (1 + growth)).reindex(run.index)
    out["primary_deficit_share:projection"] = (run["primary_deficit"] / run["gdp"] * 100).reindex(out.index)
    interest = run["net_interest"] / run["gdp"] * 100 - erosion
    out["interest_less_growth:projection"] = interest.reindex(out.index)
    return out.loc[out.index >= 1960]


R_G_EDGE = 0.25  # pp: an r - g closer to zero than this is called r = g, not a sign


def r_g_claim(future: pd.Series) -> str:
    """The r - g chart's finding from the projected r - g (pp): the years it sits within
    :data:`R_G_EDGE` of zero (a knife edge, not a sign) and when it clears the edge for good."""
    edge, n = R_G_EDGE, len(future)
    above, below = future > edge, future < -edge
    near = ~(above | below)
    if above.all():
        return f"r exceeds g by more than {edge:.2f} pp in every projected year"
    if below.all():
        return f"r stays more than {edge:.2f} pp below g in every projected year"
    years = [int(y) for y in future.index]
    if near.any():
        a = years[int(np.argmax(near.to_numpy()))]
        rest = future.loc[a:]
        cleared = rest.index[(rest.abs() >= edge).to_numpy()]
        b = int(cleared[0]) - 1 if len(cleared) else years[-1]
        before, after = future.loc[: a - 1], future.loc[b + 1 :]
        one_side = (before < -edge).all() or (before > edge).all()  # no earlier flip hidden
        if one_side and near.loc[a:b].all() and ((after > edge).all() or (after < -edge).all()):
            span = f"FY{a}" if a == b else f"FY{a}\u2013{b}"
            head = f"r \u2212 g is within \u00b1{edge:.2f} pp of zero in {span}"
            if b == years[-1]:
                return head
            word = "rises" if (after > edge).all() else "falls"
            return f"{head}, then {word} to {future.iloc[-1]:+.1f} pp by FY{years[-1]}"
    return f"r \u2212 g exceeds +{edge:.2f} pp in {int(above.sum())} of {n} projected years"


def plot_r_g(data: pd.DataFrame, ax: Axes, scenario: str, source: str = SOURCE) -> Figure:
    """r and g (top) and r - g as bars (bottom): positive r - g makes the debt snowball."""
    fig = ax.figure
    fig.set_size_inches(6.5, 5.0)
    ax2 = fig.add_subplot(2, 1, 2, sharex=ax)
    ax.set_position([0.1, 0.5, 0.87, 0.32])
    ax2.set_position([0.1, 0.2, 0.87, 0.22])
    for kind, label in {
        "r": ("r: average interest rate on the debt", SERIES[7], "-"),
        "g": ("g: nominal GDP growth", SERIES[2], "--"),
    }.items():
        label, color, dash = label
        hist, proj = data[f"{kind}:history"].dropna(), data[f"{kind}:projection"].dropna()
        ax.plot(hist.index, hist.values, color=color, linestyle=dash, linewidth=1.2, alpha=0.6)
        ax.plot(proj.index, proj.values, color=color, linestyle=dash, linewidth=2, label=label)
    ax.set_ylabel("% a year")
    ax.tick_params(labelbottom=False)
    # headroom for the legend across the top of the panel, above every line (g's actuals reach
    # 13% in FY1977-1981 and ran through it)
    drawn = data[[c for c in data.columns if c.startswith(("r:", "g:"))]]
    low, high = float(np.nanmin(drawn.to_numpy())), float(np.nanmax(drawn.to_numpy()))
    ax.set_ylim(low - 0.05 * (high - low), high + 0.3 * (high - low))
    diff = data["r_minus_g"].dropna()
    colors = np.where(diff.to_numpy() > 0, SERIES[7], SERIES[2])
    ax2.bar(diff.index, diff.values, color=colors, width=0.8, linewidth=0)
    ax2.axhline(0, color="#333333", linewidth=0.6)
    ax2.set_ylabel("r \u2212 g, pp")
    ax2.set_xlabel(
        "Fiscal year (lighter lines: actuals; r before the projection is net interest over average debt)"
    )
    proj = data["r:projection"].dropna().index
    style.mark_projection(ax, float(proj[0]), label=False)  # the legend runs across its top
    style.mark_projection(ax2, float(proj[0]))
    future = diff.loc[proj]
    title = f"{r_g_claim(future)} ({scenario})"
    primary = data["primary_deficit_share:projection"].loc[proj].mean()
    snow = data["interest_less_growth:projection"].loc[proj].dropna().mean()
    sub = (
        f"What moves debt/GDP, average pp of GDP a year: primary deficits {primary:+.1f}, net interest "
        f"less growth's erosion {snow:+.1f}. r \u2212 g averages {future.mean():+.1f} pp over the "
        f"projection, against {diff.loc[diff.index < proj[0]].mean():+.1f} pp since 1960."
    )
    style.title(fig, title, sub)
    ax.legend(loc="upper left", fontsize=7.5, ncol=2)
    style.source(fig, source)
    return fig


DECOMP = {  # label, colour, hatch (the two mid greys, olive and teal, differ by hatching)
    "primary_deficit": ("Primary deficit", SERIES[3], ""),
    "interest": ("Net interest", SERIES[1], ""),
    "growth": ("Nominal GDP growth", SERIES[2], "////"),
    "other_means_of_financing": ("Other means of financing", SERIES[6], ""),
}


DECOMP_EDGE = 0.1  # pp of GDP: two sources closer than this are called about equal


def decomposition_claim(primary: float, snowball: float, year: int, scenario: str) -> str:
    """The decomposition's finding: the primary deficit against net interest less growth's
    erosion (both pp of GDP, the two net terms of the identity) in ``year``."""
    head = f"In {year} ({scenario}), the primary deficit adds {primary:.1f} pp of GDP to debt/GDP"
    if abs(primary - snowball) < DECOMP_EDGE:
        rel = "about as much as"
    else:
        rel = "more than" if primary > snowball else "less than"
    return f"{head}, {rel} net interest less growth ({snowball:+.1f} pp)"


def plot_decomposition(data: dict[str, pd.DataFrame], ax: Axes, source: str = SOURCE) -> Figure:
    """Stacked bars: each year's change in debt/GDP by source, one panel per scenario, one scale."""
    fig = ax.figure
    names = list(data)
    fig.set_size_inches(6.5, 2.0 + 1.35 * len(names))
    axes = [ax] + [fig.add_subplot(len(names), 1, i + 1, sharex=ax, sharey=ax) for i in range(1, len(names))]
    height_in = fig.get_size_inches()[1]
    top, bottom = 1 - 0.95 / height_in, style.legend_room(fig, ["x"] * 5, 3)
    gap = 0.42 / height_in
    height = (top - bottom - gap * (len(names) - 1)) / len(names)
    lo, hi = 0.0, 0.0
    for k, (a, name) in enumerate(zip(axes, names, strict=True)):
        a.set_position([0.1, top - (k + 1) * height - k * gap, 0.88, height])
        frame = data[name]
        pos = np.zeros(len(frame))
        neg = np.zeros(len(frame))
        for col, (label, color, hatch) in DECOMP.items():
            v = frame[col].to_numpy()
            bottom_ = np.where(v >= 0, pos, neg)
            a.bar(
                frame.index,
                v,
                bottom=bottom_,
                color=color,
                width=0.8,
                label=label,
                hatch=hatch,
                edgecolor="#FFFFFF",
                linewidth=0,
            )
            pos += np.where(v >= 0, v, 0)
            neg += np.where(v < 0, v, 0)
        lo, hi = min(lo, float(neg.min())), max(hi, float(pos.max()))
        a.plot(
            frame.index,
            frame["change"],
            "o-",
            color=SERIES[0],
            markersize=2,
            linewidth=1,
            # a white edge keeps the dark line apart from the dark net-interest bars in grey print
            path_effects=[patheffects.withStroke(linewidth=2.6, foreground="#FFFFFF")],
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
    title = decomposition_claim(pd_, ni + gr, last, names[0])
    sub = (
        f"Net interest {ni:+.1f} pp and growth's erosion of the debt ratio {gr:+.1f} pp net to "
        f"{ni + gr:+.1f} pp. "
        "Each year's change in debt/GDP by source; every panel on one scale."
    )
    style.title(fig, title, sub)
    style.legend_below(fig, axes[0], ncol=3, fontsize=7.5)
    style.source(fig, source)
    return fig
