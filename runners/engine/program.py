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
(GET XLS/DIRECT ..., data variables) and the few functions not listed in ``runners.engine.build`` are
refused at build time with the equation's name.

Before a run, :mod:`runners.engine.fold` partially evaluates the generated function for the constants
every scenario shares (switched-off feedback loops cost nothing; ``Program.simulate(fold=...)``).

The engine is plain data (generated source, default constants and tables), so it pickles cheaply
to worker processes and Dask workers, which compile it themselves and need neither pysd nor the
model file.

The stages of the build have modules of their own: :mod:`runners.mdl.parse` (pysd's parse),
:mod:`runners.engine.clock` (the control variables), :mod:`runners.engine.desugar` (stateful
functions as hidden state), :mod:`runners.engine.build` (the generated source) and
:mod:`runners.engine.runtime` (what that source runs with). This module holds :class:`Engine`,
:class:`Program` and the on-disk cache of programs.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from runners.core.errors import SnowballError
from runners.core.model_time import step_times
from runners.core.paths import MODEL_FILE
from runners.engine.build import generate
from runners.engine.clock import Clock, read_clock
from runners.engine.desugar import Desugar
from runners.engine.equations import CONTROL, SUPPORTED, Equation, lookup_default, unsupported
from runners.engine.runtime import RUNTIME, compiled, interp, lookup, scalar_table
from runners.mdl.parse import normalise, number, parse_mdl

__all__ = [
    "FOLD_MIN_RUNS",
    "SUPPORTED",
    "Engine",
    "Program",
    "build_engine",
    "cached_program",
    "interp",
    "lookup",
    "normalise",
    "scalar_table",
    "step_times",
]

RPREC = 1e-5  # pysd's Time.rprec: a run ends once Time + TIME STEP x RPREC reaches FINAL TIME
MAX_STEPS = 10_000_000  # a clock that reads Time must reach FINAL TIME within this many steps


def _equations(path: Path) -> tuple[dict[str, Equation], Clock, frozenset[str]]:
    """The model's equations, the clock's values and the constants that fix its structure."""
    from pysd.translators.structures import abstract_expressions as ae

    am = parse_mdl(path)
    if len(am.sections) != 1:
        macros = ", ".join(s.name for s in am.sections if s.name != "__main__")
        raise SnowballError(f"{path.name}: macro '{macros}': macros are not supported by the sweep engine")
    out: dict[str, Equation] = {}
    raw: list[tuple[Equation, object]] = []
    for i, el in enumerate(am.sections[0].elements):
        name = el.name
        ref = normalise(name)
        local = f"v{i}_" + re.sub(r"\W", "_", ref)[:40]
        if ref in out or ref == "time":
            raise SnowballError(f"{path.name}: the name '{name}' is defined twice")
        if len(el.components) != 1:
            raise unsupported(name, "subscripts (an equation defined element by element)")
        comp = el.components[0]
        if any(comp.subscripts):
            raise unsupported(name, "subscripts")
        ast = comp.ast
        e = Equation(name, ref, local, "aux", ast)
        if comp.type == "Lookup":
            if not isinstance(ast, ae.LookupsStructure):
                Desugar(out, {})(ast, e)  # names what it is (external lookups ...)
                raise unsupported(name, "a lookup other than a hard-coded table")
            if ast.type != "interpolate":
                raise unsupported(name, "a lookup other than an interpolating table")
            e.kind = "lookup"
        elif comp.type == "Data":
            raise unsupported(name, "external data (a data variable)")
        elif ref in CONTROL:
            e.kind = "control"
        elif number(ast) is not None:
            e.kind = "constant"
        elif isinstance(ast, ae.IntegStructure):
            e.kind = "stock"
        elif isinstance(ast, ae.InitialStructure):
            e.kind, e.initial = "initial", ast.initial
        elif isinstance(ast, str | np.ndarray):
            raise unsupported(name, f"a {comp.type.lower()} component")
        out[ref] = e
        raw.append((e, ast))
    clock = read_clock(out, path)
    for ref in clock.dynamic:  # computed every step from Time, like any auxiliary
        out[ref].kind, out[ref].clock = "aux", True
    desugar = Desugar(out, clock.values)
    for e, ast in raw:  # stateful functions become hidden state, once every name is known
        if e.kind == "stock":
            e.ast, e.initial = desugar(ast.flow, e), desugar(ast.initial, e)
            e.non_negative = bool(ast.non_negative)
        elif e.kind == "initial":
            e.ast, e.initial = None, desugar(ast.initial, e)
        elif e.kind == "aux":
            e.ast = desugar(ast, e)
    return out, clock, frozenset(desugar.read)


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
        clock = compiled(self.clock_source, "clock")
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

    def values(self, constants: Mapping[str, float] | None = None) -> dict[str, object]:
        """One scenario's ``P`` (every constant and control by Vensim name): ``constants``, checked,
        over the .mdl's, with this program's INITIAL TIME."""
        return self._values(1, constants)

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
        keep, slot = record_slots(times, at)
        out = np.empty((len(keep), len(self.record), n))
        fn = compiled(_specialized(self.source, values) if _folds(fold, n) else self.source)
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
    _eqs: dict[str, Equation] = field(repr=False, compare=False)
    controls: dict[str, float] = field(default_factory=dict)  # INITIAL TIME, TIME STEP ... as built
    clock_inputs: frozenset[str] = frozenset()
    clock_source: str = ""  # ``clock(time)`` when a control variable reads Time (see Program.steps)

    @property
    def equations(self) -> dict[str, Equation]:
        """The parse as the generators read it (pysd spelling -> equation; runners.engine.js)."""
        return self._eqs

    def program(self, record: Sequence[str], initial_time: float | None = None) -> Program:
        """The compiled program that records ``record`` (Vensim names), starting at ``initial_time``
        (the vintage's initial state; default the .mdl's INITIAL TIME)."""
        return Program(
            self.model_sha256,
            generate(self._eqs, tuple(record)),
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


def record_slots(times: np.ndarray, at: str) -> tuple[np.ndarray, np.ndarray]:
    """Which steps a run records (``at``: "years", the steps on whole years; "steps", every one)
    and each step's row in the output (-1: not recorded): for the numpy and the JS back ends."""
    if at == "years":
        keep = np.flatnonzero(np.isclose(times, np.rint(times), rtol=0, atol=1e-6))
    elif at == "steps":
        keep = np.arange(len(times))
    else:
        raise SnowballError(f"at must be 'years' or 'steps', got {at!r}")
    slot = np.full(len(times), -1, dtype=np.int64)
    slot[keep] = np.arange(len(keep))
    return keep, slot


def _vector(value, n: int, name: str):
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return float(arr)
    if arr.shape != (n,):
        raise SnowballError(f"constant '{name}': expected a scalar or {n} values, got shape {arr.shape}")
    return arr


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
        out = specialize(source, known, RUNTIME)
        with _SPECIALIZED_LOCK:  # a Dask worker may run several chunks in threads
            while len(_SPECIALIZED) >= SPECIALIZED_KEEP:
                _SPECIALIZED.pop(next(iter(_SPECIALIZED)))
            _SPECIALIZED[key] = out
    return out


@cache
def _build_cached(path: str, digest: str) -> Engine:
    eqs, clock, order_inputs = _equations(Path(path))
    generate(eqs, ())  # validates every equation and finds loops before anything runs
    shown = {e.name: e for e in eqs.values() if not e.hidden}
    return Engine(
        model_sha256=digest,
        kinds={name: "control" if e.clock else e.kind for name, e in shown.items()},
        constants={name: float(number(e.ast)) for name, e in shown.items() if e.kind == "constant"},
        tables={name: lookup_default(e.ast) for name, e in shown.items() if e.kind == "lookup"},
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


def engine_code() -> list[Path]:
    """The files whose code a program depends on: every engine module and the .mdl parser."""
    from runners.mdl import parse

    return sorted(Path(__file__).parent.glob("*.py")) + [Path(parse.__file__)]


def cache_key(record: Sequence[str], path: Path = MODEL_FILE) -> dict:
    """What a program generated from ``path`` for ``record`` depends on: the .mdl's sha256, the
    engine's code (:func:`engine_code`), pysd's version (it parses the .mdl) and ``record``."""
    from importlib import metadata

    from runners.core import cache

    path = Path(path)
    if not path.is_file():
        raise SnowballError(f"{path}: model file is missing")
    return {
        "model": cache.sha256_of(path),
        "engine": [cache.file_sha256(str(f)) for f in engine_code()],
        "record": list(record),
        "pysd": metadata.version("pysd"),
    }


def cached_program(
    record: Sequence[str], initial_time: float | None = None, path: Path = MODEL_FILE
) -> Program:
    """:meth:`Engine.program` from the on-disk cache (``runners.core.cache``), without pysd.

    Keyed by the .mdl's sha256, the sha256 of the engine's code (:func:`engine_code`: a change to
    any engine module rebuilds every program), pysd's version and ``record``; on a miss pysd parses
    the .mdl once and the program is stored. A damaged entry is built again (``runners.core.cache``
    checks each entry's digest).
    """
    from runners.core import cache

    key = cache_key(record, path)
    digest = key["model"]

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
