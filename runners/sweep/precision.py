"""The precision of a Monte Carlo share: Wilson's 95% interval, and the share worded at the precision
its draws resolve.
"""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile: two-sided 95% intervals


def wilson(met: int, n: int) -> tuple[float, float]:
    """Wilson's 95% score interval for a probability estimated as ``met`` of ``n`` draws (exactly 0
    below when none met it, exactly 1 above when all did)."""
    if n <= 0:
        return float("nan"), float("nan")
    p, z2 = met / n, Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (0.0 if met <= 0 else max(0.0, centre - half)), (1.0 if met >= n else min(1.0, centre + half))


def share_pct(share: float, n: int) -> str:
    """``share`` (0-1) in percent at the precision ``n`` draws resolve (one draw in 10,000 is
    0.01%): never 0 or 100 unless exactly so."""
    if share in (0.0, 1.0):
        return f"{share * 100:.0f}%"
    digits = max(1, math.ceil(math.log10(max(n, 1))) - 2)
    while digits < 8 and round(share * 100, digits) in (0.0, 100.0):
        digits += 1
    return f"{share * 100:.{digits}f}%"


def draws_interval(met: int, n: int) -> str:
    """The precision of ``met`` of ``n`` draws: '95% interval 49.4-51.4%' (Wilson's)."""
    low, high = wilson(met, n)
    return f"95% interval {share_pct(low, n)[:-1]}\u2013{share_pct(high, n)}"


def draws_share(met: int, n: int) -> str:
    """A Monte Carlo share with its precision: '50.4% (95% interval 49.4-51.4%)'."""
    return f"{share_pct(met / n, n)} ({draws_interval(met, n)})"
