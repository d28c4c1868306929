"""What generated engine programs run with: Vensim's functions vectorised over scenarios, lookups
at a scalar or per-scenario argument, pysd's step times, and the compiler of generated source.

A program's source (:mod:`runners.engine.build`) is compiled by :func:`compiled` in the namespace
:data:`RUNTIME`, so that it needs numpy only (no pysd, no model file) on a worker.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right

import numpy as np

from runners.core.errors import SnowballError

SMALL_VENSIM = 1e-6  # pysd's threshold for XIDZ/ZIDZ: |denominator| below it counts as zero


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


_COMPILED: dict[str, object] = {}
RUNTIME = {
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


def compiled(source: str, name: str = "simulate"):
    key = hashlib.sha256(source.encode()).hexdigest()
    fn = _COMPILED.get(key)
    if fn is None:
        namespace = dict(RUNTIME)
        exec(compile(source, f"<snowball engine {key[:12]}>", "exec"), namespace)
        fn = namespace[name]
        _COMPILED[key] = fn
    return fn
