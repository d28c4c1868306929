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

The engine is plain data (generated source, default constants and tables), so it pickles cheaply
to worker processes and Dask workers, which compile it themselves and need neither pysd nor the
model file.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from .errors import SnowballError
from .paths import MODEL_FILE

SMALL_VENSIM = 1e-6  # pysd's threshold for XIDZ/ZIDZ: |denominator| below it counts as zero
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
}
# Vensim functions the engine evaluates (pysd's functionspace, vectorised): name -> template
_FUNCTIONS = {
    "abs": "np.abs(%(0)s)",
    "min": "np.minimum(%(0)s, %(1)s)",
    "max": "np.maximum(%(0)s, %(1)s)",
    "exp": "np.exp(%(0)s)",
    "sqrt": "np.sqrt(%(0)s)",
    "ln": "np.log(%(0)s)",
    "power": "np.power(%(0)s,%(1)s)",
    "if_then_else": "_ite(%(0)s, %(1)s, %(2)s)",
    "integer": "_integer(%(0)s)",
    "xidz": "_xidz(%(0)s, %(1)s, %(2)s)",
    "zidz": "_zidz(%(0)s, %(1)s)",
}
_ARITY = {"abs": 1, "exp": 1, "sqrt": 1, "ln": 1, "integer": 1, "min": 2, "max": 2, "power": 2}
_ARITY |= {"zidz": 2, "xidz": 3, "if_then_else": 3}


# ---------------------------------------------------------------- runtime helpers (vectorised)


def _ite(cond, a, b):
    """IF THEN ELSE: a Python choice for a shared condition, ``np.where`` per scenario."""
    if isinstance(cond, np.ndarray):
        return np.where(cond, a, b)
    return a if cond else b


def _xidz(a, b, x):
    """XIDZ(a, b, x): x where |b| < 1e-6 (pysd's rule), else a / b."""
    if isinstance(b, np.ndarray):
        return np.where(np.abs(b) < SMALL_VENSIM, x, a / b)
    return x if abs(b) < SMALL_VENSIM else a / b


def _zidz(a, b):
    """ZIDZ(a, b): 0 where |b| < 1e-6 (pysd's rule), else a / b."""
    if isinstance(b, np.ndarray):
        return np.where(np.abs(b) < SMALL_VENSIM, 0.0, a / b)
    return 0 if abs(b) < SMALL_VENSIM else a / b


def _integer(x):
    """INTEGER: truncation towards zero (pysd: ``int(x)``)."""
    if isinstance(x, np.ndarray):
        return np.trunc(x)
    return int(x)


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


@dataclass
class _Equation:
    name: str  # Vensim name
    ref: str  # pysd's reference spelling
    local: str  # identifier in the generated code
    kind: str  # constant | lookup | stock | initial | aux | control
    ast: object = None
    initial: object = None
    non_negative: bool = False
    deps: set[str] = field(default_factory=set)
    init_deps: set[str] = field(default_factory=set)


def _unsupported(name: str, what: str) -> SnowballError:
    return SnowballError(
        f"equation '{name}': {what} is not supported by the sweep engine (runners/engine.py); "
        "supported: INTEG, INITIAL, IF THEN ELSE, MIN, MAX, ABS, LN, EXP, SQRT, XIDZ, ZIDZ, INTEGER, "
        "arithmetic, comparisons, :AND:/:OR:/:NOT:, 1-D lookups called as table(x), Time, TIME STEP"
    )


def _number(value) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    return None


class _Builder:
    """Turns pysd's syntax trees into Python source, spelled as pysd's builder spells them."""

    def __init__(self, equations: dict[str, _Equation]):
        self.eq = equations

    def refs(self, node, name: str) -> set[str]:
        """References (pysd spelling) in a syntax tree."""
        from pysd.translators.structures import abstract_expressions as ae

        out: set[str] = set()

        def walk(n):
            if isinstance(n, ae.ReferenceStructure):
                out.add(n.reference)
            elif isinstance(n, ae.CallStructure):
                if n.function.reference in self.eq:
                    out.add(n.function.reference)
                for a in n.arguments:
                    walk(a)
            elif isinstance(n, ae.ArithmeticStructure | ae.LogicStructure):
                for a in n.arguments:
                    walk(a)

        walk(node)
        return out

    def build(self, node, name: str) -> _Built:
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
            args = [self.build(a, name) for a in node.arguments]
            order = _OPERATORS[ops[-1]][1]
            args[-1].lower_order(2 if ops[-1] == "^" else order)
            if len(args) == 1:
                if ops[0] == "negative":
                    order = 1
                return _Built(_OPERATORS[ops[0]][0] % args[0].expression, order)
            right = args.pop().expression
            while args or ops:
                template = _OPERATORS[ops.pop()][0]
                left = args.pop()
                left.lower_order(order)
                right = template % {"left": left.expression, "right": right}
            return _Built(right, order)
        if isinstance(node, ae.CallStructure):
            fname = node.function.reference
            args = [self.build(a, name) for a in node.arguments]
            target = self.eq.get(fname)
            if target is not None and target.kind == "lookup":
                if len(args) != 1:
                    raise _unsupported(name, f"calling the table '{target.name}' with {len(args)} arguments")
                return _Built(f"_interp({args[0].expression}, {target.local}_x, {target.local}_y)", 0)
            if fname not in _FUNCTIONS:
                raise _unsupported(name, f"the function {fname.upper().replace('_', ' ')}")
            if len(args) != _ARITY[fname]:
                raise SnowballError(
                    f"equation '{name}': {fname.upper()} takes {_ARITY[fname]} arguments, got {len(args)}"
                )
            return _Built(_FUNCTIONS[fname] % {str(i): a.expression for i, a in enumerate(args)}, 0)
        if isinstance(node, ae.IntegStructure):
            raise _unsupported(name, "INTEG inside a larger expression")
        if isinstance(node, ae.InitialStructure):
            raise _unsupported(name, "INITIAL inside a larger expression")
        raise _unsupported(name, type(node).__name__.replace("Structure", "").upper() or "this construct")


def _parse(path: Path):
    """pysd's abstract model of ``path`` (warnings from the parser silenced locally)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*chardet.*", category=DeprecationWarning)
        from pysd.translators.vensim.vensim_file import VensimFile

        try:
            vf = VensimFile(path)
            vf.parse()
            return vf.get_abstract_model()
        except Exception as exc:  # pysd raises many types; the translator names the equation
            from .model import diagnose

            raise SnowballError(f"{path.name}: {diagnose(path, exc)}") from None


def _equations(path: Path) -> dict[str, _Equation]:
    from pysd.translators.structures import abstract_expressions as ae

    am = _parse(path)
    if len(am.sections) != 1:
        raise SnowballError(f"{path.name}: macros are not supported by the sweep engine")
    out: dict[str, _Equation] = {}
    for i, el in enumerate(am.sections[0].elements):
        name = el.name
        ref = normalise(name)
        local = f"v{i}_" + re.sub(r"\W", "_", ref)[:40]
        if len(el.components) != 1:
            raise _unsupported(name, "an equation in several parts (subscripts)")
        comp = el.components[0]
        if any(comp.subscripts):
            raise _unsupported(name, "subscripts")
        ast = comp.ast
        if comp.type == "Lookup":
            if not isinstance(ast, ae.LookupsStructure) or ast.type != "interpolate":
                raise _unsupported(name, "a lookup other than a hard-coded interpolating table")
            e = _Equation(name, ref, local, "lookup", ast)
        elif ref in CONTROL:
            if _number(ast) is None:
                raise _unsupported(name, "a computed control variable")
            e = _Equation(name, ref, local, "control", ast)
        elif _number(ast) is not None:
            e = _Equation(name, ref, local, "constant", ast)
        elif isinstance(ast, ae.IntegStructure):
            e = _Equation(name, ref, local, "stock", ast.flow, ast.initial, bool(ast.non_negative))
        elif isinstance(ast, ae.InitialStructure):
            e = _Equation(name, ref, local, "initial", None, ast.initial)
        elif comp.type in ("Auxiliary", "Constant") and not isinstance(ast, str):
            e = _Equation(name, ref, local, "aux", ast)
        else:
            raise _unsupported(name, f"a {comp.type.lower()} component")
        if ref in out or ref == "time":
            raise SnowballError(f"{path.name}: the name '{name}' is defined twice")
        out[ref] = e
    return out


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

    def simulate(
        self,
        n: int,
        until: float,
        constants: Mapping[str, float | np.ndarray] | None = None,
        tables: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
        at: str = "years",
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Run ``n`` scenarios from INITIAL TIME to ``until``.

        Parameters
        ----------
        constants : Vensim name -> scalar (shared) or (n,) array (one value per scenario);
            constants not named keep the .mdl's value.
        tables : Vensim name -> (x, y) with x (K,) increasing and y (K,) or (n, K).
        at : "years" (the steps at whole years, as run.run reports) or "steps" (every step).

        Returns
        -------
        times (T,) and, for each recorded variable (Vensim name), an array (T, n).
        """
        fn = _compiled(self.source)
        values: dict[str, object] = dict(self.constants)
        for key, value in (constants or {}).items():
            if key not in self.constants:
                raise SnowballError(f"'{key}' is not a constant of the model")
            values[key] = _vector(value, n, key)
        tabs: dict[str, tuple[np.ndarray, np.ndarray]] = {
            k: (np.asarray(x, dtype=float), np.asarray(y, dtype=float)) for k, (x, y) in self.tables.items()
        }
        for key, (x, y) in (tables or {}).items():
            if key not in self.tables:
                raise SnowballError(f"'{key}' is not a lookup table of the model")
            xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
            if xs.ndim != 1 or ys.shape[-1] != len(xs) or ys.ndim > 2 or (ys.ndim == 2 and len(ys) != n):
                raise SnowballError(f"table '{key}': x must be (K,) and y (K,) or ({n}, K)")
            if len(xs) > 1 and not np.all(np.diff(xs) > 0):
                raise SnowballError(f"table '{key}': x must increase")
            tabs[key] = (xs, np.ascontiguousarray(ys))
        times = step_times(self.time_step, self.initial_time, until)
        if at == "years":
            keep = np.flatnonzero(np.isclose(times, np.rint(times), rtol=0, atol=1e-6))
        elif at == "steps":
            keep = np.arange(len(times))
        else:
            raise SnowballError(f"at must be 'years' or 'steps', got {at!r}")
        slot = np.full(len(times), -1, dtype=np.int64)
        slot[keep] = np.arange(len(keep))
        out = np.empty((len(keep), len(self.record), n))
        with np.errstate(all="ignore"):
            fn(values, tabs, float(self.initial_time), len(times) - 1, slot.tolist(), out, n)
        return times[keep], {name: out[:, i, :] for i, name in enumerate(self.record)}


@dataclass(frozen=True)
class Engine:
    """pysd's parse of the model, ready to generate :class:`Program` s (build with :func:`build_engine`)."""

    model_sha256: str
    kinds: dict[str, str]  # Vensim name -> constant | lookup | stock | initial | aux | control
    constants: dict[str, float]
    tables: dict[str, tuple[tuple[float, ...], tuple[float, ...]]]
    time_step: float
    initial_time: float
    _eqs: dict[str, _Equation] = field(repr=False, compare=False)

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
        )

    def simulate(self, n: int, until: float, record: Sequence[str] = (), **kwargs):
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


def _compiled(source: str):
    key = hashlib.sha256(source.encode()).hexdigest()
    fn = _COMPILED.get(key)
    if fn is None:
        namespace = {"np": np, "_ite": _ite, "_xidz": _xidz, "_zidz": _zidz, "_integer": _integer}
        namespace["_interp"] = interp
        exec(compile(source, f"<snowball engine {key[:12]}>", "exec"), namespace)
        fn = namespace["simulate"]
        _COMPILED[key] = fn
    return fn


def _generate(eqs: dict[str, _Equation], record: tuple[str, ...]) -> str:
    """Source of ``simulate(P, L, t0, nsteps, slot, out, n)`` for the model ``eqs``."""
    b = _Builder(eqs)
    by_name = {e.name: e for e in eqs.values()}
    unknown = [r for r in record if r not in by_name]
    if unknown:
        raise SnowballError(f"unknown model variable(s) to record: {', '.join(unknown)}")
    for e in eqs.values():
        if e.kind in ("aux", "stock"):
            e.deps = b.refs(e.ast, e.name)
        if e.kind in ("stock", "initial"):
            e.init_deps = b.refs(e.initial, e.name)
        for r in e.deps | e.init_deps:
            if r != "time" and r not in eqs:
                raise SnowballError(f"equation '{e.name}': unknown name '{r}'")

    def names(ref: str) -> str:
        return eqs[ref].name if ref in eqs else ref

    # dynamic: depends on time or a stock (directly or through auxiliaries)
    dynamic: dict[str, bool] = {}

    def is_dynamic(ref: str, seen: tuple = ()) -> bool:
        if ref == "time":
            return True
        e = eqs[ref]
        if e.kind == "stock":
            return True
        if e.kind != "aux":
            return False
        if ref in dynamic:
            return dynamic[ref]
        if ref in seen:
            chain = " -> ".join(names(r) for r in (*seen[seen.index(ref) :], ref))
            raise SnowballError(f"algebraic loop with no stock in it: {chain}")
        dynamic[ref] = any(is_dynamic(d, (*seen, ref)) for d in eqs[ref].deps)
        return dynamic[ref]

    for ref, e in eqs.items():
        if e.kind == "aux":
            is_dynamic(ref)

    lines = ["def simulate(P, L, t0, nsteps, slot, out, n):"]
    emit = lines.append
    for e in eqs.values():
        if e.kind in ("constant", "control"):
            emit(f"    {e.local} = P[{e.name!r}]")
        elif e.kind == "lookup":
            emit(f"    {e.local}_x, {e.local}_y = L[{e.name!r}]")
    # static auxiliaries (no time, no stock), once
    static = [r for r, e in eqs.items() if e.kind == "aux" and not dynamic[r]]
    sdeps = {r: {d for d in eqs[r].deps if d in static} for r in static}
    for r in _topological(static, sdeps, "algebraic loop with no stock in it", names):
        emit(f"    {eqs[r].local} = {b.build(eqs[r].ast, eqs[r].name).expression}")
    # initialisation at t0: stocks' initial values and INITIAL values, in dependency order
    emit("    time = t0")
    init_nodes: dict[str, set[str]] = {}
    for r, e in eqs.items():
        if e.kind in ("stock", "initial"):
            init_nodes[r] = {d for d in e.init_deps if d != "time"}
        elif e.kind == "aux" and dynamic[r]:
            init_nodes[r] = {d for d in e.deps if d != "time"}
    roots = [r for r, e in eqs.items() if e.kind in ("stock", "initial")]
    for r in _topological(roots, init_nodes, "initial values depend on each other in a loop", names):
        e = eqs[r]
        expr = b.build(e.initial if e.kind in ("stock", "initial") else e.ast, e.name).expression
        emit(f"    {e.local} = {expr}")
    # the time loop: dynamic auxiliaries needed by the flows and the recorded variables
    stocks = [r for r, e in eqs.items() if e.kind == "stock"]
    wanted = set()
    todo = [d for s in stocks for d in eqs[s].deps] + [by_name[n].ref for n in record]
    while todo:
        r = todo.pop()
        if r == "time" or r in wanted or eqs[r].kind != "aux" or not dynamic[r]:
            continue
        wanted.add(r)
        todo.extend(eqs[r].deps)
    ddeps = {r: {d for d in eqs[r].deps if d in wanted} for r in wanted}
    order = _topological(sorted(wanted), ddeps, "algebraic loop with no stock in it", names)
    emit("    t = t0")
    emit("    for i in range(nsteps + 1):")
    emit("        time = t")
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
    for r in stocks:
        emit(f"        d_{eqs[r].local} = {b.build(eqs[r].ast, eqs[r].name).expression}")
    emit("        dt = " + eqs["time_step"].local)
    for r in stocks:
        e = eqs[r]
        new = f"{e.local} + d_{e.local}*dt"
        emit(f"        {e.local} = " + (f"np.maximum({new}, 0)" if e.non_negative else new))
    emit("        t = t + dt")
    emit("    return None")
    return "\n".join(lines) + "\n"


def _lookup_default(ast) -> tuple[tuple[float, ...], tuple[float, ...]]:
    return tuple(float(v) for v in ast.x), tuple(float(v) for v in ast.y)


@cache
def _build_cached(path: str, digest: str) -> Engine:
    eqs = _equations(Path(path))
    _generate(eqs, ())  # validates every equation and finds loops before anything runs
    for ctl in ("initial_time", "time_step"):
        if ctl not in eqs:
            raise SnowballError(f"{Path(path).name}: the control variable {ctl.upper()} is missing")
    kinds = {e.name: e.kind for e in eqs.values()}
    constants = {e.name: float(_number(e.ast)) for e in eqs.values() if e.kind in ("constant", "control")}
    tables = {e.name: _lookup_default(e.ast) for e in eqs.values() if e.kind == "lookup"}
    return Engine(
        model_sha256=digest,
        kinds=kinds,
        constants=constants,
        tables=tables,
        time_step=float(_number(eqs["time_step"].ast)),
        initial_time=float(_number(eqs["initial_time"].ast)),
        _eqs=eqs,
    )


def build_engine(path: Path = MODEL_FILE) -> Engine:
    """Parse ``path`` with pysd and compile the vectorised engine (cached by the file's hash)."""
    path = Path(path)
    if not path.is_file():
        raise SnowballError(f"{path}: model file is missing")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return _build_cached(str(path.resolve()), digest)
