"""The causal-loop diagram, derived from the model's own dependency graph.

pysd records, for every variable, the variables its equation reads (``model._dependencies``,
keyed by Python name; a stock's inflows sit under its ``_integ_*`` object's ``step``). Reversed,
that is the causal graph: an arrow from each input to the variable it feeds. The diagram keeps a
chosen set of key variables (:data:`NODES`) and collapses every path through other variables
into one arrow between key variables: key A feeds key B when some path A -> ... -> B passes only
through non-key variables. Arrows therefore appear or disappear with the model's structure.

What is not derived, and is documented here instead: the positions (a fixed layout), the polarity
of each arrow (:data:`SIGNS`, read from the equations in ``models/README.md``) and the named loops
(:data:`LOOPS`, whose paths are checked against the derived arrows: a loop the model does not
close is not labelled).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from .charts import _source, _title

# key variables: key -> (label, x, y) on a 0-10 canvas; a key stands for itself and any members
# listed in GROUPS (e.g. both benchmark yields drawn as one box)
NODES: dict[str, tuple[str, float, float]] = {
    "fiscal_adjustment": ("Fiscal\nadjustment", 5.0, 10.0),
    "deficit": ("Deficit", 0.9, 8.0),
    "gross_issuance": ("Gross\nissuance", 3.4, 8.8),
    "debt_held_by_the_public": ("Debt held\nby the public", 6.6, 8.8),
    "debt_to_gdp": ("Debt/GDP", 9.3, 8.0),
    "net_interest": ("Net\ninterest", 0.9, 5.8),
    "interest_on_debt_held_by_the_public": ("Interest on\nthe debt", 3.4, 6.6),
    "nominal_gdp": ("Nominal\nGDP", 9.3, 6.6),
    "growth_drag": ("Growth\ndrag", 9.3, 5.6),
    "fed_purchases": ("Fed\npurchases", 7.2, 6.6),
    "market_confidence": ("Market\nconfidence", 0.9, 3.8),
    "ten_year_yield": ("Treasury yields\n(bill, 10-year)", 4.9, 5.2),
    "fed_extra_holdings": ("Fed extra\nholdings", 9.0, 4.9),
    "confidence_premium": ("Confidence\npremium", 2.7, 2.7),
    "total_premium": ("Total\npremium", 4.9, 3.4),
    "qe_effect": ("QE\neffect", 7.0, 4.0),
    "supply_premium": ("Supply\npremium", 4.5, 1.7),
    "overhang_absorbed": ("Private\nabsorption", 0.7, 2.0),
    "absorption_overhang": ("Absorption\noverhang", 2.3, 0.6),
    "official_holdings": ("Official\nholdings", 0.6, -0.6),
    "official_sales": ("Official\nsales", 3.6, -0.6),
    "japan_sales": ("Japan's\nsales", 6.0, -0.6),
    "vicious_cycle_sales": ("Vicious-cycle\nsales", 8.4, -0.6),
    "dollar_index": ("Dollar\nindex", 9.2, 1.6),
}
# nominal_gdp, growth_drag and official_holdings intercept paths (so the arrows between the boxes
# stay direct) but sit on no named loop, so the diagram (which draws only boxes on closed loops)
# leaves them out; every arrow is listed in tables/loop_edges.csv
# a box that stands for several model variables (arrows to or from any member)
GROUPS: dict[str, tuple[str, ...]] = {
    "ten_year_yield": ("ten_year_yield", "bill_yield"),
    "official_holdings": ("japan_holdings", "china_holdings", "other_foreign_official_holdings"),
}

# polarity of each arrow (from, to): +1 same direction, -1 opposite, read from the equations
# (models/README.md); arrows the model has but this table does not sign are drawn grey
SIGNS: dict[tuple[str, str], int] = {
    ("fiscal_adjustment", "deficit"): -1,
    ("deficit", "gross_issuance"): +1,
    ("deficit", "debt_held_by_the_public"): +1,
    ("deficit", "official_holdings"): +1,
    ("gross_issuance", "debt_held_by_the_public"): +1,
    ("gross_issuance", "interest_on_debt_held_by_the_public"): +1,
    ("interest_on_debt_held_by_the_public", "net_interest"): +1,
    ("net_interest", "deficit"): +1,
    ("net_interest", "market_confidence"): -1,
    ("debt_held_by_the_public", "debt_to_gdp"): +1,
    ("debt_held_by_the_public", "supply_premium"): -1,
    ("debt_to_gdp", "fiscal_adjustment"): +1,
    ("debt_to_gdp", "market_confidence"): -1,
    ("debt_to_gdp", "total_premium"): +1,
    ("debt_to_gdp", "confidence_premium"): +1,
    ("nominal_gdp", "debt_to_gdp"): -1,
    ("market_confidence", "confidence_premium"): -1,
    ("confidence_premium", "total_premium"): +1,
    ("confidence_premium", "growth_drag"): +1,
    ("supply_premium", "total_premium"): +1,
    ("supply_premium", "growth_drag"): +1,
    ("qe_effect", "total_premium"): +1,
    ("total_premium", "ten_year_yield"): +1,
    ("ten_year_yield", "interest_on_debt_held_by_the_public"): +1,
    ("ten_year_yield", "total_premium"): +1,
    ("ten_year_yield", "growth_drag"): +1,
    ("ten_year_yield", "dollar_index"): +1,
    ("ten_year_yield", "fed_purchases"): +1,
    ("growth_drag", "nominal_gdp"): -1,
    ("absorption_overhang", "supply_premium"): +1,
    ("absorption_overhang", "overhang_absorbed"): +1,
    ("overhang_absorbed", "absorption_overhang"): -1,
    ("official_sales", "absorption_overhang"): +1,
    ("official_sales", "supply_premium"): +1,
    ("official_sales", "market_confidence"): -1,
    ("dollar_index", "vicious_cycle_sales"): +1,
    ("vicious_cycle_sales", "japan_sales"): +1,
    ("japan_sales", "official_sales"): +1,
    ("japan_sales", "official_holdings"): -1,
    ("fed_purchases", "overhang_absorbed"): +1,
    ("fed_purchases", "fed_extra_holdings"): +1,
    ("fed_extra_holdings", "qe_effect"): -1,
    ("fed_extra_holdings", "total_premium"): +1,
    ("fed_extra_holdings", "ten_year_yield"): +1,
    ("fed_extra_holdings", "growth_drag"): -1,
}


@dataclass(frozen=True)
class Loop:
    """A named feedback loop: its code, title, kind and the key variables it passes through."""

    code: str
    title: str
    kind: str
    path: tuple[str, ...]


LOOPS: tuple[Loop, ...] = (
    Loop(
        "R1",
        "snowball",
        "reinforcing",
        ("net_interest", "deficit", "gross_issuance", "interest_on_debt_held_by_the_public"),
    ),
    Loop(
        "R2",
        "confidence",
        "reinforcing",
        (
            "net_interest",
            "market_confidence",
            "confidence_premium",
            "total_premium",
            "ten_year_yield",
            "interest_on_debt_held_by_the_public",
        ),
    ),
    Loop(
        "R3",
        "seller's vicious cycle",
        "reinforcing",
        (
            "official_sales",
            "absorption_overhang",
            "supply_premium",
            "total_premium",
            "ten_year_yield",
            "dollar_index",
            "vicious_cycle_sales",
            "japan_sales",
        ),
    ),
    Loop(
        "B1",
        "Fed purchases",
        "balancing",
        ("ten_year_yield", "fed_purchases", "fed_extra_holdings", "qe_effect", "total_premium"),
    ),
    Loop(
        "B2",
        "fiscal response",
        "balancing",
        ("debt_to_gdp", "fiscal_adjustment", "deficit", "gross_issuance", "debt_held_by_the_public"),
    ),
    Loop("B3", "private absorption", "balancing", ("absorption_overhang", "overhang_absorbed")),
)


def loop_edges(loop: Loop) -> list[tuple[str, str]]:
    """The arrows of a loop, closing back to its first variable."""
    return list(zip(loop.path, loop.path[1:] + loop.path[:1], strict=True))


def loop_polarity(loop: Loop) -> int:
    """Product of the documented signs round the loop: +1 reinforcing, -1 balancing."""
    return int(np.prod([SIGNS[e] for e in loop_edges(loop)]))


# read by nearly everything, and not part of any causal chain
CLOCK = {"time", "time_step", "initial_time", "final_time", "saveper", "fiscal_year"}


def causal_graph(dependencies: Mapping[str, object]) -> dict[str, set[str]]:
    """Successors of each variable (input -> variables it feeds) from pysd's dependency map.

    A stock's inflows and outflows (the ``step`` of its ``_integ_``/``_smooth_``/... object) feed
    the stock; initial values do not (they act once); lookup tables and the clock are left out.
    """
    out: dict[str, set[str]] = {}

    def inputs(deps: object) -> set[str]:
        if not isinstance(deps, Mapping):
            return set()
        if "step" in deps:  # a stateful object: only its step equation is causal
            deps = deps["step"]
        found: set[str] = set()
        for name in deps:
            if name in CLOCK or name.startswith("__"):
                continue
            if name.startswith("_"):
                found |= inputs(dependencies.get(name, {}))
            else:
                found.add(name)
        return found

    for var, deps in dependencies.items():
        if var.startswith("_") or var in CLOCK:
            continue
        for src in inputs(deps):
            out.setdefault(src, set()).add(var)
    return out


def key_edges(
    dependencies: Mapping[str, object], keys: Mapping[str, tuple[str, ...]] | set[str] | None = None
) -> set[tuple[str, str]]:
    """Arrows between key variables: A -> B when a path from (a member of) A reaches (a member
    of) B through non-key variables only. ``keys`` maps each key to its members (default: NODES
    with GROUPS); a plain set means each key is its own only member."""
    if keys is None:
        keys = {k: GROUPS.get(k, (k,)) for k in NODES}
    elif not isinstance(keys, Mapping):
        keys = {k: (k,) for k in keys}
    owner = {member: key for key, members in keys.items() for member in members}
    graph = causal_graph(dependencies)
    edges: set[tuple[str, str]] = set()
    for start in sorted(keys):
        seen: set[str] = set()
        frontier = [n for member in keys[start] for n in graph.get(member, ())]
        while frontier:
            node = frontier.pop()
            if node in seen:
                continue
            seen.add(node)
            if node in owner:
                edges.add((start, owner[node]))
                continue
            frontier.extend(graph.get(node, ()))
    return edges


def closed_loops(edges: set[tuple[str, str]]) -> list[Loop]:
    """The named loops whose every arrow exists in ``edges``."""
    return [loop for loop in LOOPS if all(e in edges for e in loop_edges(loop))]


def model_edges() -> set[tuple[str, str]]:
    """Arrows between the key variables of the current model file."""
    from .model import load_model

    return key_edges(load_model()._dependencies)


def model_signs() -> dict[tuple[str, str], int]:
    """Placeholder: the documented signs."""
    return dict(SIGNS)


def loop_data(edges: set[tuple[str, str]], signs: dict | None = None) -> dict:
    """What the diagram draws: the arrows of the loops the model closes (with their signs),
    the boxes they join, the loops, the loops the model does not close, and every arrow."""
    closed = closed_loops(edges)
    drawn = sorted({e for loop in closed for e in loop_edges(loop)})
    used = {n for e in drawn for n in e}
    every = sorted((a, b) for a, b in edges if a != b)
    return {
        "nodes": {k: v for k, v in NODES.items() if k in used},
        "edges": [(a, b, SIGNS.get((a, b), 0)) for a, b in drawn],
        "all_edges": [(a, b, SIGNS.get((a, b), 0)) for a, b in every],
        "loops": closed,
        "missing": [loop for loop in LOOPS if loop not in closed],
    }


def _half_size(label: str) -> tuple[float, float]:
    """Half width and height of a node's box in canvas units (7.5 pt text on a 6.5 x 7 in figure)."""
    lines = label.split("\n")
    return 0.047 * max(len(x) for x in lines) + 0.1, 0.11 * len(lines) + 0.1


def _clip(centre: tuple[float, float], toward: tuple[float, float], half: tuple[float, float]):
    dx, dy = toward[0] - centre[0], toward[1] - centre[1]
    t = min(half[0] / abs(dx) if dx else np.inf, half[1] / abs(dy) if dy else np.inf)
    t = min(t, 0.45)
    return centre[0] + t * dx, centre[1] + t * dy


def plot_loops(data: dict, ax: Axes) -> Figure:
    """Draw the causal-loop diagram: boxes at fixed places, derived arrows, loop labels."""
    fig = ax.figure
    fig.set_size_inches(6.5, 7.0)
    ax.set_position([0.01, 0.05, 0.98, 0.84])
    ax.set_xlim(-0.3, 10.3)
    ax.set_ylim(-1.3, 10.6)
    ax.axis("off")
    nodes = data["nodes"]
    for _name, (label, x, y) in nodes.items():
        ax.text(
            x,
            y,
            label,
            ha="center",
            va="center",
            fontsize=7.5,
            zorder=3,
            bbox={
                "boxstyle": "round,pad=0.3",
                "facecolor": "#FFFFFF",
                "edgecolor": "#555555",
                "linewidth": 0.7,
            },
        )
    pairs = {(a, b) for a, b, _ in data["edges"]}
    for a, b, sign in data["edges"]:
        ca, cb = nodes[a][1:], nodes[b][1:]
        p0 = _clip(ca, cb, _half_size(nodes[a][0]))
        p2 = _clip(cb, ca, _half_size(nodes[b][0]))
        rad = 0.3 if (b, a) in pairs else 0.15
        color = {1: "#0072B2", -1: "#D55E00"}.get(sign, "#777777")
        ax.add_patch(
            FancyArrowPatch(
                p0,
                p2,
                connectionstyle=f"arc3,rad={rad}",
                arrowstyle="-|>",
                mutation_scale=9,
                linewidth=1.0,
                color=color,
                shrinkA=0,
                shrinkB=0,
                zorder=2,
            )
        )
        if sign:
            # on the curve (matplotlib's arc3 control point), 70% of the way, nudged outward
            dx, dy = p2[0] - p0[0], p2[1] - p0[1]
            c = ((p0[0] + p2[0]) / 2 + rad * dy, (p0[1] + p2[1]) / 2 - rad * dx)
            t = 0.7
            bx = (1 - t) ** 2 * p0[0] + 2 * t * (1 - t) * c[0] + t**2 * p2[0]
            by = (1 - t) ** 2 * p0[1] + 2 * t * (1 - t) * c[1] + t**2 * p2[1]
            norm = float(np.hypot(dx, dy)) or 1.0
            ax.text(
                bx + 0.2 * dy / norm,
                by - 0.2 * dx / norm,
                "+" if sign > 0 else "\u2212",
                fontsize=8.5,
                fontweight="bold",
                color=color,
                ha="center",
                va="center",
                zorder=4,
            )
    for loop in data["loops"]:
        cx, cy = LABEL_AT[loop.code]
        ax.text(
            cx,
            cy,
            f"{loop.code}\n{loop.title}",
            ha="center",
            va="center",
            fontsize=7.5,
            fontweight="bold",
            color="#000000" if loop.kind == "reinforcing" else "#009E73",
            zorder=1,
        )
    codes = ", ".join(loop.code for loop in data["loops"])
    missing = ", ".join(loop.code for loop in data["missing"])
    _title(
        fig,
        f"The model closes {len(data['loops'])} named feedback loops ({codes})"
        + (f"; not closed: {missing}" if missing else ""),
        "Arrows derived from the model's equations (pysd dependency graph), intermediate variables "
        "collapsed.\nBlue +: moves the same way; vermilion \u2212: the opposite way. "
        "R reinforcing (black), B balancing (green).",
    )
    _source(fig, "Source: models/snowball.mdl (Snowball model structure). All links: tables/loop_edges.csv.")
    return fig


# loop labels placed in the open space inside each loop (fixed layout, like the nodes)
LABEL_AT: dict[str, tuple[float, float]] = {
    "R1": (2.15, 7.3),
    "R2": (2.6, 4.6),
    "R3": (6.6, 1.1),
    "B1": (6.85, 5.5),
    "B2": (5.0, 9.35),
    "B3": (0.6, 0.7),
}
