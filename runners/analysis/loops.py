"""The causal-loop diagram, derived from the model's own dependency graph.

pysd records, for every variable, the variables its equation reads (``model._dependencies``,
keyed by Python name; a stock's inflows sit under its ``_integ_*`` object's ``step``). Reversed,
that is the causal graph: an arrow from each input to the variable it feeds. The diagram keeps a
chosen set of key variables (:data:`NODES`) and collapses every path through other variables
into one arrow between key variables: key A feeds key B when some path A -> ... -> B passes only
through non-key variables. Arrows therefore appear or disappear with the model's structure.

The polarity of each arrow is measured, not typed: :func:`model_signs` perturbs the model in a
state with every channel switched on and takes the sign of each equation's partial effect along
the chains that carry the arrow. What is not derived, and is documented here instead: the
positions (a fixed layout) and the named loops (:data:`LOOPS`, whose paths are checked against the
derived arrows, a loop the model does not close is not labelled, and whose kind, reinforcing or
balancing, is checked against the measured signs). :mod:`runners.report.loops_chart` draws it.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

# key variables: key -> (label, x, y) on a 0-10 canvas; a key stands for itself and any members
# listed in GROUPS (e.g. both benchmark yields drawn as one box)
NODES: dict[str, tuple[str, float, float]] = {
    "fiscal_adjustment": ("Fiscal\nadjustment", 5.0, 10.2),
    "deficit": ("Deficit", 0.8, 8.8),
    "gross_issuance": ("Gross\nissuance", 3.2, 9.0),
    "debt_held_by_the_public": ("Debt held\nby the public", 6.8, 9.0),
    "debt_to_gdp": ("Debt/GDP", 9.3, 8.8),
    "net_interest": ("Net\ninterest", 0.8, 6.6),
    "interest_on_debt_held_by_the_public": ("Interest on\nthe debt", 3.2, 7.4),
    "rating_notch": ("Credit rating\n(notches down)", 5.6, 7.6),
    "nominal_gdp": ("Nominal\nGDP", 9.3, 7.4),
    "growth_drag": ("Growth\ndrag", 9.3, 6.1),
    "private_investment_change": ("Private\ninvestment", 9.3, 4.95),
    "policy_rate_gap": ("Policy\nrate", 6.7, 6.0),
    "ten_year_yield": ("Treasury yields\n(bill, 10-year)", 4.4, 5.6),
    "fed_purchases": ("Fed\npurchases", 7.4, 4.0),
    "inflation_expectations_gap": ("Expected\ninflation", 5.7, 6.55),
    "market_confidence": ("Market\nconfidence", 0.8, 4.6),
    "total_premium": ("Total\npremium", 4.4, 3.6),
    "confidence_premium": ("Confidence\npremium", 2.2, 3.2),
    "fed_extra_holdings": ("Fed extra\nholdings", 8.6, 2.8),
    "qe_effect": ("QE\neffect", 6.6, 2.6),
    "supply_premium": ("Supply\npremium", 4.0, 2.0),
    "dollar_index": ("Dollar\nindex", 9.3, 1.8),
    "overhang_absorbed": ("Private\nabsorption", 0.7, 2.0),
    "absorption_overhang": ("Absorption\noverhang", 2.2, 1.0),
    "official_holdings": ("Official\nholdings", 0.6, -0.2),
    "official_sales": ("Official\nsales", 3.6, 0.0),
    "japan_sales": ("Japan's\nsales", 6.0, 0.0),
    "vicious_cycle_sales": ("Vicious-cycle\nsales", 8.4, 0.0),
}
# nominal_gdp, growth_drag and official_holdings intercept paths (so the arrows between the boxes
# stay direct) but sit on no named loop, so the diagram (which draws only boxes on closed loops)
# leaves them out; every arrow is listed in tables/loop_edges.csv
# a box that stands for several model variables (arrows to or from any member)
GROUPS: dict[str, tuple[str, ...]] = {
    "ten_year_yield": ("ten_year_yield", "bill_yield"),
    "official_holdings": ("japan_holdings", "china_holdings", "other_foreign_official_holdings"),
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
    Loop(
        "R4",
        "monetary squeeze",
        "reinforcing",
        ("ten_year_yield", "inflation_expectations_gap", "policy_rate_gap"),
    ),
    Loop(
        "R5",
        "downgrade spiral",
        "reinforcing",
        (
            "debt_to_gdp",
            "rating_notch",
            "confidence_premium",
            "total_premium",
            "ten_year_yield",
            "interest_on_debt_held_by_the_public",
            "net_interest",
            "deficit",
            "gross_issuance",
            "debt_held_by_the_public",
        ),
    ),
    Loop(
        "R6",
        "private crowding-out",
        "reinforcing",
        (
            "ten_year_yield",
            "private_investment_change",
            "growth_drag",
            "nominal_gdp",
            "debt_to_gdp",
            "total_premium",
        ),
    ),
)


def loop_edges(loop: Loop) -> list[tuple[str, str]]:
    """The arrows of a loop, closing back to its first variable."""
    return list(zip(loop.path, loop.path[1:] + loop.path[:1], strict=True))


def loop_polarity(loop: Loop, signs: Mapping[tuple[str, str], int]) -> int:
    """Product of the measured signs round the loop: +1 reinforcing, -1 balancing, 0 unsigned."""
    return int(np.prod([signs.get(e, 0) for e in loop_edges(loop)]))


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
    from runners.mdl.model import load_model

    return key_edges(load_model()._dependencies)


# the model state the polarities are measured in: a sale with every feedback channel switched on,
# at several times (a link that is flat at one, e.g. a threshold not yet crossed, is read at the next)
SIGN_SCENARIO = "japan-selloff"
SIGN_SWITCHES = {
    "confidence switch": 1,
    "fed response switch": 1,
    "fiscal rule switch": 1,
    "vicious cycle switch": 1,
    "policy rule switch": 1,
    "rating switch": 1,
    "private crowding switch": 1,
}
SIGN_TIMES = (0.5, 1.5, 3.0, 10.0)  # years after the model's initial time


def _stateful(dependencies: Mapping[str, object], var: str) -> str | None:
    """The stateful object (``_integ_x``, ``_smooth_x``...) behind a stock, or None."""
    deps = dependencies.get(var)
    if isinstance(deps, Mapping) and len(deps) == 1:
        (name,) = deps
        inner = dependencies.get(name)
        if name.startswith("_") and isinstance(inner, Mapping) and "step" in inner:
            return name
    return None


def _inputs(dependencies: Mapping[str, object], var: str) -> list[str]:
    """The variables ``var``'s own equation reads (a stock's: its flows)."""
    stateful = _stateful(dependencies, var)
    deps = dependencies.get(stateful or var, {})
    if stateful:
        deps = deps["step"]
    return [name for name in deps if not name.startswith("_")] if isinstance(deps, Mapping) else []


def _is_lookup(fn: object) -> bool:
    """A lookup table (called with an argument, ``table(x)``), which is not held at a value.

    Asked of the signature: catching the TypeError of a call without its argument also hid any
    TypeError raised inside a variable's own equation (its input then silently not held).
    """
    try:
        params = inspect.signature(fn).parameters.values()  # type: ignore[arg-type]
    except (TypeError, ValueError):  # no signature to read: not a pysd lookup
        return False
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return any(p.default is p.empty and p.kind in positional for p in params)


def _link_effect(m, dependencies: Mapping[str, object], u: str, v: str) -> float:
    """The partial effect of ``u`` on ``v`` in the model's current state: on ``v`` itself for an
    auxiliary, on its rate of change for a stock; every other input of ``v``'s equation is held at
    its value. Central differences with growing steps (a threshold may need a large one)."""
    comp = m.components._components
    stateful = _stateful(dependencies, v)
    target = getattr(comp, stateful).ddt if stateful else getattr(comp, v)
    saved: dict[str, object] = {}
    m.cache.clean()
    for w in _inputs(dependencies, v):
        fn = getattr(comp, w, None)
        if w == u or not callable(fn) or _is_lookup(fn):
            continue
        raw = fn()
        if np.ndim(raw) != 0:  # a subscripted variable: not held
            continue
        value = float(raw)
        saved[w] = fn
        setattr(comp, w, lambda value=value: value)
    original = getattr(comp, u)
    saved.setdefault(u, original)
    try:
        m.cache.clean()
        base = float(original())
        for rel in (1e-3, 1e-1, 1.0, 10.0):
            step = rel * max(abs(base), 1.0)
            values = []
            for h in (step, -step):
                setattr(comp, u, lambda h=h: base + h)
                m.cache.clean()
                values.append(float(target()))
            diff = values[0] - values[1]
            if abs(diff) > 1e-12 * max(abs(values[0]), abs(values[1]), 1e-9):
                return diff / (2 * step)
        return 0.0
    finally:
        for w, fn in saved.items():
            setattr(comp, w, fn)
        m.cache.clean()


MAX_CHAINS = 5000


def _chains(graph: dict[str, set[str]], owner: dict[str, str], start: tuple[str, ...], end: str):
    """Every simple chain from a member of ``start`` to a member of key ``end`` through non-key
    variables (at most MAX_CHAINS)."""
    out: list[list[str]] = []
    stack = [[s] for s in start]
    while stack and len(out) < MAX_CHAINS:
        chain = stack.pop()
        for nxt in sorted(graph.get(chain[-1], ())):
            if nxt in chain:
                continue
            if nxt in owner:
                if owner[nxt] == end:
                    out.append([*chain, nxt])
                continue
            stack.append([*chain, nxt])
    return out


@functools.cache
def model_signs() -> dict[tuple[str, str], int]:
    """Polarity of every arrow between key variables, measured by perturbing the model.

    For each arrow, the partial effect of each equation link on the chains that carry it is
    measured in a model state (:data:`SIGN_SCENARIO` with every channel on, at the first of
    :data:`SIGN_TIMES` after the start where the effect is not zero); the arrow's sign is the sign
    of the sum over its chains of the products of those effects (parallel chains can offset),
    taking the chains that cross the fewest intermediate stocks (the most immediate effect) that
    give one."""
    from runners.mdl.model import discard, load_model
    from runners.projection.params import cached_inputs, scenario_params
    from runners.scenario.scenarios import load_scenario

    m = load_model()
    deps = m._dependencies
    keys = {k: GROUPS.get(k, (k,)) for k in NODES}
    owner = {member: key for key, members in keys.items() for member in members}
    graph = causal_graph(deps)
    chains = {edge: _chains(graph, owner, keys[edge[0]], edge[1]) for edge in key_edges(deps)}
    scenario = load_scenario(SIGN_SCENARIO)
    params = scenario_params(scenario, cached_inputs(scenario.baseline), SIGN_SWITCHES)
    signs: dict[tuple[str, str], int] = {}
    try:
        for after in SIGN_TIMES:
            m = load_model()
            with contextlib.redirect_stdout(io.StringIO()):
                m.set_components(params)
                start = float(m.components.initial_time())
                m.run(final_time=start + after, return_columns=["debt to GDP"], progress=False)
            effects: dict[tuple[str, str], float] = {}
            for edge, edge_chains in chains.items():
                if signs.get(edge):
                    continue
                totals: dict[int, float] = {}
                for chain in edge_chains:
                    product = 1.0
                    for link in zip(chain, chain[1:], strict=False):
                        if link not in effects:
                            effects[link] = _link_effect(m, deps, *link)
                        product *= effects[link]
                        if product == 0.0:
                            break
                    order = sum(1 for node in chain[1:-1] if _stateful(deps, node))
                    totals[order] = totals.get(order, 0.0) + product
                total = next((totals[k] for k in sorted(totals) if totals[k]), 0.0)
                signs[edge] = 0 if total == 0 else (1 if total > 0 else -1)
    finally:
        discard()
    return signs


def loop_data(edges: set[tuple[str, str]], signs: Mapping[tuple[str, str], int]) -> dict:
    """What the diagram draws: the arrows of the loops the model closes (with their measured
    signs), the boxes they join, the loops with their measured polarity, the loops the model does
    not close, and every arrow."""
    closed = closed_loops(edges)
    drawn = sorted({e for loop in closed for e in loop_edges(loop)})
    used = {n for e in drawn for n in e}
    every = sorted((a, b) for a, b in edges if a != b)
    return {
        "nodes": {k: v for k, v in NODES.items() if k in used},
        "edges": [(a, b, signs.get((a, b), 0)) for a, b in drawn],
        "all_edges": [(a, b, signs.get((a, b), 0)) for a, b in every],
        "loops": closed,
        "polarity": {loop.code: loop_polarity(loop, signs) for loop in closed},
        "missing": [loop for loop in LOOPS if loop not in closed],
    }
