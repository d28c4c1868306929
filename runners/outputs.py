"""Write output folders atomically and safely: build in a temporary sibling, then move into place.

A failed run therefore never leaves a half-written folder, and a finished one is only replaced
once its successor is complete. Every folder Snowball writes carries a marker file
(:data:`MARKER`); only such folders (or empty ones) are replaced. Any other folder is refused
unless the user passes ``--force``, and ``--force`` never replaces a file, the current folder,
``/``, the home folder, the repository, ``data/``, ``models/``, anything inside ``data/`` or
``models/``, or a folder that holds one of them.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .errors import SnowballError
from .paths import MODELS, REPO, data_dir
from .registry import BY_NAME, RATING_COLUMN

MARKER = ".snowball-output"
MARKER_TEXT = "This folder was written by snowball; `--out` may replace it as a whole.\n"
MARKER_LIST = "The files it wrote (any other file here is a user's, and keeps it from being replaced):\n"


def written_files(folder: Path) -> list[str]:
    """Every file in an output folder ('/'-separated paths, sorted) but the marker: what a
    manifest hashes and the marker lists (the marker itself is bookkeeping, rewritten last)."""
    files = (p.relative_to(folder).as_posix() for p in Path(folder).rglob("*") if p.is_file())
    return sorted(f for f in files if f != MARKER)


def marker_text(folder: Path) -> str:
    """The marker for an output folder: MARKER_TEXT, then every file in it, one a line."""
    return MARKER_TEXT + MARKER_LIST + "".join(f"{f}\n" for f in written_files(folder))


def foreign_files(folder: Path) -> list[str]:
    """Files in a folder Snowball wrote that its marker does not list (a user's, put there since);
    none for a marker written before the markers listed their files."""
    try:
        text = (folder / MARKER).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return []
    if MARKER_LIST not in text:
        return []
    listed = set(text.split(MARKER_LIST, 1)[1].splitlines())
    try:
        return [f for f in written_files(folder) if f not in listed]
    except OSError:
        return []


def output_name(name: str, fallback: str = "output") -> str:
    """A safe folder name from a file stem: no separator, never '', '.' or '..'.

    Characters other than letters, digits, '.', '_' and '-' become '-'; leading dots are dropped
    (an output never hides itself).
    """
    clean = re.sub(r"[^A-Za-z0-9._-]+", "-", name).lstrip(".").strip("-")
    return clean if clean and clean not in (".", "..") else fallback


def _protected() -> list[Path]:
    """Folders an output may never replace (nor any folder that holds one of them)."""
    places = [lambda: Path("/"), Path.home, Path.cwd, lambda: REPO, lambda: REPO / "data"]
    places += [lambda: MODELS, data_dir]
    resolved = []
    for place in places:
        with contextlib.suppress(OSError, RuntimeError, KeyError):
            resolved.append(place().resolve())
    return resolved


def _inside_protected() -> list[Path]:
    """Folders whose contents an output may never replace (the model and its data)."""
    out = []
    for place in (lambda: REPO / "data", lambda: MODELS, data_dir):
        with contextlib.suppress(OSError, RuntimeError):
            out.append(place().resolve())
    return out


# what a folder written before the marker existed may hold (run, compare, brief, sweep, bench)
LEGACY_FILES = {
    "results.csv", "columns.csv", "run.json", "compare.csv", "manifest.json", "params.csv",
    "runs.parquet", "summary.csv", "sensitivity.csv", "calibration.csv", "fan.png", "tornado.png",
    "briefing.html", "briefing.md", "charts", "tables", "bench.json",
}  # fmt: skip


def is_snowball_output(folder: Path) -> bool:
    """True for a folder Snowball wrote: it carries the marker file, or it is an output written
    before the marker existed (only Snowball's own file names, and a run.json or manifest.json
    that records a snowball_version)."""
    if (folder / MARKER).is_file():
        return True
    try:
        names = {p.name for p in folder.iterdir()}
        if not names or not names <= LEGACY_FILES:
            return False
        for record in ("run.json", "manifest.json"):
            path = folder / record
            if path.is_file() and path.stat().st_size < 10_000_000:
                doc = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(doc, dict) and "snowball_version" in doc:
                    return True
    except (OSError, ValueError):
        return False
    return False


def check_target(target: Path, force: bool = False) -> Path:
    """Refuse an output path that would lose a user's files; return it absolute.

    Allowed: a path that does not exist, an empty folder, a folder carrying the marker and no file
    the marker does not list (a user's file put in an output folder is never deleted without
    ``force``), or (with ``force``) any other folder except the protected ones.
    """
    target = Path(target)
    if target.name in ("", ".", ".."):
        target = target.absolute()
    try:
        real = target.resolve()
    except (OSError, RuntimeError) as exc:
        raise SnowballError(f"--out {target}: cannot use this path ({exc})") from None
    for p in _protected():
        if real == p or p.is_relative_to(real):
            holds = "is" if real == p else "holds"
            raise SnowballError(
                f"--out {target}: refusing to replace it: it {holds} {p} (the current folder, the home "
                "folder, the repository, data/, models/ and / are never replaced); choose another --out"
            )
    for p in _inside_protected():
        if real.is_relative_to(p):
            raise SnowballError(
                f"--out {target}: refusing to write inside {p} (the model and its data); choose another --out"
            )
    if target.is_symlink():
        raise SnowballError(f"--out {target}: is a link; choose another --out (a folder path)")
    if target.exists() and not target.is_dir():
        raise SnowballError(
            f"--out {target}: exists and is not a folder snowball wrote; choose another --out "
            "(--force never replaces a file)"
        )
    extra = foreign_files(target) if target.is_dir() and not force and is_snowball_output(target) else []
    if extra:
        shown = ", ".join(extra[:3]) + (f" and {len(extra) - 3} more" if len(extra) > 3 else "")
        raise SnowballError(
            f"--out {target}: holds files snowball did not write ({shown}), which replacing "
            "the folder would delete; move them, choose another --out or pass --force"
        )
    if target.is_dir() and not is_snowball_output(target) and not force:
        try:
            empty = not any(target.iterdir())
        except OSError as exc:
            raise SnowballError(f"--out {target}: cannot read the folder ({exc.strerror})") from None
        if not empty:
            raise SnowballError(
                f"--out {target}: exists and was not written by snowball; "
                "choose another --out or pass --force"
            )
    return target


def check_inputs_outside(target: Path, inputs: list[Path | None]) -> None:
    """Refuse an output folder that is or holds one of the run's own input files (a scenario or
    sweep spec kept in an earlier output folder): replacing the folder would delete the input
    that the new folder's manifest names. Checked with or without ``--force``."""
    try:
        real = Path(target).resolve()
    except (OSError, RuntimeError):
        return  # check_target gives the message
    for path in inputs:
        if path is not None and Path(path).resolve().is_relative_to(real):
            raise SnowballError(
                f"--out {target}: holds {path}, an input of this run, which replacing the folder "
                "would delete; choose another --out or move the file"
            )


def make_dir(path: Path) -> Path:
    """Create ``path`` and its parents (permissions from the umask); one-line error on failure."""
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SnowballError(f"cannot create the folder {path} ({exc.strerror or exc})") from None
    return Path(path)


@contextlib.contextmanager
def locked(folder: Path, busy: str | None = None) -> Iterator[None]:
    """An exclusive lock on ``folder``: wait for it, or, given ``busy``, raise SnowballError(busy)
    at once when another process holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux/macOS
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (fcntl.LOCK_NB if busy else 0))
        except BlockingIOError:
            raise SnowballError(busy) from None
        yield
    finally:
        os.close(fd)


def _fresh_sibling(target: Path, suffix: str) -> Path:
    """Create and return an empty hidden folder beside ``target`` (permissions from the umask)."""
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{suffix}-{secrets.token_hex(4)}")
        try:
            tmp.mkdir()
        except FileExistsError:
            continue
        return tmp
    raise SnowballError(f"cannot create a temporary folder beside {target}")  # pragma: no cover


def _write_error(target: Path, exc: OSError) -> SnowballError:
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENAMETOOLONG:
        reason = "the name is too long"
    return SnowballError(f"cannot write {target}: {reason}")


@contextlib.contextmanager
def atomic_dir(target: Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``target`` only if the block succeeds.

    ``target`` is checked first (:func:`check_target`): a folder Snowball did not write is refused
    unless ``force``. The new folder carries the marker file. An OSError while writing (disk full,
    permissions) becomes a one-line SnowballError and the previous output is kept.
    """
    target = check_target(Path(target), force)
    make_dir(target.parent)
    try:
        tmp = _fresh_sibling(target, "tmp")
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        yield tmp
        (tmp / MARKER).write_text(marker_text(tmp), encoding="utf-8")  # what a later run may replace
        with locked(target.parent):
            check_target(target, force)  # unchanged while we were writing?
            if target.exists():
                old = target.with_name(f".{target.name}.old-{secrets.token_hex(4)}")
                target.rename(old)
                tmp.rename(target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                tmp.rename(target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _write_error(target, exc) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Byte-stable CSV: fixed float format and line endings."""
    frame.to_csv(path, float_format="%.6f", lineterminator="\n")


def write_json(obj: object, path: Path) -> None:
    """Byte-stable JSON: sorted keys, two-space indent, trailing newline."""
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")


# how each kind of column is reported (registry.Column.kind): the project's conventions in words
REPORTED = {
    "stock": "at the fiscal-year end",
    "flow": "fiscal-year total",
    "mean": "fiscal-year average",
    "ratio": "ratio of the columns in its definition",
}


def column_table() -> pd.DataFrame:
    """The column registry as a table (written beside results), with how each column is reported:
    a stock at the fiscal-year end, a flow as the fiscal-year total, a price or yield as the
    fiscal-year average, or a ratio of other columns."""
    rows = []
    for c in BY_NAME.values():
        rows.append((c.name, c.label, c.unit, c.definition, REPORTED[c.kind]))
        if c.name == "credit_rating_notch":  # results.csv's label column follows it
            rows.append((*RATING_COLUMN, REPORTED["stock"]))
    columns = ["column", "label", "unit", "definition", "reported"]
    return pd.DataFrame(rows, columns=columns).set_index("column")
