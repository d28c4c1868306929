"""The charts' shared look: the packaged matplotlib style, colours and dashes, the title, subtitle,
legend and source-note layout every chart uses, and drawing a figure and saving it byte-stable.

Colours are Okabe-Ito (colour-blind-safe) with line styles as a second cue; files are byte-stable
(fixed DejaVu fonts, no creation dates in PNG, SVG or PDF metadata, a fixed SVG hash salt) and SVG
text stays text.
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
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

STYLE = Path(__file__).with_name("snowball.mplstyle")
SOURCE = "Source: CBO, OMB, Treasury, TIC; Snowball projections."  # the brief names the vintage (source_note)
HISTORY_COLOR = "#777777"
# Okabe-Ito, black first (the first scenario, normally the baseline)
PALETTE = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442"]
# dotted patterns are drawn with dots as long as the gaps (a bare ":" prints as a faint grey line)
DASHES = ["-", "--", "-.", (0, (1.2, 1.2)), (0, (5, 1, 1, 1)), (0, (3, 1)), (0, (1, 2.5)), (0, (8, 2))]
# a third cue after colour and dash: each scenario's own marker every MARK_EVERY points, so that
# lines of like grey (Okabe-Ito's orange, sky blue and green) stay apart in print
MARKERS = ["", "o", "s", "^", "D", "v", "P", "X"]
# one meaning per colour: PALETTE is reserved for scenarios; every other series (yields, budget
# lines, holders, spending categories, the model against CBO) takes its colours from SERIES (Paul
# Tol's muted hues that Okabe-Ito lacks, and two greys), each at least SERIES_DISTANCE (RGB,
# 0-1 scale) from every scenario colour
SERIES = ["#332288", "#882255", "#44AA99", "#999933", "#8C510A", "#555555", "#BBBBBB", "#661100"]
SERIES_DISTANCE = 0.2
REFERENCE_COLOR = "#444444"  # reference levels (the 1946 record, 20% of outlays) and their notes
MARK_EVERY = 5
PNG_DPI = 200
METADATA = {
    ".png": {"Software": None},
    ".svg": {"Date": None, "Creator": None},
    ".pdf": {"CreationDate": None, "Creator": None, "Producer": None},
}


def scenario_style(index: int) -> dict:
    """Colour, dash and marker of the ``index``-th scenario (the same in every chart); markers are
    staggered by scenario so that lines that run together still show each one's marker."""
    k = index % len(PALETTE)
    return {
        "color": PALETTE[k],
        "linestyle": DASHES[k],
        "marker": MARKERS[k] or "None",
        "markevery": (k % MARK_EVERY, MARK_EVERY),
        "markersize": 4,
        "markerfacecolor": "white" if k % 2 else PALETTE[k],
    }


def mark_projection(ax: Axes, first: float, label: bool = True) -> None:
    """A thin grey rule between the last actual fiscal year and the first projected one
    (``first``), labelled with both just above the axes (clear of the data)."""
    ax.axvline(first - 0.5, color="#999999", linewidth=0.7, zorder=1)
    if label:
        ax.annotate(
            f"actual to FY{int(first) - 1} | projection",
            (first - 0.5, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 1.5),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=6.5,
            color="#555555",
            annotation_clip=False,
        )


# ------------------------------------------------------------------------------ direct labels

SHORT_NAMES = {  # the direct label at a line's end, by scenario (file stem in data/scenarios/)
    "baseline": "Baseline",
    "japan-selloff": "Japan sale",
    "japan-selloff-fed": "Japan + Fed",
    "japan-gradual": "Japan gradual",
    "fiscal-reform": "Fiscal reform",
}
SHORT_LEN = 14  # characters: a label this short is its own direct label
DIRECT_LABEL = "direct-label"  # the gid of every line-end label (tests find them by it)
LABEL_SIZE = 7.0  # points
LABEL_GAP = 1.2  # label heights between two labels' centres, at least
LABEL_OFFSET = 9.0  # points from the axes' right edge to a label's marker (room for its leader)
MARK_ROOM = 5.0  # points from that marker to the label's text


def _builtin_titles() -> dict[str, str]:
    """Each built-in scenario's title, and its part before a colon (the briefing's short title),
    mapped to its file stem."""
    import tomllib

    from runners.scenario.scenarios import builtin_names, scenarios_dir

    out: dict[str, str] = {}
    for name in builtin_names():
        title = str(tomllib.loads((scenarios_dir() / f"{name}.toml").read_text()).get("title", name))
        out.setdefault(title.split(":", 1)[0].strip() if ":" in title else title.rstrip("."), name)
        out.setdefault(title, name)
    return out


def short_name(label: str) -> str:
    """A scenario's direct label: the label itself when short, else the built-in scenario's short
    name (:data:`SHORT_NAMES`, or its file stem in words), else the label cut to fit."""
    if len(label) <= SHORT_LEN:
        return label
    stem = _builtin_titles().get(label)
    if stem is not None:
        return SHORT_NAMES.get(stem, stem.replace("-", " ").capitalize())
    return label[: SHORT_LEN - 1].rstrip() + "\u2026"


def spread_out(targets: Sequence[float], step: float, lo: float, hi: float) -> list[float]:
    """Label centres as near their ``targets`` (in order) as a ``step`` between neighbours
    allows, within [lo + step/2, hi - step/2]: neighbours that crowd are merged into a run
    centred on their targets' mean."""
    order = sorted(range(len(targets)), key=lambda i: targets[i])
    runs: list[list[float]] = []
    for t in (targets[i] for i in order):
        runs.append([t])
        while len(runs) > 1:
            a, b = runs[-2], runs[-1]
            if np.mean(a) + (len(a) - 1) * step / 2 + step <= np.mean(b) - (len(b) - 1) * step / 2:
                break
            runs[-2:] = [a + b]
    placed = [float(np.mean(r)) + (k - (len(r) - 1) / 2) * step for r in runs for k in range(len(r))]
    n = len(placed)
    for k in range(n):  # inside the axes: push down from the top, then up from the bottom
        placed[k] = min(placed[k], hi - step / 2 - (n - 1 - k) * step)
    for k in range(n):
        placed[k] = max(placed[k], lo + step / 2 + k * step)
    out = [0.0] * n
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out


def label_room(labels: Sequence[str]) -> float:
    """Inches right of the axes that direct labels of ``labels`` need."""
    width = max((len(x) for x in labels), default=0) * LABEL_SIZE * 0.6
    return (LABEL_OFFSET + MARK_ROOM + width + 2) / 72


def marker_of(line) -> bool:
    """Whether a line is drawn with markers."""
    return line.get_marker() not in (None, "None", "", " ", "none")


def direct_labels(ax: Axes, lines: Sequence) -> None:
    """Narrow ``ax`` from the right by :func:`label_room` and label ``lines`` there
    (:func:`label_ends`)."""
    box = ax.get_position()
    room = label_room([short_name(line.get_label()) for line in lines]) / ax.figure.get_size_inches()[0]
    ax.set_position([box.x0, box.y0, box.width - room, box.height])
    label_ends(ax, lines)


def label_ends(ax: Axes, lines: Sequence) -> None:
    """Label each of ``lines`` (Line2D) at its last point with its short name (:func:`short_name`)
    in its colour, just right of the axes, nudged apart vertically by at least
    :data:`LABEL_GAP` label heights, a leader line from each label to its line's end. Call it
    once the axes have their final place and limits; the caller leaves :func:`label_room`."""
    fig = ax.figure
    height = ax.get_position().height * fig.get_size_inches()[1] * 72  # points
    lo, hi = ax.get_ylim()
    step = LABEL_GAP * LABEL_SIZE / height * (hi - lo)
    ends = []
    for line in lines:
        x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
        ok = np.isfinite(x) & np.isfinite(y)
        ends.append((float(x[ok][-1]), float(y[ok][-1])))
    at = spread_out([y for _, y in ends], step, lo, hi)
    offset = LABEL_OFFSET / (ax.get_position().width * fig.get_size_inches()[0] * 72)
    gap = MARK_ROOM / (ax.get_position().width * fig.get_size_inches()[0] * 72)
    for line, (x, y), ty in zip(lines, ends, at, strict=True):
        if marker_of(line):  # the line's own marker before its label: the key in grey print too
            ax.plot(
                [1 + offset], [ty], transform=ax.get_yaxis_transform(), clip_on=False, linestyle="None",
                marker=line.get_marker(), markersize=line.get_markersize(), color=line.get_color(),
                markerfacecolor=line.get_markerfacecolor(),
            )  # fmt: skip
        ax.annotate(
            plain(short_name(line.get_label())),
            (x, y),
            xytext=(1 + offset + gap, ty),
            textcoords=("axes fraction", "data"),
            ha="left",
            va="center",
            fontsize=LABEL_SIZE,
            color=line.get_color(),
            fontweight="bold",
            annotation_clip=False,
            gid=DIRECT_LABEL,
            arrowprops={
                "arrowstyle": "-",
                "color": line.get_color(),
                "linewidth": 0.6,
                "shrinkA": 1,
                "shrinkB": 1,
            },
        )


# ------------------------------------------------------------------------------------- drawing


def source_note(titles: Sequence[str]) -> str:
    """A source line from baseline vintage titles: the dates of their CBO publications (the
    parenthesised month and year in each title) and the other data."""
    dates = [d for t in titles for d in re.findall(r"\(([A-Z][a-z]+ \d{4})\)", t)]
    when = "; ".join(dict.fromkeys(dates)) or "baseline"
    return f"Source: CBO ({when}), OMB, Treasury, TIC; Snowball projections."


def source(fig: Figure, note: str = SOURCE) -> None:
    """The source note at the figure's bottom left."""
    fig.text(0.01, 0.012, note, fontsize=7, color="#444444", ha="left", va="bottom")


def wrap_label(label: str, width: int) -> str:
    """A legend or axis label wrapped to ``width`` characters (never at a hyphen)."""
    return "\n".join(textwrap.wrap(label, width, break_on_hyphens=False)) or label


def legend_below(
    fig: Figure, ax: Axes, ncol: int = 3, handles: list | None = None, labels: list | None = None, **kw
) -> None:
    """A legend centred under the axes, labels wrapped to fit their column."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    width = max(18, 100 // ncol - 6)
    labels = [wrap_label(str(x), width) for x in labels]
    height = fig.get_size_inches()[1]
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.2 / height), ncol=ncol, **kw)


TITLE_WIDTH = 72  # characters of the bold 10.5 pt title on a 6.5-inch figure
SUBTITLE_WIDTH = 100


def finish(fig: Figure, ax: Axes, heading: str, sub: str, note: str) -> Figure:
    """Title, a two-column legend below the axes and the source note: the one-panel layout."""
    bottom = legend_room(fig, ax.get_legend_handles_labels()[1], 2)
    fig.subplots_adjust(top=0.86, bottom=bottom, left=0.1, right=0.98)
    title(fig, heading, sub)
    legend_below(fig, ax, ncol=2)
    source(fig, note)
    return fig


def plain(text: str) -> str:
    """Text matplotlib draws as written: a dollar sign is a dollar, not the start of math."""
    return re.sub(r"(?<!\\)\$", r"\\$", text)


def title(fig: Figure, title: str, subtitle: str | None = None) -> float:
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
    fit_below(fig, y)
    return y


def fit_below(fig: Figure, header: float) -> None:
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


def legend_room(fig: Figure, labels: Sequence[str], ncol: int, below: float = 0.62) -> float:
    """The bottom of the axes (figure fraction) that leaves room under them for an x label
    (``below`` inches), the wrapped legend and the source line."""
    width = max(18, 100 // ncol - 6)
    lines = [len(textwrap.wrap(str(x), width, break_on_hyphens=False)) or 1 for x in labels]
    rows = [max(lines[i : i + ncol]) for i in range(0, len(lines), ncol)]
    return (0.3 + below + 0.16 * sum(rows) + 0.05 * len(rows)) / fig.get_size_inches()[1]


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
