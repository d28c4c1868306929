"""Installable as a package (issue 12, item 6): a built wheel, installed (not editable) into a fresh
virtual environment, runs `snowball run` and `snowball brief` from an unrelated directory.

Offline: the wheel is built without build isolation (setuptools from the test environment) and
the fresh environment sees the test environment's dependencies through a .pth line, so nothing is
downloaded; `runners` itself comes only from the wheel (checked).
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from runners import api
from runners.core.paths import REPO

SOURCES = ["pyproject.toml", "README.md", "runners", "models", "data"]
BUILD_JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "snowball.py", ".*.sha256", ".translate-*")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(python, snowball, env) of a fresh venv holding only the wheel built from this tree."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    src.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, src / name, ignore=BUILD_JUNK)
        else:
            shutil.copy2(REPO / name, src / name)
    pip = [sys.executable, "-m", "pip"]
    quiet = {"capture_output": True, "text": True}
    build = subprocess.run(
        [
            *pip,
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(root / "dist"),
            str(src),
        ],
        **quiet,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = (root / "dist").glob("snowball-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], check=True, **quiet
    ).stdout.strip()
    Path(purelib, "snowball-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)], **quiet
    )
    assert install.returncode == 0, install.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNOWBALL_")}
    env |= {"SNOWBALL_CACHE_DIR": str(root / "cache"), "HOME": str(root / "home")}
    return wheel, python, venv / "bin" / "snowball", env, Path(purelib)


@pytest.mark.slow
def test_wheel_ships_the_model_and_every_data_file(installed):
    wheel = installed[0]
    names = set(zipfile.ZipFile(wheel).namelist())
    data = {f"runners/data/{p.relative_to(REPO / 'data').as_posix()}" for p in (REPO / "data").rglob("*")}
    files = {n for n in data if (REPO / "data" / n.removeprefix("runners/data/")).is_file()}
    assert files and files <= names
    assert "runners/models/snowball.mdl" in names
    assert not any(n.endswith("models/snowball.py") for n in names)  # the translation is built on use


@pytest.mark.slow
def test_installed_wheel_runs_and_briefs_from_any_directory(installed, tmp_path):
    _, python, snowball, env, purelib = installed
    where = subprocess.run(
        [str(python), "-c", "import runners.core.paths as p; print(p.INSTALLED, p.MODEL_FILE)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert where[0] == "True" and Path(where[1]).is_relative_to(purelib)  # not this clone

    run = subprocess.run(
        [str(snowball), "run", "baseline", "--until", "2030"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    got = pd.read_csv(tmp_path / "reports" / "runs" / "baseline" / "results.csv", index_col="fiscal_year")
    want = api.run("baseline", until=2030).results
    # results.csv holds 6 decimals: the installed run equals this clone's to that precision
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=0, atol=5e-7)
    # the translated model went to the cache folder, nothing was added to the installed package
    assert list(Path(env["SNOWBALL_CACHE_DIR"]).glob("snowball-*/snowball.py"))
    assert sorted(p.name for p in (purelib / "runners" / "models").iterdir()) == ["README.md", "snowball.mdl"]

    brief = subprocess.run([str(snowball), "brief"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert brief.returncode == 0, brief.stderr
    html = (tmp_path / "reports" / "briefing" / "briefing.html").read_text()
    assert "japan-selloff" in html or "Japan" in html
