"""Write output folders atomically: build in a temporary sibling, then move into place.

A failed run therefore never leaves a half-written folder, and a finished one is only replaced
once its successor is complete.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .registry import BY_NAME


@contextlib.contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``target`` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Byte-stable CSV: fixed float format and line endings."""
    frame.to_csv(path, float_format="%.6f", lineterminator="\n")


def write_json(obj: object, path: Path) -> None:
    """Byte-stable JSON: sorted keys, two-space indent, trailing newline."""
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")


def column_table() -> pd.DataFrame:
    """The column registry as a table (written beside results)."""
    return pd.DataFrame(
        [(c.name, c.label, c.unit, c.definition) for c in BY_NAME.values()],
        columns=["column", "label", "unit", "definition"],
    ).set_index("column")
