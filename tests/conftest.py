"""Shared fixtures: one baseline run per session (runs are cheap, but the suite uses it a lot) and one
briefing pack per session for every test that reads a whole pack."""

import dataclasses
import os
import subprocess
import sys

import pytest

from runners.projection import run
from runners.scenario import scenarios as scenario


@pytest.fixture(scope="session")
def baseline():
    """The built-in baseline scenario."""
    return scenario.load_scenario("baseline")


@pytest.fixture(scope="session")
def baseline_result(baseline):
    """The baseline run to FY2055."""
    return run.run(baseline, until=2055)


BRIEF_SCENARIOS = ["baseline", "japan-selloff"]
EPOCH = "1767225600"  # 1 January 2026, 00:00 UTC: a fixed date on the pack (reruns cross midnight)


@pytest.fixture(scope="session")
def briefing_pack(tmp_path_factory):
    """`snowball brief` of the baseline and japan-selloff, dated EPOCH, built once per session."""
    from runners.report.brief import write_brief

    out = tmp_path_factory.mktemp("brief") / "briefing"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        none = tmp_path_factory.mktemp("none")
        write_brief(BRIEF_SCENARIOS, out, command=["snowball", "brief"], sweeps_dir=none)
    return out


def variant(base, name="variant", **constants):
    """A copy of ``base`` with extra constants (Vensim names, spaces as underscores)."""
    merged = dict(base.constants) | {k.replace("_", " "): v for k, v in constants.items()}
    return dataclasses.replace(base, name=name, constants=merged)


def one_line_error(capsys, *fragments: str) -> str:
    """The captured stderr: exactly one line, the CLI's error prefix and every fragment."""
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("snowball: error: "), err
    for fragment in fragments:
        assert fragment in err, err
    return err


def snowball_with_data(cwd, data, *args: str) -> subprocess.CompletedProcess:
    """``snowball ARGS`` in a fresh process in ``cwd``, reading the data folder ``data``."""
    return subprocess.run(
        [sys.executable, "-m", "runners.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "SNOWBALL_DATA_DIR": str(data)},
        check=False,
    )


def lines_through_legends(fig) -> list[str]:
    """The data lines that pass through a legend, the axes' own or the figure's (display
    coordinates, each line clipped to its axes as drawn)."""
    from matplotlib.path import Path as MplPath

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    crossing = []
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            inside = ax.get_window_extent(renderer)  # what is drawn of a line lies within its axes
            if not inside.overlaps(box):
                continue
            for line in ax.get_lines():
                xy = line.get_transform().transform(line.get_xydata())
                if len(xy) > 1 and MplPath(xy).intersects_bbox(box, filled=False):
                    crossing.append(line.get_label())
    return crossing
