"""A vectorised engine compiled from pysd's own parse of ``models/snowball.mdl``.

The ``.mdl`` stays the only place equations are written: pysd parses it into an ``AbstractModel``
(typed syntax trees) and this module turns those trees into one numpy function that advances N
scenarios at once (arrays of shape (N,)). Expressions are spelled exactly as pysd's Python
builder spells them (same operator order, parentheses and functions), so every swept run equals
the single pysd run with the same inputs (tested to a relative 1e-9; in practice to the last bit
or two).

Semantics (as pysd 3.14): Euler integration with ``dt = TIME STEP``; time advanced as ``t + dt``;
a stock's new value uses flows evaluated at the current time; lookups interpolate linearly with
clamped ends (``numpy.interp``); ``XIDZ``/``ZIDZ`` treat ``|b| < 1e-6`` as zero; ``INITIAL`` keeps
its value at initialisation; ``INTEGER`` truncates. Constants that depend on no stock and not on
time are computed once; only what the stocks and the recorded variables need is computed per step.

Vensim's stateful functions become hidden state, as pysd's ``statefuls`` hold it: SMOOTH/SMOOTHI/
SMOOTH3/SMOOTH3I/SMOOTH N (a chain of first-order stocks), DELAY1/DELAY1I/DELAY3/DELAY3I (stages
holding input x delay time), TREND and FORECAST (one averaging stock), SAMPLE IF TRUE (a held
value), DELAY FIXED (a pipe of ``round(delay / TIME STEP)`` slots sized at initialisation) and
INITIAL anywhere in an expression. IF THEN ELSE evaluates both branches (on arrays, under
``np.errstate``) and picks with ``np.where``; a division inside a branch is numpy's (``_div``),
so ``x / 0`` with a shared scalar 0 in the branch not taken gives inf or nan, not
ZeroDivisionError (everywhere else plain Python floats keep the per-step cost down). The control
variables (INITIAL TIME, TIME STEP, FINAL TIME, SAVEPER) may be computed from constants, tables
and Time; the constants and tables they read are fixed when the engine is built and a run cannot
change them, so a step is the same in every scenario (a control that reads a stock is refused).
A control that reads Time is evaluated every step, as pysd does (:meth:`Program.steps`): the step
from ``t`` is TIME STEP at ``t`` and the run ends once FINAL TIME at ``t`` is reached; INITIAL TIME
is its value at Time 0 (pysd's load-time value), refused unless that is also its value at that
start. A clock of constants keeps the fixed-step code, unchanged. Subscripts, macros, external data
(GET XLS/DIRECT ..., data variables) and the few functions not listed in ``_FUNCTIONS`` are
refused at build time with the equation's name.

Before a run, :mod:`runners.engine.fold` partially evaluates the generated function for the constants
every scenario shares (switched-off feedback loops cost nothing; ``Program.simulate(fold=...)``).

The engine is plain data (generated source, default constants and tables), so it pickles cheaply
to worker processes and Dask workers, which compile it themselves and need neither pysd nor the
model file.
"""

from __future__ import annotations

import hashlib
import re
import threading
import warnings
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from runners.core.errors import SnowballError
from runners.core.paths import MODEL_FILE

SMALL_VENSIM = 1e-6  # pysd's threshold for XIDZ/ZIDZ: |denominator| below it counts as zero
RPREC = 1e-5  # pysd's Time.rprec: a run ends once Time + TIME STEP x RPREC reaches FINAL TIME
MAX_STEPS = 10_000_000  # a clock that reads Time must reach FINAL TIME within this many steps
CONTROL = {"initial_time", "final_time", "time_step", "saveper"}

# pysd's OperationBuilder templates: operator -> (template, order)
_OPERATORS = {
    "^": ("%(left)s**%(right)s", 1),
    "*": ("%(left)s*%(right)s", 2),
    "/": ("%(left)s/%(right)s", 2),
    "+": ("%(left)s + %(right)s", 3),
    "-": ("%(left)s - %(right)s", 3),
    "=": ("%(left)s == %(right)s", 4),
    "<>": ("%(left)s != %(right)s", 4),
    ">=": ("%(left)s >= %(right)s", 4),
    ">": ("%(left)s > %(right)s", 4),
    "<=": ("%(left)s <= %(right)s", 4),
    "<": ("%(left)s < %(right)s", 4),
    ":NOT:": ("np.logical_not(%s)", 0),
    ":AND:": ("np.logical_and(%(left)s, %(right)s)", 0),
    ":OR:": ("np.logical_or(%(left)s, %(right)s)", 0),
    "negative": ("-%s", 3),
    "positive": ("%s", 0),
}
# Vensim functions the engine evaluates (pysd's functionspace, vectorised): name -> template.
# ``_dt`` is TIME STEP and ``time`` the current time inside the generated function.
_FUNCTIONS = {
    "abs": "np.abs(%(0)s)",
    "min": "np.minimum(%(0)s, %(1)s)",
    "max": "np.maximum(%(0)s, %(1)s)",
    "exp": "np.exp(%(0)s)",
    "sqrt": "np.sqrt(%(0)s)",
    "ln": "np.log(%(0)s)",
    "log": "(np.log(%(0)s)/np.log(%(1)s))",
    "power": "np.power(%(0)s,%(1)s)",
    "sin": "np.sin(%(0)s)",
    "cos": "np.cos(%(0)s)",
    "tan": "np.tan(%(0)s)",
    "arcsin": "np.arcsin(%(0)s)",
    "arccos": "np.arccos(%(0)s)",
    "arctan": "np.arctan(%(0)s)",
    "sinh": "np.sinh(%(0)s)",
    "cosh": "np.cosh(%(0)s)",
    "tanh": "np.tanh(%(0)s)",
    "pi": "np.pi",
    "if_then_else": "_ite(%(0)s, %(1)s, %(2)s)",
    "integer": "_integer(%(0)s)",
    "xidz": "_xidz(%(0)s, %(1)s, %(2)s)",
    "zidz": "_zidz(%(0)s, %(1)s)",
    "modulo": "_modulo(%(0)s, %(1)s)",
    "quantum": "_quantum(%(0)s, %(1)s)",
    "step": "_step(time, _dt, %(0)s, %(1)s)",
    "ramp": "_ramp(time, %(0)s, %(1)s, %(2)s)",
    "pulse": "_pulse(time, _dt, %(0)s, 0, %(1)s, None)",
    "pulse_train": "_pulse(time, _dt, %(0)s, %(1)s, %(2)s, %(3)s)",
}
_ARITY = {"pi": (0,), "ramp": (2, 3), "log": (2,), "power": (2,), "min": (2,), "max": (2,)}
_ARITY |= {"xidz": (3,), "zidz": (2,), "if_then_else": (3,), "modulo": (2,), "quantum": (2,)}
_ARITY |= {"step": (2,), "pulse": (2,), "pulse_train": (4,)}
_CLOCKED = {"step", "ramp", "pulse", "pulse_train"}  # functions of time (dynamic)
# what refusals name, by pysd structure
_STRUCTURES = {
    "GetDataStructure": "external data (GET XLS/DIRECT DATA)",
    "GetLookupsStructure": "external lookups (GET XLS/DIRECT LOOKUPS)",
    "GetConstantsStructure": "external constants (GET XLS/DIRECT CONSTANTS)",
    "DataStructure": "a data variable",
    "AllocateAvailableStructure": "ALLOCATE AVAILABLE",
    "AllocateByPriorityStructure": "ALLOCATE BY PRIORITY",
    "LookupsStructure": "a lookup table inside an expression",
}
SUPPORTED = (
    "INTEG, INITIAL, IF THEN ELSE, SMOOTH/SMOOTHI/SMOOTH3/SMOOTH3I/SMOOTH N, DELAY N, "
    "DELAY1/DELAY1I/DELAY3/DELAY3I, DELAY FIXED, TREND, FORECAST, SAMPLE IF TRUE, ACTIVE INITIAL, "
    "STEP, RAMP, PULSE, PULSE TRAIN, WITH LOOKUP, MODULO, QUANTUM, XIDZ, ZIDZ, INTEGER, MIN, MAX, "
    "ABS, LN, LOG, EXP, SQRT, POWER, trigonometric functions, arithmetic, comparisons, "
    ":AND:/:OR:/:NOT:, 1-D lookups called as table(x), Time, TIME STEP"
)


# ---------------------------------------------------------------- runtime helpers (vectorised)


def _ite(cond, a, b):
    """IF THEN ELSE: a Python choice for a shared condition, ``np.where`` per scenario.

    Both branches are already evaluated (divisions in them with numpy, under ``np.errstate``):
    the branch not taken may hold inf or nan, never an exception.
    """
    if isinstance(cond, np.ndarray):
        return np.where(cond, a, b)
    return a if cond else b


def _div(a, b):
    """Division in an IF THEN ELSE branch: inf or nan, never ZeroDivisionError, when b is 0."""
    try:
        return a / b
    except ZeroDivisionError:  # Python scalars: numpy's IEEE answer (under np.errstate)
        return np.true_divide(a, b)


def _xidz(a, b, x):
    """XIDZ(a, b, x): x where |b| < 1e-6 (pysd's rule), else a / b."""
    if isinstance(b, np.ndarray):
        small = np.abs(b) < SMALL_VENSIM
        if np.ndim(x) == 0 and not small.any():  # the usual case: a / b, without np.where's pass
            return a / b
        return np.where(small, x, a / b)
    return x if abs(b) < SMALL_VENSIM else a / b


def _zidz(a, b):
    """ZIDZ(a, b): 0 where |b| < 1e-6 (pysd's rule), else a / b."""
    if isinstance(b, np.ndarray):
        small = np.abs(b) < SMALL_VENSIM
        if not small.any():  # the usual case: a / b everywhere, without np.where's pass
            return a / b
        return np.where(small, 0.0, a / b)
    return 0 if abs(b) < SMALL_VENSIM else a / b


def _integer(x):
    """INTEGER: truncation towards zero (pysd: ``int(x)``)."""
    if isinstance(x, np.ndarray):
        return np.trunc(x)
    return int(x) if np.isfinite(x) else x


def _quantum(a, b):
    """QUANTUM(a, b): b x INTEGER(a / b), or a where b < 1e-6 (pysd's rule)."""
    if isinstance(b, np.ndarray):
        return np.where(b < SMALL_VENSIM, a, b * np.trunc(a / b))
    return a if b < SMALL_VENSIM else b * _integer(a / b)


def _modulo(x, m):
    """MODULO(x, m) = x - QUANTUM(x, m), as pysd computes it."""
    return x - _quantum(x, m)


def _step(time, dt, value, start):
    """STEP(value, start): value once ``time + dt/2 > start`` (pysd's rule)."""
    return value * (time + dt / 2 > start)


def _ramp(time, slope, start, finish=None):
    """RAMP(slope, start, finish): slope x (MIN(time, finish) - start) after start (pysd's rule)."""
    final = time if finish is None else np.minimum(finish, time)
    return (time + SMALL_VENSIM > start) * slope * (final - start)


def _pulse(time, dt, start, repeat, width, end):
    """PULSE(start, width) and PULSE TRAIN(start, width, repeat, end): 1 inside a pulse, else 0.

    pysd's rule: a single pulse covers ``start - 1e-6 <= t < start + width``; a train repeats
    every ``repeat`` from ``start`` while ``t < end``, a pulse lasting ``width``.
    """
    if all(not isinstance(v, np.ndarray) for v in (start, repeat, width, end)):
        if repeat == 0:
            return 1.0 if start - SMALL_VENSIM <= time < start + width else 0.0
        if start <= time and (end is None or time < end):
            return 1.0 if (time - start + SMALL_VENSIM) % repeat < width else 0.0
        return 0.0
    single = (start - SMALL_VENSIM <= time) & (time < start + width)
    on = (start <= time) & (True if end is None else time < end)
    train = on & (np.mod(time - start + SMALL_VENSIM, np.where(repeat == 0, 1.0, repeat)) < width)
    return np.where(repeat == 0, single, train).astype(float)


def _order_check(delay, order: int, dt, name: str) -> None:
    """Refuse a delay time shorter than order x TIME STEP (pysd would lower the order then)."""
    if order * dt > np.min(delay):
        raise SnowballError(
            f"{name}: delay time {np.min(delay):g} is shorter than its order ({order}) x TIME STEP "
            f"({dt:g}); pysd would lower the order, the sweep engine cannot: lengthen the delay"
        )


def _fixed_order(delay, dt) -> int:
    """Slots of a DELAY FIXED pipe: ``round(max(delay / dt, 1) + 1e-6)`` (pysd's rule)."""
    if isinstance(delay, np.ndarray):
        if not np.all(delay == delay.flat[0]):
            raise SnowballError("DELAY FIXED: the delay time must be the same in every scenario")
        delay = delay.flat[0]
    return round(max(float(delay) / float(dt), 1) + SMALL_VENSIM)


def interp(x, xp: np.ndarray, yp: np.ndarray):
    """Linear interpolation with clamped ends, as ``numpy.interp``, for per-scenario tables.

    ``yp`` is (K,) for a shared table or (N, K) for one table per scenario on the shared grid
    ``xp``; ``x`` is a scalar or an (N,) array. Uses numpy's own formula, so a shared table gives
    exactly ``numpy.interp``'s value.
    """
    if yp.ndim == 1:
        if isinstance(x, np.ndarray):
            return np.interp(x, xp, yp)
        return float(np.interp(float(x), xp, yp))
    last = len(xp) - 1
    if not isinstance(x, np.ndarray):
        x = float(x)
        if x <= xp[0]:
            return yp[:, 0]
        if x >= xp[last]:
            return yp[:, last]
        j = int(np.searchsorted(xp, x, side="right")) - 1
        if xp[j] == x:
            return yp[:, j]
        slope = (yp[:, j + 1] - yp[:, j]) / (xp[j + 1] - xp[j])
        return slope * (x - xp[j]) + yp[:, j]
    j = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, last - 1)
    rows = np.arange(len(yp))
    y0, y1 = yp[rows, j], yp[rows, j + 1]
    slope = (y1 - y0) / (xp[j + 1] - xp[j])
    out = slope * (x - xp[j]) + y0
    out = np.where(xp[j] == x, y0, out)
    out = np.where(x <= xp[0], yp[:, 0], out)
    return np.where(x >= xp[last], yp[:, last], out)


def scalar_table(xp: np.ndarray, yp: np.ndarray) -> tuple | None:
    """A table prepared for :func:`lookup` at a scalar argument (time, mostly): its x as a Python
    list; a shared table's y as a list too; a table per scenario as (K, n) rows with each segment's
    slopes, so that a lookup is two array operations on contiguous rows. None where x does not
    strictly increase."""
    if len(xp) < 2 or not np.all(np.diff(xp) > 0):
        return None
    if yp.ndim == 1:
        return xp.tolist(), yp.tolist(), None
    slopes = np.diff(yp, axis=1) / np.diff(xp)  # (y[j+1] - y[j]) / (x[j+1] - x[j]), as interp
    return xp.tolist(), np.ascontiguousarray(yp.T), np.ascontiguousarray(slopes.T)


def lookup(x, xp: np.ndarray, yp: np.ndarray, fast: tuple | None):
    """A lookup, as :func:`interp`, bit for bit. At a scalar argument a shared table is read with
    ``numpy.interp``'s own formula on Python floats (a fifth of its cost per call; see numpy's
    ``arr_interp``), a table per scenario from its prepared rows and slopes (:func:`scalar_table`)."""
    if fast is None or not isinstance(x, float):
        return interp(x, xp, yp)
    xs, ys, slopes = fast
    if x != x:  # NaN
        return x if slopes is None else np.full(ys.shape[1], np.nan)
    if x <= xs[0]:
        return ys[0]
    last = len(xs) - 1
    if x >= xs[last]:
        return ys[last]
    j = bisect_right(xs, x) - 1  # xs[j] <= x < xs[j + 1]
    if xs[j] == x:
        return ys[j]
    if slopes is not None:
        return slopes[j] * (x - xs[j]) + ys[j]
    slope = (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j])
    value = slope * (x - xs[j]) + ys[j]
    if value != value:  # numpy: try from the other end, then a flat segment's value
        value = slope * (x - xs[j + 1]) + ys[j + 1]
        if value != value and ys[j] == ys[j + 1]:
            value = ys[j]
    return value


def step_times(dt: float, first: float, until: float) -> np.ndarray:
    """Step times accumulated exactly as pysd does (``t + dt`` repeatedly, never ``first + k dt``)."""
    t, out = float(first), []
    while t < until + dt / 2:
        out.append(t)
        t = t + dt
    return np.array(out)


# ---------------------------------------------------------------- parsing and code generation


def normalise(name: str) -> str:
    """pysd's reference spelling of a Vensim name (lower case, spaces as underscores)."""
    return re.sub(r"[\s_]+", "_", name.strip().lower())


@dataclass
class _Built:
    expression: str
    order: int

    def lower_order(self, new_order: int) -> None:
        # pysd's BuildAST.lower_order: parenthesise when precedence would otherwise change
        if self.order >= new_order and self.order != 0 and new_order != 0:
            self.expression = f"({self.expression})"
            self.order = 0


_STATE = ("stock", "discrete", "fixed")  # kinds that carry a value from one step to the next


@dataclass
class _Equation:
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


def _unsupported(name: str, what: str) -> SnowballError:
    return SnowballError(
        f"equation '{name}': {what} is not supported by the sweep engine (runners/engine/program.py); "
        f"supported: {SUPPORTED}"
    )


def _number(value) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    return None


def _op(op: str, *args):
    from pysd.translators.structures import abstract_expressions as ae

    return ae.ArithmeticStructure([op], list(args))


def _call(function: str, *args):
    from pysd.translators.structures import abstract_expressions as ae

    return ae.CallStructure(ae.ReferenceStructure(function), tuple(args))


class _Desugar:
    """Rewrites Vensim's stateful functions into hidden stocks and states (as pysd's statefuls)."""

    def __init__(self, out: dict[str, _Equation], clock: dict[str, float]):
        self.out = out
        self.count = 0
        self.clock = clock  # control values by Vensim name
        self.memo: dict[str, object] = {}
        self.read: set[str] = set()  # constants an order was computed from

    def at_start(self, node, parent: _Equation, what: str):
        """The value of ``node`` at INITIAL TIME with the .mdl's constants (for a delay's order)."""
        b = _Builder(self.out)
        scope: dict[str, object] = {
            "time": np.float64(self.clock[self.out["initial_time"].name]),
            "_dt": np.float64(self.clock[self.out["time_step"].name]),
        }

        def value(ref: str, seen: tuple):
            e = self.out[ref]
            if ref in seen:
                raise _unsupported(parent.name, f"{what} with an order computed in a loop")
            if e.kind == "constant":
                self.read.add(e.name)
                return np.float64(_number(e.ast))
            if e.kind == "control":
                return np.float64(self.clock[e.name])
            if e.kind == "lookup":
                xs, ys = _lookup_default(e.ast)
                scope[f"{e.local}_x"], scope[f"{e.local}_y"] = np.array(xs), np.array(ys)
                return None
            if e.kind not in ("aux", "initial"):
                raise _unsupported(parent.name, f"{what} with an order that depends on a stock")
            if ref not in self.memo:
                self.memo[ref] = evaluate(e.ast if e.kind == "aux" else e.initial, e.name, (*seen, ref))
            return self.memo[ref]

        def evaluate(n, name: str, seen: tuple):
            for r in b.refs(n, "init") - {"time"}:
                if r not in self.out:
                    raise SnowballError(f"equation '{name}': unknown name '{r}'")
                v = value(r, seen)
                if v is not None:
                    scope[self.out[r].local] = v
            with np.errstate(all="ignore"):
                return eval(b.build(n, name, "init").expression, dict(_RUNTIME), scope)

        try:
            return evaluate(node, parent.name, ())
        except SnowballError as exc:
            if "order" in str(exc):
                raise
            raise _unsupported(
                parent.name, f"{what} with an order that is not computable from constants"
            ) from None

    def hidden(self, parent: _Equation, what: str, kind: str, **fields) -> _Equation:
        from pysd.translators.structures import abstract_expressions as ae

        self.count += 1
        tag = re.sub(r"\W", "_", what.lower())
        ref = f"_{tag}{self.count}_{parent.ref}"
        e = _Equation(f"{parent.name} ({what} {self.count})", ref, f"h{self.count}_{tag}", kind, hidden=True)
        for key, value in fields.items():
            setattr(e, key, value)
        self.out[ref] = e
        e.node = ae.ReferenceStructure(ref)
        return e

    def delay_order(self, node, parent: _Equation, what: str) -> tuple[int, bool]:
        """A delay's order, lowered as pysd lowers it while order x TIME STEP > the delay time.

        Returns the order and whether the engine must check at run time that the delay time
        (swept, say) stays at least order x TIME STEP.
        """
        n = self.order(node.order, parent, what)
        before = set(self.read)
        try:
            first = float(np.min(self.at_start(node.delay_time, parent, what)))
        except SnowballError:
            self.read = before
            return n, False
        dt = self.clock[self.out["time_step"].name]
        if n * dt <= first:
            self.read = before
            return n, True
        while n > 1 and n * dt > first:
            n -= 1
        return n, False

    def order(self, node, parent: _Equation, what: str) -> int:
        n = _number(node)
        if n is None:  # read once at initialisation, as pysd does; fixes the structure
            n = float(self.at_start(node, parent, what))
        if n != int(n) or n < 1:
            raise _unsupported(parent.name, f"{what} with an order that is not a positive whole number")
        return int(n)

    def __call__(self, node, parent: _Equation):  # noqa: C901 - one case per pysd structure
        from pysd.translators.structures import abstract_expressions as ae

        tx = self.__call__
        if _number(node) is not None:
            return node
        if isinstance(node, ae.ReferenceStructure):
            if node.subscripts:
                raise _unsupported(parent.name, "a subscripted reference")
            return node
        if isinstance(node, ae.ArithmeticStructure | ae.LogicStructure):
            return type(node)(list(node.operators), [tx(a, parent) for a in node.arguments])
        if isinstance(node, ae.CallStructure):
            return ae.CallStructure(node.function, tuple(tx(a, parent) for a in node.arguments))
        if isinstance(node, ae.GameStructure):
            return tx(node.expression, parent)
        if isinstance(node, ae.InitialStructure):
            return self.hidden(parent, "INITIAL", "initial", initial=tx(node.initial, parent)).node
        if isinstance(node, ae.IntegStructure):
            flow, init = tx(node.flow, parent), tx(node.initial, parent)
            e = self.hidden(parent, "INTEG", "stock", ast=flow, initial=init)
            e.non_negative = bool(node.non_negative)
            return e.node
        if isinstance(node, ae.SmoothStructure | ae.SmoothNStructure):
            n = self.order(node.order, parent, "SMOOTH N")
            inp, time, init = (tx(a, parent) for a in (node.input, node.smooth_time, node.initial))
            target = inp
            for _ in range(n):  # pysd's Smooth: d/dt s_k = (s_{k-1} - s_k) x n / T, s_0 = input
                e = self.hidden(parent, "SMOOTH", "stock", initial=init)
                e.ast = _op("/", _op("*", _op("-", target, e.node), n), time)
                target = e.node
            return target
        if isinstance(node, ae.DelayStructure):
            n, check = self.delay_order(node, parent, "DELAY")
            inp, time, init = (tx(a, parent) for a in (node.input, node.delay_time, node.initial))
            inflow = inp
            for k in range(n):  # pysd's Delay: stages hold input x T; outflow_k = s_k / T
                e = self.hidden(parent, "DELAY", "stock", initial=_op("*", init, time))
                outflow = _op("/", e.node, time)
                e.ast = _op("*", _op("-", inflow, outflow), n)
                inflow = outflow
                e.delay = (time, n) if check and k == 0 else None
            return inflow
        if isinstance(node, ae.DelayNStructure):
            n, check = self.delay_order(node, parent, "DELAY N")
            inp, time, init = (tx(a, parent) for a in (node.input, node.delay_time, node.initial))
            # pysd's DelayN: each stage keeps the delay time it was given, passed on one stage
            # per step (``times``); a step's flows use the passed-on times, the output the first
            times = [self.hidden(parent, "DELAY N time", "discrete", initial=time) for _ in range(n)]
            passed = [time] + [t.node for t in times[:-1]]
            for t, new in zip(times, passed, strict=True):
                t.ast = new
            inflow, last = inp, None
            for k in range(n):
                e = self.hidden(parent, "DELAY N", "stock", initial=_op("*", init, time))
                outflow = _op("/", e.node, passed[k])
                e.ast = _op("*", _op("-", inflow, outflow), n)
                e.delay = (time, n) if check and k == 0 else None
                inflow, last = outflow, e
            return _op("/", last.node, times[0].node)
        if isinstance(node, ae.DelayFixedStructure):
            inp, time, init = (tx(a, parent) for a in (node.input, node.delay_time, node.initial))
            return self.hidden(parent, "DELAY FIXED", "fixed", ast=inp, initial=init, delay=time).node
        if isinstance(node, ae.TrendStructure):
            inp, avg, trend = (tx(a, parent) for a in (node.input, node.average_time, node.initial_trend))
            init = _op("/", inp, _op("+", 1, _op("*", trend, avg)))
            e = self.hidden(parent, "TREND", "stock", initial=init)
            e.ast = _op("/", _op("-", inp, e.node), avg)
            return _call("zidz", _op("-", inp, e.node), _op("*", avg, _call("abs", e.node)))
        if isinstance(node, ae.ForecastStructure):
            args = (node.input, node.average_time, node.horizon, node.initial_trend)
            inp, avg, horizon, trend = (tx(a, parent) for a in args)
            e = self.hidden(parent, "FORECAST", "stock", initial=_op("/", inp, _op("+", 1, trend)))
            e.ast = _op("/", _op("-", inp, e.node), avg)
            change = _call("zidz", _op("-", inp, e.node), _op("*", avg, e.node))
            return _op("*", inp, _op("+", 1, _op("*", change, horizon)))
        if isinstance(node, ae.SampleIfTrueStructure):
            cond, inp, init = (tx(a, parent) for a in (node.condition, node.input, node.initial))
            e = self.hidden(parent, "SAMPLE IF TRUE", "discrete", initial=init)
            e.ast = _call("if_then_else", cond, inp, e.node)
            return e.ast
        if isinstance(node, ae.InlineLookupsStructure):
            if node.lookups.type != "interpolate":
                raise _unsupported(parent.name, "a lookup other than an interpolating table")
            e = self.hidden(parent, "WITH LOOKUP", "lookup", ast=node.lookups)
            return ae.CallStructure(ae.ReferenceStructure(e.ref), (tx(node.argument, parent),))
        what = _STRUCTURES.get(type(node).__name__)
        if what is None:
            what = type(node).__name__.replace("Structure", "").upper() or "this construct"
        raise _unsupported(parent.name, what)


class _Builder:
    """Turns pysd's syntax trees into Python source, spelled as pysd's builder spells them."""

    def __init__(self, equations: dict[str, _Equation]):
        self.eq = equations
        self.branch = 0  # > 0 inside an IF THEN ELSE branch: divisions never raise

    def refs(self, node, phase: str = "run") -> set[str]:
        """References (pysd spelling) in a syntax tree; ``phase`` "init" reads ACTIVE INITIAL's value."""
        from pysd.translators.structures import abstract_expressions as ae

        out: set[str] = set()

        def walk(n):
            if isinstance(n, ae.ReferenceStructure):
                out.add(n.reference)
            elif isinstance(n, ae.CallStructure):
                fname = n.function.reference
                if fname in self.eq:
                    out.add(fname)
                if fname in _CLOCKED:
                    out.add("time")
                if fname == "active_initial" and len(n.arguments) == 2:
                    walk(n.arguments[1] if phase == "init" else n.arguments[0])
                    return
                for a in n.arguments:
                    walk(a)
            elif isinstance(n, ae.ArithmeticStructure | ae.LogicStructure):
                for a in n.arguments:
                    walk(a)

        walk(node)
        return out

    def build(self, node, name: str, phase: str = "run") -> _Built:
        """Python source for one syntax tree of equation ``name``."""
        from pysd.translators.structures import abstract_expressions as ae

        number = _number(node)
        if number is not None:
            if number != number:
                return _Built("np.nan", 0)
            return _Built(repr(number), 0)
        if isinstance(node, ae.ReferenceStructure):
            if node.subscripts:
                raise _unsupported(name, "a subscripted reference")
            if node.reference == "time":
                return _Built("time", 0)
            target = self.eq.get(node.reference)
            if target is None:
                raise SnowballError(f"equation '{name}': unknown name '{node.reference}'")
            if target.kind == "lookup":
                raise _unsupported(name, f"using the table '{target.name}' without an argument")
            return _Built(target.local, 0)
        if isinstance(node, ae.ArithmeticStructure | ae.LogicStructure):
            ops = list(node.operators)
            for op in ops:
                if op not in _OPERATORS:
                    raise _unsupported(name, f"the operator {op!r}")
            args = [self.build(a, name, phase) for a in node.arguments]
            order = _OPERATORS[ops[-1]][1]
            args[-1].lower_order(2 if ops[-1] == "^" else order)
            if len(args) == 1:
                if ops[0] == "negative":
                    order = 1
                return _Built(_OPERATORS[ops[0]][0] % args[0].expression, order)
            right = args.pop().expression
            while args or ops:
                op = ops.pop()
                template = _OPERATORS[op][0]
                left = args.pop()
                left.lower_order(order)
                if op == "/" and self.branch:  # the branch not taken may divide by zero
                    template = "_div(%(left)s, %(right)s)"
                right = template % {"left": left.expression, "right": right}
            return _Built(right, order)
        if isinstance(node, ae.CallStructure):
            fname = node.function.reference
            if fname == "active_initial" and len(node.arguments) == 2:
                return self.build(node.arguments[1 if phase == "init" else 0], name, phase)
            if fname == "if_then_else" and len(node.arguments) == 3:
                cond = self.build(node.arguments[0], name, phase)
                self.branch += 1
                try:
                    args = [cond, *(self.build(a, name, phase) for a in node.arguments[1:])]
                finally:
                    self.branch -= 1
            else:
                args = [self.build(a, name, phase) for a in node.arguments]
            target = self.eq.get(fname)
            if target is not None and target.kind == "lookup":
                if len(args) != 1:
                    raise _unsupported(name, f"calling the table '{target.name}' with {len(args)} arguments")
                t = target.local
                return _Built(f"_lookup({args[0].expression}, {t}_x, {t}_y, {t}_f)", 0)
            if fname not in _FUNCTIONS:
                raise _unsupported(name, f"the function {fname.upper().replace('_', ' ')}")
            arity = _ARITY.get(fname, (1,))
            if len(args) not in arity:
                raise SnowballError(
                    f"equation '{name}': {fname.upper()} takes {arity[-1]} arguments, got {len(args)}"
                )
            if fname == "ramp" and len(args) == 2:
                args.append(_Built("None", 0))
            return _Built(_FUNCTIONS[fname] % {str(i): a.expression for i, a in enumerate(args)}, 0)
        raise _unsupported(name, type(node).__name__.replace("Structure", "").upper() or "this construct")


def _parse(path: Path):
    """pysd's abstract model of ``path`` (warnings from the parser silenced locally)."""
    from runners.mdl.model import read_mdl

    read_mdl(path)  # pysd would read a truncated or non-UTF-8 file as a smaller model
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*chardet.*", category=DeprecationWarning)
        from pysd.translators.vensim.vensim_file import VensimFile

        try:
            vf = VensimFile(path)
            vf.parse()
            return vf.get_abstract_model()
        except Exception as exc:  # pysd raises many types; the translator names the equation
            from runners.mdl.model import diagnose

            raise SnowballError(f"{path.name}: {diagnose(path, exc)}") from None


def _equations(path: Path) -> tuple[dict[str, _Equation], _Clock, frozenset[str]]:
    """The model's equations, the clock's values and the constants that fix its structure."""
    from pysd.translators.structures import abstract_expressions as ae

    am = _parse(path)
    if len(am.sections) != 1:
        macros = ", ".join(s.name for s in am.sections if s.name != "__main__")
        raise SnowballError(f"{path.name}: macro '{macros}': macros are not supported by the sweep engine")
    out: dict[str, _Equation] = {}
    raw: list[tuple[_Equation, object]] = []
    for i, el in enumerate(am.sections[0].elements):
        name = el.name
        ref = normalise(name)
        local = f"v{i}_" + re.sub(r"\W", "_", ref)[:40]
        if ref in out or ref == "time":
            raise SnowballError(f"{path.name}: the name '{name}' is defined twice")
        if len(el.components) != 1:
            raise _unsupported(name, "subscripts (an equation defined element by element)")
        comp = el.components[0]
        if any(comp.subscripts):
            raise _unsupported(name, "subscripts")
        ast = comp.ast
        e = _Equation(name, ref, local, "aux", ast)
        if comp.type == "Lookup":
            if not isinstance(ast, ae.LookupsStructure):
                _Desugar(out, {})(ast, e)  # names what it is (external lookups ...)
                raise _unsupported(name, "a lookup other than a hard-coded table")
            if ast.type != "interpolate":
                raise _unsupported(name, "a lookup other than an interpolating table")
            e.kind = "lookup"
        elif comp.type == "Data":
            raise _unsupported(name, "external data (a data variable)")
        elif ref in CONTROL:
            e.kind = "control"
        elif _number(ast) is not None:
            e.kind = "constant"
        elif isinstance(ast, ae.IntegStructure):
            e.kind = "stock"
        elif isinstance(ast, ae.InitialStructure):
            e.kind, e.initial = "initial", ast.initial
        elif isinstance(ast, str | np.ndarray):
            raise _unsupported(name, f"a {comp.type.lower()} component")
        out[ref] = e
        raw.append((e, ast))
    clock = _clock(out, path)
    for ref in clock.dynamic:  # computed every step from Time, like any auxiliary
        out[ref].kind, out[ref].clock = "aux", True
    desugar = _Desugar(out, clock.values)
    for e, ast in raw:  # stateful functions become hidden state, once every name is known
        if e.kind == "stock":
            e.ast, e.initial = desugar(ast.flow, e), desugar(ast.initial, e)
            e.non_negative = bool(ast.non_negative)
        elif e.kind == "initial":
            e.ast, e.initial = None, desugar(ast.initial, e)
        elif e.kind == "aux":
            e.ast = desugar(ast, e)
    return out, clock, frozenset(desugar.read)


def _topological(nodes: Sequence[str], deps: Mapping[str, set[str]], what: str, names) -> list[str]:
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


@dataclass(frozen=True)
class Program:
    """Generated numpy source for one set of recorded variables, plus the .mdl's inputs.

    Plain data: it pickles to worker processes and Dask workers, which compile the source
    themselves (numpy only; no pysd, no model file).
    """

    model_sha256: str
    source: str
    record: tuple[str, ...]
    constants: dict[str, float]  # the .mdl's value of every constant (by Vensim name)
    tables: dict[str, tuple[tuple[float, ...], tuple[float, ...]]]  # the .mdl's tables: x, y
    time_step: float
    initial_time: float
    controls: dict[str, float] = field(default_factory=dict)  # the clock, fixed at build time
    clock_inputs: frozenset[str] = frozenset()  # constants and tables the clock is computed from
    clock_source: str = ""  # ``clock(time)`` when a control variable reads Time, else ""

    def steps(self, until: float | None = None) -> tuple[np.ndarray, list[float] | None]:
        """The step times from INITIAL TIME to ``until`` (None: the .mdl's FINAL TIME), and each
        step's TIME STEP when TIME STEP reads Time (else None: every step is ``time_step``).

        A clock that reads Time is evaluated at every step, as pysd does: the step from ``t`` is
        TIME STEP at ``t``, and the run goes on while ``t + TIME STEP x 1e-5 < FINAL TIME`` at ``t``
        (``until`` in place of FINAL TIME when given).
        """
        if not self.clock_source:
            if until is None:
                final = [v for k, v in self.controls.items() if normalise(k) == "final_time"]
                if not final:
                    raise SnowballError("the model has no FINAL TIME: say where the run ends (until)")
                until = final[0]
            return step_times(self.time_step, self.initial_time, until), None
        clock = _compiled(self.clock_source, "clock")
        t, times, dts = float(self.initial_time), [], []
        with np.errstate(all="ignore"):
            while True:
                _, final, dt, _ = clock(t)
                end = final if until is None else until
                if end is None:
                    raise SnowballError("the model has no FINAL TIME: say where the run ends (until)")
                if not dt > 0:
                    raise SnowballError(f"TIME STEP must be positive, got {float(dt):g} at Time {t:g}")
                times.append(t)
                dts.append(float(dt))
                if not t + dt * RPREC < end:
                    fixed = any(normalise(k) == "time_step" for k in self.controls)
                    return np.array(times), None if fixed else dts
                if len(times) > MAX_STEPS:
                    raise SnowballError(f"FINAL TIME is not reached within {MAX_STEPS} steps (Time {t:g})")
                t = t + float(dt)

    def _values(self, n: int, constants: Mapping[str, float | np.ndarray] | None) -> dict[str, object]:
        """The program's ``P``: every constant and control, ``constants`` (checked) over the .mdl's."""
        values: dict[str, object] = dict(self.constants | self.controls)
        for key in self.controls:  # a program may start elsewhere (a vintage's initial state)
            if normalise(key) == "initial_time":
                values[key] = float(self.initial_time)
        for key, value in (constants or {}).items():
            if key in self.controls or key in self.clock_inputs:
                raise SnowballError(
                    f"'{key}' is fixed when the engine is built (it sets the clock, TIME STEP or "
                    "INITIAL TIME ..., or the order of a delay): edit the .mdl to change it"
                )
            if key not in self.constants:
                raise SnowballError(f"'{key}' is not a constant of the model")
            values[key] = _vector(value, n, key)
        return values

    def source_for(
        self, n: int, constants: Mapping[str, float | np.ndarray] | None = None, fold: bool | None = None
    ) -> str:
        """The code :meth:`simulate` runs for ``constants``: :attr:`source` partially evaluated
        for the constants every scenario shares (switched-off loops dropped; runners.engine.fold), or
        :attr:`source` itself when ``fold`` is False (None: fold from FOLD_MIN_RUNS scenarios)."""
        values = self._values(n, constants)
        return _specialized(self.source, values) if _folds(fold, n) else self.source

    def simulate(
        self,
        n: int,
        until: float | None = None,
        constants: Mapping[str, float | np.ndarray] | None = None,
        tables: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
        at: str = "years",
        fold: bool | None = None,
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Run ``n`` scenarios from INITIAL TIME to ``until`` (None: the .mdl's FINAL TIME).

        Parameters
        ----------
        constants : Vensim name -> scalar (shared) or (n,) array (one value per scenario);
            constants not named keep the .mdl's value. The control variables (TIME STEP ...) and
            the constants and tables they are computed from cannot be changed: a step is the
            same in every scenario.
        tables : Vensim name -> (x, y) with x (K,) increasing and y (K,) or (n, K).
        at : "years" (the steps at whole years, as run.run reports) or "steps" (every step).
        fold : partially evaluate the program for the constants every scenario shares first
            (runners.engine.fold; switched-off loops cost nothing); None: from FOLD_MIN_RUNS scenarios,
            where it repays its cost (about 20 ms per new set of shared values). The two differ
            only in a switched-off term's sign of zero or NaN, so a sweep decides once for all
            its chunks.

        Returns
        -------
        times (T,) and, for each recorded variable (Vensim name), an array (T, n).
        """
        values = self._values(n, constants)
        tabs: dict[str, tuple[np.ndarray, np.ndarray]] = {
            k: (np.asarray(x, dtype=float), np.asarray(y, dtype=float)) for k, (x, y) in self.tables.items()
        }
        for key, (x, y) in (tables or {}).items():
            if key not in self.tables:
                raise SnowballError(f"'{key}' is not a lookup table of the model")
            if key in self.clock_inputs:
                raise SnowballError(
                    f"'{key}' is fixed when the engine is built (the clock reads it): "
                    "edit the .mdl to change it"
                )
            xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
            if xs.ndim != 1 or ys.shape[-1] != len(xs) or ys.ndim > 2 or (ys.ndim == 2 and len(ys) != n):
                raise SnowballError(f"table '{key}': x must be (K,) and y (K,) or ({n}, K)")
            if len(xs) > 1 and not np.all(np.diff(xs) > 0):
                raise SnowballError(f"table '{key}': x must increase")
            tabs[key] = (xs, np.ascontiguousarray(ys))
        times, dts = self.steps(until)
        if at == "years":
            keep = np.flatnonzero(np.isclose(times, np.rint(times), rtol=0, atol=1e-6))
        elif at == "steps":
            keep = np.arange(len(times))
        else:
            raise SnowballError(f"at must be 'years' or 'steps', got {at!r}")
        slot = np.full(len(times), -1, dtype=np.int64)
        slot[keep] = np.arange(len(keep))
        out = np.empty((len(keep), len(self.record), n))
        fn = _compiled(_specialized(self.source, values) if _folds(fold, n) else self.source)
        with np.errstate(all="ignore"):
            args = (values, tabs, float(self.initial_time), len(times) - 1, slot.tolist(), out, n)
            if dts is None:
                fn(*args)
            else:
                fn(*args, dts)
        return times[keep], {name: out[:, i, :] for i, name in enumerate(self.record)}


@dataclass(frozen=True)
class Engine:
    """pysd's parse of the model, ready to generate :class:`Program` s (build with :func:`build_engine`)."""

    model_sha256: str
    kinds: dict[str, str]  # Vensim name -> constant | lookup | stock | initial | aux | control
    constants: dict[str, float]  # settable constants (not the clock)
    tables: dict[str, tuple[tuple[float, ...], tuple[float, ...]]]
    time_step: float
    initial_time: float
    _eqs: dict[str, _Equation] = field(repr=False, compare=False)
    controls: dict[str, float] = field(default_factory=dict)  # INITIAL TIME, TIME STEP ... as built
    clock_inputs: frozenset[str] = frozenset()
    clock_source: str = ""  # ``clock(time)`` when a control variable reads Time (see Program.steps)

    def program(self, record: Sequence[str], initial_time: float | None = None) -> Program:
        """The compiled program that records ``record`` (Vensim names), starting at ``initial_time``
        (the vintage's initial state; default the .mdl's INITIAL TIME)."""
        return Program(
            self.model_sha256,
            _generate(self._eqs, tuple(record)),
            tuple(record),
            self.constants,
            self.tables,
            self.time_step,
            self.initial_time if initial_time is None else float(initial_time),
            self.controls,
            self.clock_inputs,
            self.clock_source,
        )

    def simulate(self, n: int, until: float | None = None, record: Sequence[str] = (), **kwargs):
        """Shortcut for ``self.program(record).simulate(n, until, **kwargs)``."""
        return self.program(record).simulate(n, until, **kwargs)

    def __reduce__(self):
        raise TypeError("pickle Engine.program(...) instead: the parse holds pysd objects")


def _vector(value, n: int, name: str):
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return float(arr)
    if arr.shape != (n,):
        raise SnowballError(f"constant '{name}': expected a scalar or {n} values, got shape {arr.shape}")
    return arr


_COMPILED: dict[str, object] = {}
_RUNTIME = {
    "np": np,
    "_ite": _ite,
    "_xidz": _xidz,
    "_div": _div,
    "_zidz": _zidz,
    "_integer": _integer,
    "_quantum": _quantum,
    "_modulo": _modulo,
    "_step": _step,
    "_ramp": _ramp,
    "_pulse": _pulse,
    "_fixed_order": _fixed_order,
    "_order_check": _order_check,
    "_lookup": lookup,
    "_scalar_table": scalar_table,
}


FOLD_MIN_RUNS = 256  # scenarios from which Program.simulate folds the shared constants in


def _folds(fold: bool | None, n: int) -> bool:
    return n >= FOLD_MIN_RUNS if fold is None else bool(fold)


_SPECIALIZED: dict[tuple, str] = {}
_SPECIALIZED_LOCK = threading.Lock()
SPECIALIZED_KEEP = 64  # sources kept (a solver that varies one scalar makes a new one per value)


def _specialized(source: str, values: Mapping[str, object]) -> str:
    """``source`` partially evaluated for the constants every scenario shares (runners.engine.fold)."""
    from runners.engine.fold import specialize

    known = {k: v for k, v in values.items() if not isinstance(v, np.ndarray)}
    key = (hashlib.sha256(source.encode()).hexdigest(), tuple(sorted((k, repr(v)) for k, v in known.items())))
    out = _SPECIALIZED.get(key)
    if out is None:
        out = specialize(source, known, _RUNTIME)
        with _SPECIALIZED_LOCK:  # a Dask worker may run several chunks in threads
            while len(_SPECIALIZED) >= SPECIALIZED_KEEP:
                _SPECIALIZED.pop(next(iter(_SPECIALIZED)))
            _SPECIALIZED[key] = out
    return out


def _compiled(source: str, name: str = "simulate"):
    key = hashlib.sha256(source.encode()).hexdigest()
    fn = _COMPILED.get(key)
    if fn is None:
        namespace = dict(_RUNTIME)
        exec(compile(source, f"<snowball engine {key[:12]}>", "exec"), namespace)
        fn = namespace[name]
        _COMPILED[key] = fn
    return fn


def _dependencies(eqs: dict[str, _Equation]) -> None:
    """Fill each equation's run-time and initialisation dependencies (pysd spelling)."""
    b = _Builder(eqs)
    for e in eqs.values():
        if e.kind in ("aux", "control"):
            e.deps = b.refs(e.ast)
            e.init_deps = b.refs(e.ast, "init")
        elif e.kind in _STATE:
            e.deps = b.refs(e.ast)
            e.init_deps = b.refs(e.initial, "init") | (
                b.refs(e.delay, "init") if e.kind == "fixed" else set()
            )
        elif e.kind == "initial":
            e.init_deps = b.refs(e.initial, "init")
        for r in e.deps | e.init_deps:
            if r != "time" and r not in eqs:
                raise SnowballError(f"equation '{e.name}': unknown name '{r}'")


def _generate(eqs: dict[str, _Equation], record: tuple[str, ...]) -> str:  # noqa: C901
    """Source of ``simulate(P, L, t0, nsteps, slot, out, n)`` for the model ``eqs``.

    When TIME STEP reads Time, ``simulate`` takes each step's TIME STEP as a last argument ``D``
    (see :meth:`Program.steps`) and the control variables are auxiliaries computed every step.
    """
    b = _Builder(eqs)
    by_name = {e.name: e for e in eqs.values() if not e.hidden}
    unknown = [r for r in record if r not in by_name or by_name[r].kind == "lookup"]
    if unknown:
        raise SnowballError(f"unknown model variable(s) to record: {', '.join(unknown)}")
    _dependencies(eqs)

    def names(ref: str) -> str:
        return eqs[ref].name if ref in eqs else ref

    # level: 0 static (constants only, once), 1 fixed at initialisation (reads an INITIAL value),
    # 2 dynamic (depends on time or on state, directly or through auxiliaries)
    level: dict[str, int] = {}

    def level_of(ref: str, seen: tuple = ()) -> int:
        if ref == "time":
            return 2
        e = eqs[ref]
        if e.kind in _STATE:
            return 2
        if e.kind == "initial":
            return 1
        if e.kind != "aux":
            return 0
        if ref in level:
            return level[ref]
        if ref in seen:
            chain = " -> ".join(names(r) for r in (*seen[seen.index(ref) :], ref))
            raise SnowballError(f"algebraic loop with no stock in it: {chain}")
        lv = 2 if e.init_deps != e.deps else 0  # ACTIVE INITIAL: one value at t0, another after
        level[ref] = max([lv, *(level_of(d, (*seen, ref)) for d in e.deps)])
        return level[ref]

    for ref, e in eqs.items():
        if e.kind == "aux":
            level_of(ref)

    # only what the recorded variables need, directly or through stocks and initial values (a
    # program with nothing to record, the build's check, keeps every equation)
    needed: set[str] = set(eqs) if not record else set()
    todo = [by_name[n].ref for n in record]
    while todo:
        r = todo.pop()
        if r != "time" and r not in needed:
            needed.add(r)
            todo.extend(eqs[r].deps | eqs[r].init_deps)

    stepped = eqs["time_step"].clock  # TIME STEP reads Time: D holds each step's value
    lines = ["def simulate(P, L, t0, nsteps, slot, out, n" + (", D):" if stepped else "):")]
    emit = lines.append
    for e in eqs.values():
        if e.kind in ("constant", "control"):
            emit(f"    {e.local} = P[{e.name!r}]")
        elif e.kind == "lookup" and e.hidden:
            xs, ys = _lookup_default(e.ast)
            emit(f"    {e.local}_x, {e.local}_y = np.array({list(xs)!r}), np.array({list(ys)!r})")
            emit(f"    {e.local}_f = _scalar_table({e.local}_x, {e.local}_y)")
        elif e.kind == "lookup":
            emit(f"    {e.local}_x, {e.local}_y = L[{e.name!r}]")
            emit(f"    {e.local}_f = _scalar_table({e.local}_x, {e.local}_y)")
    emit("    _dt = D[0]" if stepped else f"    _dt = {eqs['time_step'].local}")
    # static auxiliaries (no time, no state), once
    static = [r for r, e in eqs.items() if e.kind == "aux" and level[r] == 0 and r in needed]
    sdeps = {r: {d for d in eqs[r].deps if d in static} for r in static}
    for r in _topological(static, sdeps, "algebraic loop with no stock in it", names):
        emit(f"    {eqs[r].local} = {b.build(eqs[r].ast, eqs[r].name).expression}")
    # initialisation at t0: state, INITIAL values and what they read, in dependency order
    emit("    time = t0")
    init_nodes: dict[str, set[str]] = {}
    for r, e in eqs.items():
        if e.kind in (*_STATE, "initial") or (e.kind == "aux" and level[r] > 0):
            init_nodes[r] = {d for d in e.init_deps if d != "time"}
    roots = [
        r
        for r, e in eqs.items()
        if r in needed and (e.kind in (*_STATE, "initial") or (e.kind == "aux" and level[r] == 1))
    ]
    for r in _topological(roots, init_nodes, "initial values depend on each other in a loop", names):
        e = eqs[r]
        if e.kind == "aux":
            emit(f"    {e.local} = {b.build(e.ast, e.name, 'init').expression}")
            continue
        emit(f"    {e.local} = {b.build(e.initial, e.name, 'init').expression}")
        if e.kind == "stock" and e.delay is not None:
            delay = b.build(e.delay[0], e.name, "init").expression
            emit(f"    _order_check({delay}, {e.delay[1]}, _dt, {e.name!r})")
        if e.kind == "fixed":
            delay = b.build(e.delay, e.name, "init").expression
            emit(f"    {e.local}_pipe = [{e.local}] * _fixed_order({delay}, _dt)")
            emit(f"    {e.local}_at = 0")
    # the time loop: dynamic auxiliaries needed by the state and the recorded variables
    states = [r for r, e in eqs.items() if e.kind in _STATE and r in needed]
    wanted = set()
    todo = [d for s in states for d in eqs[s].deps] + [by_name[n].ref for n in record]
    while todo:
        r = todo.pop()
        if r == "time" or r in wanted or eqs[r].kind != "aux" or level[r] != 2:
            continue
        wanted.add(r)
        todo.extend(eqs[r].deps)
    ddeps = {r: {d for d in eqs[r].deps if d in wanted} for r in wanted}
    order = _topological(sorted(wanted), ddeps, "algebraic loop with no stock in it", names)
    emit("    t = t0")
    emit("    for i in range(nsteps + 1):")
    emit("        time = t")
    if stepped:
        emit("        _dt = D[i]")
    for r in order:
        emit(f"        {eqs[r].local} = {b.build(eqs[r].ast, eqs[r].name).expression}")
    if record:
        emit("        k = slot[i]")
        emit("        if k >= 0:")
        emit("            o = out[k]")
        for j, name in enumerate(record):
            emit(f"            o[{j}] = {by_name[name].local}")
    emit("        if i == nsteps:")
    emit("            break")
    for r in states:
        emit(f"        d_{eqs[r].local} = {b.build(eqs[r].ast, eqs[r].name).expression}")
    emit("        dt = _dt")
    for r in states:
        e = eqs[r]
        if e.kind == "discrete":
            emit(f"        {e.local} = d_{e.local}")
        elif e.kind == "fixed":
            emit(f"        {e.local}_pipe[{e.local}_at] = d_{e.local}")
            emit(f"        {e.local}_at = ({e.local}_at + 1) % len({e.local}_pipe)")
            emit(f"        {e.local} = {e.local}_pipe[{e.local}_at]")
        else:
            new = f"{e.local} + d_{e.local}*dt"
            emit(f"        {e.local} = " + (f"np.maximum({new}, 0)" if e.non_negative else new))
    emit("        t = t + dt")
    emit("    return None")
    return "\n".join(lines) + "\n"


def _lookup_default(ast) -> tuple[tuple[float, ...], tuple[float, ...]]:
    return tuple(float(v) for v in ast.x), tuple(float(v) for v in ast.y)


@dataclass(frozen=True)
class _Clock:
    """The control variables as built: values at the start, which change with Time, their inputs."""

    values: dict[str, float]  # every control's value at INITIAL TIME (by Vensim name)
    dynamic: frozenset[str]  # controls that read Time, directly or through auxiliaries (pysd spelling)
    inputs: frozenset[str]  # constants and tables the clock is computed from (by Vensim name)
    source: str  # source of ``clock(time)`` when a control reads Time, else ""


def _stateless(node) -> bool:
    """Whether a syntax tree is plain arithmetic, calls and references (no stateful function)."""
    from pysd.translators.structures import abstract_expressions as ae

    if _number(node) is not None or isinstance(node, ae.ReferenceStructure):
        return True
    if isinstance(node, ae.ArithmeticStructure | ae.LogicStructure):
        return all(_stateless(a) for a in node.arguments)
    if isinstance(node, ae.CallStructure):
        return all(_stateless(a) for a in node.arguments)
    return False


def _clock(eqs: dict[str, _Equation], path: Path) -> _Clock:  # noqa: C901
    """The control variables, computed from constants and (evaluated every step, as pysd does) Time.

    A control may read constants, tables, auxiliaries of those and Time; one that reads the
    model's state (a stock, an INITIAL value, a stateful function) would make the clock differ
    between scenarios and is refused. The constants and tables it reads are fixed at build time.
    """
    for ctl in ("initial_time", "time_step"):
        if ctl not in eqs:
            raise SnowballError(
                f"{path.name}: the control variable {ctl.upper().replace('_', ' ')} is missing"
            )
    b = _Builder(eqs)
    timed: dict[str, bool] = {}  # clock equations (pysd spelling) -> whether they read Time
    deps: dict[str, set[str]] = {}
    built: dict[str, str] = {}  # auxiliaries and controls: their Python expressions
    inputs: set[str] = set()

    def visit(ref: str, seen: tuple, control: str) -> bool:
        if ref == "time":
            return True
        e = eqs.get(ref)
        if e is None:
            raise SnowballError(f"equation '{eqs[control].name}': unknown name '{ref}'")
        stateful = e.kind not in ("constant", "control", "aux", "lookup") or (
            e.kind in ("aux", "control") and not _stateless(e.ast)
        )
        if stateful:
            raise _unsupported(
                eqs[control].name,
                f"a control variable computed from the model's state (it reads '{e.name}'; a step "
                "must be the same in every scenario)",
            )
        if ref in seen:
            raise SnowballError(f"control variables depend on each other in a loop: {_names_of(eqs, seen)}")
        if e.kind in ("constant", "lookup"):
            inputs.add(e.name)
            deps[ref], timed[ref] = set(), False
        elif ref not in timed:
            built[ref] = b.build(e.ast, e.name).expression
            refs = b.refs(e.ast)
            if re.search(r"\b_dt\b", built[ref]):  # STEP, PULSE ...: TIME STEP at this Time
                refs.add("time_step")
            deps[ref] = refs - {"time"}
            reads = [visit(d, (*seen, ref), ref if e.kind == "control" else control) for d in sorted(refs)]
            timed[ref] = any(reads)
        return timed[ref]

    controls = [r for r, e in eqs.items() if e.kind == "control"]
    for r in controls:
        visit(r, (), r)
    lines = ["def clock(time):"]
    loop = "control variables depend on each other in a loop"
    for r in _topological(sorted(deps), deps, loop, lambda r: eqs[r].name):
        e = eqs[r]
        if e.kind == "constant":
            lines.append(f"    {e.local} = {float(_number(e.ast))!r}")
        elif e.kind == "lookup":
            xs, ys = _lookup_default(e.ast)
            lines.append(f"    {e.local}_x, {e.local}_y = np.array({list(xs)!r}), np.array({list(ys)!r})")
            lines.append(f"    {e.local}_f = _scalar_table({e.local}_x, {e.local}_y)")
        else:
            lines.append(f"    {e.local} = {built[r]}")
            if r == "time_step":
                lines.append(f"    _dt = {e.local}")
    named = {
        r: eqs[r].local if r in eqs else "None"
        for r in ("initial_time", "final_time", "time_step", "saveper")
    }
    lines.append(
        f"    return {named['initial_time']}, {named['final_time']}, {named['time_step']}, {named['saveper']}"
    )
    source = "\n".join(lines) + "\n"
    fn = _compiled(source, "clock")
    try:
        start = float(fn(0.0)[0])
        if timed["initial_time"]:  # pysd evaluates it once, at Time 0, when it loads the model
            again = float(fn(start)[0])
            if again != start:
                raise _unsupported(
                    eqs["initial_time"].name,
                    f"an INITIAL TIME that is not its own value at the start ({start:g} at Time 0, "
                    f"{again:g} at Time {start:g})",
                )
        values = dict(zip(("initial_time", "final_time", "time_step", "saveper"), fn(start), strict=True))
    except SnowballError:
        raise
    except Exception as exc:  # an expression pysd parses but this evaluator cannot
        raise SnowballError(f"{path.name}: the clock cannot be computed from its equations ({exc})") from None
    if not values["time_step"] > 0:
        raise SnowballError(f"{path.name}: TIME STEP must be positive, got {values['time_step']}")
    dynamic = frozenset(r for r in controls if timed[r])
    return _Clock(
        {eqs[r].name: float(values[r]) for r in controls},
        dynamic,
        frozenset(inputs),
        source if dynamic else "",
    )


def _names_of(eqs: dict[str, _Equation], refs: Sequence[str]) -> str:
    """Vensim names of ``refs`` (pysd spelling), for messages."""
    return ", ".join(eqs[r].name if r in eqs else r for r in refs)


@cache
def _build_cached(path: str, digest: str) -> Engine:
    eqs, clock, order_inputs = _equations(Path(path))
    _generate(eqs, ())  # validates every equation and finds loops before anything runs
    shown = {e.name: e for e in eqs.values() if not e.hidden}
    return Engine(
        model_sha256=digest,
        kinds={name: "control" if e.clock else e.kind for name, e in shown.items()},
        constants={name: float(_number(e.ast)) for name, e in shown.items() if e.kind == "constant"},
        tables={name: _lookup_default(e.ast) for name, e in shown.items() if e.kind == "lookup"},
        time_step=clock.values[eqs["time_step"].name],
        initial_time=clock.values[eqs["initial_time"].name],
        _eqs=eqs,
        controls={name: v for name, v in clock.values.items() if normalise(name) not in clock.dynamic},
        clock_inputs=clock.inputs | order_inputs,
        clock_source=clock.source,
    )


def build_engine(path: Path = MODEL_FILE) -> Engine:
    """Parse ``path`` with pysd and compile the vectorised engine (cached by the file's hash)."""
    path = Path(path)
    if not path.is_file():
        raise SnowballError(f"{path}: model file is missing")
    from runners.core.cache import sha256_of

    digest = sha256_of(path)
    return _build_cached(str(path.resolve()), digest)


def _text(value: object) -> str:
    """A cached entry's text field, or TypeError (a malformed entry: runners.core.cache rebuilds it)."""
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def cached_program(
    record: Sequence[str], initial_time: float | None = None, path: Path = MODEL_FILE
) -> Program:
    """:meth:`Engine.program` from the on-disk cache (``runners.core.cache``), without pysd.

    Keyed by the .mdl's sha256, this file's own sha256 (a change to the engine's code rebuilds
    every program), pysd's version and ``record``; on a miss pysd parses the .mdl once and the
    program is stored. A damaged entry is built again (``runners.core.cache`` checks each entry's digest).
    """
    from importlib import metadata

    from runners.core import cache

    path = Path(path)
    if not path.is_file():
        raise SnowballError(f"{path}: model file is missing")
    digest = cache.sha256_of(path)
    key = {"model": digest, "engine": cache.file_sha256(__file__), "record": list(record)}
    key["pysd"] = metadata.version("pysd")  # pysd parses the .mdl: another pysd, another parse

    def read(doc: dict) -> Program:
        return Program(
            digest,
            _text(doc["source"]),
            tuple(record),
            {str(k): float(v) for k, v in doc["constants"].items()},
            {
                str(k): (tuple(float(v) for v in x), tuple(float(v) for v in y))
                for k, (x, y) in doc["tables"].items()
            },
            float(doc["time_step"]),
            float(doc["initial_time"] if initial_time is None else initial_time),
            {str(k): float(v) for k, v in doc["controls"].items()},
            frozenset(str(v) for v in doc["clock_inputs"]),
            _text(doc["clock_source"]),
        )

    cached = cache.load("program", key, read)
    if cached is not None:
        return cached
    prog = _build_cached(str(path.resolve()), digest).program(record)
    doc = {
        "source": prog.source,
        "constants": prog.constants,
        "tables": {k: [list(x), list(y)] for k, (x, y) in prog.tables.items()},
        "time_step": prog.time_step,
        "initial_time": prog.initial_time,
        "controls": prog.controls,
        "clock_inputs": sorted(prog.clock_inputs),
        "clock_source": prog.clock_source,
    }
    cache.store("program", key, doc)
    return read(doc)
