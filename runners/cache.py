"""An on-disk cache of what does not change between runs (git-ignored ``.cache/`` folder).

Each entry is one JSON file named by the sha256 of its key (the hashes of everything that
produced it: the .mdl, the data files, the code that computes it, pysd's version) and written
atomically (a temporary file in the same folder, then ``os.replace``), so concurrent processes
never read half an entry. JSON keeps every float exactly (``repr`` round-trips). A folder that
cannot be written (a read-only install) only means nothing is cached. ``$SNOWBALL_CACHE_DIR``
moves the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path

from . import paths


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


def _path(kind: str, key: dict) -> tuple[Path, str]:
    text = json.dumps(key, sort_keys=True)
    return cache_dir() / f"{kind}-{hashlib.sha256(text.encode()).hexdigest()[:32]}.json", text


def load(kind: str, key: dict) -> dict | None:
    """The cached value for ``key``, or None (missing, unreadable or written for another key)."""
    path, text = _path(kind, key)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or json.dumps(doc.get("key"), sort_keys=True) != text:
        return None
    return doc.get("value")


def store(kind: str, key: dict, value: dict) -> None:
    """Write ``value`` for ``key`` atomically; silently skip when the folder cannot be written."""
    path, _ = _path(kind, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"key": key, "value": value}, fh)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return
