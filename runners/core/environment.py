"""The environment is input: every variable Snowball or its libraries read, checked once at start.

Libraries read some of these variables when they are imported, with no message of their own:
numpy's f2py (imported by scipy) calls ``int()`` on ``SOURCE_DATE_EPOCH``, so an empty or
malformed value raised a ``ValueError`` from deep inside whichever command imported scipy first,
and matplotlib refuses an unknown ``MPLBACKEND`` the same way. :func:`check_environment` runs
before any of them (the ``snowball`` command calls it first, the Python API before a run), and a
bad value is one :class:`SnowballError` line naming the variable, its value and what is allowed.

An empty value means unset (as an unset shell variable expands to nothing), as the
reproducible-builds convention has it for ``SOURCE_DATE_EPOCH``; empty variables that a library
would misread (``int("")``) are removed from this process's environment. The one exception is
``SNOWBALL_DATA_DIR``: empty, it would read the current folder as the data, so it is refused.
Variables a machine sets for its own tuning (``OPENBLAS_CORETYPE``, ``OPENBLAS_L2_SIZE``) are
not read here and never refused.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import MutableMapping

from runners.core.errors import SnowballError, printable

EPOCH_LIMIT = 253402300800  # 1 January 10000 UTC: the first second datetime cannot date
EPOCH_EXAMPLE = "1767225600 for 1 January 2026"
MAX_THREADS = 4096  # a thread count above this is a typo (the libraries use at most the cores there)
# BLAS, OpenMP and numexpr read these when they load (OpenBLAS with atoi(), numexpr with int())
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "GOTO_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "NUMEXPR_MAX_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "BLIS_NUM_THREADS",
)
# SNOWBALL_CLI_PROCESS and SNOWBALL_PARENT_MAIN are set by Snowball itself for its own processes
SNOWBALL_VARIABLES = (
    "SNOWBALL_DATA_DIR",
    "SNOWBALL_CACHE_DIR",
    "SNOWBALL_DEBUG",
    "SNOWBALL_CLI_PROCESS",
    "SNOWBALL_PARENT_MAIN",
)
# matplotlib's built-in backends (any case); others are checked against its registry
MPL_BACKENDS = frozenset(
    [
        "gtk3agg",
        "gtk3cairo",
        "gtk4agg",
        "gtk4cairo",
        "macosx",
        "nbagg",
        "notebook",
        "qtagg",
        "qtcairo",
        "qt5agg",
        "qt5cairo",
        "tkagg",
        "tkcairo",
        "webagg",
        "wx",
        "wxagg",
        "wxcairo",
        "agg",
        "cairo",
        "pdf",
        "pgf",
        "ps",
        "svg",
        "template",
    ]
)
_DIGITS = re.compile(r"[0-9]{1,20}")  # ASCII only, and short: int() refuses over 4,300 digits
SHOWN = 80  # characters of a value an error quotes


def _bad(name: str, value: str, allowed: str) -> SnowballError:
    """The one-line error for a variable: its name, its value (the first SHOWN characters) and what
    is allowed."""
    shown = value if len(value) <= SHOWN else f"{value[:SHOWN]}... ({len(value):,} characters)"
    return SnowballError(f"{name}={printable(shown)}: {allowed}")


def check_data_dir(value: str) -> None:
    """``SNOWBALL_DATA_DIR``: a folder that exists (a missing one would otherwise surface as an
    unknown scenario or vintage; an empty value, an unset shell variable, as the current folder)."""
    if not value.strip():
        raise SnowballError("SNOWBALL_DATA_DIR is set but empty; unset it or name a data folder")
    if not os.path.isdir(value):
        raise _bad("SNOWBALL_DATA_DIR", value, "no such folder; unset it or name a data folder")


def source_date_epoch(environ: MutableMapping[str, str] | None = None) -> int | None:
    """``SOURCE_DATE_EPOCH`` as whole seconds since 1 January 1970 UTC, or None when unset or empty.

    Only ASCII digits are accepted (no sign, space, fraction or exponent), below the year 10000: the
    value every library that reads it (numpy, matplotlib, the brief's date) takes the same way.
    """
    env = os.environ if environ is None else environ
    value = env.get("SOURCE_DATE_EPOCH")
    if not value:
        return None
    if not (_DIGITS.fullmatch(value) and int(value) < EPOCH_LIMIT):
        raise _bad(
            "SOURCE_DATE_EPOCH",
            value,
            "expected whole seconds since 1 January 1970 UTC in ASCII digits, before the year 10000 "
            f"(e.g. {EPOCH_EXAMPLE}); unset it (or set it empty) to use today's date",
        )
    return int(value)


def _check_threads(name: str, value: str) -> None:
    """A thread count: a whole number from 1 to MAX_THREADS (OMP_NUM_THREADS may list one per
    nesting level, ``4,2``)."""
    parts = value.split(",") if name == "OMP_NUM_THREADS" else [value]
    if not all(_DIGITS.fullmatch(p) and 1 <= int(p) <= MAX_THREADS for p in parts):
        levels = " (or one per nesting level, e.g. 4,2)" if name == "OMP_NUM_THREADS" else ""
        raise _bad(
            name,
            value,
            f"expected a whole number of threads from 1 to {MAX_THREADS}{levels}; unset it for the default",
        )


def _check_backend(value: str, env: MutableMapping[str, str]) -> None:
    """MPLBACKEND: a backend matplotlib knows (Snowball itself always draws with Agg)."""
    if value.lower() in MPL_BACKENDS or value.startswith("module://"):
        return
    del env["MPLBACKEND"]  # matplotlib refuses an unknown one on import: ask it without
    try:
        from matplotlib.backends.registry import backend_registry

        known = backend_registry.is_valid_backend(value)
    finally:
        env["MPLBACKEND"] = value
    if not known:
        raise _bad(
            "MPLBACKEND",
            value,
            'not a matplotlib backend (e.g. Agg; list them with python -c "from matplotlib.backends '
            'import backend_registry as r; print(r.list_all())"); unset it: snowball draws with Agg',
        )


def check_environment(environ: MutableMapping[str, str] | None = None) -> None:
    """Check every environment variable Snowball or its libraries read; a SnowballError naming the
    first bad one. Empty values (but SNOWBALL_DATA_DIR's) mean unset and are removed, so that no
    library reads "" as a number."""
    env = os.environ if environ is None else environ
    for name in ("SOURCE_DATE_EPOCH", *THREAD_VARIABLES, "MPLBACKEND"):
        if env.get(name) == "":
            del env[name]
    source_date_epoch(env)
    for name in THREAD_VARIABLES:
        if name in env:
            _check_threads(name, env[name])
    if "MPLBACKEND" in env:
        _check_backend(env["MPLBACKEND"], env)
    unknown = sorted(n for n in env if n.startswith("SNOWBALL_") and n not in SNOWBALL_VARIABLES)
    if unknown:  # a misspelt SNOWBALL_DATA_DIR would silently run on the default data
        close = difflib.get_close_matches(unknown[0], SNOWBALL_VARIABLES, n=1, cutoff=0.8)
        hint = f"did you mean {close[0]}? " if close else ""
        raise SnowballError(
            f"{printable(unknown[0])} is not a variable snowball reads; {hint}"
            f"snowball reads {', '.join(SNOWBALL_VARIABLES)}"
        )
    if env.get("SNOWBALL_DEBUG", "") not in ("", "0", "1"):
        raise _bad("SNOWBALL_DEBUG", env["SNOWBALL_DEBUG"], "expected 1 (print tracebacks) or 0 (do not)")
    if env.get("SNOWBALL_CLI_PROCESS", "") not in ("", "1"):
        raise _bad("SNOWBALL_CLI_PROCESS", env["SNOWBALL_CLI_PROCESS"], "set by snowball itself; unset it")
    if "SNOWBALL_DATA_DIR" in env:
        check_data_dir(env["SNOWBALL_DATA_DIR"])
    cache = env.get("SNOWBALL_CACHE_DIR", "")
    if cache and not cache.strip():  # a folder named by spaces, in the current folder
        raise _bad("SNOWBALL_CACHE_DIR", cache, "blank; unset it (or set it empty) or name a folder")
    if cache and os.path.exists(cache) and not os.path.isdir(cache):
        raise _bad("SNOWBALL_CACHE_DIR", cache, "names a file, not a folder; unset it or name a folder")
