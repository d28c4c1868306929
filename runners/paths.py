"""Paths from the package location, never from the working directory."""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODELS = REPO / "models"
MODEL_FILE = MODELS / "snowball.mdl"
REPORTS = REPO / "reports"


def data_dir() -> Path:
    """The data folder: `data/` in the repository, or `$SNOWBALL_DATA_DIR` when set."""
    return Path(os.environ.get("SNOWBALL_DATA_DIR", REPO / "data")).resolve()
