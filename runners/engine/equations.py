"""The model's equations as the engine holds them (:class:`Equation`), and what every stage of
the build shares: the refusal of what the engine does not support, tables' default values, and
the dependency order of equations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from runners.core.errors import SnowballError

CONTROL = {"initial_time", "final_time", "time_step", "saveper"}
SUPPORTED = (
    "INTEG, INITIAL, IF THEN ELSE, SMOOTH/SMOOTHI/SMOOTH3/SMOOTH3I/SMOOTH N, DELAY N, "
    "DELAY1/DELAY1I/DELAY3/DELAY3I, DELAY FIXED, TREND, FORECAST, SAMPLE IF TRUE, ACTIVE INITIAL, "
    "STEP, RAMP, PULSE, PULSE TRAIN, WITH LOOKUP, MODULO, QUANTUM, XIDZ, ZIDZ, INTEGER, MIN, MAX, "
    "ABS, LN, LOG, EXP, SQRT, POWER, trigonometric functions, arithmetic, comparisons, "
    ":AND:/:OR:/:NOT:, 1-D lookups called as table(x), Time, TIME STEP"
)

STATE = ("stock", "discrete", "fixed")  # kinds that carry a value from one step to the next


@dataclass
class Equation:
    name: str  # Vensim name (for hidden state: the equation it serves, and what it is)
    ref: str  # pysd's reference spelling
    local: str  # identifier in the generated code
    kind: str  # constant | lookup | control | stock | discrete | fixed | initial | aux
    ast: object = None  # aux: expression; stock: flow; discrete: next value; fixed: input
    initial: object = None  # stock, discrete, fixed, initial: the value at INITIAL TIME
    non_negative: bool = False
    delay: object = None  # fixed: the delay time; a delay's stage: (delay time, order) to check
    hidden: bool = False  # state or table made for a function call inside an equation
    clock: bool = False  # a control variable that reads Time: computed every step, as an aux
    node: object = None  # hidden: a reference to it, for the rewritten syntax trees
    deps: set[str] = field(default_factory=set)
    init_deps: set[str] = field(default_factory=set)


def unsupported(name: str, what: str) -> SnowballError:
    return SnowballError(
        f"equation '{name}': {what} is not supported by the sweep engine (runners/engine); "
        f"supported: {SUPPORTED}"
    )


def lookup_default(ast) -> tuple[tuple[float, ...], tuple[float, ...]]:
    return tuple(float(v) for v in ast.x), tuple(float(v) for v in ast.y)


def topological(nodes: Sequence[str], deps: Mapping[str, set[str]], what: str, names) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}
    for start in nodes:
        if start in state:
            continue
        stack = [(start, iter(sorted(deps[start])))]
        state[start] = 1
        path = [start]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                path.pop()
                state[node] = 2
                order.append(node)
                continue
            if nxt not in deps:
                continue
            if state.get(nxt) == 1:
                chain = path[path.index(nxt) :] + [nxt]
                raise SnowballError(f"{what}: " + " -> ".join(names(n) for n in chain))
            if nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(sorted(deps[nxt]))))
    return order


def names_of(eqs: dict[str, Equation], refs: Sequence[str]) -> str:
    """Vensim names of ``refs`` (pysd spelling), for messages."""
    return ", ".join(eqs[r].name if r in eqs else r for r in refs)
