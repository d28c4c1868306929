"""What produced a run's results, as ``run.json`` records it: the scenario, overrides, calibration
set, data vintage and files, the model's hash and the versions of Snowball, pysd and what it
computes with."""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Protocol

from runners import __version__
from runners.core.paths import recorded_path
from runners.inputs.vintage import ModelInputs
from runners.mdl import model
from runners.scenario.scenarios import Scenario


class Produced(Protocol):
    """What a manifest records of a run (``runners.projection.run.RunResult`` is one): declared
    here so that this module needs nothing from the run's, which calls it."""

    scenario: Scenario
    until: int
    overrides: dict[str, float]
    inputs: ModelInputs
    calibration: str


def run_manifest(result: Produced, command: list[str] | None = None) -> dict:
    """What produced ``result``: scenario, overrides, data vintage, model hash, versions and
    ``command`` (the command line; None when called from Python)."""
    from importlib.metadata import version

    import pysd

    from runners.core.cache import sha256_of
    from runners.core.paths import data_dir
    from runners.scenario.supply_effects import calibration_dir, get_set

    s = result.scenario
    # read by every run besides the vintage's files: the calibration sets (beneath the
    # scenario's constants) and the history (the milestones reach back into it)
    other = [calibration_dir() / "supply-effects.toml", data_dir() / "history" / "historical_fy.csv"]
    return {
        "scenario": scenario_record(s),
        "overrides": result.overrides,
        "calibration": result.calibration,
        "calibration_constants": get_set(result.calibration).constants,
        "until": result.until,
        "data_vintage": result.inputs.vintage,
        "data_files": result.inputs.files,
        "other_data_files": {display_path(p): sha256_of(p) for p in other},
        "model_file": "models/snowball.mdl",
        "model_sha256": model.model_hash(),
        "snowball_version": __version__,
        "pysd_version": pysd.__version__,
        # what pysd computes with (its integration, lookups and the results' frames)
        "packages": {name: version(name) for name in ("numpy", "pandas", "xarray", "scipy")},
        "python_version": platform.python_version(),
        # the command line as typed (the CLI); None from Python, where sys.argv is the
        # notebook kernel's or the test runner's own, with this machine's paths in it
        "command": list(command) if command is not None else None,
    }


def scenario_record(s: Scenario) -> dict:
    """A scenario as manifests record it: name, title, file (display_path) and the sha256 of its
    bytes, and the constants and table points the run used (a Scenario changed in memory records
    its own values beside the file it came from)."""
    from runners.core.cache import sha256_of

    return {
        "name": s.name,
        "title": s.title,
        "path": display_path(s.path),
        "sha256": sha256_of(s.path) if s.path is not None and Path(s.path).is_file() else None,
        "constants": s.constants,
        "tables": s.table_points(),
        "paths": list(s.paths),  # the --path / paths= texts, canonical, in the order applied
    }


def display_path(path: Path | None) -> str | None:
    """A path as manifests record it (paths.recorded_path): ``data/...`` for a file in the data
    folder wherever it is, relative to the repository inside it (so manifests do not depend on the
    clone or on where ``$SNOWBALL_DATA_DIR`` puts the data), else absolute."""
    return None if path is None else recorded_path(path)
