"""Paths from the package location, never from the working directory.

From a clone (``runners/`` beside ``models/`` and ``data/``) everything lives in the repository,
outputs included (``reports/``). From an installed wheel the model and data ship inside the
package (``runners/models``, ``runners/data``), outputs go to ``reports/`` in the current
directory, and the translated model to a user cache folder (:func:`cache_dir`).
"""

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
INSTALLED = not (PACKAGE.parent / "models" / "snowball.mdl").is_file()
REPO = PACKAGE if INSTALLED else PACKAGE.parent  # the folder that holds models/ and data/
MODELS = REPO / "models"
MODEL_FILE = MODELS / "snowball.mdl"
REPORTS = Path.cwd() / "reports" if INSTALLED else REPO / "reports"


def data_dir() -> Path:
    """The data folder: `data/` in the repository, or `$SNOWBALL_DATA_DIR` when set (a folder
    that exists: a missing one would otherwise surface as an unknown scenario or vintage, and an
    empty value, an unset shell variable, as the current folder)."""
    from .errors import SnowballError

    if "SNOWBALL_DATA_DIR" not in os.environ:
        return (REPO / "data").resolve()
    given = os.environ["SNOWBALL_DATA_DIR"]
    if not given.strip():
        raise SnowballError("SNOWBALL_DATA_DIR is set but empty; unset it or name a data folder")
    folder = Path(given).resolve()
    if not folder.is_dir():
        raise SnowballError(f"SNOWBALL_DATA_DIR={given}: no such folder; unset it or name a data folder")
    return folder


def cache_dir() -> Path:
    """Where an installed Snowball writes the translated model: `$SNOWBALL_CACHE_DIR`, else
    `$XDG_CACHE_HOME/snowball`, else `~/.cache/snowball`."""
    if os.environ.get("SNOWBALL_CACHE_DIR"):
        return Path(os.environ["SNOWBALL_CACHE_DIR"]).resolve()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return (Path(base) / "snowball").resolve()
