"""The .mdl's own Vensim sketch, generated from its equations (``snowball model --write-sketch``).

Every view of ``models/snowball.mdl`` (the equation groups ``.Debt_and_rollover`` ...) gets a
stock-and-flow diagram in Vensim's sketch format, built from :func:`runners.mdl.views.diagrams`:

- a stock is a box (type 10, shape 3); an auxiliary, constant or lookup a plain name (shape 8);
- a flow that a stock's equation names is a valve (type 11) with its variable attached (type 10,
  shape 40) and two pipes (type 1, thickness 22): from the stock it drains, or a cloud (type 12,
  48) where it comes from outside the view's stocks, to the stock it fills, or a cloud. A flow
  defined in another view is drawn on its valve as a shadow ``<name>``; a flow term that is an
  expression rather than a variable has no valve: arrows from what it reads go into the stock;
- an arrow (type 1) for every variable an equation reads, and a grey shadow variable ``<name>``
  (type 10 with the shadow bit clear) for each variable of another view that the view reads.

The layout is computed here, in pure Python, so the same model gives the same bytes everywhere
(no Graphviz): stocks joined by flows form a row (flows run left to right; an inflow from a cloud
comes from the left, or from above when something else already arrives on the left; an outflow
to a cloud leaves right, or downwards); everything is placed in columns by the longest chain of
arrows leading to it (inputs on the left, feedback arrows running back), ordered within a column
by where its neighbours are, and nothing overlaps. An arrow that would cross more than ``LONG``
columns starts from a shadow of its cause placed beside its effect. :func:`parse` reads a sketch
back (the tests and the PNG renderer use it).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from runners.core.errors import SnowballError
from runners.core.paths import MODEL_FILE
from runners.mdl.views import diagrams

SKETCH_LINE = "\\\\\\---/// Sketch information - do not modify anything except names"
VERSION_LINE = "V300  Do not put anything below this section - it will be ignored"
END_LINE = "///---\\\\\\"
VIEW_FONT = "$192-192-192,0,Times New Roman|12||0-0-0|0-0-0|0-0-255|-1--1--1|-1--1--1|96,96,100,0"
SHADOW_STYLE = "128-128-128,0-0-0,|12||128-128-128"

CHAR = 7  # px of an average lower-case letter of Times New Roman 12 at 96 dpi
LINE = 16  # px per line of text
AUX_WRAP = 22  # characters per line of an auxiliary's name
STOCK_WRAP = 14  # characters per line inside a stock's box
COLUMN_GAP = 70
ROW_GAP = 22
MAX_COLUMN = 1400  # px: a taller column is split into several
LONG = 3  # columns: a longer arrow starts from a shadow of its cause placed next to its effect


def wrap(name: str, width: int) -> list[str]:
    """A name broken into lines of at most ``width`` characters (Vensim wraps names the same way)."""
    return textwrap.wrap(name, width, break_long_words=False) or [name]


def text_width(text: str) -> float:
    """Width in px of one line of Times New Roman 12 at 96 dpi (measured on matplotlib's STIX)."""
    narrow, wide = set("fijlrt .,-()I'"), set("mwMW")
    return sum(
        5 if c in narrow else 13 if c in wide else 11 if c.isupper() or c in "<>" else CHAR + 0.5
        for c in text
    )


def label_size(name: str, width: int = AUX_WRAP) -> tuple[int, int]:
    """Half width and half height (Vensim's w, h) of a name wrapped at ``width`` characters."""
    lines = wrap(name, width)
    return round(max(text_width(s) for s in lines) / 2) + 3, len(lines) * LINE // 2


def stock_size(name: str) -> tuple[int, int]:
    """Half width and half height of a stock's box: its name inside, at least Vensim's 40 x 20."""
    w, h = label_size(name, STOCK_WRAP)
    return max(40, w + 6), max(20, h + 6)


@dataclass
class Item:
    """One sketch object: stock, aux, shadow, valve, flow (the valve's variable) or cloud."""

    kind: str
    name: str
    x: int = 0
    y: int = 0
    w: int = 0
    h: int = 0
    shadow: bool = False
    vertical: bool = False  # a valve on a vertical pipe (its name to the right)
    id: int = 0


@dataclass
class Link:
    """A pipe (valve to one of its ends; ``head``: the end the flow goes into) or an arrow."""

    src: int
    dst: int
    pipe: bool
    head: bool = False
    point: tuple[int, int] = (0, 0)
    id: int = 0


@dataclass
class View:
    """One view of a sketch: its title, objects and links."""

    title: str
    items: list[Item] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    def by_id(self) -> dict[int, Item]:
        return {it.id: it for it in self.items}


# ---------------------------------------------------------------------------------------------
# the structure of a view: stocks, valves with their ends, variables, arrows


@dataclass
class Structure:
    view: str
    stocks: list[str]
    valves: dict[str, tuple[str | None, str | None]]  # flow -> (drained stock, filled stock); None: cloud
    shadow_valves: set[str]
    variables: list[str]  # auxiliaries, constants, lookups defined in the view
    shadows: list[str]  # names from other views that the view reads
    arrows: list[tuple[str, str]]  # (from, to), names as shown (no angle brackets)


def structures(path: Path = MODEL_FILE) -> list[Structure]:
    """The stock-and-flow structure of every view, from :func:`runners.mdl.views.diagrams`."""
    out = []
    for d in diagrams(path):
        unnamed = set(d.labels)
        plain = {n: n.strip("<>") if k.startswith("shadow") else n for n, k in d.nodes.items()}
        stocks = [n for n, k in d.nodes.items() if k == "stock"]
        valves: dict[str, tuple[str | None, str | None]] = {}
        into_stock: dict[str, str] = {}  # an unnamed valve -> the stock it drains or fills
        arrows: list[tuple[str, str]] = []
        for src, valve, dst in d.pipes:
            if valve in unnamed:
                into_stock[valve] = src if d.nodes[src] == "stock" else dst
                continue
            ends = (src if d.nodes[src] == "stock" else None, dst if d.nodes[dst] == "stock" else None)
            if plain[valve] not in valves:
                valves[plain[valve]] = ends
            else:  # a valve has one pipe in and one out: a second stock it drains or fills reads it
                arrows += [(plain[valve], e) for e in ends if e is not None and e not in valves[plain[valve]]]
        shadow_valves = {plain[n] for n, k in d.nodes.items() if k == "shadow flow"}
        for a, b, _ in d.arrows:
            b = into_stock.get(b, b)
            pair = (plain[a], plain[b])
            if pair[0] != pair[1] and pair not in arrows:
                arrows.append(pair)
        read = {a for a, _ in arrows}
        shadows = [
            plain[n]
            for n, k in d.nodes.items()
            if k == "shadow" and plain[n] in read and plain[n] not in valves
        ]
        variables = [
            n for n, k in d.nodes.items() if k in ("aux", "constant", "lookup", "flow") and n not in valves
        ]
        variables = [n for n in variables if n not in unnamed]
        out.append(Structure(d.view, stocks, valves, shadow_valves, variables, shadows, arrows))
    return out


# ---------------------------------------------------------------------------------------------
# layout


@dataclass
class Unit:
    """Something placed as a block: a row of stocks with their flows, or one variable."""

    key: str
    items: list[Item]
    members: list[str]  # names that arrows can reach in it
    pad: int = 0  # clear space above and below

    def box(self) -> tuple[int, int, int, int]:
        xs0 = [it.x - it.w for it in self.items]
        xs1 = [it.x + it.w for it in self.items]
        ys0 = [it.y - it.h for it in self.items]
        ys1 = [it.y + it.h for it in self.items]
        return min(xs0), min(ys0) - self.pad, max(xs1), max(ys1) + self.pad

    def shift(self, dx: int, dy: int) -> None:
        for it in self.items:
            it.x += dx
            it.y += dy


def _flow_item(name: str, shadow: bool) -> Item:
    w, h = label_size(("<" + name + ">") if shadow else name)
    return Item("flow", name, w=w, h=h, shadow=shadow)


def _stock_unit(s: Structure, stock: str, pipes: list[tuple[str, Item, Item]]) -> Unit:
    """A stock with the flows that join it to a cloud: the first inflow from the left and the
    first outflow to the right when no flow joins it to another stock on that side, the others
    from a cloud above (inflows) or to a cloud below (outflows)."""
    w, h = stock_size(stock)
    box = Item("stock", stock, 0, 0, w, h)
    items = [box]
    members = [stock]
    joined_in = any(b == stock and a is not None for a, b in s.valves.values())
    joined_out = any(a == stock and b is not None for a, b in s.valves.values())
    left, right = not joined_in, not joined_out
    above = below = 0
    for f, (a, b) in s.valves.items():
        inflow = b == stock and a is None
        if not (inflow or (a == stock and b is None)):
            continue
        label = _flow_item(f, f in s.shadow_valves)
        cloud = Item("cloud", "", w=10, h=8)
        if inflow and left:
            left = False
            valve = Item("valve", f, x=-w - 30 - label.w, y=0, w=6, h=8)
            cloud.x = valve.x - 70
        elif not inflow and right:
            right = False
            valve = Item("valve", f, x=w + 30 + label.w, y=0, w=6, h=8)
            cloud.x = valve.x + 70
        else:
            k = above if inflow else below
            if inflow:
                above += 1
            else:
                below += 1
            sign = -1 if inflow else 1
            dx = (0, -w // 2, w // 2)[k % 3]
            valve = Item("valve", f, x=dx, y=sign * (h + 45), w=8, h=6, vertical=True)
            cloud.x, cloud.y = dx, sign * (h + 100)
        if valve.vertical:
            label.x, label.y = valve.x + 12 + label.w, valve.y
        else:
            label.x, label.y = valve.x, valve.y + 8 + label.h
        items += [cloud, valve, label]
        members.append(f)
        pipes.append((f, cloud, box) if inflow else (f, box, cloud))
    return Unit("stock:" + stock, items, members, pad=ROW_GAP)


def _pava(desired: list[float], gaps: list[float]) -> list[float]:
    """Positions closest to ``desired`` (least squares) keeping ``y[i+1] - y[i] >= gaps[i]``."""
    offs = [0.0]
    for g in gaps:
        offs.append(offs[-1] + g)
    target = [d - o for d, o in zip(desired, offs, strict=True)]
    blocks: list[list[float]] = []  # [mean, weight]
    for t in target:
        blocks.append([t, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2 = blocks.pop()
            m1, w1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2])
    z: list[float] = []
    for m, w in blocks:
        z += [m] * int(w)
    return [zi + o for zi, o in zip(z, offs, strict=True)]


def _free_spot(desired: float, half: float, taken: list[tuple[float, float]]) -> float:
    """The y nearest ``desired`` where an object of half height ``half`` fits between ``taken``."""
    pad = half + ROW_GAP + 0.5
    candidates = [desired] + [c for lo, hi in taken for c in (lo - pad, hi + pad)]

    def fits(y: float) -> bool:
        return all(y + half + ROW_GAP <= lo or y - half - ROW_GAP >= hi for lo, hi in taken)

    return min((c for c in candidates if fits(c)), key=lambda c: (abs(c - desired), c))


def _ranks(n: int, edges: dict[tuple[int, int], int]) -> dict[int, int]:
    """Longest-path ranks over ``edges`` (heaviest first), cycles broken by a depth-first search
    that starts from the units with no inputs, in order."""
    succ: dict[int, list[int]] = {i: [] for i in range(n)}
    has_pred = {b for _, b in edges}
    for a, b in sorted(edges):
        succ[a].append(b)
    for i in succ:
        succ[i].sort(key=lambda b, i=i: (-edges[(i, b)], b))
    state: dict[int, int] = {}
    dag: list[tuple[int, int]] = []
    for root in [i for i in range(n) if i not in has_pred] + list(range(n)):
        if root in state:
            continue
        stack = [(root, iter(succ[root]))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                continue  # a back edge: no say in the ranks
            else:
                dag.append((node, nxt))
                if nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(succ[nxt])))
    rank = {i: 0 for i in range(n)}
    for _ in range(n):
        changed = False
        for a, b in dag:
            if rank[b] < rank[a] + 1:
                rank[b] = rank[a] + 1
                changed = True
        if not changed:
            break
    return rank


class _Layout:
    """The steps of :func:`layout`: units (blocks placed whole), their columns, their order within
    a column, rows of stocks made straight, then the view's objects with ids and links."""

    def __init__(self, s: Structure):
        self.s = s
        self.pipes: list[tuple[str, Item, Item]] = []
        self.units = [_stock_unit(s, st, self.pipes) for st in s.stocks]
        self.between = [f for f, (a, b) in s.valves.items() if a is not None and b is not None]
        for f in self.between:
            label = _flow_item(f, f in s.shadow_valves)
            label.y = 8 + label.h
            self.units.append(Unit("valve:" + f, [Item("valve", f, 0, 0, 6, 8), label], [f]))
        for name in s.variables:
            w, h = label_size(name)
            self.units.append(Unit("var:" + name, [Item("aux", name, w=w, h=h)], [name]))
        for name in s.shadows:
            w, h = label_size("<" + name + ">")
            self.units.append(Unit("shadow:" + name, [Item("aux", name, w=w, h=h, shadow=True)], [name]))
        self.unit_of: dict[str, int] = {}
        for i, u in enumerate(self.units):
            for m in u.members:
                self.unit_of["<" + m + ">" if u.key.startswith("shadow:") else m] = i
        unit_of = self.unit_of
        self.flowing = {i for i, u in enumerate(self.units) if u.key.startswith(("stock:", "valve:"))}
        self.arrow_src = {(a, b): unit_of.get("<" + a + ">", unit_of.get(a, -1)) for a, b in s.arrows}
        self.chain_links: list[tuple[int, int]] = []
        for f in self.between:
            a, b = s.valves[f]
            self.chain_links += [(unit_of[a], unit_of[f]), (unit_of[f], unit_of[b])]

    def rank_edges(self) -> dict[tuple[int, int], int]:
        """Edges that rank the units (columns, left to right): pipes carry stocks and flows along a
        row; an arrow places a variable right of what it reads, and a stock or flow right of what
        it reads that no stock feeds (a feedback arrow runs back instead of pushing rows of stocks
        to the right)."""
        unit_of, arrow_src = self.unit_of, self.arrow_src
        edges = {e: 8 for e in self.chain_links}
        reads: dict[int, set[int]] = {}
        for (_a, b), ua in arrow_src.items():
            reads.setdefault(ua, set()).add(unit_of[b])
        downstream: set[int] = set()  # what the stocks and flows feed, directly or not
        todo = sorted(self.flowing)
        while todo:
            for j in sorted(reads.get(todo.pop(), ())):
                if j not in downstream:
                    downstream.add(j)
                    todo.append(j)
        for (_a, b), ua in arrow_src.items():
            ub = unit_of[b]
            if ua != ub and (ub not in self.flowing or ua not in downstream):
                edges.setdefault((ua, ub), 1)
        return edges

    def rank_units(self) -> None:
        """Each unit's column; a variable with no inputs sits just left of the first thing it feeds."""
        unit_of = self.unit_of
        edges = self.rank_edges()
        self.rank = rank = _ranks(len(self.units), edges)
        feeds: dict[int, list[int]] = {}
        for (_a, b), ua in self.arrow_src.items():
            if ua != unit_of[b]:
                feeds.setdefault(ua, []).append(unit_of[b])
        has_input = {b for _, b in edges}
        for i, u in enumerate(self.units):
            if i not in has_input and i in feeds and u.key.startswith(("var:", "shadow:")):
                rank[i] = max(0, min(rank[b] for b in feeds[i]) - 1)

    def shadow_long_arrows(self) -> None:
        """An arrow over more than LONG columns starts from a shadow of its cause next to its effect."""
        units, rank, arrow_src = self.units, self.rank, self.arrow_src
        copies: dict[tuple[str, int], int] = {}
        for a, b in self.s.arrows:
            ua, ub = arrow_src[(a, b)], self.unit_of[b]
            if ua == ub or abs(rank[ua] - rank[ub]) <= LONG:
                continue
            key = (a, rank[ub])
            if key not in copies:
                w, h = label_size("<" + a + ">")
                copies[key] = len(units)
                units.append(Unit(f"copy:{a}@{rank[ub]}", [Item("aux", a, w=w, h=h, shadow=True)], [a]))
                rank[copies[key]] = max(0, rank[ub] - 1)
            arrow_src[(a, b)] = copies[key]

    def columns(self) -> None:
        """The units shown (a shadow only where an arrow uses it) by column, a tall column split,
        and their first positions: centred in their column, stacked from the top."""
        units = self.units
        used = {i for i in self.arrow_src.values()} | {self.unit_of[b] for _, b in self.s.arrows}
        self.shown = [i for i, u in enumerate(units) if not u.key.startswith("shadow:") or i in used]
        columns: dict[int, list[int]] = {}
        for i in self.shown:
            columns.setdefault(self.rank[i], []).append(i)
        self.cols = cols = []
        for r in sorted(columns):
            col = columns[r]
            height = sum(units[i].box()[3] - units[i].box()[1] + ROW_GAP for i in col)
            parts = max(1, -(-height // MAX_COLUMN))
            size = -(-len(col) // parts)
            cols += [col[k : k + size] for k in range(0, len(col), size)]
        self.xs: dict[int, float] = {}
        x = 0.0
        for col in cols:
            width = max(units[i].box()[2] - units[i].box()[0] for i in col)
            for i in col:
                x0, _, x1, _ = units[i].box()
                self.xs[i] = x + width / 2 - (x0 + x1) / 2
            x += width + COLUMN_GAP
        self.ys: dict[int, float] = {}
        for col in cols:
            y = 0.0
            for i in col:
                _, y0, _, y1 = units[i].box()
                self.ys[i] = y - y0
                y += y1 - y0 + ROW_GAP

    def anchor(self, i: int, member: str) -> float:
        """The y of the object of unit ``i`` that arrows to or from ``member`` meet."""
        for it in self.units[i].items:
            if it.name == member and it.kind in ("stock", "valve", "aux"):
                return self.ys[i] + it.y
        return self.ys[i]

    def order_columns(self) -> None:
        """Sweeps over the columns, each unit pulled towards what it is joined to (pipes weigh 8,
        arrows 1), keeping its column's order free of overlaps."""
        s, units, unit_of, ys = self.s, self.units, self.unit_of, self.ys
        near: dict[int, list[tuple[int, str, str, int]]] = {i: [] for i in self.shown}
        for (a, b), ua in self.arrow_src.items():
            ub = unit_of[b]
            if ua != ub:
                near[ua].append((ub, b, a, 1))
                near[ub].append((ua, a, b, 1))
        for f in self.between:
            for st in s.valves[f]:
                assert st is not None
                near[unit_of[st]].append((unit_of[f], f, st, 8))
                near[unit_of[f]].append((unit_of[st], st, f, 8))
        for sweep in range(10):
            for col in self.cols if sweep % 2 == 0 else self.cols[::-1]:
                desired = {}
                for i in col:
                    pulls = [
                        (self.anchor(j, other) - (self.anchor(i, mine) - ys[i]), w)
                        for j, other, mine, w in near[i]
                    ]
                    total = sum(w for _, w in pulls)
                    desired[i] = sum(y * w for y, w in pulls) / total if total else ys[i]
                col.sort(key=lambda i: (desired[i], units[i].key))
                spans = [(units[i].box()[1], units[i].box()[3]) for i in col]
                gaps = [spans[k][1] - spans[k + 1][0] + ROW_GAP for k in range(len(col) - 1)]
                for i, y in zip(col, _pava([desired[i] for i in col], gaps), strict=True):
                    ys[i] = y

    def straighten_rows(self) -> None:
        """One y for every stock and valve on a row of stocks, rows apart."""
        units, ys, rank = self.units, self.ys, self.rank
        parent = {i: i for link in self.chain_links for i in link}

        def root(i: int) -> int:
            while parent[i] != i:
                i = parent[i]
            return i

        for a, b in self.chain_links:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
        rows: dict[int, list[int]] = {}
        for i in sorted(parent):
            rows.setdefault(root(i), []).append(i)
        self.fixed = fixed = []
        for members in sorted(rows.values(), key=lambda m: (sum(ys[i] for i in m) / len(m), m[0])):
            y = sum(ys[i] for i in members) / len(members)
            for i in members:
                for j in fixed:
                    if rank[i] == rank[j]:
                        y = max(y, ys[j] + units[j].box()[3] - units[i].box()[1] + ROW_GAP)
            for i in members:
                ys[i] = y
            fixed += members

    def place_the_rest(self) -> None:
        """Everything off the rows in the free spot nearest where it was, then the whole view
        moved to start 60 px from the top left."""
        units, ys, fixed, shown = self.units, self.ys, self.fixed, self.shown
        for col in self.cols:
            taken = [(ys[i] + units[i].box()[1], ys[i] + units[i].box()[3]) for i in col if i in fixed]
            for i in sorted((i for i in col if i not in fixed), key=lambda i: (ys[i], units[i].key)):
                _, y0, _, y1 = units[i].box()
                centre = _free_spot(ys[i] + (y0 + y1) / 2, (y1 - y0) / 2, taken)
                ys[i] = centre - (y0 + y1) / 2
                taken.append((ys[i] + y0, ys[i] + y1))
        for i in shown:
            units[i].shift(round(self.xs[i]), round(ys[i]))
        x0 = min(units[i].box()[0] for i in shown)
        y0 = min(units[i].box()[1] for i in shown)
        for i in shown:
            units[i].shift(60 - x0, 60 - y0)

    def view(self, title: str) -> View:
        """The placed objects numbered, then the pipes and the arrows as links."""
        s, units = self.s, self.units
        view = View(title)
        for i in self.shown:
            view.items += units[i].items
        for k, it in enumerate(view.items, start=1):
            it.id = k
        next_id = len(view.items) + 1
        valve_of = {it.name: it for it in view.items if it.kind == "valve"}
        stock_of = {it.name: it for it in view.items if it.kind == "stock"}
        for f in self.between:
            a, b = s.valves[f]
            self.pipes.append((f, stock_of[a], stock_of[b]))  # type: ignore[index]
        for f, a, b in self.pipes:
            v = valve_of[f]
            for end, head in ((a, False), (b, True)):
                view.links.append(Link(v.id, end.id, True, head, _pipe_point(v, end), next_id))
                next_id += 1

        def meets(i: int, name: str) -> Item:
            return next(
                it for it in units[i].items if it.name == name and it.kind in ("stock", "valve", "aux")
            )

        for a, b in s.arrows:
            src, dst = meets(self.arrow_src[(a, b)], a), meets(self.unit_of[b], b)
            view.links.append(Link(src.id, dst.id, False, True, _arrow_point(src, dst), next_id))
            next_id += 1
        return view


def layout(s: Structure, title: str) -> View:
    """Place every object of one view and return it with ids, pipes and arrows."""
    steps = _Layout(s)
    steps.rank_units()
    steps.shadow_long_arrows()
    steps.columns()
    steps.order_columns()
    steps.straighten_rows()
    steps.place_the_rest()
    return steps.view(title)


def _pipe_point(valve: Item, end: Item) -> tuple[int, int]:
    """The pipe's point: halfway between the valve and the edge of the object it meets."""
    if valve.vertical:
        edge = end.y - end.h if end.y > valve.y else end.y + end.h
        return valve.x, (valve.y + edge) // 2
    edge = end.x - end.w if end.x > valve.x else end.x + end.w
    return (valve.x + edge) // 2, valve.y


def _arrow_point(a: Item, b: Item) -> tuple[int, int]:
    """An arrow's control point: off the straight line, so that arrows curve as Vensim draws them."""
    dx, dy = b.x - a.x, b.y - a.y
    length = max(1.0, (dx * dx + dy * dy) ** 0.5)
    if abs(dy) < 4 and {a.kind, b.kind} & {"stock", "valve"}:
        bend = 40.0  # along a pipe: curve clear of it, below
        return (a.x + b.x) // 2, round((a.y + b.y) / 2 + bend)
    bend = min(0.12 * length, 40) if dx >= 0 else min(0.25 * length, 120)  # arrows running back curve more
    return round((a.x + b.x) / 2 - dy / length * bend), round((a.y + b.y) / 2 + dx / length * bend)


# ---------------------------------------------------------------------------------------------
# sketch text


def _name(name: str) -> str:
    return f'"{name}"' if "," in name else name


def view_lines(view: View) -> list[str]:
    """The records of one view, in Vensim's sketch format."""
    lines = [SKETCH_LINE, VERSION_LINE, "*" + view.title, VIEW_FONT]
    for it in view.items:
        if it.kind == "stock":
            lines.append(f"10,{it.id},{_name(it.name)},{it.x},{it.y},{it.w},{it.h},3,3,0,0,0,0,0,0")
        elif it.kind == "cloud":
            lines.append(f"12,{it.id},48,{it.x},{it.y},10,8,0,3,0,0,-1,0,0,0")
        elif it.kind == "valve":
            shape, pos = (33, 4) if it.vertical else (34, 1)
            lines.append(f"11,{it.id},0,{it.x},{it.y},{it.w},{it.h},{shape},3,0,0,{pos},0,0,0")
        elif it.kind == "flow":
            tail = f"40,2,0,3,-1,0,0,0,{SHADOW_STYLE}" if it.shadow else "40,3,0,0,-1,0,0,0"
            lines.append(f"10,{it.id},{_name(it.name)},{it.x},{it.y},{it.w},{it.h},{tail}")
        elif it.shadow:
            lines.append(
                f"10,{it.id},{_name(it.name)},{it.x},{it.y},{it.w},{it.h},8,2,0,3,-1,0,0,0,{SHADOW_STYLE}"
            )
        else:
            lines.append(f"10,{it.id},{_name(it.name)},{it.x},{it.y},{it.w},{it.h},8,3,0,0,-1,0,0,0")
    for ln in view.links:
        px, py = ln.point
        if ln.pipe:
            shape = 4 if ln.head else 100
            lines.append(f"1,{ln.id},{ln.src},{ln.dst},{shape},0,0,22,0,0,0,-1--1--1,,1|({px},{py})|")
        else:
            lines.append(f"1,{ln.id},{ln.src},{ln.dst},0,0,0,0,0,64,0,-1--1--1,,1|({px},{py})|")
    return lines


def views(path: Path = MODEL_FILE) -> list[View]:
    """The generated views of the model at ``path``."""
    return [layout(s, f"{i} {s.view}") for i, s in enumerate(structures(path), start=1)]


_GENERATED: dict[str, str] = {}  # sha256 of the equations -> their sketch


def generate(path: Path = MODEL_FILE) -> str:
    """The sketch section for the model at ``path``: from the sketch line to ``///---\\\\\\``."""
    import hashlib

    from runners.mdl.model import read_mdl

    key = hashlib.sha256(split(read_mdl(Path(path)))[0].encode()).hexdigest()
    if key not in _GENERATED:
        lines: list[str] = []
        for v in views(path):
            lines += view_lines(v)
        _GENERATED[key] = "\n".join(lines + [END_LINE]) + "\n"
    return _GENERATED[key]


def split(text: str) -> tuple[str, str, str]:
    """An .mdl's text as (equations, sketch section, what follows the sketch's end line)."""
    if SKETCH_LINE not in text:
        return text, "", ""
    head, rest = text.split(SKETCH_LINE, 1)
    sketch, sep, tail = (SKETCH_LINE + rest).partition(END_LINE + "\n")
    if not sep:
        sketch, sep, tail = (SKETCH_LINE + rest).partition(END_LINE)
    return head, sketch + END_LINE + "\n", tail


def is_current(path: Path = MODEL_FILE) -> bool:
    """Whether the file's sketch is exactly the one the generator writes today."""
    from runners.mdl.model import read_mdl

    return split(read_mdl(Path(path)))[1] == generate(path)


def write_sketch(path: Path = MODEL_FILE) -> bool:
    """Write the generated sketch into ``path`` (atomically); False when it was already current."""
    import os
    import tempfile

    from runners.mdl.model import read_mdl

    path = Path(path)
    text = read_mdl(path)
    head, old, tail = split(text)
    new = generate(path)
    if old == new:
        return False
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(head + new + tail)
    os.chmod(tmp, path.stat().st_mode & 0o777)
    os.replace(tmp, path)
    return True


# ---------------------------------------------------------------------------------------------
# reading a sketch back


def _fields(line: str) -> list[str]:
    """Comma-separated fields, a quoted name kept whole."""
    return [f.strip('"') for f in re.findall(r'"[^"]*"|[^,]*', line)[::2]]


def parse(text: str) -> list[View]:
    """The views of an .mdl's sketch (its objects and links), read back from the text."""
    _, sketch, _ = split(text)
    if not sketch:
        raise SnowballError("the model has no sketch section")
    out: list[View] = []
    pending_valve = False
    for line in sketch.splitlines():
        if line.startswith("*"):
            out.append(View(line[1:]))
            continue
        if not out or not line[:2].rstrip(",").isdigit():
            continue
        f = _fields(line)
        kind = f[0]
        view = out[-1]
        if kind == "1":
            point = re.search(r"\|\((-?\d+),(-?\d+)\)\|", line)
            px, py = (int(point.group(1)), int(point.group(2))) if point else (0, 0)
            pipe = f[7] == "22"
            view.links.append(Link(int(f[2]), int(f[3]), pipe, f[4] != "100", (px, py), int(f[1])))
            continue
        x, y, w, h, shape, bits = (int(v) for v in f[3:9])
        if kind == "12":
            view.items.append(Item("cloud", "", x, y, w, h, id=int(f[1])))
        elif kind == "11":
            view.items.append(Item("valve", "", x, y, w, h, vertical=shape == 33, id=int(f[1])))
            pending_valve = True
            continue
        elif kind == "10":
            if shape & 32 and pending_valve:
                k = "flow"
                view.items[-1].name = f[2]  # the valve carries its variable's name
            else:
                k = "stock" if shape == 3 else "aux"
            view.items.append(Item(k, f[2], x, y, w, h, shadow=bits % 2 == 0, id=int(f[1])))
        pending_valve = False
    return out


def read(path: Path = MODEL_FILE) -> list[View]:
    """The views of the sketch in the model file at ``path``, as the file holds them."""
    from runners.mdl.model import read_mdl

    return parse(read_mdl(Path(path)))


def sketch_command(write: bool, mdl: Path = MODEL_FILE) -> int:
    """``snowball model --write-sketch`` (write, exit 0) or the sketch half of ``--check`` (exit 1
    when the file's sketch is not the one its equations give)."""
    import sys

    from runners.core.paths import INSTALLED

    if write:
        if INSTALLED:
            raise SnowballError(
                f"{mdl}: --write-sketch rewrites the model in a clone, not an installed package"
            )
        changed = write_sketch(mdl)
        n = len(read(mdl))
        print(
            f"wrote the sketch of {n} views into {mdl.name}" if changed else f"{mdl.name}'s sketch is current"
        )
        return 0
    if not is_current(mdl):
        have, want = _blocks(split(mdl.read_text(encoding="utf-8"))[1]), _blocks(generate(mdl))
        stale = [t for t in want if have.get(t) != want[t]] + [t for t in have if t not in want]
        print(
            f"snowball: {mdl.name}'s sketch is not the one its equations give"
            + f" (views {', '.join(repr(t) for t in stale)})"
            + "; run 'snowball model --write-sketch' (make model-sketch)",
            file=sys.stderr,
        )
        return 1
    print(f"{mdl.name}'s sketch is current ({len(read(mdl))} views)")
    return 0


def _blocks(section: str) -> dict[str, list[str]]:
    """A sketch section's records by view title."""
    out: dict[str, list[str]] = {}
    title = None
    for line in section.splitlines():
        if line.startswith("*"):
            title = line[1:]
            out[title] = []
        elif title is not None and line[:1].isdigit():
            out[title].append(line)
    return out
