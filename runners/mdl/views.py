"""The structure of the model's views, read from pysd's parse of the equations (:func:`diagrams`).

Each view is the group of equations under its header (``.Yields`` ...): every stock, every flow a
valve on a pipe from the stock it drains (or a cloud, where it comes from outside the model) to
the stock it fills (or a cloud), an arrow for every variable an equation reads (flagged when only
a stock's initial value reads it), names from other views as shadow variables ``<name>``, and an
unnamed valve where a flow term is an expression. :mod:`runners.mdl.sketch` lays that structure
out as the .mdl's own Vensim sketch; :mod:`runners.report.diagram` writes and draws it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from runners.core.errors import SnowballError
from runners.core.paths import MODEL_FILE
from runners.mdl.parse import normalise, parse_mdl

CLOCK = {"initial_time", "final_time", "time_step", "saveper"}


@dataclass
class Diagram:
    """One view: its variables by kind, pipes (source, valve, destination) and arrows (from, to)."""

    view: str
    nodes: dict[str, str] = field(default_factory=dict)  # name -> stock|flow|aux|constant|lookup|shadow|...
    pipes: list[tuple[str, str, str]] = field(default_factory=list)
    arrows: list[tuple[str, str, bool]] = field(default_factory=list)  # (from, to, initial value only)
    labels: dict[str, str] = field(default_factory=dict)  # unnamed valves: the expression they carry


def view_groups(path: Path = MODEL_FILE) -> dict[str, list[str]]:
    """The .mdl's groups (views) in file order: view name -> the names of its equations."""
    text = Path(path).read_text(encoding="utf-8")
    text = text.split("\\\\\\---///", 1)[0]
    groups: dict[str, list[str]] = {}
    current = None
    for chunk in text.split("|"):
        header = re.search(r"\*{8,}\s*\n\s*\.(.+?)\s*\n\s*\*{8,}", chunk)
        if header:
            current = header.group(1).replace("_", " ").strip()
            groups.setdefault(current, [])
            continue
        body = re.sub(r"^\s*(\{UTF-8\})?\s*", "", chunk)
        m = re.match(r"([^=(~:\n]+?)\s*(=|\(|:)", body)
        if m and current is not None:
            groups[current].append(m.group(1).strip())
    return {k: v for k, v in groups.items() if v and k.lower() != "control"}


def _signed_terms(node, sign: int = 1) -> list[tuple[int, object]]:
    """A stock's net flow split into signed terms (a - b + c*d -> +a, -b, +c*d)."""
    from pysd.translators.structures import abstract_expressions as ae

    if isinstance(node, ae.ArithmeticStructure):
        ops = list(node.operators)
        if ops == ["negative"]:
            return _signed_terms(node.arguments[0], -sign)
        if ops and all(op in ("+", "-") for op in ops):
            out = _signed_terms(node.arguments[0], sign)
            for op, arg in zip(ops, node.arguments[1:], strict=True):
                out += _signed_terms(arg, sign if op == "+" else -sign)
            return out
    return [(sign, node)]


def _refs(node) -> set[str]:
    from pysd.translators.structures import abstract_expressions as ae

    out: set[str] = set()

    def walk(n):
        if isinstance(n, ae.ReferenceStructure):
            out.add(n.reference)
        elif isinstance(n, ae.CallStructure):
            out.add(n.function.reference)
            for a in n.arguments:
                walk(a)
        elif hasattr(n, "__dataclass_fields__"):
            for f in n.__dataclass_fields__:
                v = getattr(n, f)
                for a in v if isinstance(v, list | tuple) else [v]:
                    if hasattr(a, "__dataclass_fields__"):
                        walk(a)

    walk(node)
    return out


@dataclass
class _Model:
    """What every view is drawn from: each equation's kind and reads, each stock's flows."""

    name_of: dict[str, str] = field(default_factory=dict)  # pysd spelling -> Vensim name
    kind: dict[str, str] = field(default_factory=dict)
    reads: dict[str, set[str]] = field(default_factory=dict)
    init_reads: dict[str, set[str]] = field(default_factory=dict)
    flows: dict[str, list[tuple[int, object]]] = field(default_factory=dict)  # stock -> signed terms
    ends: dict[str, dict[int, str]] = field(default_factory=dict)  # named flow -> {-1: drains, +1: fills}

    def named(self, term) -> str | None:
        """The flow variable a term names (not a stock: a stock read as a flow gets a valve)."""
        from pysd.translators.structures import abstract_expressions as ae

        if isinstance(term, ae.ReferenceStructure) and self.kind.get(term.reference) not in (None, "stock"):
            return term.reference
        return None


def _read_model(path: Path) -> _Model:
    """Each equation's kind and what it reads; each stock's flows, and the stocks each flow joins."""
    from pysd.translators.structures import abstract_expressions as ae

    elements = parse_mdl(path).sections[0].elements
    m = _Model({normalise(el.name): el.name for el in elements})
    m.name_of["time"] = "Time"
    for el in elements:
        ref, ast = normalise(el.name), el.components[0].ast
        if isinstance(ast, ae.IntegStructure):
            m.kind[ref] = "stock"
            m.flows[ref] = _signed_terms(ast.flow)
            m.reads[ref], m.init_reads[ref] = set(), _refs(ast.initial)
        else:
            typ = el.components[0].type
            m.kind[ref] = "lookup" if typ == "Lookup" else "constant" if typ == "Constant" else "aux"
            m.reads[ref], m.init_reads[ref] = ({r for r in _refs(ast) if r in m.name_of}, set())
    for stock, terms in m.flows.items():
        for sign, term in terms:
            if m.named(term):
                m.ends.setdefault(term.reference, {})[sign] = stock
    return m


class _ViewBuilder:
    """One view's :class:`Diagram`: its members, shadows of what it reads from other views."""

    def __init__(self, m: _Model, view: str, names: list[str]):
        self.m = m
        self.d = Diagram(view)
        self.members = [normalise(n) for n in names if normalise(n) in m.kind and normalise(n) not in CLOCK]
        self.clouds = 0

    def add(self, ref: str) -> str:
        """The node for ``ref``: itself in its own view, else a shadow ``<name>``."""
        name = self.m.name_of.get(ref, ref)
        if ref in self.members:
            self.d.nodes.setdefault(name, self.m.kind[ref])
            return name
        shadow = f"<{name}>"
        self.d.nodes.setdefault(shadow, "shadow")
        return shadow

    def stock_flows(self, ref: str) -> None:
        """A stock's pipes: a valve per flow term, to or from the other stock or a cloud."""
        m, d = self.m, self.d
        stock = m.name_of[ref]
        for k, (sign, term) in enumerate(m.flows[ref]):
            if m.named(term):
                valve = self.add(term.reference)
                d.nodes[valve] = "shadow flow" if d.nodes[valve].startswith("shadow") else "flow"
                other = m.ends[term.reference].get(-sign)
            else:  # an expression: an unnamed valve, arrows from what it reads
                valve = f"{stock} flow {k + 1}"
                d.nodes[valve] = "flow"
                d.labels[valve] = ""
                for r in sorted(_refs(term) & set(m.name_of)):
                    d.arrows.append((self.add(r), valve, False))
                other = None
            if other is None:
                self.clouds += 1
                end = f"cloud {self.clouds}"
                d.nodes[end] = "cloud"
            else:
                end = self.add(other)
            pipe = (end, valve, stock) if sign > 0 else (stock, valve, end)
            if pipe not in d.pipes:
                d.pipes.append(pipe)
        for r in sorted(m.init_reads[ref] & set(m.name_of)):
            d.arrows.append((self.add(r), stock, True))

    def build(self) -> Diagram:
        """Members first, then each stock's pipes, then the arrows of everything else."""
        m, d = self.m, self.d
        for ref in self.members:
            self.add(ref)
        for ref in self.members:
            if m.kind[ref] == "stock":
                self.stock_flows(ref)
        for ref in self.members:
            if m.kind[ref] == "stock":
                continue
            for r in sorted(m.reads[ref]):
                d.arrows.append((self.add(r), m.name_of[ref], False))
        d.arrows = list(dict.fromkeys(d.arrows))
        return d


def diagrams(path: Path = MODEL_FILE) -> list[Diagram]:
    """One :class:`Diagram` per view of the model at ``path``."""
    path = Path(path)
    if not path.is_file():
        raise SnowballError(f"{path}: model file is missing")
    m = _read_model(path)
    return [_ViewBuilder(m, view, names).build() for view, names in view_groups(path).items()]
