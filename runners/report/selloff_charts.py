"""The sell-off chart: monthly Treasury yields, bond prices and holdings by holder as gaps from
the baseline's paths, on a fiscal-year time axis, with the months of the sale shaded."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from runners.report import style
from runners.report.style import DASHES, SERIES, SOURCE

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
# each yield's colour (non-scenario: style.SERIES); a bond price takes its maturity's colour and name
YIELD_COLORS = {
    "bill yield": SERIES[2],
    "two year yield": SERIES[3],
    "five year yield": SERIES[4],
    "ten year yield": SERIES[0],
    "thirty year yield": SERIES[1],
}
PRICE_YIELDS = {"bond price 10y": "ten year yield", "bond price 30y": "thirty year yield"}
MOVES = 0.1  # a holder whose largest gap is under this share of the largest holder's is grouped
# the holders' colours (the yields take SERIES[:5]): movers, then the rest's sum
HOLDER_STYLES = [(SERIES[5 + (2 + k) % 3], DASHES[k]) for k in range(len(SERIES))]
OTHERS = "Other holders (sum)"
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


COINCIDE_BP = 0.5  # bp: two yields' gaps closer than this in every month are drawn as coinciding


def yields_that_coincide(data: pd.DataFrame) -> dict[str, str]:
    """Each yield whose gap from baseline is within :data:`COINCIDE_BP` of a later (longer) one's in
    every month, with that longer yield (a line drawn under another would be hidden)."""
    names = list(SELLOFF_YIELDS)
    out = {}
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if float((data[a] - data[b]).abs().max()) * 100 < COINCIDE_BP:
                out[a] = b
                break
    return out


def holders_that_move(data: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The holders whose largest gap from baseline is at least :data:`MOVES` of the largest
    holder's (drawn one by one), and the rest (drawn as their sum)."""
    size = {v: float(data[v].abs().max()) for v in SELLOFF_HOLDERS}
    top = max(size.values())
    movers = [v for v in SELLOFF_HOLDERS if size[v] >= MOVES * top]
    rest = [v for v in SELLOFF_HOLDERS if v not in movers]
    if len(rest) == 1:  # one holder alone is not a group
        movers, rest = list(SELLOFF_HOLDERS), []
    return movers, rest


def _mid(holder: str) -> str:
    """A holder's name inside a sentence ('domestic private', 'the Federal Reserve')."""
    name = SELLOFF_HOLDERS[holder]
    return (
        "the Federal Reserve"
        if name == "Federal Reserve"
        else name
        if name in ("Japan", "China")
        else name.lower()
    )


def _and(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _plot_holders(ax: Axes, data: pd.DataFrame) -> str:
    """The holders panel: the holders that move one by one, the rest as their sum; returns the
    subtitle's sentence that says so (empty when every holder moves)."""
    movers, rest = holders_that_move(data)
    drawn = {SELLOFF_HOLDERS[v]: data[v] for v in movers}
    if rest:
        drawn[OTHERS] = data[rest].sum(axis=1)
    for (label, values), (color, dash) in zip(drawn.items(), HOLDER_STYLES[: len(drawn)], strict=True):
        ax.plot(data.index, values, label=label, color=color, linestyle=dash)
    ax.set_ylabel(r"\$bn vs baseline")
    ax.set_xlabel("Fiscal year (monthly; shaded: the sale)")
    ax.set_title("Treasuries held, by holder: change from the baseline", loc="left", fontsize=9)
    if not rest:
        return ""
    near = max(float(data[v].abs().max()) for v in rest)
    return (
        f" Holders: {_and([_mid(v) for v in movers])} move; {_and([_mid(v) for v in rest])}, each "
        f"within ${near:,.0f}bn of baseline, are drawn as one line ({OTHERS.lower()})."
    )


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
        style.fiscal_year_ticks(a, float(data.index.min()), float(data.index.max()))
        a.axhline(0, color="#333333", linewidth=0.6)
    same = yields_that_coincide(data)
    for i, (var, label) in enumerate(SELLOFF_YIELDS.items()):
        # a yield whose gap coincides with a later one is drawn as markers on top of it
        hidden = var in same
        ax.plot(
            data.index,
            data[var] * 100,
            label=label,  # the legend shows the circles; the subtitle says they coincide
            color=YIELD_COLORS[var],
            linestyle="None" if hidden else DASHES[i],
            marker="o" if hidden else "None",
            markevery=3,
            markersize=3.5,
            markerfacecolor="white",
            zorder=3 if hidden else 2,
        )
    ax.set_ylabel("bp above baseline")
    ax.set_title("Treasury yields: gap from the baseline path", loc="left", fontsize=9)
    for i, var in enumerate(SELLOFF_PRICES):
        maturity = PRICE_YIELDS[var]  # the yield's name and colour: one meaning per colour
        ax_p.plot(
            data.index,
            data[var],
            label=SELLOFF_YIELDS[maturity],
            color=YIELD_COLORS[maturity],
            linestyle=DASHES[i],
        )
    ax_p.set_ylabel(r"\$ per \$100 face")
    ax_p.set_title(
        "Bond prices: gap from the baseline (par 100 there)",
        loc="left",
        fontsize=9,
    )
    holders = _plot_holders(ax_h, data)
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
    sub += holders
    for a, b in same.items():
        gap = float((data[a] - data[b]).abs().max()) * 100
        within = "to the basis point every month" if gap < 0.05 else f"within {gap:.1f} bp every month"
        sub += f" The {SELLOFF_YIELDS[a]} and {SELLOFF_YIELDS[b]} gaps coincide ({within})" + (
            ": the model sets the 30-year at the 10-year plus a fixed spread."
            if (a, b) == ("ten year yield", "thirty year yield")
            else "."
        )
    style.title(fig, title, sub)
    style.source(fig, source)
    return fig
