"""`snowball bond`: convert between price and yield for a plain Treasury, using the model's equation.

The pricing formula lives once, in the .mdl (``calculator price``); this module only sets the
calculator's inputs, evaluates the model at its initial time and, for a yield, solves the model's
price for it (Brent's method).
"""

from __future__ import annotations

import contextlib
import io
import math

from scipy.optimize import brentq

from runners.core.errors import SnowballError
from runners.mdl import model
from runners.scenario.scenarios import check_value, resolve_parameter

LOW_YIELD, HIGH_YIELD = -49.0, 1000.0


def _in_range(option: str, name: str, value: float) -> None:
    """``value`` within the range the .mdl gives the calculator's constant ``name``; the error
    names the command's option (``--coupon``), which is what the user typed."""
    try:
        check_value(resolve_parameter(name), value)
    except SnowballError as exc:
        raise SnowballError(f"{option} {value:g}: {exc}") from None


def _check(coupon: float, years: float, face: float, frequency: int) -> None:
    _in_range("--coupon", "calculator coupon", coupon)
    _in_range("--years", "calculator years", years)
    if not (math.isfinite(years) and years > 0):
        raise SnowballError(f"--years must be a finite number above 0, got {years:g}")
    if not (math.isfinite(face) and face > 0):
        raise SnowballError(f"--face must be a finite number above 0, got {face:g}")
    if frequency not in (1, 2, 4, 12):
        raise SnowballError(f"--frequency must be 1, 2, 4 or 12 coupons a year, got {frequency}")


def price(coupon: float, years: float, yield_pct: float, face: float = 100.0, frequency: int = 2) -> float:
    """Price of a bond with ``coupon`` % a year, ``years`` to maturity, at ``yield_pct`` %."""
    _check(coupon, years, face, frequency)
    _in_range("--yield", "calculator yield", yield_pct)
    m = model.load_model()
    params = {
        "calculator coupon": coupon,
        "calculator years": years,
        "calculator frequency": frequency,
        "calculator yield": yield_pct,
        "bond face": face,
    }
    with contextlib.redirect_stdout(io.StringIO()):
        m.set_components(params)
        out = m.run(
            final_time=m.components.initial_time(), return_columns=["calculator price"], progress=False
        )
    return float(out["calculator price"].iloc[0])


def yield_from_price(
    coupon: float, years: float, price_: float, face: float = 100.0, frequency: int = 2
) -> float:
    """Yield to maturity, % a year compounded at the coupon frequency, of a bond bought at ``price_``."""
    _check(coupon, years, face, frequency)
    if not (math.isfinite(price_) and price_ > 0):
        raise SnowballError(f"--price must be a finite number above 0, got {price_:g}")
    high, low = (
        price(coupon, years, LOW_YIELD, face, frequency),
        price(coupon, years, HIGH_YIELD, face, frequency),
    )
    if not low < price_ < high:
        raise SnowballError(
            f"--price {price_:g} is outside what yields from {LOW_YIELD:g}% to {HIGH_YIELD:g}% give "
            f"({low:.4g} to {high:.4g})"
        )
    return float(
        brentq(lambda y: price(coupon, years, y, face, frequency) - price_, LOW_YIELD, HIGH_YIELD, xtol=1e-12)
    )
