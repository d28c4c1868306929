"""An on-disk cache of what does not change between runs (git-ignored ``.cache/`` folder).

Each entry is one JSON file named by the sha256 of its key (the hashes of everything that
produced it: the .mdl, the data files, the code that computes it, pysd's version) and written
atomically (a temporary file in the same folder, then ``os.replace``), so concurrent processes
never read half an entry. JSON keeps every float exactly (``repr`` round-trips). A folder that
cannot be written (a read-only install) only means nothing is cached. ``$SNOWBALL_CACHE_DIR``
moves the folder.

Entries are checked, not trusted (as the translation is, runners/mdl/model.py): each carries the
sha256 of its own key and value, and an entry that cannot be read, is not JSON, lacks a field,
fails that digest or that its reader refuses is computed again (and stored over the damaged one)
with a one-line note on stderr, so an edited file never changes a run.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from runners.core import paths


def cache_dir() -> Path:
    """The cache folder: ``$SNOWBALL_CACHE_DIR`` when set; else ``.cache/`` in a clone, or the
    user's cache folder (``~/.cache/snowball``) for an installed package (see paths.cache_dir)."""
    if os.environ.get("SNOWBALL_CACHE_DIR") or paths.INSTALLED:
        return paths.cache_dir()
    return paths.REPO / ".cache"


def sha256_of(path: str | Path) -> str:
    """sha256 of a file's bytes, read in blocks (the hash every manifest and cache key records)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


@cache
def file_sha256(path: str) -> str:
    """:func:`sha256_of` once per process (for code files, which do not change under a run)."""
    return sha256_of(path)


FORMAT = "sha256-of-key-and-value"  # the entries' layout: a change here gives every entry a new name

T = TypeVar("T")


def _path(kind: str, key: dict) -> tuple[Path, str]:
    text = json.dumps(key, sort_keys=True)
    name = hashlib.sha256(f"{FORMAT}\n{text}".encode()).hexdigest()[:32]
    return cache_dir() / f"{kind}-{name}.json", text


def _digest(key: object, value: object) -> str:
    """sha256 of an entry's key and value as JSON (keys sorted): what :func:`store` records."""
    text = json.dumps({"key": key, "value": value}, sort_keys=True, allow_nan=True)
    return hashlib.sha256(text.encode()).hexdigest()


def damaged(path: Path, why: str) -> None:
    """Say on stderr, in one line, that the cache file ``path`` was damaged and is rebuilt."""
    from runners.core.log import note
    from runners.core.paths import recorded_path

    note(f"snowball: note: {recorded_path(path)} was damaged ({why}); rebuilt")


def load(kind: str, key: dict, read: Callable[[dict], T] | None = None) -> T | dict | None:
    """The cached value for ``key`` (passed through ``read`` when given), or None to compute it.

    None when there is no entry; also, after a one-line note (:func:`damaged`), when the entry
    cannot be read, is not a JSON object of key, value and digest, fails its digest, names another
    key, or ``read`` raises on it (KeyError, TypeError, ValueError, IndexError, AttributeError or
    OverflowError: a malformed value).
    """
    path, text = _path(kind, key)
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):  # no entry (or no cache folder) yet
        return None
    except OSError as exc:
        damaged(path, f"unreadable: {exc.strerror or exc}")
        return None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        damaged(path, "not JSON")
        return None
    fields = {"key", "value", "sha256"}
    if not (isinstance(doc, dict) and set(doc) == fields and isinstance(doc["value"], dict)):
        damaged(path, "not a cache entry")
        return None
    if doc["sha256"] != _digest(doc["key"], doc["value"]):
        damaged(path, "digest mismatch")
        return None
    if json.dumps(doc["key"], sort_keys=True) != text:
        damaged(path, "written for another key")
        return None
    if read is None:
        return doc["value"]
    try:
        return read(doc["value"])
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError):
        damaged(path, "malformed value")
        return None


def store(kind: str, key: dict, value: dict) -> None:
    """Write ``value`` for ``key`` with its digest, atomically; silently skip when the folder
    cannot be written."""
    path, _ = _path(kind, key)
    # the digest is of the entry as it reads back (tuples as lists, keys as strings)
    body = json.loads(json.dumps({"key": key, "value": value}))
    body["sha256"] = _digest(body["key"], body["value"])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(body, fh)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return
