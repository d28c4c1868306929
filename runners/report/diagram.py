"""Stock-and-flow diagrams of the model's views (``snowball diagram``).

Two layers. :func:`runners.mdl.views.diagrams` reads each view's structure from pysd's parse of
the equations (stocks, flows on pipes, arrows, shadow variables); :mod:`runners.mdl.sketch` lays
that structure out as the .mdl's own Vensim sketch; :func:`to_dot` writes it as Graphviz DOT text.

:func:`sketch_figure` draws one view of the .mdl's sketch from its records, as Vensim draws it
(matplotlib only), and :func:`render_sketch` writes it to a PNG.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from runners.core.paths import MODEL_FILE
from runners.mdl.views import Diagram, diagrams

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from runners.mdl import sketch


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(d: Diagram) -> str:
    """Graphviz DOT text for one diagram, styled after Vensim's sketches."""
    lines = [
        f"digraph {_q(d.view)} {{",
        f'  graph [rankdir=LR, splines=true, nodesep=0.25, ranksep=0.5, fontname="Helvetica", '
        f"label={_q(d.view + ' (generated from models/snowball.mdl)')}, labelloc=t, fontsize=22];",
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [color="#3060c0", arrowsize=0.6];',
    ]
    style = {
        "stock": 'shape=box, style="filled", fillcolor="#fff8dc", penwidth=1.5, width=1.3, height=0.6',
        "flow": 'shape=circle, label="", width=0.22, style="filled", fillcolor="white", penwidth=1.5',
        "aux": "shape=plaintext",
        "constant": "shape=plaintext",
        "lookup": 'shape=plaintext, fontcolor="#505050"',
        "shadow": 'shape=plaintext, fontcolor="#909090"',
        "shadow flow": 'shape=circle, label="", width=0.22, color="#909090", fontcolor="#909090"',
        "cloud": 'shape=ellipse, style="dashed", label="", width=0.35, height=0.25, color="#909090"',
    }
    for name, k in d.nodes.items():
        extra = f", xlabel={_q(name)}" if k in ("flow", "shadow flow") and name not in d.labels else ""
        lines.append(f"  {_q(name)} [{style[k]}{extra}];")
    for src, valve, dst in d.pipes:
        pipe = 'color="#404040", penwidth=3, arrowsize=1.0'
        lines.append(f"  {_q(src)} -> {_q(valve)} [{pipe}, arrowhead=none, weight=4];")
        lines.append(f"  {_q(valve)} -> {_q(dst)} [{pipe}, weight=4];")
    valves_of = {(dst, valve) for src, valve, dst in d.pipes} | {(src, valve) for src, valve, dst in d.pipes}
    for src, dst, initial in d.arrows:
        attrs = ['style="dashed"', 'color="#9db0dc"'] if initial else []
        if not initial and (src, dst) in valves_of:
            attrs.append("constraint=false")  # a stock read by its own flow: no say in the layout
        lines.append(f"  {_q(src)} -> {_q(dst)}" + (f" [{', '.join(attrs)}];" if attrs else ";"))
    lines.append("}")
    return "\n".join(lines) + "\n"


def slug(view: str) -> str:
    """A file name for a view: lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", view.lower()).strip("-")


_FONT = {"fontfamily": "STIXGeneral", "fontsize": 12, "ha": "center", "va": "center"}
_GREY, _BLUE = "#808080", "#2846b4"


def _canvas(view: sketch.View) -> tuple[Figure, Axes]:
    """A blank figure the size of the view (one sketch pixel one PNG pixel at 96 dpi), titled."""
    from matplotlib.figure import Figure

    right = max(it.x + it.w for it in view.items) + 60
    bottom = max(it.y + it.h for it in view.items) + 60
    right = max(right, 60 + 9 * len(view.title))
    fig = Figure(figsize=(right / 96, bottom / 96), dpi=96)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, right)
    ax.set_ylim(bottom, 0)
    ax.set_axis_off()
    ax.text(12, 24, view.title, **{**_FONT, "ha": "left", "fontsize": 14, "fontweight": "bold"})
    return fig, ax


def _draw_objects(ax: Axes, view: sketch.View) -> None:
    """Stocks as boxes with their names inside, variables as names (shadows grey), clouds."""
    import matplotlib.patches as mpatches

    from runners.mdl import sketch

    def text(it, wrap_at: int, color: str = "black") -> None:
        name = f"<{it.name}>" if it.shadow else it.name
        ax.text(it.x, it.y, "\n".join(sketch.wrap(name, wrap_at)), color=color, linespacing=1.0, **_FONT)

    for it in view.items:
        if it.kind == "stock":
            ax.add_patch(
                mpatches.Rectangle(
                    (it.x - it.w, it.y - it.h), 2 * it.w, 2 * it.h, fc="white", ec="black", lw=1.2
                )
            )
            text(it, sketch.STOCK_WRAP)
        elif it.kind in ("aux", "flow"):
            text(it, sketch.AUX_WRAP, _GREY if it.shadow else "black")
        elif it.kind == "cloud":
            for dx, dy, r in ((-5, 2, 6), (0, -3, 6.5), (6, 1, 5.5), (1, 4, 5)):
                ax.add_patch(
                    mpatches.Circle((it.x + dx, it.y + dy), r, fc="white", ec="#606060", lw=1.0, zorder=3)
                )
            for dx, dy, r in ((-5, 2, 5), (0, -3, 5.5), (6, 1, 4.5), (1, 4, 4)):
                ax.add_patch(mpatches.Circle((it.x + dx, it.y + dy), r, fc="white", ec="none", zorder=4))


def _edge_point(it: sketch.Item, x: float, y: float) -> tuple[float, float]:
    """Where the line from the centre of ``it`` towards (x, y) leaves its box."""
    import math

    dx, dy = x - it.x, y - it.y
    if dx == 0 and dy == 0:
        return it.x, it.y
    w, h = (it.w, it.h) if it.kind != "valve" else (0, 0)
    t = min(w / abs(dx) if dx else math.inf, h / abs(dy) if dy else math.inf)
    return it.x + dx * t, it.y + dy * t


def _draw_pipe(ax: Axes, a: sketch.Item, b: sketch.Item, head: bool) -> None:
    """From the valve ``a`` to one end ``b``: a double line, an open arrowhead where it goes in."""
    import math

    import matplotlib.patches as mpatches

    x1, y1 = _edge_point(b, a.x, a.y)
    ux, uy = (x1 - a.x), (y1 - a.y)
    norm = math.hypot(ux, uy) or 1.0
    ux, uy = ux / norm, uy / norm
    if head:
        x1, y1 = x1 - ux * 9, y1 - uy * 9
    for off in (-2.5, 2.5):
        ax.plot([a.x - uy * off, x1 - uy * off], [a.y + ux * off, y1 + ux * off], color="black", lw=1.0)
    if head:
        tip = (x1 + ux * 9, y1 + uy * 9)
        tri = [tip, (x1 - uy * 7, y1 + ux * 7), (x1 + uy * 7, y1 - ux * 7)]
        ax.add_patch(mpatches.Polygon(tri, closed=True, fc="white", ec="black", lw=1.0, zorder=2))


def _draw_arrow(ax: Axes, a: sketch.Item, b: sketch.Item, point: tuple[int, int]) -> None:
    """An arrow: a quadratic curve through its control point, cut at both objects' edges."""
    import math

    import matplotlib.patches as mpatches

    cx, cy = 2 * point[0] - (a.x + b.x) / 2, 2 * point[1] - (a.y + b.y) / 2
    pts = []
    for k in range(101):
        t = k / 100
        px = (1 - t) ** 2 * a.x + 2 * (1 - t) * t * cx + t * t * b.x
        py = (1 - t) ** 2 * a.y + 2 * (1 - t) * t * cy + t * t * b.y
        pts.append((px, py))

    def inside(it, p, pad: float) -> bool:
        w, h = (8, 8) if it.kind == "valve" else (it.w, it.h)
        return abs(p[0] - it.x) <= w + pad and abs(p[1] - it.y) <= h + pad

    pts = [p for p in pts if not inside(a, p, 2) and not inside(b, p, 3)]
    if len(pts) < 2:
        return
    ax.plot([p[0] for p in pts], [p[1] for p in pts], color=_BLUE, lw=0.9, solid_capstyle="butt")
    (x0, y0), (x1, y1) = pts[-2], pts[-1]
    ang = math.atan2(y1 - y0, x1 - x0)
    tip = (x1 + 2 * math.cos(ang), y1 + 2 * math.sin(ang))
    left = (tip[0] - 8 * math.cos(ang - 0.35), tip[1] - 8 * math.sin(ang - 0.35))
    right_ = (tip[0] - 8 * math.cos(ang + 0.35), tip[1] - 8 * math.sin(ang + 0.35))
    ax.add_patch(mpatches.Polygon([tip, left, right_], closed=True, fc=_BLUE, ec=_BLUE, lw=0.5))


def _draw_valves(ax: Axes, view: sketch.View) -> None:
    """Valves on top of their pipes: two triangles meeting on the pipe, and a handle."""
    import matplotlib.patches as mpatches
    from matplotlib.path import Path as MPath

    for it in view.items:
        if it.kind != "valve":
            continue
        if it.vertical:
            tri1 = [(it.x - 7, it.y - 6), (it.x + 7, it.y - 6), (it.x, it.y)]
            tri2 = [(it.x - 7, it.y + 6), (it.x + 7, it.y + 6), (it.x, it.y)]
            handle = [(it.x - 7, it.y), (it.x - 13, it.y)]
        else:
            tri1 = [(it.x - 6, it.y - 7), (it.x - 6, it.y + 7), (it.x, it.y)]
            tri2 = [(it.x + 6, it.y - 7), (it.x + 6, it.y + 7), (it.x, it.y)]
            handle = [(it.x, it.y - 7), (it.x, it.y - 13)]
        colour = (
            _GREY if any(o.kind == "flow" and o.shadow and o.name == it.name for o in view.items) else "black"
        )
        for tri in (tri1, tri2):
            ax.add_patch(mpatches.Polygon(tri, closed=True, fc="white", ec=colour, lw=1.1, zorder=5))
        ax.add_patch(mpatches.PathPatch(MPath(handle), ec=colour, lw=1.1, zorder=5))  # the valve's handle


def sketch_figure(view: sketch.View) -> Figure:
    """A matplotlib Figure of one view of the .mdl's sketch, drawn as Vensim draws it.

    Positions, sizes and connections come from the sketch records themselves: stocks as boxes,
    valves on double-line pipes with clouds where flows leave or enter, arrows curved through
    their control points, shadow variables in grey ``<name>``. One sketch pixel is one PNG pixel
    at 96 dpi.
    """
    fig, ax = _canvas(view)
    _draw_objects(ax, view)
    items = view.by_id()
    for ln in view.links:
        a, b = items[ln.src], items[ln.dst]
        if ln.pipe:
            _draw_pipe(ax, a, b, ln.head)
        else:
            _draw_arrow(ax, a, b, ln.point)
    _draw_valves(ax, view)
    return fig


def render_sketch(view: sketch.View, png: Path) -> Path:
    """Write one view of the sketch to ``png`` (byte-stable: no metadata)."""
    fig = sketch_figure(view)
    fig.savefig(png, dpi=96, metadata={"Software": None}, facecolor="white")
    return png


def write_diagrams(
    out: Path, fmt: str = "png", force: bool = False, command: list[str] | None = None
) -> tuple[int, bool]:
    """``snowball diagram``: every view's DOT source (and, for ``fmt`` "png", its drawing from the
    .mdl's sketch) in ``out``, written atomically, with ``manifest.json``: the model file and its
    sha256, the versions that drew them, the command line and the sha256 of every file. Returns
    the number of views and whether PNGs were drawn."""
    from importlib.metadata import version

    from runners import __version__
    from runners.core.cache import sha256_of
    from runners.core.outputs import atomic_dir, check_target, write_json, written_files
    from runners.core.paths import recorded_path
    from runners.mdl import sketch
    from runners.mdl.model import model_hash

    check_target(out, force)
    views = diagrams()
    drawn = sketch.read() if fmt == "png" else []
    with atomic_dir(out, force) as tmp:
        for i, d in enumerate(views, start=1):
            (tmp / f"{i}-{slug(d.view)}.dot").write_text(to_dot(d), encoding="utf-8")
        for i, view in enumerate(drawn, start=1):
            render_sketch(view, tmp / f"{i}-{slug(view.title.split(' ', 1)[1])}.png")
        manifest = {
            "model_file": recorded_path(MODEL_FILE),
            "model_sha256": model_hash(),
            "format": fmt,
            "snowball_version": __version__,
            "packages": {name: version(name) for name in ("pysd", "matplotlib")},
            "command": list(command) if command is not None else None,
            "output_files_sha256": {name: sha256_of(tmp / name) for name in written_files(tmp)},
        }
        write_json(manifest, tmp / "manifest.json")
    return len(views), bool(drawn)
