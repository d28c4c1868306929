"""Faults in sweeps (issue 29): damaged chunks on --resume, clusters that cannot work, Ctrl-C's
count, a full disk, numpy integers, one-draw rankings and Monte Carlo precision."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

from runners import sweep, sweepspec
from runners.errors import SnowballError

SPEC = """
title = "faults sweep"
scenario = "baseline"
until = 2030
method = "monte-carlo"
draws = {draws}
seed = 11
chunk = {chunk}

[inputs."yield shift"]
distribution = "uniform"
low = -0.5
high = 1.5

[keep]
variables = ["debt_to_gdp"]
years = [2030]
"""


def make_spec(tmp_path: Path, draws: int = 30, chunk: int = 10, name: str = "faults"):
    path = tmp_path / f"{name}.toml"
    path.write_text(SPEC.format(draws=draws, chunk=chunk))
    return sweepspec.parse_spec(path)


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every output file but the manifest (which names the folder's own files)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.name not in ("manifest.json",)
    }


def kept_folder(spec, out: Path) -> Path:
    """A partial folder as an interrupted sweep leaves it, with every chunk finished."""
    the_plan = sweep.plan(spec)
    folder = sweep.partial_dir(out)
    folder.mkdir()
    (folder / "key.txt").write_text(f"{the_plan.key}\n{spec.chunk}\n")
    sweep.execute(the_plan, folder)
    return folder


def data_offset(path: Path) -> int:
    """Where a .npy file's data begin (after its header)."""
    from numpy.lib import format as npy

    with open(path, "rb") as f:
        npy.read_magic(f)
        npy.read_array_header_1_0(f)
        return f.tell()


# ---------------------------------------------------------------- chunks: durable and verified


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """A fresh sweep's files (3 chunks of 10 runs)."""
    tmp = tmp_path_factory.mktemp("clean")
    spec = make_spec(tmp)
    return snapshot(sweep.run_sweep(spec, out=tmp / "clean", workers=1, show_progress=False).out)


@pytest.mark.parametrize(
    "damage",
    ["zeros", "edited", "nan"],
)
def test_a_damaged_chunk_with_an_intact_header_is_recomputed(tmp_path, clean, capsys, damage):
    # the issue: --resume took a chunk whose header was intact and whose data were zeros (a crash
    # after a rename without fsync): 10,000 runs with debt/GDP 0 entered summary.csv, exit 0
    spec = make_spec(tmp_path)
    out = tmp_path / "o"
    folder = kept_folder(spec, out)
    chunk = folder / "chunk-00001.npy"
    raw = bytearray(chunk.read_bytes())
    start = data_offset(chunk)
    if damage == "zeros":
        raw[start:] = bytes(len(raw) - start)
    elif damage == "edited":
        value = np.frombuffer(raw, dtype=np.float64, count=1, offset=start + 8 * 5)[0]
        raw[start + 8 * 5 : start + 8 * 6] = np.float64(value * 1.001).tobytes()
    else:
        raw[start + 8 * 3 : start + 8 * 4] = np.float64(np.nan).tobytes()
    chunk.write_bytes(bytes(raw))
    capsys.readouterr()
    res = sweep.run_sweep(spec, out=out, workers=1, resume=True, show_progress=False)
    err = capsys.readouterr().err
    assert f"kept 2 of 3 chunks in {folder} (checksums verified); 1 damaged, recomputed" in err
    assert "chunk-00001.npy (checksum mismatch)" in err
    assert snapshot(res.out) == clean
    assert res.failed == ()


def test_a_chunk_without_its_checksum_is_recomputed(tmp_path, clean, capsys):
    # a crash between the chunk's rename and its checksum's: the chunk is not committed
    spec = make_spec(tmp_path)
    out = tmp_path / "o"
    folder = kept_folder(spec, out)
    (folder / "chunk-00002.sha256").unlink()
    capsys.readouterr()
    res = sweep.run_sweep(spec, out=out, workers=1, resume=True, show_progress=False)
    assert "1 damaged, recomputed: chunk-00002.npy (no checksum)" in capsys.readouterr().err
    assert snapshot(res.out) == clean


def test_intact_chunks_are_kept_and_counted(tmp_path, clean, capsys):
    spec = make_spec(tmp_path)
    out = tmp_path / "o"
    folder = kept_folder(spec, out)
    stamps = [p.stat().st_mtime_ns for p in sorted(folder.glob("chunk-*.npy"))]
    capsys.readouterr()
    res = sweep.run_sweep(spec, out=out, workers=1, resume=True, show_progress=False)
    err = capsys.readouterr().err
    assert f"kept 3 of 3 chunks in {folder} (checksums verified)\n" in err and "damaged" not in err
    assert snapshot(res.out) == clean
    assert len(stamps) == 3


def test_chunks_are_synced_before_they_are_renamed_and_the_checksum_last(tmp_path, monkeypatch):
    # the issue: chunks were renamed into place without fsync, so a crash could leave one zeroed
    from runners import sweepwork

    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(("rename", f"{os.path.basename(src)} -> {os.path.basename(dst)}"))
        return real_replace(src, dst)

    if not Path("/proc/self/fd").is_dir():
        pytest.skip("reads /proc")
    folder = tmp_path / "chunks"
    folder.mkdir()
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    sweepwork.save_chunk(str(folder), 4, np.ones((3, 2, 1)))
    monkeypatch.undo()
    assert events == [
        ("fsync", ".chunk-00004.tmp.npy"),
        ("rename", ".chunk-00004.tmp.npy -> chunk-00004.npy"),
        ("fsync", ".chunk-00004.tmp.sha256"),
        ("rename", ".chunk-00004.tmp.sha256 -> chunk-00004.sha256"),
        ("fsync", "chunks"),
    ]
    digest = hashlib.sha256((folder / "chunk-00004.npy").read_bytes()).hexdigest()
    assert (folder / "chunk-00004.sha256").read_text() == f"{digest}  chunk-00004.npy\n"
    assert sweepwork.chunk_intact(str(folder), 4) is None
    assert np.array_equal(sweepwork.load_chunk(str(folder / "chunk-00004.npy")), np.ones((3, 2, 1)))
