"""Paths from the package location, never from the working directory.

From a clone (``runners/`` beside ``models/`` and ``data/``) everything lives in the repository,
outputs included (``reports/``). From an installed wheel the model and data ship inside the
package (``runners/models``, ``runners/data``), outputs go to ``reports/`` in the current
directory, and the translated model to a user cache folder (:func:`cache_dir`).
"""

import contextlib
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # runners/, above core/
# a wheel ships runners/models/; a clone has models/ beside runners/ (even when its .mdl is missing,
# which is then reported as missing, not read as an installed package without data)
INSTALLED = (PACKAGE / "models").is_dir() or not (PACKAGE.parent / "models").is_dir()
REPO = PACKAGE if INSTALLED else PACKAGE.parent  # the folder that holds models/ and data/
MODELS = REPO / "models"
MODEL_FILE = MODELS / "snowball.mdl"
REPORTS = Path.cwd() / "reports" if INSTALLED else REPO / "reports"


def data_dir() -> Path:
    """The data folder: `data/` in the repository, or `$SNOWBALL_DATA_DIR` when set (a folder
    that exists: a missing one would otherwise surface as an unknown scenario or vintage, and an
    empty value, an unset shell variable, as the current folder)."""
    from runners.core.environment import check_data_dir

    if "SNOWBALL_DATA_DIR" not in os.environ:
        return (REPO / "data").resolve()
    check_data_dir(os.environ["SNOWBALL_DATA_DIR"])
    return Path(os.environ["SNOWBALL_DATA_DIR"]).resolve()


def cache_dir() -> Path:
    """Where an installed Snowball writes the translated model: `$SNOWBALL_CACHE_DIR`, else
    `$XDG_CACHE_HOME/snowball`, else `~/.cache/snowball`. A relative `$XDG_CACHE_HOME` is ignored,
    as the XDG specification says (it named a folder under wherever the command ran)."""
    if os.environ.get("SNOWBALL_CACHE_DIR"):
        return Path(os.environ["SNOWBALL_CACHE_DIR"]).resolve()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return (base / "snowball").resolve()


def recorded_path(path: Path) -> str:
    """How a manifest names a file: ``data/...`` for a file in the data folder (wherever
    ``$SNOWBALL_DATA_DIR`` puts it: its sha256, recorded beside, says which data), a path relative
    to the repository for another file inside it, else the path as given (a user's own file)."""
    from runners.core.errors import SnowballError

    real = Path(path).resolve()
    roots: list[tuple[Path, str]] = [(REPO, "")]
    with contextlib.suppress(SnowballError):  # an unusable $SNOWBALL_DATA_DIR: the loaders say so
        roots.insert(0, (data_dir(), "data/"))
    for root, prefix in roots:
        if real.is_relative_to(root):
            return prefix + real.relative_to(root).as_posix()
    return str(path)


def recorded_file(text: str) -> Path:
    """The file a manifest's :func:`recorded_path` names, in this checkout and data folder."""
    if Path(text).is_absolute():
        return Path(text)
    if text.startswith("data/"):
        return data_dir() / text.removeprefix("data/")
    return REPO / text
