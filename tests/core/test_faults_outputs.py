"""Output folders (issue 29): ``--force`` replaces only what Snowball wrote (never a file tracked by
git, a user's file or a folder Snowball did not write), debris a killed run left is cleaned by the
next run into the same folder, and concurrent replacements of one ``--out`` all succeed."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from conftest import one_line_error
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runners.cli import main
from runners.core import outputs
from runners.core.errors import SnowballError

QUICK = ["--until", "2026"]
GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder``: a file's bytes, None for a folder."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def git(repo: Path, *args: str) -> None:
    """Run git quietly in ``repo`` (no user configuration needed)."""
    env = os.environ | {"GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo)}
    cmd = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args]
    subprocess.run(cmd, cwd=repo, env=env, check=True, capture_output=True)


def snowball_folder(target: Path, files: dict[str, str]) -> Path:
    """A folder written through Snowball's outputs API holding ``files``."""
    with outputs.atomic_dir(target) as tmp:
        for name, text in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(text)
    return target


# ---------------------------------------------------------------- --force replaces only Snowball's


@needs_git
def test_force_never_deletes_a_repositorys_tracked_files(tmp_path, capsys):
    # the issue: `--out reports --force` deleted the repository's tracked reports/README.md and
    # reports/readme/*.png
    repo = tmp_path / "repo"
    (repo / "reports" / "readme").mkdir(parents=True)
    (repo / "reports" / "README.md").write_text("# reports\n")
    (repo / "reports" / "readme" / "chart.png").write_bytes(b"\x89PNG")
    git(repo, "init", "-q")
    git(repo, "add", "reports")
    git(repo, "commit", "-q", "-m", "reports")
    before = snapshot(repo / "reports")
    out = repo / "reports"
    assert main(["run", "baseline", *QUICK, "--out", str(out), "--force"]) == 2
    one_line_error(capsys, f"--out {out}: ", "README.md")
    assert snapshot(repo / "reports") == before


@needs_git
def test_a_snowball_folder_whose_files_are_tracked_is_not_replaced(tmp_path):
    # an output committed to a repository is the repository's now: replacing it would change it
    repo = tmp_path / "repo"
    repo.mkdir()
    out = snowball_folder(repo / "o", {"results.csv": "1\n"})
    git(repo, "init", "-q")
    git(repo, "add", "o/results.csv")
    for force in (False, True):
        with pytest.raises(SnowballError, match=r"holds results\.csv, a file tracked by git"):
            outputs.check_target(out, force)


@needs_git
def test_without_git_the_marker_decides(tmp_path, monkeypatch):
    # git missing (or failing) in a work tree: Snowball's own folder is replaced, a foreign file kept
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    out = snowball_folder(repo / "o", {"results.csv": "1\n"})
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    assert outputs.tracked_files(out) is None
    snowball_folder(out, {"results.csv": "2\n"})
    assert (out / "results.csv").read_text() == "2\n"
    (repo / "docs").mkdir()
    (repo / "docs" / "README.md").write_text("# docs\n")
    with pytest.raises(SnowballError, match=r"not written by snowball \(it holds README\.md\)"):
        outputs.check_target(repo / "docs", True)
    (out / "notes.txt").write_text("keep\n")
    with pytest.raises(SnowballError, match=r"did not write \(notes\.txt\)"):
        outputs.check_target(out, True)


def test_force_keeps_a_folder_snowball_did_not_write(tmp_path, capsys):
    out = tmp_path / "x"
    out.mkdir()
    (out / "notes.txt").write_text("keep\n")
    assert main(["run", "baseline", *QUICK, "--out", str(out), "--force"]) == 2
    one_line_error(capsys, f"--out {out}: exists and was not written by snowball", "notes.txt")
    assert snapshot(tmp_path) == {"x": None, "x/notes.txt": b"keep\n"}


def test_force_keeps_a_users_file_in_a_folder_snowball_wrote(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 0
    (out / "notes.txt").write_text("keep\n")
    before = snapshot(out)
    assert main(["run", "baseline", *QUICK, "--out", str(out), "--force"]) == 2
    one_line_error(capsys, f"--out {out}: holds files snowball did not write (notes.txt)")
    assert snapshot(out) == before


@pytest.mark.parametrize("force", [False, True])
def test_a_folder_a_user_made_inside_an_output_keeps_it(tmp_path, force):
    # an empty folder (or one holding only folders) was not listed and was deleted with the output
    out = snowball_folder(tmp_path / "o", {"results.csv": "1\n", "charts/fan.png": "png"})
    (out / "mine" / "drafts").mkdir(parents=True)
    (out / "charts" / "extra").mkdir()
    with pytest.raises(SnowballError, match=r"holds files snowball did not write \(charts/extra/, mine/"):
        outputs.check_target(out, force)
    with pytest.raises(SnowballError), outputs.atomic_dir(out, force):
        pass
    assert (out / "mine" / "drafts").is_dir() and (out / "charts" / "extra").is_dir()


def test_a_link_inside_an_output_is_not_snowballs(tmp_path):
    out = snowball_folder(tmp_path / "o", {"results.csv": "1\n"})
    (tmp_path / "elsewhere").mkdir()
    (out / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(SnowballError, match=r"did not write \(link\)"):
        outputs.check_target(out, True)


def test_a_marker_that_lists_no_files_vouches_only_for_snowballs_names(tmp_path):
    # markers written before they listed files: Snowball's own file names only
    out = snowball_folder(tmp_path / "o", {"results.csv": "1\n", "run.json": "{}\n"})
    (out / outputs.MARKER).write_text(outputs.MARKER_TEXT)
    assert outputs.check_target(out) == out
    (out / "notes.txt").write_text("keep\n")
    with pytest.raises(SnowballError, match=r"did not write \(notes\.txt\)"):
        outputs.check_target(out, True)


@pytest.mark.parametrize(
    "command",
    [
        ["run", "baseline", *QUICK],
        ["compare", "baseline", *QUICK],
        ["brief", "baseline", *QUICK],
        ["gap", "baseline", "--target", "80", "--by", "2040"],
        ["backtest", "--start", "2015"],
        ["diagram"],
        ["sweep", "SPEC", "--workers", "1"],
    ],
)
def test_every_command_with_out_refuses_foreign_files_even_with_force(tmp_path, capsys, command):
    spec = tmp_path / "spec.toml"
    spec.write_text(
        'title = "t"\nscenario = "baseline"\nuntil = 2028\nmethod = "monte-carlo"\ndraws = 4\n'
        'seed = 1\n[inputs."yield shift"]\ndistribution = "uniform"\nlow = 0\nhigh = 1\n'
    )
    command = [str(spec) if c == "SPEC" else c for c in command]
    out = tmp_path / "x"
    out.mkdir()
    (out / "notes.txt").write_text("keep\n")
    assert main([*command, "--out", str(out), "--force"]) == 2
    one_line_error(capsys, f"--out {out}: ", "notes.txt")
    assert (out / "notes.txt").read_text() == "keep\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml", "x"]


# ---------------------------------------------------------------- debris of a killed run


KILLED = """
import os, sys, time
from runners.core import outputs
with outputs.atomic_dir(sys.argv[1]) as tmp:
    (tmp / "results.csv").write_text("half")
    print("writing", flush=True)
    time.sleep(60)
"""


def killed_mid_write(out: Path) -> Path:
    """Start a process writing ``out``, SIGKILL it mid-write; return the temporary folder it left."""
    with subprocess.Popen(
        [sys.executable, "-c", KILLED, str(out)], stdout=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline() == "writing\n"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    (debris,) = [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.tmp-")]
    return debris


def test_a_killed_runs_temporary_folder_is_cleaned_by_the_next_run(tmp_path):
    # the issue: SIGKILL of run/brief left hidden .NAME.tmp-* folders that nothing cleaned
    debris = killed_mid_write(tmp_path / "a")
    assert (debris / "results.csv").is_file()
    snowball_folder(tmp_path / "b", {"results.csv": "1\n"})  # another output in the same parent
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]


def test_an_old_folder_left_mid_replacement_is_cleaned(tmp_path):
    # killed between moving the previous output aside and deleting it
    snowball_folder(tmp_path / "a", {"results.csv": "1\n"})
    (tmp_path / "a").rename(tmp_path / ".a.old-0123abcd")
    snowball_folder(tmp_path / "a", {"results.csv": "2\n"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]


def test_debris_cleaning_never_touches_others_files(tmp_path):
    # the naming pattern alone is not enough: no marker, a link, a file, another pattern
    keep = {
        ".a.tmp-0123abcd/notes.txt": "mine",  # Snowball's name, no marker
        ".a.tmp-deadbeef.bak/x": "x",
        ".a.tmp-zz/x": "x",
        "a.tmp-01234567/x": "x",
        ".a.old-0123abcd/notes.txt": "mine",
    }
    for name, text in keep.items():
        (tmp_path / name).parent.mkdir(parents=True)
        (tmp_path / name).write_text(text)
    (tmp_path / ".b.tmp-01234567").write_text("a file, not a folder")
    target = tmp_path / "elsewhere"
    snowball_folder(target, {"results.csv": "1\n"})
    (tmp_path / ".c.tmp-01234567").symlink_to(target)
    before = snapshot(tmp_path)
    snowball_folder(tmp_path / "a", {"results.csv": "1\n"})
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("a")} == {
        k: v for k, v in before.items() if not k.startswith("a")
    }


def dead_pid() -> int:
    """The number of a process that has finished (and been reaped)."""
    with subprocess.Popen([sys.executable, "-c", "pass"]) as proc:
        proc.wait()
    return proc.pid


@pytest.mark.parametrize("writer", ["dead", "alive", "elsewhere", "unnamed"])
def test_a_temporary_folder_is_cleaned_only_when_its_writer_is_gone(tmp_path, writer):
    # the marker names the writing process and machine; its lock (none here) is checked as well
    import socket

    pid = dead_pid() if writer in ("dead", "elsewhere") else os.getppid()
    host = "another-machine" if writer == "elsewhere" else socket.gethostname()
    line = "" if writer == "unnamed" else f"{outputs.BEING_WRITTEN}{pid} on {host} (it holds a lock).\n"
    debris = tmp_path / ".a.tmp-0123abcd"
    debris.mkdir()
    (debris / outputs.MARKER).write_text(outputs.MARKER_TEXT + line)
    (debris / "results.csv").write_text("half")
    snowball_folder(tmp_path / "b", {"results.csv": "1\n"})
    assert debris.exists() == (writer != "dead")


def test_a_live_runs_temporary_folder_is_not_cleaned(tmp_path):
    # a concurrent run still writing keeps its temporary folder (and finishes)
    started, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow() -> None:
        try:
            with outputs.atomic_dir(tmp_path / "a") as tmp:
                (tmp / "results.csv").write_text("slow")
                started.set()
                release.wait(30)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    worker = threading.Thread(target=slow)
    worker.start()
    assert started.wait(30)
    snowball_folder(tmp_path / "b", {"results.csv": "1\n"})
    release.set()
    worker.join(30)
    assert not errors
    assert (tmp_path / "a" / "results.csv").read_text() == "slow"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


# ---------------------------------------------------------------- concurrent replacements


@pytest.mark.slow
def test_concurrent_replacements_of_one_folder_all_succeed(tmp_path, monkeypatch):
    # the issue: 6 of 1,200 concurrent replacements of one --out were refused as "not written by
    # snowball": a check saw the folder between the previous output moving aside and the new one
    # moving in. Pauses while a check looks at the marker and after a move make the race likely.
    out = tmp_path / "o"
    snowball_folder(out, {"results.csv": "start\n"})
    rename, stat = Path.rename, Path.stat

    def slow_rename(self: Path, target: Path) -> Path:
        moved = rename(self, target)
        time.sleep(0.002)
        return moved

    def slow_stat(self: Path, *args, **kwargs) -> os.stat_result:
        if self.name == outputs.MARKER:
            time.sleep(0.001)
        return stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "rename", slow_rename)
    monkeypatch.setattr(Path, "stat", slow_stat)
    errors: list[BaseException] = []
    done = threading.Event()

    def writer(i: int) -> None:
        for j in range(10):
            try:
                with outputs.atomic_dir(out) as tmp:
                    (tmp / "results.csv").write_text(f"{i} {j}\n")
                    (tmp / "run.json").write_text(f'{{"writer": {i}}}\n')
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    def checker() -> None:
        while not done.is_set():
            try:
                outputs.check_target(out)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            time.sleep(0.001)

    writers = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    checkers = [threading.Thread(target=checker) for _ in range(2)]
    for t in writers + checkers:
        t.start()
    for t in writers:
        t.join(120)
    done.set()
    for t in checkers:
        t.join(120)
    assert not errors, errors[:3]
    assert sorted(p.name for p in out.iterdir()) == [outputs.MARKER, "results.csv", "run.json"]
    i, _ = (out / "results.csv").read_text().split()
    assert (out / "run.json").read_text() == f'{{"writer": {i}}}\n'  # one writer's, complete
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


REPLACER = """
import sys
from runners.core import outputs
for j in range(10):
    with outputs.atomic_dir(sys.argv[1]) as tmp:
        (tmp / "results.csv").write_text(sys.argv[2] + " " + str(j) + "\\n")
        (tmp / "run.json").write_text(sys.argv[2] + "\\n")
    outputs.check_target(sys.argv[1])
"""


@pytest.mark.slow
def test_concurrent_processes_replacing_one_folder_all_succeed(tmp_path):
    # as the CLI runs do it: separate processes, each replacing the folder 10 times
    out = tmp_path / "o"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", REPLACER, str(out), str(i)], stderr=subprocess.PIPE, text=True
        )
        for i in range(4)
    ]
    failures = [err for p in procs for _, err in [p.communicate(timeout=300)] if p.returncode != 0]
    assert not failures, failures[:1]
    i, _ = (out / "results.csv").read_text().split()
    assert (out / "run.json").read_text() == f"{i}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


# ---------------------------------------------------------------- fuzz


NAMES = st.sampled_from(["a", "b", "c.csv", "d.png", "charts", "e"])
PATHS = st.lists(NAMES, min_size=1, max_size=3).map("/".join)
KINDS = st.sampled_from(
    ["snowball", "foreign", "tracked", "foreign-folder", "snowball-tracked", "edited", "removed"]
)


@needs_git
@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.dictionaries(PATHS, KINDS, min_size=1, max_size=6))
def test_force_replaces_a_folder_iff_snowball_wrote_everything_in_it(tree):
    # random trees of Snowball's files (as written, edited since or removed since), a user's files
    # and folders, and files tracked by git (a user's, or Snowball's committed since): replaced
    # without --force when Snowball wrote everything and nothing was edited, with --force when
    # Snowball wrote everything (edited or not), never otherwise
    paths = sorted(tree)
    tree = {p: k for p, k in tree.items() if not any(q.startswith(p + "/") for q in paths if q != p)}
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        git(repo, "init", "-q")
        written = ("snowball", "snowball-tracked", "edited", "removed")
        mine = {p: "snowball\n" for p, k in tree.items() if k in written}
        out = snowball_folder(repo / "out", mine)
        for path, kind in tree.items():
            where = out / path
            with contextlib.suppress(OSError):
                if kind == "foreign-folder":
                    where.mkdir(parents=True, exist_ok=True)
                elif kind == "edited":
                    where.write_text("snowbaLL\n" if len(tree) % 2 else "annotated\n")  # size kept or not
                elif kind == "removed":
                    where.unlink()
                elif kind not in written:
                    where.parent.mkdir(parents=True, exist_ok=True)
                    where.write_text(kind)
            if kind.endswith("tracked") and where.is_file():
                git(repo, "add", str(where.relative_to(repo)))
        for force in (False, True):
            allowed = {"snowball", "removed"} | ({"edited"} if force else set())
            own = set(tree.values()) <= allowed
            before = snapshot(out)
            try:
                with outputs.atomic_dir(out, force=force) as new:
                    (new / "results.csv").write_text("new\n")
                replaced = True
            except SnowballError:
                replaced = False
            assert replaced == own, (force, tree, before)
            if replaced:
                assert sorted(p.name for p in out.iterdir()) == [outputs.MARKER, "results.csv"]
                break
            assert snapshot(out) == before
        assert sorted(p.name for p in repo.iterdir()) == [".git", "out"]


# ---------------------------------------------------------------- edited since: --force replaces


def test_an_edited_file_keeps_the_folder_unless_force(tmp_path, capsys):
    # the issue: an analyst annotated results.csv in a folder snowball wrote; the rerun replaced
    # it silently. Now refused in one line naming the folder and the file; --force replaces it.
    out = tmp_path / "run"
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 0
    with (out / "results.csv").open("a") as fh:
        fh.write("# checked against CBO table 1-1\n")
    before = snapshot(out)
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 2
    one_line_error(
        capsys, f"--out {out}: results.csv has been edited since snowball wrote it", "--force replaces it"
    )
    assert snapshot(out) == before
    assert main(["run", "baseline", *QUICK, "--out", str(out), "--force"]) == 0
    assert (out / "results.csv").read_text().startswith("fiscal_year,")
    assert "CBO" not in (out / "results.csv").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_an_edit_that_keeps_the_size_is_found_by_its_sha256(tmp_path):
    # a chart retouched byte for byte, and a file deep in a folder: the size matches, the hash not
    out = snowball_folder(tmp_path / "o", {"results.csv": "1\n", "charts/fan.png": "png-bytes"})
    (out / "charts" / "fan.png").write_text("PNG-bytes")
    for _ in range(2):  # the second check reads the hash the first read (same file, unchanged)
        with pytest.raises(SnowballError, match=r"charts/fan\.png has been edited since snowball wrote it"):
            outputs.check_target(out)
    assert outputs.check_target(out, force=True) == out
    (out / "charts" / "fan.png").write_text("png-bytes")  # edited back: snowball's again
    assert outputs.check_target(out) == out


def test_an_unedited_folder_is_replaced_without_force(tmp_path, capsys):
    # the marker records each file's sha256 and size as written; a folder whose files still have
    # them (or were removed: no one's work) is replaced as before
    out = tmp_path / "run"
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 0
    marker = (out / outputs.MARKER).read_text()
    assert marker.startswith(outputs.MARKER_TEXT + outputs.MARKER_HASHES)
    for name in ("columns.csv", "results.csv", "run.json"):
        data = (out / name).read_bytes()
        assert f"{hashlib.sha256(data).hexdigest()} {len(data)} {name}\n" in marker
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 0
    (out / "columns.csv").unlink()
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [outputs.MARKER, "columns.csv", "results.csv", "run.json"]


def test_a_marker_without_hashes_takes_its_files_as_unedited(tmp_path):
    # markers written before they recorded hashes (a list of names, or no list): nothing to compare
    # with, so the folder is replaced as it was then; the same edit under a marker of now is refused
    out = snowball_folder(tmp_path / "o", {"results.csv": "1\n", "charts/fan.png": "png"})
    (out / "results.csv").write_text("edited\n")
    with pytest.raises(SnowballError, match=r"results\.csv has been edited"):
        outputs.check_target(out)
    for old in (
        outputs.MARKER_TEXT + outputs.MARKER_LIST + "charts/\ncharts/fan.png\nresults.csv\n",
        outputs.MARKER_TEXT,
    ):
        (out / outputs.MARKER).write_text(old)
        assert outputs.edited_file(out) is None
        assert outputs.check_target(out) == out
    snowball_folder(out, {"results.csv": "2\n"})
    assert (out / "results.csv").read_text() == "2\n"


def test_an_edit_made_while_a_run_writes_is_kept(tmp_path):
    # checked again under the lock just before the swap: an edit made meanwhile refuses the swap
    out = snowball_folder(tmp_path / "o", {"results.csv": "1\n"})
    with pytest.raises(SnowballError, match=r"results\.csv has been edited"), outputs.atomic_dir(out) as tmp:
        (tmp / "results.csv").write_text("2\n")
        (out / "results.csv").write_text("1 and a note\n")
    assert (out / "results.csv").read_text() == "1 and a note\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


SWEEP_SPEC = (
    'title = "t"\nscenario = "baseline"\nuntil = 2028\nmethod = "monte-carlo"\ndraws = 12\n'
    'seed = 1\nchunk = 4\n[inputs."yield shift"]\ndistribution = "uniform"\nlow = 0\nhigh = 1\n'
)


def test_a_sweep_resumed_into_its_own_folder(tmp_path, monkeypatch, capsys):
    # the chunks wait in .NAME.partial beside --out (never in it), and the sweep checks --out
    # before running anything: resuming into its own earlier output needs no --force, an edited
    # summary.csv refuses the resume (keeping the chunks) until --force
    from runners.sweep import planning as sweep_planning
    from runners.sweep import runner as sweep
    from runners.sweep import spec as sweepspec

    class StopAfter(sweep.Progress):
        """Ctrl-C after the first finished chunk."""

        def update(self, done: int, first: bool = False) -> None:
            if not first:
                raise KeyboardInterrupt

    monkeypatch.setattr(sweep_planning, "MIN_CHUNK", 1)
    path = tmp_path / "spec.toml"
    path.write_text(SWEEP_SPEC)
    spec = sweepspec.parse_spec(path)
    out = tmp_path / "s"
    sweep.run_sweep(spec, out=out, workers=1, show_progress=False)
    first = snapshot(out)
    listed = first[outputs.MARKER].decode().split(outputs.MARKER_HASHES)[1].splitlines()
    hashed = {line.split(" ")[2]: line.split(" ")[0] for line in listed if not line.endswith("/")}
    assert "runs.parquet" in hashed  # its hash passed on from the manifest's: the file's own
    assert hashed == {name: hashlib.sha256(first[name]).hexdigest() for name in hashed}
    partial = sweep.partial_dir(out)
    for edit in (False, True):
        with pytest.raises(KeyboardInterrupt):
            sweep.run_sweep(spec, out=out, workers=1, progress=StopAfter(12, "t", enabled=False))
        kept = sorted(p.name for p in partial.glob("chunk-*.npy"))
        assert kept and snapshot(out) == first
        if edit:
            (out / "summary.csv").write_text("annotated\n")
            with pytest.raises(SnowballError, match=r"summary\.csv has been edited .*--force replaces it"):
                sweep.run_sweep(spec, out=out, workers=1, resume=True, show_progress=False)
            assert sorted(p.name for p in partial.glob("chunk-*.npy")) == kept
        sweep.run_sweep(spec, out=out, workers=1, resume=True, show_progress=False, force=edit)
        assert snapshot(out) == first and not partial.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s", "spec.toml"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "edit"),
    [
        (["run", "baseline", *QUICK], "run.json"),
        (["diagram"], "manifest.json"),
        (["sweep", "SPEC", "--workers", "1"], "sensitivity.csv"),
    ],
)
def test_commands_with_out_refuse_an_edited_file_unless_force(tmp_path, capsys, command, edit):
    spec = tmp_path / "spec.toml"
    spec.write_text(SWEEP_SPEC)
    command = [str(spec) if c == "SPEC" else c for c in command]
    out = tmp_path / "x"
    assert main([*command, "--out", str(out)]) == 0
    (out / edit).write_bytes((out / edit).read_bytes() + b"\n")
    before = snapshot(out)
    capsys.readouterr()
    assert main([*command, "--out", str(out)]) == 2
    one_line_error(capsys, f"--out {out}: {edit} has been edited since snowball wrote it", "--force")
    assert snapshot(out) == before
    assert main([*command, "--out", str(out), "--force"]) == 0
    assert snapshot(out) != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml", "x"]
