"""The engine's second back end: the same generator, spelling JavaScript for one scenario.

:mod:`runners.engine.build` turns pysd's syntax trees into numpy source; :class:`JSBuilder` and
:class:`JSGenerator` are the same builder and generator with JavaScript's spelling (the
templates, a statement's ``;``, the time loop), so the statement order, the Euler, discrete and
fixed-delay updates and the refusals (the same ``unsupported`` errors, naming the equation) are
those of the numpy engine. :func:`generate_js` gives ``function simulate(P, L, t0, nsteps, slot,
out, D)`` for one scenario (numbers, not vectors); :func:`js_module` a self-contained script: the
runtime (:data:`RUNTIME_JS`, the helpers of :mod:`runners.engine.runtime` for scalars), the
generated ``simulate``, a program's data (step times, TIME STEP per step, what is recorded) and a
scenario's inputs, with ``run(constants, tables)`` to run it with other constants and tables.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

import numpy as np

from runners.core.errors import SnowballError
from runners.engine.build import Builder, Generator
from runners.engine.equations import STATE, Equation, lookup_default
from runners.engine.program import record_slots

__all__ = ["RUNTIME_JS", "JSBuilder", "generate_js", "js_module"]

# the numpy templates respelled: _pow (JS refuses ``-a ** b``), booleans as Python reads them
# (_not/_and/_or: NaN is true), ``-(x)`` (``--x`` would be a decrement)
_JS_OPERATORS = dict(Builder.OPERATORS) | {
    "^": ("_pow(%(left)s, %(right)s)", 1),
    "=": ("%(left)s === %(right)s", 4),
    "<>": ("%(left)s !== %(right)s", 4),
    ":NOT:": ("_not(%s)", 0),
    ":AND:": ("_and(%(left)s, %(right)s)", 0),
    ":OR:": ("_or(%(left)s, %(right)s)", 0),
    "negative": ("-(%s)", 3),
}
_MATH = [(f"np.{f}(", f"Math.{f}(") for f in ("abs", "exp", "sqrt", "log", "sin", "cos", "tan")]
_MATH += [(f"np.{f}(", f"Math.{f}(") for f in ("sinh", "cosh", "tanh")]
_MATH += [(f"np.arc{f}(", f"Math.a{f}(") for f in ("sin", "cos", "tan")]
_MATH += [("np.minimum(", "Math.min("), ("np.maximum(", "Math.max("), ("np.power(", "_pow(")]
_MATH += [("np.pi", "Math.PI"), ("None", "null")]


def _js_template(template: str) -> str:
    for py, js in _MATH:
        template = template.replace(py, js)
    if "np." in template:
        raise AssertionError(f"no JavaScript spelling for {template}")
    return template


_JS_FUNCTIONS = {name: _js_template(t) for name, t in Builder.FUNCTIONS.items()}


class JSBuilder(Builder):
    """:class:`Builder` spelling JavaScript (helpers ``_...`` from :data:`RUNTIME_JS`)."""

    OPERATORS = _JS_OPERATORS
    FUNCTIONS = _JS_FUNCTIONS
    DIVIDE = "_div(%(left)s, %(right)s)"
    LOOKUP = "_lookup(%s, %s_x, %s_y, %s_f)"
    NONE = "null"

    def literal(self, value: float) -> str:
        return _number(value)


def _number(value: float) -> str:
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


class JSGenerator(Generator):
    """:class:`Generator` emitting JavaScript: one scenario, every local declared with ``let``."""

    builder = JSBuilder
    END = ";"

    def header(self) -> str:
        return "function simulate(P, L, t0, nsteps, slot, out, D) {"

    @staticmethod
    def text(value: str) -> str:
        return json.dumps(value)

    def pipe(self, local: str, delay: str) -> None:
        self.emit(f"    {local}_pipe = new Array(_fixed_order({delay}, _dt)).fill({local});")
        self.emit(f"    {local}_at = 0;")

    def inputs(self) -> None:
        """Constants and controls from ``P``, tables from ``L`` (hidden ones written in), TIME STEP."""
        for e in self.eqs.values():
            if e.kind in ("constant", "control"):
                self.assign(e.local, f"P[{self.text(e.name)}]")
            elif e.kind == "lookup":
                if e.hidden:
                    xs, ys = lookup_default(e.ast)
                    self.assign(e.local + "_x", "[" + ", ".join(map(_number, xs)) + "]")
                    self.assign(e.local + "_y", "[" + ", ".join(map(_number, ys)) + "]")
                else:
                    self.assign(f"[{e.local}_x, {e.local}_y]", f"L[{self.text(e.name)}]")
                self.assign(e.local + "_f", "null")
        self.assign("_dt", "D[0]" if self.stepped else self.eqs["time_step"].local)

    def time_loop(self) -> None:
        """Each step: the dynamic auxiliaries, the recorded values, then the state's update."""
        eqs, b, emit = self.eqs, self.b, self.emit
        states = [r for r, e in eqs.items() if e.kind in STATE and r in self.needed]
        order = self.dynamic_order(states)
        in_loop = " " * 8
        self.assign("t", "t0")
        emit("    for (let i = 0; i <= nsteps; i++) {")
        self.assign("time", "t", in_loop)
        if self.stepped:
            self.assign("_dt", "D[i]", in_loop)
        for r in order:
            self.assign(eqs[r].local, b.build(eqs[r].ast, eqs[r].name).expression, in_loop)
        if self.record:
            self.assign("k", "slot[i]", in_loop)
            emit("        if (k >= 0) {")
            self.assign("o", "out[k]", in_loop + "    ")
            for j, name in enumerate(self.record):
                self.assign(f"o[{j}]", self.by_name[name].local, in_loop + "    ")
            emit("        }")
        emit("        if (i === nsteps) break;")
        for r in states:
            self.assign(f"d_{eqs[r].local}", b.build(eqs[r].ast, eqs[r].name).expression, in_loop)
        self.assign("dt", "_dt", in_loop)
        for r in states:
            self.update(eqs[r])
        self.assign("t", "t + dt", in_loop)
        emit("    }")
        emit("    return null;")
        emit("}")

    def update(self, e: Equation) -> None:
        """One state's new value from its change ``d_``: held, piped or integrated (Euler)."""
        x, in_loop = e.local, " " * 8
        if e.kind == "discrete":
            self.assign(x, f"d_{x}", in_loop)
        elif e.kind == "fixed":
            self.assign(f"{x}_pipe[{x}_at]", f"d_{x}", in_loop)
            self.assign(f"{x}_at", f"({x}_at + 1) % {x}_pipe.length", in_loop)
            self.assign(x, f"{x}_pipe[{x}_at]", in_loop)
        else:
            new = f"{x} + d_{x}*dt"
            self.assign(x, f"Math.max({new}, 0)" if e.non_negative else new, in_loop)

    def declared(self) -> list[str]:
        """The function's text with every local it assigns declared (``let``) at the top."""
        names: dict[str, None] = {}
        for line in self.lines[1:]:
            target = line.strip().split(" = ", 1)[0]
            if " = " not in line.strip() or target.startswith(("for ", "if ")):
                continue
            for part in target.strip("[]").split(", "):
                if part.isidentifier():
                    names[part] = None
        decl = [f"    let {', '.join(chunk)};" for chunk in _chunks(list(names), 12)]
        return [self.lines[0], *decl, *self.lines[1:]]


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def generate_js(eqs: dict[str, Equation], record: tuple[str, ...]) -> str:
    """JavaScript source of ``function simulate(P, L, t0, nsteps, slot, out, D)`` for ONE scenario.

    ``P``: Vensim name -> number (every constant and control); ``L``: Vensim name -> [x, y];
    ``t0`` INITIAL TIME; ``nsteps`` steps; ``slot[i]`` the row of ``out`` step i is written to
    (-1: none); ``out`` rows of ``record``'s values; ``D`` each step's TIME STEP where TIME STEP
    reads Time (else unused). Refuses what the numpy generator refuses, with the same errors.
    """
    g = JSGenerator(eqs, record)
    g.inputs()
    g.statics()
    g.initialisation()
    g.time_loop()
    return "\n".join(g.declared()) + "\n"


RUNTIME_JS = r"""
// Snowball's engine runtime (runners/engine/runtime.py for one scenario: pysd's rules)
const SMALL_VENSIM = 1e-6;
function _t(c) { return !(c === 0 || c === false); }  // Python's truth of a number (NaN is true)
function _not(a) { return !_t(a); }
function _and(a, b) { return _t(a) && _t(b); }
function _or(a, b) { return _t(a) || _t(b); }
function _ite(c, a, b) { return _t(c) ? a : b; }
class PythonArithmeticError extends Error {  // what Python's float arithmetic raises
  constructor(kind, message) { super(message); this.kind = kind; }
}
// a power: numpy's (past the largest double, Infinity) or, with PYTHON_POWER, the Python float's
// that pysd computes (0 to a negative power and finite operands whose power overflows raise)
function _pow(a, b) {
  const r = Math.pow(a, b);
  if (PYTHON_POWER && !Number.isFinite(r) && r === r && Number.isFinite(a) && Number.isFinite(b)) {
    if (a === 0) {
      throw new PythonArithmeticError("ZeroDivisionError", "0.0 cannot be raised to a negative power");
    }
    throw new PythonArithmeticError("OverflowError", "(34, 'Numerical result out of range')");
  }
  return r;
}
function _div(a, b) { return a / b; }
function _xidz(a, b, x) { return Math.abs(b) < SMALL_VENSIM ? x : a / b; }
function _zidz(a, b) { return Math.abs(b) < SMALL_VENSIM ? 0 : a / b; }
function _integer(x) { return Math.trunc(x); }
function _quantum(a, b) { return b < SMALL_VENSIM ? a : b * _integer(a / b); }
function _modulo(x, m) { return x - _quantum(x, m); }
function _pymod(a, b) {  // Python's float %: the sign of the divisor
  let m = a % b;
  if (m !== 0) { if ((b < 0) !== (m < 0)) m += b; } else { m = b < 0 ? -0 : 0; }
  return m;
}
function _step(time, dt, value, start) { return value * (time + dt / 2 > start ? 1 : 0); }
function _ramp(time, slope, start, finish) {
  const last = finish === null || finish === undefined ? time : Math.min(finish, time);
  return (time + SMALL_VENSIM > start ? 1 : 0) * slope * (last - start);
}
function _pulse(time, dt, start, repeat, width, end) {
  if (repeat === 0) return start - SMALL_VENSIM <= time && time < start + width ? 1 : 0;
  if (start <= time && (end === null || time < end)) {
    return _pymod(time - start + SMALL_VENSIM, repeat) < width ? 1 : 0;
  }
  return 0;
}
function _pyround(x) {  // Python's round: halves to even
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}
function _order_check(delay, order, dt, name) {
  if (order * dt > delay) {
    throw new Error(name + ": delay time " + delay + " is shorter than its order (" + order +
      ") x TIME STEP (" + dt + "); lengthen the delay");
  }
}
function _fixed_order(delay, dt) { return _pyround(Math.max(delay / dt, 1) + SMALL_VENSIM); }
function _lookup(x, xs, ys, f) {  // numpy.interp's formula, clamped ends
  if (x !== x) return x;
  const last = xs.length - 1;
  if (x <= xs[0]) return ys[0];
  if (x >= xs[last]) return ys[last];
  let lo = 0, hi = last;  // xs[lo] <= x < xs[hi]
  while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (xs[mid] <= x) lo = mid; else hi = mid; }
  const j = lo;
  if (xs[j] === x) return ys[j];
  const slope = (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j]);
  let value = slope * (x - xs[j]) + ys[j];
  if (value !== value) {
    value = slope * (x - xs[j + 1]) + ys[j + 1];
    if (value !== value && ys[j] === ys[j + 1]) value = ys[j];
  }
  return value;
}
"""

_RUN_JS = r"""
function run(constants, tables) {
  // one run of PROGRAM with `constants` (Vensim name -> number) and `tables` (name -> [x, y])
  // over the scenario's: {times, values: {name: [one value per time]}}
  const P = Object.assign({}, PROGRAM.P), L = Object.assign({}, PROGRAM.L);
  for (const [key, value] of Object.entries(constants || {})) {
    if (PROGRAM.fixed.includes(key)) throw new Error("'" + key + "' is fixed when the engine is built");
    if (!(key in P)) throw new Error("'" + key + "' is not a constant of the model");
    P[key] = value;
  }
  for (const [key, value] of Object.entries(tables || {})) {
    if (PROGRAM.fixed.includes(key)) throw new Error("'" + key + "' is fixed when the engine is built");
    if (!(key in L)) throw new Error("'" + key + "' is not a lookup table of the model");
    L[key] = value;
  }
  const width = PROGRAM.record.length;
  const out = PROGRAM.times.map(() => new Array(width).fill(NaN));
  simulate(P, L, PROGRAM.t0, PROGRAM.nsteps, PROGRAM.slot, out, PROGRAM.D);
  const values = {};
  PROGRAM.record.forEach((name, j) => { values[name] = out.map((row) => row[j]); });
  return { times: PROGRAM.times, values };
}
if (typeof module !== "undefined" && module.exports) module.exports = { run, simulate, PROGRAM };
"""


def _js_data(value) -> str:
    """A JavaScript literal of plain data (numbers, strings, lists, dicts; NaN and infinities)."""
    return json.dumps(value, allow_nan=True, separators=(",", ":"))


def cached_js_source(program) -> str:
    """:func:`generate_js` of the .mdl's equations for ``program.record``, from the on-disk cache
    (``runners.core.cache``, keyed as :func:`runners.engine.program.cached_program` is): pysd
    parses the .mdl only on a miss. ``program`` must come from the .mdl as it is now."""
    from runners.core import cache
    from runners.engine.program import build_engine, cache_key

    key = cache_key(program.record)
    if key["model"] != program.model_sha256:
        raise SnowballError("the program was built from another model file than the engine's")

    def read(doc: dict) -> str:
        if not isinstance(doc["source"], str):
            raise TypeError("expected the generated JavaScript as text")
        return doc["source"]

    cached = cache.load("javascript", key, read)
    if cached is not None:
        return cached
    source = generate_js(build_engine().equations, tuple(program.record))
    cache.store("javascript", key, {"source": source})
    return source


def js_module(
    program,
    constants: Mapping[str, float] | None = None,
    tables: Mapping[str, tuple] | None = None,
    until: float | None = None,
    engine=None,
    at: str = "years",
    python_power: bool = False,
) -> str:
    """A self-contained JavaScript text that runs ``program`` (a :class:`Program`) for one scenario.

    The runtime, ``simulate`` generated from the parse of the .mdl that made ``program`` (``engine``:
    its :class:`Engine`; default the .mdl's, checked against the program's model hash), the step
    times to ``until`` (None: FINAL TIME), what is recorded ``at`` the whole years or at every step
    (as ``Program.simulate``), and the scenario's inputs ``constants`` and ``tables`` over
    the .mdl's as ``PROGRAM.P`` and ``PROGRAM.L``. ``run(constants, tables)`` runs it (Node:
    ``require``; a page: a script). A power that overflows gives Infinity, as numpy's does (the
    vectorised engine's); ``python_power``: it raises ``OverflowError``, as the Python float's does
    in pysd (``snowball run``), so a page refuses what the command refuses.
    """
    if engine is None:
        source = cached_js_source(program)
    else:
        if engine.model_sha256 != program.model_sha256:
            raise SnowballError("the program was built from another model file than the engine's")
        source = generate_js(engine.equations, tuple(program.record))
    values = program.values(constants)
    tabs = {k: [list(map(float, x)), list(map(float, y))] for k, (x, y) in program.tables.items()}
    for key, (x, y) in (tables or {}).items():
        if key not in tabs:
            raise SnowballError(f"'{key}' is not a lookup table of the model")
        ys = np.asarray(y, dtype=float)
        if ys.ndim != 1:
            raise SnowballError(f"table '{key}': one scenario's y must be (K,)")
        tabs[key] = [np.asarray(x, dtype=float).tolist(), ys.tolist()]
    times, dts = program.steps(until)
    keep, slot = record_slots(times, at)
    data = {
        "record": list(program.record),
        "t0": float(program.initial_time),
        "nsteps": len(times) - 1,
        "slot": slot.tolist(),
        "times": times[keep].tolist(),
        "D": dts,
        "P": {k: float(v) for k, v in values.items()},
        "L": tabs,
        "fixed": sorted(set(program.controls) | set(program.clock_inputs)),
    }
    return (
        '"use strict";\n'
        + f"const PYTHON_POWER = {'true' if python_power else 'false'};\n"
        + RUNTIME_JS
        + "\n"
        + source
        + "\nconst PROGRAM = "
        + _js_data(data)
        + ";\n"
        + _RUN_JS
    )
