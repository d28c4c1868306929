"""The causal-loop diagram drawn: boxes at fixed places, the arrows and signs the model's own
dependency graph gives (:func:`runners.analysis.loops.loop_data`), and the named loops' labels."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from runners.report import style

# + indigo, - wine; unmeasured grey (style.SERIES: the scenarios' colours mean scenarios only)
SIGN_COLORS = {1: style.SERIES[0], -1: style.SERIES[1]}
BALANCING = style.SERIES[2]  # teal: a balancing loop's label (reinforcing: black text)

# loop labels placed in the open space inside each loop (fixed layout, like the nodes)
LABEL_AT: dict[str, tuple[float, float]] = {
    "R1": (2.0, 7.9),
    "R2": (2.0, 5.3),
    "R3": (6.9, 1.2),
    "B1": (7.0, 3.2),
    "B2": (5.0, 9.55),
    "B3": (0.55, 0.9),
    "R4": (7.25, 6.9),
    "R5": (7.5, 8.05),
    "R6": (8.1, 5.55),
}


def _half_size(label: str) -> tuple[float, float]:
    """Half width and height of a node's box in canvas units (7.5 pt text on a 6.5 x 7 in figure)."""
    lines = label.split("\n")
    return 0.047 * max(len(x) for x in lines) + 0.1, 0.11 * len(lines) + 0.1


def _clip(centre: tuple[float, float], toward: tuple[float, float], half: tuple[float, float]):
    """Where the line from ``centre`` toward ``toward`` leaves the box of half-size ``half``."""
    dx, dy = toward[0] - centre[0], toward[1] - centre[1]
    t = min(half[0] / abs(dx) if dx else np.inf, half[1] / abs(dy) if dy else np.inf)
    t = min(t, 0.45)
    return centre[0] + t * dx, centre[1] + t * dy


def _draw_boxes(ax: Axes, nodes: dict) -> None:
    """Each key variable's label in a rounded box at its fixed place."""
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


def _draw_sign(ax: Axes, p0, p2, rad: float, sign: int, color: str) -> None:
    """The arrow's measured sign on its curve (matplotlib's arc3 control point), 70% of the way,
    nudged outward."""
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


def _draw_arrows(ax: Axes, nodes: dict, edges: list[tuple[str, str, int]]) -> None:
    """The derived arrows between the boxes, curved (more where two run both ways), with signs."""
    pairs = {(a, b) for a, b, _ in edges}
    for a, b, sign in edges:
        ca, cb = nodes[a][1:], nodes[b][1:]
        p0 = _clip(ca, cb, _half_size(nodes[a][0]))
        p2 = _clip(cb, ca, _half_size(nodes[b][0]))
        rad = 0.3 if (b, a) in pairs else 0.15
        color = SIGN_COLORS.get(sign, "#777777")
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
            _draw_sign(ax, p0, p2, rad, sign, color)


def _draw_loop_labels(ax: Axes, data: dict) -> None:
    """Each closed loop's code and title inside it: black when reinforcing, teal when balancing."""
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
            color="#000000" if data["polarity"].get(loop.code, 0) > 0 else BALANCING,
            zorder=5,
            bbox={"boxstyle": "round,pad=0.1", "facecolor": "#FFFFFF", "edgecolor": "none", "alpha": 0.85},
        )


def _header(fig: Figure, data: dict) -> None:
    """The title (how many loops the model closes, of which kind), the subtitle and the source."""
    codes = ", ".join(loop.code for loop in data["loops"])
    missing = ", ".join(loop.code for loop in data["missing"])
    reinforcing = sum(1 for v in data["polarity"].values() if v > 0)
    balancing = sum(1 for v in data["polarity"].values() if v < 0)
    style.title(
        fig,
        f"The model closes {len(data['loops'])} named feedback loops: {reinforcing} reinforcing, "
        f"{balancing} balancing" + (f"; not closed: {missing}" if missing else ""),
        "Arrows from the model's equations (pysd dependency graph, intermediate variables collapsed); "
        "signs measured by perturbing the model.\nIndigo +: moves the same way; wine \u2212: the "
        f"opposite way. R reinforcing (black), B balancing (teal). Loops: {codes}.",
    )
    note = "Source: models/snowball.mdl (Snowball model structure). All links: tables/loop_edges.csv."
    style.source(fig, note)


def plot_loops(data: dict, ax: Axes) -> Figure:
    """Draw the causal-loop diagram: boxes at fixed places, derived arrows, loop labels."""
    fig = ax.figure
    fig.set_size_inches(6.5, 8.0)
    ax.set_position([0.01, 0.04, 0.98, 0.83])
    ax.set_xlim(-0.3, 10.3)
    ax.set_ylim(-0.7, 10.7)
    ax.axis("off")
    _draw_boxes(ax, data["nodes"])
    _draw_arrows(ax, data["nodes"], data["edges"])
    _draw_loop_labels(ax, data)
    _header(fig, data)
    return fig
