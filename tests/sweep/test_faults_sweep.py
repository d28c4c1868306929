"""Faults in sweeps (issue 29): damaged chunks on --resume, clusters that cannot work, Ctrl-C's
count, a full disk, numpy integers, one-draw rankings and Monte Carlo precision."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

from runners.core.errors import SnowballError
from runners.report.sweep_drawing import SWEEP_CHARTS
from runners.sweep import dask_cluster as sweep_dask_cluster
from runners.sweep import execute as sweep_execute
from runners.sweep import planning as sweep_planning
from runners.sweep import runner as sweep
from runners.sweep import spec as sweepspec

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
    """sha256 of every output file but the manifest (which names the folder's own files) and the
    output marker (which records the manifest's sha256)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.name not in ("manifest.json", ".snowball-output")
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
    return snapshot(
        sweep.run_sweep(spec, out=tmp / "clean", workers=1, show_progress=False, drawer=SWEEP_CHARTS).out
    )


@pytest.mark.slow
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
    res = sweep.run_sweep(spec, out=out, workers=1, resume=True, show_progress=False, drawer=SWEEP_CHARTS)
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
    res = sweep.run_sweep(spec, out=out, workers=1, resume=True, show_progress=False, drawer=SWEEP_CHARTS)
    assert "1 damaged, recomputed: chunk-00002.npy (no checksum)" in capsys.readouterr().err
    assert snapshot(res.out) == clean


def test_intact_chunks_are_kept_and_counted(tmp_path, clean, capsys):
    spec = make_spec(tmp_path)
    out = tmp_path / "o"
    folder = kept_folder(spec, out)
    stamps = [p.stat().st_mtime_ns for p in sorted(folder.glob("chunk-*.npy"))]
    capsys.readouterr()
    res = sweep.run_sweep(spec, out=out, workers=1, resume=True, show_progress=False, drawer=SWEEP_CHARTS)
    err = capsys.readouterr().err
    assert f"kept 3 of 3 chunks in {folder} (checksums verified)\n" in err and "damaged" not in err
    assert snapshot(res.out) == clean
    assert len(stamps) == 3


def test_chunks_are_synced_before_they_are_renamed_and_the_checksum_last(tmp_path, monkeypatch):
    # the issue: chunks were renamed into place without fsync, so a crash could leave one zeroed
    from runners.sweep import work as sweepwork

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


# ---------------------------------------------------------------- a cluster that cannot work


def bounded(fn, seconds: float) -> tuple[dict, float]:
    """Run ``fn`` in a thread for at most ``seconds`` (the faults below hung for ever): its value
    or error, and how long it took."""
    import threading
    import time

    box: dict = {}

    def go() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # the test reads it
            box["error"] = exc

    began = time.monotonic()
    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s"
    return box, time.monotonic() - began


@pytest.fixture
def short_cluster_timeouts(monkeypatch):
    monkeypatch.setattr(sweep_dask_cluster, "HANDSHAKE_TIMEOUT", 2.0, raising=False)
    monkeypatch.setattr(sweep_dask_cluster, "NO_WORKER_TIMEOUT", 3.0, raising=False)
    monkeypatch.setattr(sweep_dask_cluster, "CLUSTER_POLL", 0.5, raising=False)


class Silent:
    """A loopback TCP server that accepts connections and never answers (127.0.0.1 only)."""

    def __enter__(self) -> str:
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.held: list = []

        def accept() -> None:
            with contextlib.suppress(OSError):
                while True:
                    self.held.append(self.sock.accept()[0])

        threading.Thread(target=accept, daemon=True).start()
        return f"tcp://127.0.0.1:{self.sock.getsockname()[1]}"

    def __exit__(self, *exc) -> None:
        for conn in self.held:
            conn.close()
        self.sock.close()


class Http:
    """An HTTP server on loopback, in a thread."""

    def __enter__(self) -> str:
        import http.server
        import threading

        class Quiet(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"tcp://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.slow
@pytest.mark.parametrize("server", [Http, Silent], ids=["http", "silent"])
def test_a_port_that_is_not_dask_stops_within_the_handshake_timeout(tmp_path, short_cluster_timeouts, server):
    # the issue: --scheduler at an HTTP server on loopback hung silently (420 s watched): the 10 s
    # timeout covered the connection, not Dask's handshake
    pytest.importorskip("distributed")
    spec = make_spec(tmp_path)
    with server() as address:
        box, seconds = bounded(
            lambda: sweep.run_sweep(
                spec, out=tmp_path / "o", scheduler=address, show_progress=False, drawer=SWEEP_CHARTS
            ),
            30,
        )
    error = box.get("error")
    assert isinstance(error, SnowballError), box
    assert str(error) == (
        f"--scheduler {address}: no Dask scheduler answered within 2 s (something there accepts "
        "connections but does not speak Dask's protocol)"
    )
    assert seconds < 2 + 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["faults.toml"]


@pytest.mark.slow
def test_a_scheduler_without_workers_stops_within_the_worker_timeout(tmp_path, short_cluster_timeouts):
    # the issue: a scheduler with no worker: the progress bar froze, no message
    distributed = pytest.importorskip("distributed")
    spec = make_spec(tmp_path)
    with loopback_scheduler(distributed) as cluster:
        address = cluster.scheduler_address
        box, seconds = bounded(
            lambda: sweep.run_sweep(
                spec, out=tmp_path / "o", scheduler=address, show_progress=False, drawer=SWEEP_CHARTS
            ),
            30,
        )
    error = box.get("error")
    assert isinstance(error, SnowballError), box
    assert str(error) == (
        f"--scheduler {address}: the Dask scheduler has no worker, and none joined within 3 s "
        f"(start some with: dask worker {address})"
    )
    assert 3 <= seconds < 3 + 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["faults.toml"]


def loopback_scheduler(distributed):
    """A Dask scheduler in this process on 127.0.0.1 (TCP), with no worker of its own."""
    return distributed.LocalCluster(
        n_workers=0, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    )


def start_worker(address: str):
    """A Dask worker process without a nanny (nothing restarts it when it is killed)."""
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_worker", address, "--no-nanny", "--nthreads", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


class KillAfterFirst(sweep.Progress):
    """A progress bar that kills ``victim`` (a worker process) when the first chunk arrives."""

    def __init__(self, victim):
        super().__init__(0, "test", enabled=False)
        self.victim = victim

    def update(self, done: int, first: bool = False) -> None:
        if not first and self.victim.poll() is None:
            self.victim.kill()
            self.victim.wait(10)


def wait_for_workers(client, n: int) -> None:
    client.wait_for_workers(n, timeout=60)


@pytest.mark.slow
def test_the_only_worker_lost_stops_the_sweep_and_keeps_its_chunks(tmp_path, clean, short_cluster_timeouts):
    # the issue: kill the only worker mid-sweep: the sweep waited for ever
    distributed = pytest.importorskip("distributed")
    spec = make_spec(tmp_path)
    out = tmp_path / "o"
    with loopback_scheduler(distributed) as cluster:
        address = cluster.scheduler_address
        worker = start_worker(address)
        try:
            with distributed.Client(address) as client:
                wait_for_workers(client, 1)
            box, seconds = bounded(
                lambda: sweep.run_sweep(
                    spec, out=out, scheduler=address, progress=KillAfterFirst(worker), drawer=SWEEP_CHARTS
                ),
                60,
            )
        finally:
            worker.kill()
            worker.wait(10)
    error = box.get("error")
    assert isinstance(error, SnowballError), box
    folder = sweep.partial_dir(out)
    kept = len(list(folder.glob("chunk-*.sha256")))
    assert 1 <= kept < 3
    assert str(error) == (
        f"sweep {spec.name}: the Dask cluster at {address} has had no live worker for 3 s (its workers "
        f"were lost and none replaced them); {kept} of 3 chunks are kept in {folder}; continue with: "
        f"snowball sweep {spec.path} --resume --out {out} --scheduler {address}"
    )
    assert seconds < 40
    res = sweep.run_sweep(spec, out=out, workers=1, resume=True, show_progress=False, drawer=SWEEP_CHARTS)
    assert snapshot(res.out) == clean


@pytest.mark.slow
def test_a_worker_lost_after_its_chunk_finished_stops_the_sweep(
    tmp_path, short_cluster_timeouts, monkeypatch
):
    # measured by hand: the only worker killed between a chunk's finishing and the sweep's fetching
    # it ("Couldn't gather 1 keys, rescheduling"): the fetch waited for ever
    import time

    distributed = pytest.importorskip("distributed")
    spec = make_spec(tmp_path)
    out = tmp_path / "o"
    with loopback_scheduler(distributed) as cluster:
        address = cluster.scheduler_address
        worker = start_worker(address)
        real = sweep.Pool.wait_live

        def then_kill(self, futures, every=False):
            done = real(self, futures, every)
            if worker.poll() is None:  # the first chunk is done: its worker dies before it is fetched
                worker.kill()
                worker.wait(10)
                time.sleep(1.0)
            return done

        monkeypatch.setattr(sweep.Pool, "wait_live", then_kill)
        try:
            with distributed.Client(address) as client:
                wait_for_workers(client, 1)
            box, seconds = bounded(
                lambda: sweep.run_sweep(
                    spec, out=out, scheduler=address, show_progress=False, drawer=SWEEP_CHARTS
                ),
                60,
            )
        finally:
            worker.kill()
            worker.wait(10)
    error = box.get("error")
    assert isinstance(error, SnowballError), box
    assert str(error).startswith(
        f"sweep {spec.name}: the Dask cluster at {address} has had no live worker for 3 s"
    )
    assert seconds < 40


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_a_scheduler_lost_mid_sweep_is_one_line_and_keeps_the_chunks(tmp_path, clean, short_cluster_timeouts):
    # measured by hand: the scheduler killed mid-sweep gave "internal error: FuturesCancelledError"
    # and a traceback
    import re
    import subprocess
    import sys

    distributed = pytest.importorskip("distributed")
    spec = make_spec(tmp_path)
    out = tmp_path / "o"
    address = f"tcp://127.0.0.1:{free_port()}"
    scheduler = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            address.rsplit(":", 1)[1],
            "--no-dashboard",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = None
    try:
        with distributed.Client(address, timeout="60s") as client:
            worker = start_worker(address)
            wait_for_workers(client, 1)
        box, seconds = bounded(
            lambda: sweep.run_sweep(
                spec, out=out, scheduler=address, progress=KillAfterFirst(scheduler), drawer=SWEEP_CHARTS
            ),
            60,
        )
    finally:
        for proc in (scheduler, worker):
            if proc is not None:
                proc.kill()
                proc.wait(10)
    error = box.get("error")
    assert isinstance(error, SnowballError), box
    folder = sweep.partial_dir(out)
    kept = len(list(folder.glob("chunk-*.sha256")))
    assert re.fullmatch(
        rf"sweep {spec.name}: lost the connection to the Dask scheduler at {re.escape(address)}; "
        rf"{kept} of 3 chunks are kept in {re.escape(str(folder))}; continue with: .* --scheduler "
        + re.escape(address),
        str(error),
    ), str(error)
    assert seconds < 40
    res = sweep.run_sweep(spec, out=out, workers=1, resume=True, show_progress=False, drawer=SWEEP_CHARTS)
    assert snapshot(res.out) == clean


@pytest.mark.slow
def test_one_of_two_workers_lost_recovers(tmp_path, clean, short_cluster_timeouts):
    # kept as it was: the other worker takes the lost one's chunks
    distributed = pytest.importorskip("distributed")
    spec = make_spec(tmp_path)
    with loopback_scheduler(distributed) as cluster:
        address = cluster.scheduler_address
        workers = [start_worker(address), start_worker(address)]
        try:
            with distributed.Client(address) as client:
                wait_for_workers(client, 2)
            box, _ = bounded(
                lambda: sweep.run_sweep(
                    spec,
                    out=tmp_path / "o",
                    scheduler=address,
                    progress=KillAfterFirst(workers[0]),
                    drawer=SWEEP_CHARTS,
                ),
                60,
            )
        finally:
            for w in workers:
                w.kill()
                w.wait(10)
    assert "error" not in box, box
    assert snapshot(box["value"].out) == clean


# ---------------------------------------------------------------- Ctrl-C's count


def _slow_chunk(job, *where):
    """A worker's chunk task that takes half a second (runs in the worker process)."""
    import time

    from runners.sweep.work import run_and_save

    time.sleep(0.5)
    return run_and_save(job, *where)


class StopAfter(sweep.Progress):
    """A progress bar that presses Ctrl-C after ``n`` finished chunks."""

    def __init__(self, n: int):
        super().__init__(0, "test", enabled=False)
        self.calls, self.n = 0, n

    def update(self, done: int, first: bool = False) -> None:
        if not first:
            self.calls += 1
            if self.calls >= self.n:
                raise KeyboardInterrupt


@pytest.mark.slow
def test_ctrl_c_reports_the_chunks_it_really_kept(tmp_path, monkeypatch, capsys):
    # the issue: Ctrl-C said "6 of 20 chunks kept" where 10 were kept and reused: the worker
    # processes went on saving the chunks they held after the count
    import re
    import time

    monkeypatch.setattr(sweep_planning, "MIN_CHUNK", 1)
    real = sweep_execute.run_and_save
    monkeypatch.setattr(sweep_execute, "run_and_save", _slow_chunk)
    spec = make_spec(tmp_path, draws=40, chunk=2)
    out = tmp_path / "o"
    with pytest.raises(KeyboardInterrupt):
        sweep.run_sweep(spec, out=out, workers=2, progress=StopAfter(3), drawer=SWEEP_CHARTS)
    said = re.search(r"stopped; (\d+) of 20 chunks kept", capsys.readouterr().err)
    assert said, "no count"
    time.sleep(1.5)  # a chunk still running in a worker would be saved by now
    folder = sweep.partial_dir(out)
    # a chunk is kept when its checksum, its commit mark, is written beside it (the parent writes it
    # on the worker's answer); a worker stopped between its save and that answer leaves a .npy
    # without one, which --resume runs again (seen once in CI: "3 kept", 4 .npy files, 3 checksums)
    saved = {p.stem for p in folder.glob("chunk-*.npy")}
    committed = saved & {p.stem for p in folder.glob("chunk-*.sha256")}
    assert int(said.group(1)) == len(committed) >= 3
    assert len(saved - committed) <= 2  # at most one chunk in flight per worker
    monkeypatch.setattr(sweep_execute, "run_and_save", real)
    sweep.run_sweep(spec, out=out, workers=2, resume=True, show_progress=False, drawer=SWEEP_CHARTS)
    assert f"kept {said.group(1)} of 20 chunks in {folder}" in capsys.readouterr().err


# ---------------------------------------------------------------- a full disk


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (a device that is always full)")
@pytest.mark.parametrize("where", [".chunk-00001.tmp.npy", "params.csv.part"])
def test_a_full_disk_is_one_line_naming_the_file(tmp_path, where):
    # the issue: a full disk was reported in numpy's words ("... requested and ... written");
    # /dev/full answers every write with ENOSPC, as a full disk does
    spec = make_spec(tmp_path)
    out = tmp_path / "o"
    folder = kept_folder(spec, out)
    for name in ("chunk-00001.npy", "chunk-00001.sha256"):
        (folder / name).unlink(missing_ok=True)
    (folder / where).unlink(missing_ok=True)
    (folder / where).symlink_to("/dev/full")
    with pytest.raises(SnowballError) as exc:
        sweep.run_sweep(spec, out=out, workers=1, resume=True, show_progress=False, drawer=SWEEP_CHARTS)
    named = folder / ("chunk-00001.npy" if where.startswith(".chunk") else where)
    assert str(exc.value) == f"sweep {spec.name}: disk full writing {named}"
    assert not out.exists()


def test_a_full_disk_writing_the_summary_names_the_file(tmp_path, monkeypatch):
    import errno

    import pandas as pd

    real = pd.DataFrame.to_csv

    def full(self, path=None, *args, **kwargs):
        if path is not None and Path(path).name == "summary.csv":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    spec = make_spec(tmp_path)
    out = tmp_path / "o"
    with pytest.raises(SnowballError) as exc:
        sweep.run_sweep(spec, out=out, workers=1, show_progress=False, drawer=SWEEP_CHARTS)
    assert str(exc.value) == f"sweep {spec.name}: disk full writing {out / 'summary.csv'}"


# ---------------------------------------------------------------- numpy integers, one draw, precision


def test_api_sweep_takes_numpy_integers(tmp_path):
    # the issue: api.sweep(draws=np.int64(20)) was refused ("must be a whole number")
    import json

    from runners import api

    spec = make_spec(tmp_path)
    res = api.sweep(spec.path, draws=np.int64(20), seed=np.int32(4), workers=np.int64(1), out=tmp_path / "o")
    manifest = json.loads((res.out / "manifest.json").read_text())
    assert (manifest["draws"], manifest["seed"], manifest["runs"]) == (20, 4, 20)
    assert manifest["overrides"]["draws"] == {"spec": 30, "command_line": 20}
    with pytest.raises(SnowballError, match="--draws True"):
        api.sweep(spec.path, draws=True, out=tmp_path / "b")
    with pytest.raises(SnowballError, match="--draws 20.0"):
        api.sweep(spec.path, draws=20.0, out=tmp_path / "c")


def test_one_draw_ranks_no_input(tmp_path, capsys):
    # the issue: a sensitivity ranking was computed, and printed, from a single draw
    import pandas as pd

    from runners import cli

    path = tmp_path / "one.toml"
    path.write_text(
        SPEC.format(draws=1, chunk=10).replace(
            "[keep]", '[inputs."growth shift"]\ndistribution = "normal"\nmean = 0\nsd = 0.5\n\n[keep]'
        )
    )
    out = tmp_path / "o"
    assert cli.main(["sweep", str(path), "--workers", "1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Inputs ranked" not in text
    assert (
        "Inputs not ranked for debt_to_gdp in FY2030: 1 draw cannot rank the inputs (at least 2 needed)"
        in text
    )
    sens = pd.read_csv(out / "sensitivity.csv")
    assert "rank" not in sens and list(sens["input"]) == ["yield shift", "growth shift"]


def test_monte_carlo_shares_say_their_precision():
    # the issue: one draw in 10,000 printed as "0.0% of draws", and shares came without precision
    from runners.sweep.runner import draws_share, share_pct, wilson

    assert share_pct(1 / 10_000, 10_000) == "0.01%"
    assert share_pct(1 / 1_000_000, 1_000_000) == "0.0001%"
    assert share_pct(0.0, 10) == "0%" and share_pct(1.0, 10_000) == "100%"
    assert draws_share(1, 10_000) == "0.01% (95% interval 0.002\u20130.06%)"
    assert draws_share(10_000, 10_000) == "100% (95% interval 99.96\u2013100%)"
    assert draws_share(361, 400) == "90.2% (95% interval 86.9\u201392.8%)"
    from scipy.stats import binomtest

    for met, n in [(5040, 10_000), (1, 10_000), (17, 20), (361, 400)]:
        ci = binomtest(met, n).proportion_ci(method="wilson")  # Wilson's score interval
        assert wilson(met, n) == (pytest.approx(ci.low, abs=1e-12), pytest.approx(ci.high, abs=1e-12))


@pytest.mark.slow
def test_gap_probability_beyond_what_the_draws_resolve_says_so(tmp_path, capsys):
    # the issue: P = 0.999999 from 10,000 draws was answered with no word of its precision
    import json

    from runners.cli import main

    spec = tmp_path / "mc.toml"
    spec.write_text(SPEC.format(draws=20, chunk=10))
    out = tmp_path / "g"
    argv = ["gap", "--target", "100", "--by", "2030", "--probability", "0.99", "--sweep", str(spec)]
    assert main([*argv, "--workers", "1", "--out", str(out)]) == 0, capsys.readouterr().err
    text = capsys.readouterr().out
    assert "100% of 20 draws of 'mc', applied to this scenario to FY2055, meet the goal" in text
    assert "meet the goal [95% interval 83.9\u2013100%]" in text
    assert "20 draws resolve no probability above 95.0%: this is the size at which all of them" in text
    recorded = json.loads((out / "manifest.json").read_text())["gap"]["probabilistic"]
    assert recorded["share_of_draws_met_95pct_interval"] == [pytest.approx(0.83887, abs=1e-5), 1.0]


# ---------------------------------------------------------------- fuzz: damaged chunk files

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - the test extra has it
    given = None

DAMAGES = ("zero data", "flip byte", "truncate", "nan", "empty", "no checksum", "garbled checksum")


def damage_chunk(folder: Path, index: int, how: str, where: float) -> None:
    """Damage chunk ``index`` as a crash, a bad disk or a hand would; ``where`` (0-1) places it."""
    chunk = folder / f"chunk-{index:05d}.npy"
    side = folder / f"chunk-{index:05d}.sha256"
    raw = bytearray(chunk.read_bytes())
    start = data_offset(chunk)
    if how == "zero data":
        raw[start:] = bytes(len(raw) - start)
    elif how == "flip byte":
        at = int(where * (len(raw) - 1))
        raw[at] ^= 0xFF
    elif how == "truncate":
        raw = raw[: int(where * (len(raw) - 1))]
    elif how == "nan":
        at = start + 8 * int(where * ((len(raw) - start) // 8 - 1))
        raw[at : at + 8] = np.float64(np.nan).tobytes()
    elif how == "empty":
        raw = bytearray()
    elif how == "no checksum":
        side.unlink()
    else:
        side.write_text("0" * 64 + f"  {chunk.name}\n")
    if how not in ("no checksum", "garbled checksum"):
        chunk.write_bytes(bytes(raw))


@pytest.fixture(scope="module")
def kept_template(tmp_path_factory):
    """A spec and a partial folder with its 3 chunks finished, copied by each example."""
    tmp = tmp_path_factory.mktemp("template")
    spec = make_spec(tmp)
    return spec, kept_folder(spec, tmp / "o")


if given is not None:

    @settings(
        max_examples=10,
        deadline=None,
        database=None,
        derandomize=True,  # the same examples on every run
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        damaged=st.dictionaries(
            st.integers(0, 2), st.tuples(st.sampled_from(DAMAGES), st.floats(0, 1)), max_size=3
        )
    )
    def test_fuzz_damaged_chunks_are_recomputed_and_the_outputs_equal_a_fresh_run(
        damaged, kept_template, clean, capsys
    ):
        import shutil
        import tempfile

        spec, template = kept_template
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "o"
            folder = sweep.partial_dir(out)
            shutil.copytree(template, folder)
            for index, (how, where) in damaged.items():
                damage_chunk(folder, index, how, where)
            check_resume(spec, out, folder, sorted(damaged), clean, capsys)


def re_names(line: str) -> list[str]:
    """The chunk files a 'kept ... damaged, recomputed: ...' line names."""
    import re

    return re.findall(r"chunk-\d{5}\.npy", line)


def check_resume(spec, out: Path, folder: Path, damaged: list[int], clean: dict, capsys) -> None:
    """--resume recomputes exactly the ``damaged`` chunks, says so, and writes a fresh run's files."""
    capsys.readouterr()
    res = sweep.run_sweep(spec, out=out, workers=1, resume=True, show_progress=False, drawer=SWEEP_CHARTS)
    err = capsys.readouterr().err
    said = [line for line in err.splitlines() if "chunks in" in line]
    assert len(said) == 1 and f"kept {3 - len(damaged)} of 3 chunks" in said[0], err
    assert re_names(said[0]) == [f"chunk-{i:05d}.npy" for i in damaged]  # exactly those recomputed
    assert snapshot(res.out) == clean
    assert res.failed == ()


@pytest.mark.parametrize("how", DAMAGES)
def test_every_kind_of_damage_is_recomputed(tmp_path, kept_template, clean, capsys, how):
    import shutil

    spec, template = kept_template
    out = tmp_path / "o"
    folder = sweep.partial_dir(out)
    shutil.copytree(template, folder)
    damage_chunk(folder, 1, how, 0.5)
    check_resume(spec, out, folder, [1], clean, capsys)


def test_the_progress_label_escapes_control_characters():
    # a spec file's name reaches the terminal in the progress line: escaped like every error line
    import io

    stream = io.StringIO()
    bar = sweep.Progress(10, "sweep x\x1b[31m\x07", stream=stream)
    bar.enabled, bar.tty = True, False
    bar.update(0, first=True)
    bar.update(10)
    assert "\x1b" not in stream.getvalue() and "\x07" not in stream.getvalue()
    assert stream.getvalue().startswith("sweep x\\x1b[31m\\x07: ")
