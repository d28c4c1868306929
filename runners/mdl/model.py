"""Translate the Vensim model with pysd (cached), load it, and make pysd's hot path fast.

The translated ``models/snowball.py`` is a build artefact: rebuilt whenever the ``.mdl``'s hash
or the ``.py``'s own hash differs from those recorded beside it, or when it fails to load.
pysd's lookups call ``xarray.interp`` once per step, which dominates run time (PYSD_NOTES.md);
:func:`enable_fast_lookups` answers the common case (1-D table, interpolate mode, ends clamped)
with ``numpy.interp`` and leaves every other case to pysd.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from runners.core.cache import sha256_of
from runners.core.errors import SnowballError
from runners.core.paths import INSTALLED, MODEL_FILE, cache_dir, recorded_path


def _pysd():
    """pysd, imported on first use (~0.4 s): what only reads the model's metadata never needs it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*chardet.*", category=DeprecationWarning)
        import pysd
    if os.environ.get(NO_DASK_CHECK) == "1":
        _xarray_without_dask()
    return pysd


NO_DASK_CHECK = "SNOWBALL_CLI_PROCESS"  # set by the `snowball` command for its own process


def _xarray_without_dask() -> None:
    """In the `snowball` command's own process: tell xarray once that dask is not there.

    xarray asks of every array pysd hands it whether it is a dask array, which imports dask.array
    (0.3 s of each run) when dask is installed (the test and dask extras). Snowball's runs never
    hold dask arrays, so the command answers 'not available' before the first question. Never done
    for the Python API: a notebook's own xarray may well hold dask arrays.
    """
    import sys

    if "dask.array" in sys.modules:
        return
    try:
        from xarray.namedarray import pycompat, utils
    except ImportError:  # pragma: no cover - another xarray layout: the check just costs its time
        return
    saved = sys.modules.get("dask")
    sys.modules["dask"] = None  # type: ignore[assignment]  # import dask fails: 'not available'
    try:
        pycompat._get_cached_duck_array_module("dask")  # both answers are cached by xarray
        utils.module_available("dask")
    except Exception:  # pragma: no cover - another xarray version: nothing answered
        pass
    finally:
        if saved is None:
            del sys.modules["dask"]
        else:
            sys.modules["dask"] = saved


SKETCH_LINE = "\\\\\\---///"  # \\\---/// opens the sketch, after the last equation
END_LINE = "///---\\\\\\"  # ///---\\\ closes the sketch section


def read_mdl(mdl: Path = MODEL_FILE) -> str:
    """The text of the model file ``mdl``, or a SnowballError when it cannot be a whole model.

    Refused, naming the file as manifests do (``models/snowball.mdl``): a missing or empty file,
    bytes that are not UTF-8 (pysd dropped them silently), and a truncated file, told by an
    equation left without its closing ``|`` or a sketch section without its end line (pysd, the
    unit check and ``--write-sketch`` read what was left as a smaller model); Snowball's own model
    file must also have its sketch (a file cut at the end of an equation has none).
    """
    shown = recorded_path(mdl)
    if not mdl.is_file():
        raise SnowballError(f"{shown}: model file is missing")
    try:
        data = mdl.read_bytes()
    except OSError as exc:
        raise SnowballError(f"{shown}: cannot read the model file ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SnowballError(
            f"{shown}: not UTF-8 text (byte {exc.start}, line {line}); save the model as UTF-8"
        ) from None
    if not text.strip():
        raise SnowballError(f"{shown}: the model file is empty")
    equations, marker, sketch = text.partition(SKETCH_LINE)
    rest = equations.rsplit("|", 1)[1] if "|" in equations else ""  # no '|': pysd names the block
    if rest.strip() and "---///" not in rest:  # a sketch line with two backslashes: pysd reads past it
        line = equations.count("\n") - rest.count("\n") + 1 + (len(rest) - len(rest.lstrip("\n")))
        raise SnowballError(
            f"{shown}: line {line}: an equation without its closing '|'; the file is truncated"
        )
    views = sketch.partition("\n")[2]  # what follows the sketch line (hand-written models: nothing)
    if marker and views.strip() and END_LINE not in views:
        raise SnowballError(
            f"{shown}: the sketch section has no end line '{END_LINE}'; the file is truncated"
        )
    if mdl.resolve() == MODEL_FILE.resolve() and not (marker and END_LINE in views):
        # Snowball's own model always has its sketch (model --write-sketch): without it, the file
        # may have been cut at the end of an equation
        raise SnowballError(
            f"{shown}: no sketch section ending with '{END_LINE}'; the file is truncated "
            "(restore it, e.g. git checkout models/snowball.mdl)"
        )
    return text


def model_hash(mdl: Path = MODEL_FILE) -> str:
    """sha256 of the model file: recorded in every output's manifest."""
    if not mdl.is_file():
        raise SnowballError(f"{recorded_path(mdl)}: model file is missing")
    return sha256_of(mdl)


TRANSLATION = "exact-lookups"  # how translate() calls pysd: a change here retranslates every cache


def translation_dir(mdl: Path = MODEL_FILE) -> Path:
    """Where the translation of ``mdl`` lives: beside it in a clone; in the user cache folder
    (one subfolder per .mdl location) when Snowball is installed, ``$SNOWBALL_CACHE_DIR`` is set
    or the .mdl's folder is not writable."""
    folder = mdl.resolve().parent
    if not INSTALLED and not os.environ.get("SNOWBALL_CACHE_DIR") and os.access(folder, os.W_OK):
        return folder
    key = hashlib.sha256(str(mdl.resolve()).encode()).hexdigest()[:16]
    return cache_dir() / f"{mdl.stem}-{key}"


def translated(mdl: Path = MODEL_FILE) -> Path:
    """The translated .py of ``mdl`` (see :func:`translation_dir`)."""
    return translation_dir(mdl) / f"{mdl.stem}.py"


def _stamp(mdl: Path) -> Path:
    return translation_dir(mdl) / f".{mdl.stem}.sha256"


def _pysd_version() -> str:
    """The installed pysd's version: a translation is pysd's code, so another pysd translates anew
    (the manifests record the version that ran; it must be the one that translated)."""
    from importlib import metadata

    return metadata.version("pysd")


def cache_valid(mdl: Path = MODEL_FILE) -> bool:
    """True when the translated .py belongs to this .mdl and is the file pysd wrote.

    The stamp records two hashes, the .mdl's and the translated .py's own, and pysd's version; a
    .py that was edited, truncated, left over from another .mdl or written by another pysd fails
    the check and is translated again.
    """
    py, stamp = translated(mdl), _stamp(mdl)
    try:
        recorded = stamp.read_text().split()
        return recorded == [model_hash(mdl), sha256_of(py), TRANSLATION, _pysd_version()]
    except (OSError, UnicodeDecodeError):
        return False


def translate(mdl: Path = MODEL_FILE, force: bool = False) -> Path:
    """Return the translated .py for ``mdl``, translating when the .mdl or the .py changed."""
    read_mdl(mdl)  # a missing, empty, truncated or non-UTF-8 file is refused, translated or not
    py, stamp, digest = translated(mdl), _stamp(mdl), model_hash(mdl)
    if not force and cache_valid(mdl):
        return py
    # translate a copy in a private folder, then move the result into place atomically, so
    # concurrent processes never see a half-written translation
    try:
        py.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SnowballError(
            f"{py.parent}: cannot write the translated model ({exc.strerror or exc}); "
            "set SNOWBALL_CACHE_DIR to a writable folder"
        ) from None
    with tempfile.TemporaryDirectory(prefix=".translate-", dir=py.parent) as tmp:
        copy = Path(tmp) / mdl.name
        shutil.copyfile(mdl, copy)
        try:
            # pysd writes lookup tables with numpy's print options (8 decimals by default):
            # print every number in full so the translation holds the .mdl's exact values
            with contextlib.redirect_stdout(io.StringIO()), np.printoptions(floatmode="unique"):
                _pysd().read_vensim(str(copy), initialize=False)
        except Exception as exc:  # pysd raises many types; name the equation instead
            raise SnowballError(f"{mdl.name}: {diagnose(mdl, exc)}") from None
        fresh = copy.with_suffix(".py")
        record = Path(tmp) / stamp.name
        record.write_text(f"{digest}\n{sha256_of(fresh)}\n{TRANSLATION}\n{_pysd_version()}\n")
        os.replace(fresh, py)
        os.replace(record, stamp)
    return py


def _blocks(text: str) -> list[tuple[int, str]]:
    """Equation blocks of an .mdl (before the sketch) with their starting line numbers."""
    body = text.split("\\\\\\---///", 1)[0]
    out, line = [], 1
    for block in body.split("|"):
        stripped = block.lstrip()
        start = line + block[: len(block) - len(stripped)].count("\n")
        if stripped.strip() and not stripped.startswith("{UTF-8}") or "~" in stripped:
            out.append((start, stripped.replace("{UTF-8}", "", 1).strip()))
        line += block.count("\n")
    return out


def diagnose(mdl: Path, exc: Exception) -> str:
    """Find the equation that breaks translation and say which, where and why."""
    _pysd()
    from pysd.translators.vensim.vensim_element import Element

    text = mdl.read_text(encoding="utf-8", errors="replace")
    defined: set[str] = set()
    blocks = [b for b in _blocks(text) if not b[1].startswith("*")]
    for line, block in blocks:
        parts = block.split("~")
        if len(parts) < 3:
            return f"line {line}: equation '{block[:60]}' needs units and a comment (two '~')"
        eq = re.sub(r"[\n\t\s]+", " ", re.sub(r"\\\n\t", " ", parts[0])).strip()
        name = re.split(r"[=(\[:]", eq, maxsplit=1)[0].strip()
        try:
            component = Element(eq, parts[1].strip(), parts[2].strip()).parse()
            if hasattr(component, "parse"):
                component.parse()
        except Exception as err:  # the grammar's message points inside the equation
            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            return f"line {line}: equation '{name}' does not parse ({reason})"
        defined.add(name.lower())
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for token in re.findall(r"'([^']+)'", detail):
        for line, block in blocks:
            if token.lower().replace("_", " ") in block.split("~")[0].lower():
                return f"line {line}: equation '{block.split('=')[0].strip()}' fails ({detail})"
    return f"translation failed ({type(exc).__name__}: {detail})"


xr = None  # xarray and pysd's lookups module, imported with pysd on first use (_pysd_parts)
_lookups = None


def _pysd_parts():
    """pysd's lookups module (and xarray), imported on first use."""
    global xr, _lookups
    if _lookups is None:
        _pysd()
        import xarray
        from pysd.py_backend import lookups

        xr, _lookups = xarray, lookups
    return _lookups


def _fast_call(self, x, final_subs=None):
    """numpy.interp for a 1-D interpolating table at a scalar x; pysd's own call otherwise."""
    data = self.data
    if (
        getattr(self, "interp", None) == "interpolate"
        and isinstance(data, xr.DataArray)
        and data.dims == ("lookup_dim",)
        and not (isinstance(x, xr.DataArray) and x.dims)
    ):
        cached = getattr(self, "_snowball_np", None)
        if cached is None or cached[0] is not data:
            xs = np.asarray(data["lookup_dim"].values, dtype=float)
            cached = (data, xs, np.asarray(data.values, dtype=float))
            self._snowball_np = cached
        return float(np.interp(float(x), cached[1], cached[2]))
    return super(type(self), self).__call__(x, final_subs)


def _fast_set(self, values):
    """A plain float Series on a scalar lookup: build the table in one step."""
    if isinstance(values, pd.Series) and not self.final_coords and values.dtype.kind == "f":
        ordered = values.sort_index()
        self.data = xr.DataArray(
            ordered.to_numpy(dtype=float),
            {"lookup_dim": ordered.index.to_numpy(dtype=float)},
            ["lookup_dim"],
        )
        return
    super(type(self), self).set_values(values)


FAST_LOOKUPS = True  # load_model's choice; pysd_lookups() turns it off for a block


@cache
def _fast_class(cls: type) -> type:
    """A subclass of pysd's lookup class ``cls`` with the fast call and setter."""
    attrs = {"__call__": _fast_call, "set_values": _fast_set, "_snowball_fast": True}
    return type(f"Fast{cls.__name__}", (cls,), attrs)


def _lookup_objects(m) -> list:
    """The lookup objects of one loaded pysd model (its translated module's globals)."""
    space = vars(m.components._components)
    lookups = _pysd_parts()
    return [v for v in space.values() if isinstance(v, lookups.Lookups)]


def enable_fast_lookups(m) -> None:
    """Answer ``m``'s 1-D interpolating lookups with numpy.interp (identical values; module doc).

    Only the lookup objects of model ``m`` change class; pysd's ``Lookups`` and every other
    model in the process keep pysd's own behaviour.
    """
    for obj in _lookup_objects(m):
        cls = type(obj)
        if not getattr(cls, "_snowball_fast", False):
            obj.__class__ = _fast_class(cls)


@contextlib.contextmanager
def pysd_lookups() -> Iterator[None]:
    """Runs inside this block use pysd's own lookup evaluation (to check the fast path)."""
    global FAST_LOOKUPS
    FAST_LOOKUPS = False
    try:
        yield
    finally:
        FAST_LOOKUPS = True


def disable_fast_lookups(m) -> None:
    """Give ``m``'s lookups back pysd's own evaluation (used to check the fast path against it)."""
    for obj in _lookup_objects(m):
        cls = type(obj)
        if getattr(cls, "_snowball_fast", False):
            obj.__class__ = cls.__mro__[1]


@dataclass(frozen=True)
class Parameter:
    """A settable model constant with its Vensim and Python names, units and allowed range."""

    name: str
    py_name: str
    units: str
    low: float | None
    high: float | None
    comment: str


def find_loop(dependencies: dict[str, dict]) -> list[str]:
    """An algebraic loop (a cycle of auxiliaries with no stock in between), or []."""
    graph = {
        name: [d for d in deps if d in dependencies and not d.startswith("_")]
        for name, deps in dependencies.items()
        if not name.startswith("_") and isinstance(deps, dict)
    }
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        stack.pop()
        return []

    for node in graph:
        if node not in state and (found := visit(node)):
            return found
    return []


def load_translated(path: Path):
    """Load a translated model, naming any algebraic loop instead of recursing."""
    with contextlib.redirect_stdout(io.StringIO()):
        m = _pysd().load(str(path), initialize=False)
    loop = find_loop(m._dependencies)
    if loop:
        names = {py: real for real, py in zip(m.doc["Real Name"], m.doc["Py Name"], strict=True)}
        chain = " -> ".join(names.get(n, n) for n in loop)
        raise SnowballError(f"{path.with_suffix('.mdl').name}: algebraic loop with no stock in it: {chain}")
    with contextlib.redirect_stdout(io.StringIO()):
        m.initialize()
    return m


@cache
def base_model():
    """The pysd model translated from the .mdl and loaded once per process (rebuilt once if damaged)."""
    path = translate()
    try:
        return load_translated(path)
    except SnowballError:
        raise
    except Exception:  # a damaged translation that slipped past the hashes: rebuild it once
        return load_translated(translate(force=True))


@cache
def model_meta() -> dict:
    """What the rest of Snowball reads from the model without running it: the constants' values,
    units, ranges and comments, and the lookup tables (from pysd's translation, cached on disk by
    the .mdl's hash, pysd's version and this file's hash, so a run that only checks its inputs
    never loads pysd)."""
    from importlib.metadata import version

    from runners.core import cache

    key = {"model": model_hash(), "pysd": version("pysd"), "code": cache.file_sha256(__file__)}
    doc = cache.load("model-meta", key, _checked_meta)
    if doc is not None:
        return doc
    m = base_model()
    doc = {"doc": [], "constants": {}, "lookups": {}}
    for row in m.doc.to_dict("records"):
        name, py = row["Real Name"], row["Py Name"]
        lims = row["Limits"] if isinstance(row["Limits"], tuple) else (None, None)
        lims = [None if (v is None or np.isnan(v)) else float(v) for v in lims]
        doc["doc"].append(
            {
                "name": name,
                "py_name": py,
                "type": row["Type"],
                "subscripted": bool(row["Subscripts"]),
                "units": str(row["Units"]),
                "limits": lims,
                "comment": str(row["Comment"]),
            }
        )
        if row["Subscripts"] or name in CONTROL:
            continue
        if row["Type"] == "Constant":
            doc["constants"][name] = float(getattr(m.components, py)())
        elif row["Type"] == "Lookup":
            data = m._dependencies[py]["__lookup__"]
            table = getattr(m.components, data).data
            xs = table["lookup_dim"].values.astype(float)
            doc["lookups"][name] = [xs.tolist(), table.values.astype(float).tolist()]
    cache.store("model-meta", key, doc)
    return doc


def _checked_meta(doc: dict) -> dict:
    """The cached metadata ``doc`` when it has the fields and types :func:`model_meta` writes, else
    TypeError or ValueError (a malformed entry, which runners.core.cache rebuilds)."""
    rows, constants, lookups = doc["doc"], doc["constants"], doc["lookups"]
    if not (isinstance(rows, list) and isinstance(constants, dict) and isinstance(lookups, dict)):
        raise TypeError("model metadata: 'doc' must be a list, 'constants' and 'lookups' objects")
    fields = {"name": str, "py_name": str, "subscripted": bool, "units": str, "comment": str}  # type: NaN for Time
    for row in rows:
        if any(not isinstance(row[k], kind) for k, kind in fields.items()) or len(row["limits"]) != 2:
            raise TypeError("model metadata: a malformed row")
        if any(v is not None and not isinstance(v, float) for v in row["limits"]):
            raise TypeError("model metadata: a limit that is not a number")
    if any(not isinstance(v, float) for v in constants.values()):
        raise TypeError("model metadata: a constant that is not a number")
    for xs, ys in lookups.values():
        if len(xs) != len(ys) or any(not isinstance(v, float) for v in [*xs, *ys]):
            raise ValueError("model metadata: a malformed lookup table")
    return doc


@cache
def defaults() -> dict[str, object]:
    """The .mdl's own value of every scalar constant and lookup table, captured once."""
    meta = model_meta()
    out: dict[str, object] = dict(meta["constants"])
    for name, (xs, ys) in meta["lookups"].items():
        out[name] = pd.Series(np.array(ys, dtype=float), index=np.array(xs, dtype=float))
    return out


def default(name: str) -> float:
    """The .mdl's own value of a scalar constant."""
    return float(defaults()[name])


def discard() -> None:
    """Drop the loaded model after a failed run: pysd leaves a failed run's state behind."""
    base_model.cache_clear()
    model_meta.cache_clear()
    defaults.cache_clear()
    doc.cache_clear()


def load_model():
    """The pysd model with every constant and table reset to the .mdl's values.

    Resetting everything a run can set (rather than pysd's ``reload``, ~0.1 s here) makes each
    run start clean: no parameter leaks from one run into the next (tested).
    """
    model = base_model()
    if FAST_LOOKUPS:
        enable_fast_lookups(model)
    else:
        disable_fast_lookups(model)
    with contextlib.redirect_stdout(io.StringIO()):
        model.set_components(defaults())
    return model


@cache
def doc():
    """pysd's table of the model's variables (names, units, limits, comments), loaded once."""
    return base_model().doc


CONTROL = {"INITIAL TIME", "FINAL TIME", "TIME STEP", "SAVEPER"}


def parameters() -> dict[str, Parameter]:
    """Settable constants (those the .mdl gives a range; not the clock), keyed by Vensim name."""
    out = {}
    for row in model_meta()["doc"]:
        low, high = row["limits"]
        if (
            row["type"] != "Constant"
            or row["subscripted"]
            or row["name"] in CONTROL
            or (low is None and high is None)
        ):
            continue
        name = row["name"]
        out[name] = Parameter(name, row["py_name"], row["units"], low, high, row["comment"])
    return out


def tables() -> dict[str, str]:
    """Lookup tables a scenario may replace, Vensim name -> Python name."""
    return {row["name"]: row["py_name"] for row in model_meta()["doc"] if row["type"] == "Lookup"}
