"""Golden outputs: every built-in scenario's results under every vintage, as readable CSV.

``make golden`` (``python tests/golden.py``) rewrites them after a reviewed change to the numbers;
``tests/contract/test_golden.py`` compares fresh runs with them to 1e-9 relative. On a mismatch the test
writes ``*_actual.csv`` beside the golden file so the diff can be reviewed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

GOLDEN = Path(__file__).resolve().parent / "golden"
UNTIL = 2055


def golden_runs() -> dict[tuple[str, str], pd.DataFrame]:
    """(vintage, scenario) -> results of a fresh run."""
    from runners.inputs.vintage import available_vintages
    from runners.projection import run
    from runners.scenario.scenarios import builtin_names, load_scenario

    out = {}
    for vintage in available_vintages():
        for name in builtin_names():
            result = run.run(load_scenario(name), until=UNTIL, baseline=vintage)
            out[(vintage, name)] = result.results
    return out


def path_of(vintage: str, scenario: str, suffix: str = "") -> Path:
    """Where a golden file lives."""
    return GOLDEN / vintage / f"{scenario}{suffix}.csv"


def write(frame: pd.DataFrame, path: Path) -> None:
    """Full-precision, byte-stable CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, float_format="%.12e", lineterminator="\n")


def main() -> int:
    """Rewrite every golden file from fresh runs."""
    runs = golden_runs()
    for (vintage, name), frame in runs.items():
        write(frame, path_of(vintage, name))
    print(f"wrote {len(runs)} golden files under {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(GOLDEN.parent.parent))
    sys.exit(main())
