"""The Vensim text parser: pysd's abstract model of an ``.mdl`` and the small readers of its trees.

pysd parses the ``.mdl`` into typed syntax trees (an ``AbstractModel``); the sweep engine
(:mod:`runners.engine`), the unit checker (:mod:`runners.mdl.units`) and the views
(:mod:`runners.mdl.views`) all read the model through :func:`parse_mdl`.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np

from runners.core.errors import SnowballError


def normalise(name: str) -> str:
    """pysd's reference spelling of a Vensim name (lower case, spaces as underscores)."""
    return re.sub(r"[\s_]+", "_", name.strip().lower())


def number(value) -> float | int | None:
    """The number a syntax-tree node is (a constant), or None for anything else (booleans too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    return None


def parse_mdl(path: Path):
    """pysd's abstract model of ``path`` (warnings from the parser silenced locally)."""
    from runners.mdl.model import read_mdl

    read_mdl(path)  # pysd would read a truncated or non-UTF-8 file as a smaller model
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*chardet.*", category=DeprecationWarning)
        from pysd.translators.vensim.vensim_file import VensimFile

        try:
            vf = VensimFile(path)
            vf.parse()
            return vf.get_abstract_model()
        except Exception as exc:  # pysd raises many types; the translator names the equation
            from runners.mdl.model import diagnose

            raise SnowballError(f"{path.name}: {diagnose(path, exc)}") from None
