"""Vensim's stateful functions (SMOOTH, DELAY, TREND, SAMPLE IF TRUE ...) rewritten into hidden
stocks and states, as pysd's ``statefuls`` hold them (:class:`Desugar`)."""

from __future__ import annotations

import re

import numpy as np

from runners.core.errors import SnowballError
from runners.engine.build import Builder
from runners.engine.equations import Equation, lookup_default, unsupported
from runners.engine.runtime import RUNTIME
from runners.mdl.parse import number

# what refusals name, by pysd structure
# pysd structures of stateful functions -> the Desugar method that rewrites each
_STATEFUL = {
    "SmoothStructure": "smooth",
    "SmoothNStructure": "smooth",
    "DelayStructure": "delay",
    "DelayNStructure": "delay_n",
    "DelayFixedStructure": "delay_fixed",
    "TrendStructure": "trend",
    "ForecastStructure": "forecast",
    "SampleIfTrueStructure": "sample_if_true",
    "InlineLookupsStructure": "with_lookup",
}
_STRUCTURES = {
    "GetDataStructure": "external data (GET XLS/DIRECT DATA)",
    "GetLookupsStructure": "external lookups (GET XLS/DIRECT LOOKUPS)",
    "GetConstantsStructure": "external constants (GET XLS/DIRECT CONSTANTS)",
    "DataStructure": "a data variable",
    "AllocateAvailableStructure": "ALLOCATE AVAILABLE",
    "AllocateByPriorityStructure": "ALLOCATE BY PRIORITY",
    "LookupsStructure": "a lookup table inside an expression",
}


def _op(op: str, *args):
    from pysd.translators.structures import abstract_expressions as ae

    return ae.ArithmeticStructure([op], list(args))


def _call(function: str, *args):
    from pysd.translators.structures import abstract_expressions as ae

    return ae.CallStructure(ae.ReferenceStructure(function), tuple(args))


class Desugar:
    """Rewrites Vensim's stateful functions into hidden stocks and states (as pysd's statefuls)."""

    def __init__(self, out: dict[str, Equation], clock: dict[str, float]):
        self.out = out
        self.count = 0
        self.clock = clock  # control values by Vensim name
        self.memo: dict[str, object] = {}
        self.read: set[str] = set()  # constants an order was computed from

    def at_start(self, node, parent: Equation, what: str):
        """The value of ``node`` at INITIAL TIME with the .mdl's constants (for a delay's order)."""
        b = Builder(self.out)
        scope: dict[str, object] = {
            "time": np.float64(self.clock[self.out["initial_time"].name]),
            "_dt": np.float64(self.clock[self.out["time_step"].name]),
        }

        def value(ref: str, seen: tuple):
            e = self.out[ref]
            if ref in seen:
                raise unsupported(parent.name, f"{what} with an order computed in a loop")
            if e.kind == "constant":
                self.read.add(e.name)
                return np.float64(number(e.ast))
            if e.kind == "control":
                return np.float64(self.clock[e.name])
            if e.kind == "lookup":
                xs, ys = lookup_default(e.ast)
                scope[f"{e.local}_x"], scope[f"{e.local}_y"] = np.array(xs), np.array(ys)
                return None
            if e.kind not in ("aux", "initial"):
                raise unsupported(parent.name, f"{what} with an order that depends on a stock")
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
                return eval(b.build(n, name, "init").expression, dict(RUNTIME), scope)

        try:
            return evaluate(node, parent.name, ())
        except SnowballError as exc:
            if "order" in str(exc):
                raise
            raise unsupported(
                parent.name, f"{what} with an order that is not computable from constants"
            ) from None

    def hidden(self, parent: Equation, what: str, kind: str, **fields) -> Equation:
        from pysd.translators.structures import abstract_expressions as ae

        self.count += 1
        tag = re.sub(r"\W", "_", what.lower())
        ref = f"_{tag}{self.count}_{parent.ref}"
        e = Equation(f"{parent.name} ({what} {self.count})", ref, f"h{self.count}_{tag}", kind, hidden=True)
        for key, value in fields.items():
            setattr(e, key, value)
        self.out[ref] = e
        e.node = ae.ReferenceStructure(ref)
        return e

    def delay_order(self, node, parent: Equation, what: str) -> tuple[int, bool]:
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

    def order(self, node, parent: Equation, what: str) -> int:
        n = number(node)
        if n is None:  # read once at initialisation, as pysd does; fixes the structure
            n = float(self.at_start(node, parent, what))
        if n != int(n) or n < 1:
            raise unsupported(parent.name, f"{what} with an order that is not a positive whole number")
        return int(n)

    def __call__(self, node, parent: Equation):
        """``node`` with every stateful function replaced by a reference to its hidden state."""
        from pysd.translators.structures import abstract_expressions as ae

        tx = self.__call__
        if number(node) is not None:
            return node
        if isinstance(node, ae.ReferenceStructure):
            if node.subscripts:
                raise unsupported(parent.name, "a subscripted reference")
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
        step = getattr(self, _STATEFUL.get(type(node).__name__, ""), None)
        if step is not None:
            return step(node, parent)
        what = _STRUCTURES.get(type(node).__name__)
        if what is None:
            what = type(node).__name__.replace("Structure", "").upper() or "this construct"
        raise unsupported(parent.name, what)

    def smooth(self, node, parent: Equation):
        """SMOOTH/SMOOTH3/SMOOTH N: pysd's Smooth, d/dt s_k = (s_{k-1} - s_k) x n / T, s_0 = input."""
        n = self.order(node.order, parent, "SMOOTH N")
        inp, time, init = (self(a, parent) for a in (node.input, node.smooth_time, node.initial))
        target = inp
        for _ in range(n):
            e = self.hidden(parent, "SMOOTH", "stock", initial=init)
            e.ast = _op("/", _op("*", _op("-", target, e.node), n), time)
            target = e.node
        return target

    def delay(self, node, parent: Equation):
        """DELAY1/DELAY3: pysd's Delay, stages holding input x T, outflow_k = s_k / T."""
        n, check = self.delay_order(node, parent, "DELAY")
        inp, time, init = (self(a, parent) for a in (node.input, node.delay_time, node.initial))
        inflow = inp
        for k in range(n):
            e = self.hidden(parent, "DELAY", "stock", initial=_op("*", init, time))
            outflow = _op("/", e.node, time)
            e.ast = _op("*", _op("-", inflow, outflow), n)
            inflow = outflow
            e.delay = (time, n) if check and k == 0 else None
        return inflow

    def delay_n(self, node, parent: Equation):
        """DELAY N: pysd's DelayN, each stage keeping the delay time it was given, passed on one
        stage per step (``times``); a step's flows use the passed-on times, the output the first."""
        n, check = self.delay_order(node, parent, "DELAY N")
        inp, time, init = (self(a, parent) for a in (node.input, node.delay_time, node.initial))
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

    def delay_fixed(self, node, parent: Equation):
        """DELAY FIXED: a pipe of slots, sized at initialisation."""
        inp, time, init = (self(a, parent) for a in (node.input, node.delay_time, node.initial))
        return self.hidden(parent, "DELAY FIXED", "fixed", ast=inp, initial=init, delay=time).node

    def trend(self, node, parent: Equation):
        """TREND: one averaging stock; the trend is its relative gap to the input."""
        inp, avg, trend = (self(a, parent) for a in (node.input, node.average_time, node.initial_trend))
        init = _op("/", inp, _op("+", 1, _op("*", trend, avg)))
        e = self.hidden(parent, "TREND", "stock", initial=init)
        e.ast = _op("/", _op("-", inp, e.node), avg)
        return _call("zidz", _op("-", inp, e.node), _op("*", avg, _call("abs", e.node)))

    def forecast(self, node, parent: Equation):
        """FORECAST: one averaging stock; the input extrapolated by its trend over the horizon."""
        args = (node.input, node.average_time, node.horizon, node.initial_trend)
        inp, avg, horizon, trend = (self(a, parent) for a in args)
        e = self.hidden(parent, "FORECAST", "stock", initial=_op("/", inp, _op("+", 1, trend)))
        e.ast = _op("/", _op("-", inp, e.node), avg)
        change = _call("zidz", _op("-", inp, e.node), _op("*", avg, e.node))
        return _op("*", inp, _op("+", 1, _op("*", change, horizon)))

    def sample_if_true(self, node, parent: Equation):
        """SAMPLE IF TRUE: a held value, replaced by the input while the condition holds."""
        cond, inp, init = (self(a, parent) for a in (node.condition, node.input, node.initial))
        e = self.hidden(parent, "SAMPLE IF TRUE", "discrete", initial=init)
        e.ast = _call("if_then_else", cond, inp, e.node)
        return e.ast

    def with_lookup(self, node, parent: Equation):
        """WITH LOOKUP: a hidden table, called with the argument."""
        from pysd.translators.structures import abstract_expressions as ae

        if node.lookups.type != "interpolate":
            raise unsupported(parent.name, "a lookup other than an interpolating table")
        e = self.hidden(parent, "WITH LOOKUP", "lookup", ast=node.lookups)
        return ae.CallStructure(ae.ReferenceStructure(e.ref), (self(node.argument, parent),))
