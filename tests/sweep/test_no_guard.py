"""Issue 27 item 3: ``api.sweep`` from a plain script with no ``if __name__ == "__main__":`` guard
(before: every worker ran the script again and the sweep failed, blaming memory), from ``python -c``
(the REPL's case) and through the command line, with the same numbers."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from runners.core.paths import REPO

SCRIPT = """\
from runners import api
print("top of the script")
result = api.sweep("monte-carlo", draws=2000, workers=2, out={out!r})
print("shape", result.summary.shape)
"""


def _python(args: list[str], cwd) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_a_plain_script_sweeps_without_a_guard(tmp_path):
    script = tmp_path / "my_sweep.py"
    script.write_text(SCRIPT.format(out=str(tmp_path / "out")), encoding="utf-8")
    done = _python([str(script)], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("top of the script") == 1  # no worker ran the script again
    assert "shape (" in done.stdout
    one_line = _python(
        ["-c", SCRIPT.replace("\n", ";").replace(";;", ";").format(out=str(tmp_path / "c"))], tmp_path
    )
    assert one_line.returncode == 0, one_line.stderr[-2000:]
    script_runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    c_runs = pd.read_parquet(tmp_path / "c" / "runs.parquet")
    pd.testing.assert_frame_equal(script_runs, c_runs)  # same seed, same draws, same numbers


@pytest.mark.parametrize(
    ("codes", "words"),
    [
        ([-15, -9], "killed by signal 9 (SIGKILL, which the system's out-of-memory killer sends)"),
        ([-9, -15], "killed by signal 9 (SIGKILL"),
        ([-15, 1], "exited with status 1"),
        ([-15], "killed by signal 15 (SIGTERM)"),  # only the pool's own stop: say so
        ([-11], "killed by signal 11 (SIGSEGV)"),
        ([], "ended without a word"),
    ],
)
def test_a_worker_that_dies_says_how(codes, words):
    """The pool stops the other workers with SIGTERM once one died: the other code tells."""
    from runners.sweep.failures import why_it_died

    assert words in why_it_died(codes)
