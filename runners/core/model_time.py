"""The model's time grid: the step times pysd integrates at, accumulated as pysd accumulates them.

Runs that return every step (``runners.mdl.model_data.model_step_times``) and the engine's
compiled programs need the same times to the last bit; this is their one home.
"""

from __future__ import annotations

import numpy as np


def step_times(dt: float, first: float, until: float) -> np.ndarray:
    """Step times accumulated exactly as pysd does (``t + dt`` repeatedly, never ``first + k dt``)."""
    t, out = float(first), []
    while t < until + dt / 2:
        out.append(t)
        t = t + dt
    return np.array(out)
