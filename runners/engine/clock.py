"""The control variables (INITIAL TIME, TIME STEP, FINAL TIME, SAVEPER) computed from constants,
tables and Time, fixed when the engine is built (:func:`read_clock`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from runners.core.errors import SnowballError
from runners.engine.build import Builder
from runners.engine.equations import Equation, lookup_default, names_of, topological, unsupported
from runners.engine.runtime import compiled
from runners.mdl.parse import number


@dataclass(frozen=True)
class Clock:
    """The control variables as built: values at the start, which change with Time, their inputs."""

    values: dict[str, float]  # every control's value at INITIAL TIME (by Vensim name)
    dynamic: frozenset[str]  # controls that read Time, directly or through auxiliaries (pysd spelling)
    inputs: frozenset[str]  # constants and tables the clock is computed from (by Vensim name)
    source: str  # source of ``clock(time)`` when a control reads Time, else ""


def _stateless(node) -> bool:
    """Whether a syntax tree is plain arithmetic, calls and references (no stateful function)."""
    from pysd.translators.structures import abstract_expressions as ae

    if number(node) is not None or isinstance(node, ae.ReferenceStructure):
        return True
    if isinstance(node, ae.ArithmeticStructure | ae.LogicStructure):
        return all(_stateless(a) for a in node.arguments)
    if isinstance(node, ae.CallStructure):
        return all(_stateless(a) for a in node.arguments)
    return False


class _ClockReader:
    """Walks the control variables' dependencies: what each reads, whether it reads Time, its
    Python expression, and the constants and tables the clock is computed from."""

    def __init__(self, eqs: dict[str, Equation]):
        self.eqs = eqs
        self.b = Builder(eqs)
        self.timed: dict[str, bool] = {}  # clock equations (pysd spelling) -> whether they read Time
        self.deps: dict[str, set[str]] = {}
        self.built: dict[str, str] = {}  # auxiliaries and controls: their Python expressions
        self.inputs: set[str] = set()

    def visit(self, ref: str, seen: tuple, control: str) -> bool:
        """Whether ``ref`` reads Time (refused when it reads the model's state or loops)."""
        eqs = self.eqs
        if ref == "time":
            return True
        e = eqs.get(ref)
        if e is None:
            raise SnowballError(f"equation '{eqs[control].name}': unknown name '{ref}'")
        stateful = e.kind not in ("constant", "control", "aux", "lookup") or (
            e.kind in ("aux", "control") and not _stateless(e.ast)
        )
        if stateful:
            raise unsupported(
                eqs[control].name,
                f"a control variable computed from the model's state (it reads '{e.name}'; a step "
                "must be the same in every scenario)",
            )
        if ref in seen:
            raise SnowballError(f"control variables depend on each other in a loop: {names_of(eqs, seen)}")
        if e.kind in ("constant", "lookup"):
            self.inputs.add(e.name)
            self.deps[ref], self.timed[ref] = set(), False
        elif ref not in self.timed:
            self.built[ref] = self.b.build(e.ast, e.name).expression
            refs = self.b.refs(e.ast)
            if re.search(r"\b_dt\b", self.built[ref]):  # STEP, PULSE ...: TIME STEP at this Time
                refs.add("time_step")
            self.deps[ref] = refs - {"time"}
            reads = [
                self.visit(d, (*seen, ref), ref if e.kind == "control" else control) for d in sorted(refs)
            ]
            self.timed[ref] = any(reads)
        return self.timed[ref]

    def source(self) -> str:
        """Source of ``clock(time)``: the controls' values at ``time``, in dependency order."""
        eqs, deps = self.eqs, self.deps
        lines = ["def clock(time):"]
        loop = "control variables depend on each other in a loop"
        for r in topological(sorted(deps), deps, loop, lambda r: eqs[r].name):
            e = eqs[r]
            if e.kind == "constant":
                lines.append(f"    {e.local} = {float(number(e.ast))!r}")
            elif e.kind == "lookup":
                xs, ys = lookup_default(e.ast)
                lines.append(f"    {e.local}_x, {e.local}_y = np.array({list(xs)!r}), np.array({list(ys)!r})")
                lines.append(f"    {e.local}_f = _scalar_table({e.local}_x, {e.local}_y)")
            else:
                lines.append(f"    {e.local} = {self.built[r]}")
                if r == "time_step":
                    lines.append(f"    _dt = {e.local}")
        controls = ("initial_time", "final_time", "time_step", "saveper")
        lines.append("    return " + ", ".join(eqs[r].local if r in eqs else "None" for r in controls))
        return "\n".join(lines) + "\n"

    def values(self, source: str, path: Path) -> dict[str, float]:
        """Every control's value at the start (INITIAL TIME, as pysd reads it at Time 0)."""
        eqs = self.eqs
        fn = compiled(source, "clock")
        try:
            start = float(fn(0.0)[0])
            if self.timed["initial_time"]:  # pysd evaluates it once, at Time 0, when it loads the model
                again = float(fn(start)[0])
                if again != start:
                    raise unsupported(
                        eqs["initial_time"].name,
                        f"an INITIAL TIME that is not its own value at the start ({start:g} at Time 0, "
                        f"{again:g} at Time {start:g})",
                    )
            values = dict(zip(("initial_time", "final_time", "time_step", "saveper"), fn(start), strict=True))
        except SnowballError:
            raise
        except Exception as exc:  # an expression pysd parses but this evaluator cannot
            raise SnowballError(
                f"{path.name}: the clock cannot be computed from its equations ({exc})"
            ) from None
        if not values["time_step"] > 0:
            raise SnowballError(f"{path.name}: TIME STEP must be positive, got {values['time_step']}")
        return values


def read_clock(eqs: dict[str, Equation], path: Path) -> Clock:
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
    reader = _ClockReader(eqs)
    controls = [r for r, e in eqs.items() if e.kind == "control"]
    for r in controls:
        reader.visit(r, (), r)
    source = reader.source()
    values = reader.values(source, path)
    dynamic = frozenset(r for r in controls if reader.timed[r])
    return Clock(
        {eqs[r].name: float(values[r]) for r in controls},
        dynamic,
        frozenset(reader.inputs),
        source if dynamic else "",
    )
