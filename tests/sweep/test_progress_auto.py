"""Issue 27 item 7: ``api.sweep(progress=True)`` draws its bar with tqdm.auto (a widget in Jupyter,
a line in a terminal), the stages as lines above it."""

from __future__ import annotations

import io

from runners.sweep.progress import AutoProgress


def test_the_bar_counts_the_runs_and_the_stages_print_above_it():
    p = AutoProgress(0, "sweep demo")
    p.stream = io.StringIO()
    p.stage("sampling the inputs")
    p.total = 40  # known once planned, as run_sweep sets it
    p.update(10, first=True)
    p.stage("running")
    p.update(40)
    p.close()
    text = p.stream.getvalue()
    assert text.startswith("sweep demo: sampling the inputs\n")
    assert "sweep demo: running" in text
    assert "40/40" in text and "run/s" in text  # tqdm's own bar, in runs
