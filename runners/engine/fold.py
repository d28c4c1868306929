"""Partial evaluation of a generated engine program for the constants a run holds fixed.

A sweep varies a few inputs and leaves the rest at one value for every scenario; with the
feedback loops switched off (their switch constants are 0), about a third of the engine's array
operations compute terms that are zero in every scenario (``switch x lookup(...)``), and the
stocks those loops feed never move. :func:`specialize` rewrites the generated ``simulate`` source
(Python, from :mod:`runners.engine.program`) so that such work is not done:

- an expression whose inputs are all fixed (shared scalars) is known; a known condition picks its
  branch of IF THEN ELSE, and a choice between two equal known values is that value;
- a product with a known zero is zero, and a known zero added to (or subtracted from) a term
  leaves the term; ZIDZ(0, b) is zero;
- a stock whose flows are known and leave it where it is, every step, is a constant (found by an
  optimistic fixed point over the time loop);
- known zeros are written as literals, and every assignment nothing reads any more is dropped.

No equation is re-written: the pass only simplifies the Python that was generated from pysd's own
parse of the ``.mdl``. Results equal the unspecialised program's everywhere except that a term
multiplied by a zero constant no longer carries its sign (``0 x -3`` gives 0.0, not -0.0) or its
NaN into the sum: a switched-off loop contributes exactly nothing (tested against the
unspecialised program and against pysd). Which constants are fixed, and their values, are the
same in every chunk of a sweep, so the specialised code, and every output byte, does not depend
on the chunking.

The generated code is the only input: anything this pass does not recognise is left as it is.
Values that are known but not zero stay as the expressions that compute them (cheap scalar code),
so the specialised source depends only on the decisions taken, and one compiled function serves
every run that takes the same decisions.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Mapping

import numpy as np

UNKNOWN = object()  # a value that differs by scenario or by step (an array, time, state)

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.FloorDiv: operator.floordiv,
}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}
_COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
# runtime helpers (runners.engine.runtime.RUNTIME) that are pure functions of their arguments
_PURE_HELPERS = {
    "_ite",
    "_xidz",
    "_div",
    "_zidz",
    "_integer",
    "_quantum",
    "_modulo",
    "_step",
    "_ramp",
    "_pulse",
}


def _scalar(value: object) -> bool:
    return isinstance(value, bool | int | float | np.generic) and np.ndim(value) == 0


def _is_zero(value: object) -> bool:
    return value is not UNKNOWN and _scalar(value) and not isinstance(value, np.bool_) and value == 0


def _same(a: object, b: object) -> bool:
    """The same number to the bit, sign of zero and NaN included (int 0 and float 0.0 alike)."""
    if a is UNKNOWN or b is UNKNOWN or not (_scalar(a) and _scalar(b)):
        return False
    x, y = float(a), float(b)
    if x != x or y != y:
        return x != x and y != y
    return x == y and math.copysign(1.0, x) == math.copysign(1.0, y)


def _literal(value: object) -> ast.expr | None:
    """A literal for a known zero (Python numbers only: a numpy scalar keeps its expression)."""
    if type(value) in (int, float) and value == 0:
        node = ast.Constant(0.0 if type(value) is float else 0)
        return ast.UnaryOp(ast.USub(), node) if math.copysign(1.0, value) < 0 else node
    return None


class _Folder:
    """Expression rewriting under an environment of known values (name -> value)."""

    def __init__(self, runtime: Mapping[str, object], known: Mapping[str, object]):
        self.runtime = runtime
        self.known = known  # P's fixed entries
        self.env: dict[str, object] = {}

    def function(self, node: ast.Call) -> object | None:
        f = node.func
        if isinstance(f, ast.Name) and f.id in _PURE_HELPERS:
            return self.runtime[f.id]
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "np":
            fn = getattr(np, f.attr, None)
            return fn if isinstance(fn, np.ufunc) else None
        return None

    def expr(self, node: ast.expr) -> tuple[ast.expr, object]:
        """``node`` rewritten, and its value (UNKNOWN unless every input it needs is known)."""
        new, value = self._expr(node)
        if value is not UNKNOWN:
            lit = _literal(value)
            if lit is not None:
                return lit, value
        return new, value

    def _expr(self, node: ast.expr) -> tuple[ast.expr, object]:  # noqa: C901 - one case per node
        if isinstance(node, ast.Constant):
            return node, node.value if _scalar(node.value) else UNKNOWN
        if isinstance(node, ast.Name):
            return node, self.env.get(node.id, UNKNOWN)
        if isinstance(node, ast.Subscript):  # P['name']: a constant, fixed or not
            return node, _p_value(node, self.known)
        if isinstance(node, ast.BinOp):
            left, a = self.expr(node.left)
            right, b = self.expr(node.right)
            if a is not UNKNOWN and b is not UNKNOWN:
                value = _evaluate(_BINARY.get(type(node.op)), a, b)
                if value is not UNKNOWN:
                    return ast.BinOp(left, node.op, right), value
            if isinstance(node.op, ast.Mult) and (_is_zero(a) or _is_zero(b)):
                return ast.Constant(0.0), 0.0
            if isinstance(node.op, ast.Add | ast.Sub) and _is_zero(b):
                return left, a
            if isinstance(node.op, ast.Add) and _is_zero(a):
                return right, b
            return ast.BinOp(left, node.op, right), UNKNOWN
        if isinstance(node, ast.UnaryOp):
            operand, a = self.expr(node.operand)
            value = UNKNOWN if a is UNKNOWN else _evaluate(_UNARY.get(type(node.op)), a)
            return ast.UnaryOp(node.op, operand), value
        if isinstance(node, ast.Compare):
            parts = [self.expr(node.left)] + [self.expr(c) for c in node.comparators]
            new = ast.Compare(parts[0][0], node.ops, [p[0] for p in parts[1:]])
            values = [p[1] for p in parts]
            if UNKNOWN in values or any(type(op) not in _COMPARE for op in node.ops):
                return new, UNKNOWN
            result = True
            for op, a, b in zip(node.ops, values, values[1:], strict=False):
                result = _evaluate(_COMPARE[type(op)], a, b)
                if result is UNKNOWN or not result:
                    break
            return new, result
        if isinstance(node, ast.Call) and not node.keywords:
            return self.call(node)
        return node, UNKNOWN

    def call(self, node: ast.Call) -> tuple[ast.expr, object]:
        fn = self.function(node)
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        if name == "_ite" and len(node.args) == 3:
            (cond, c), (a_node, a), (b_node, b) = (self.expr(x) for x in node.args)
            if c is not UNKNOWN and not isinstance(c, np.ndarray):
                return (a_node, a) if c else (b_node, b)
            if _same(a, b):
                return a_node, a
            return ast.Call(node.func, [cond, a_node, b_node], []), UNKNOWN
        args = [self.expr(x) for x in node.args]
        new = ast.Call(node.func, [a[0] for a in args], [])
        values = [a[1] for a in args]
        if name == "_zidz" and len(values) == 2 and _is_zero(values[0]):
            return ast.Constant(0.0), 0.0
        if fn is None or UNKNOWN in values:
            return new, UNKNOWN
        return new, _evaluate(fn, *values)


def _evaluate(fn, *args) -> object:
    """``fn(*args)`` as the program would compute it (numpy's error state), or UNKNOWN when it
    raises or its result is not a scalar."""
    if fn is None:
        return UNKNOWN
    try:
        with np.errstate(all="ignore"):
            value = fn(*args)
    except (ArithmeticError, ValueError, TypeError):
        return UNKNOWN
    return value if _scalar(value) else UNKNOWN


def _target(stmt: ast.stmt) -> str | None:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id
    return None


def specialize(source: str, known: Mapping[str, object], runtime: Mapping[str, object]) -> str:
    """``source`` (a generated ``simulate``) simplified for the fixed inputs ``known`` (the keys of
    its ``P`` argument that hold one scalar for every scenario, with their values); ``runtime``:
    the helper functions the program is compiled with. Returns ``source`` itself when nothing is
    known or the code is not of the generated shape."""
    if not known:
        return source
    tree = ast.parse(source)
    fn = tree.body[0] if len(tree.body) == 1 else None
    if not isinstance(fn, ast.FunctionDef):
        return source
    loops = [i for i, s in enumerate(fn.body) if isinstance(s, ast.For)]
    if len(loops) != 1:
        return source
    pre, loop, post = fn.body[: loops[0]], fn.body[loops[0]], fn.body[loops[0] + 1 :]
    folder = _Folder(runtime, known)

    # before the loop: constants, tables, static values and initial values, in order
    body = [_rewrite(stmt, folder) for stmt in pre]
    start = dict(folder.env)

    # the loop: assume every stock with a known initial value stays put; drop those that move
    assigned = {n for s in ast.walk(loop) if isinstance(s, ast.Assign) for n in _names(s.targets)}
    stocks = {n for n in assigned if n in start}
    while True:
        folder.env = {k: v for k, v in start.items() if k not in assigned or k in stocks}
        moved = set()
        for stmt in _statements(loop.body):
            name = _target(stmt)
            if name is None:
                continue
            value = folder.expr(stmt.value)[1]
            if name in stocks:
                if not _same(value, start[name]):
                    moved.add(name)
            elif value is UNKNOWN:
                folder.env.pop(name, None)
            else:
                folder.env[name] = value
        if not moved:
            break
        stocks -= moved

    # the loop rewritten with what stays fixed: the constant stocks' updates go
    folder.env = {k: v for k, v in start.items() if k not in assigned or k in stocks}
    body.append(
        ast.For(
            loop.target,
            loop.iter,
            [_rewrite(st, folder) for st in loop.body if _target(st) not in stocks],
            loop.orelse,
        )
    )
    body.extend(post)
    fn.body = _drop_dead(body)
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def _p_value(node: ast.expr, known: Mapping[str, object]) -> object:
    """The value of ``P['name']`` when ``name`` is fixed, else UNKNOWN."""
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "P"
        and isinstance(node.slice, ast.Constant)
        and node.slice.value in known
        and _scalar(known[node.slice.value])
    ):
        return known[node.slice.value]
    return UNKNOWN


def _names(targets: list[ast.expr]) -> list[str]:
    """The names an assignment binds (not those a subscripted target reads)."""
    return [
        n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    ]


def _statements(body: list[ast.stmt]):
    """The loop's statements in execution order (into ``if`` blocks: the output block)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If):
            yield from _statements(stmt.body)


def _rewrite(stmt: ast.stmt, folder: _Folder) -> ast.stmt:
    """One statement with its expressions rewritten (assignments of known values keep them)."""
    if isinstance(stmt, ast.Assign):
        new, value = folder.expr(stmt.value)
        name = _target(stmt)
        if name is not None:
            if value is UNKNOWN:
                folder.env.pop(name, None)
            else:
                folder.env[name] = value
        return ast.Assign(stmt.targets, new)
    if isinstance(stmt, ast.Expr):
        return ast.Expr(folder.expr(stmt.value)[0])
    if isinstance(stmt, ast.If):
        return ast.If(folder.expr(stmt.test)[0], [_rewrite(s, folder) for s in stmt.body], stmt.orelse)
    return stmt


def _drop_dead(body: list[ast.stmt]) -> list[ast.stmt]:
    """Drop the assignments nothing needs: a name is live when a statement that is not a plain
    assignment (the output block, a call, a loop or branch) reads it, or when a live name's
    assignment reads it; the rest (a switched-off loop's stocks and their flows) go together."""
    defs: dict[str, list[ast.stmt]] = {}
    roots: list[ast.stmt] = []
    for stmt in _all_statements(body):
        if _plain(stmt):
            for name in _names(stmt.targets):
                defs.setdefault(name, []).append(stmt)
        else:
            roots.append(stmt)
    live: set[str] = set()
    todo = [n for stmt in roots for n in _reads(stmt)]
    while todo:
        name = todo.pop()
        if name not in live:
            live.add(name)
            todo.extend(n for stmt in defs.get(name, ()) for n in _reads(stmt))
    return _without(body, lambda stmt: _plain(stmt) and not any(n in live for n in _names(stmt.targets)))


def _plain(stmt: ast.stmt) -> bool:
    """An assignment to names only (``a = ...``, ``a, b = ...``)."""
    return isinstance(stmt, ast.Assign) and all(
        isinstance(n, ast.Name) for t in stmt.targets for n in (t.elts if isinstance(t, ast.Tuple) else [t])
    )


def _reads(stmt: ast.stmt) -> list[str]:
    """The names ``stmt`` reads (an ``if``: its test; a loop: its range)."""
    if isinstance(stmt, ast.If):
        nodes = [stmt.test]
    elif isinstance(stmt, ast.For):
        nodes = [stmt.iter]
    else:
        nodes = [stmt]
    return [
        n.id for x in nodes for n in ast.walk(x) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    ]


def _all_statements(body: list[ast.stmt]):
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.For | ast.If):
            yield from _all_statements(stmt.body)


def _without(body: list[ast.stmt], dead) -> list[ast.stmt]:
    out = []
    for stmt in body:
        if isinstance(stmt, ast.For):
            out.append(ast.For(stmt.target, stmt.iter, _without(stmt.body, dead), stmt.orelse))
        elif isinstance(stmt, ast.If):
            out.append(ast.If(stmt.test, _without(stmt.body, dead) or [ast.Pass()], stmt.orelse))
        elif not dead(stmt):
            out.append(stmt)
    return out
