"""Safety (issue 9): never lose a user's files, never print a traceback, never write an impossible
result. Each test reproduces one defect found by an adversarial tester and asserts the one-line
message, the exit code and that no foreign file was touched."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from runners import cli, outputs
from runners.cli import main
from runners.paths import REPO

QUICK = ["--until", "2026"]


def one_line_error(capsys, *fragments: str) -> str:
    """The captured stderr: exactly one line, the CLI's error prefix and every fragment."""
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("snowball: error: "), err
    for fragment in fragments:
        assert fragment in err, err
    return err


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (to prove nothing foreign was touched)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- --out never loses a user's files


def test_out_refuses_a_folder_snowball_did_not_write(tmp_path, capsys):
    # the issue: `mkdir /tmp/x && echo keep > /tmp/x/notes.txt && snowball run baseline --out /tmp/x`
    # deleted notes.txt with exit 0
    out = tmp_path / "x"
    out.mkdir()
    (out / "notes.txt").write_text("keep\n")
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 2
    one_line_error(capsys, f"--out {out}: exists and was not written by snowball", "pass --force")
    assert snapshot(tmp_path) == {"x/notes.txt": b"keep\n"}


@pytest.mark.parametrize("command", [["compare", "baseline"], ["brief", "baseline"]])
def test_compare_and_brief_refuse_a_foreign_folder(tmp_path, capsys, command):
    out = tmp_path / "x"
    out.mkdir()
    (out / "notes.txt").write_text("keep\n")
    assert main([*command, *QUICK, "--out", str(out)]) == 2
    one_line_error(capsys, "exists and was not written by snowball")
    assert snapshot(tmp_path) == {"x/notes.txt": b"keep\n"}


def test_out_refuses_builtin_scenarios_even_with_force(capsys):
    # the issue: `snowball run baseline --out data/scenarios` deleted the 15 built-in scenarios
    before = snapshot(REPO / "data" / "scenarios")
    for extra in ([], ["--force"]):
        assert main(["run", "baseline", *QUICK, "--out", str(REPO / "data" / "scenarios"), *extra]) == 2
        one_line_error(capsys, "refusing to write inside", "choose another --out")
    assert snapshot(REPO / "data" / "scenarios") == before


def test_out_naming_a_file_is_refused_even_with_force(tmp_path, capsys):
    # the issue: --out FILE turned the file into a folder and hid it as .FILE.old
    target = tmp_path / "notes.txt"
    target.write_text("keep\n")
    for extra in ([], ["--force"]):
        assert main(["run", "baseline", *QUICK, "--out", str(target), *extra]) == 2
        one_line_error(capsys, "exists and is not a folder snowball wrote", "never replaces a file")
    assert snapshot(tmp_path) == {"notes.txt": b"keep\n"}


@pytest.mark.parametrize("where", [".", "/", "repo", "home", "models", "data", "parent-of-cwd"])
def test_force_never_replaces_protected_folders(tmp_path, capsys, monkeypatch, where):
    # `--out .` and `--out /` gave tracebacks; with --force they must be refused, not replaced
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("keep\n")
    monkeypatch.chdir(work)
    target = {
        ".": ".",
        "/": "/",
        "repo": str(REPO),
        "home": str(Path.home()),
        "models": str(REPO / "models"),
        "data": str(REPO / "data"),
        "parent-of-cwd": str(tmp_path),
    }[where]
    assert main(["run", "baseline", *QUICK, "--out", target, "--force"]) == 2
    one_line_error(capsys, "refusing to", "choose another --out")
    assert snapshot(tmp_path) == {"work/notes.txt": b"keep\n"}


def test_force_replaces_a_foreign_folder_when_asked(tmp_path, capsys):
    out = tmp_path / "x"
    out.mkdir()
    (out / "notes.txt").write_text("old\n")
    assert main(["run", "baseline", *QUICK, "--out", str(out), "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        outputs.MARKER,
        "columns.csv",
        "results.csv",
        "run.json",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]


def test_snowball_output_is_replaced_without_force(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 0
    assert (out / outputs.MARKER).read_text() == outputs.MARKER_TEXT
    (out / "results.csv").write_text("stale\n")
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 0
    assert (out / "results.csv").read_text().startswith("fiscal_year,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no .run.old or temp left


@pytest.mark.parametrize(
    ("stem", "expected"),
    [(".", "fallback"), ("..", "fallback"), ("", "fallback"), ("a/b", "a-b"), (".hidden", "hidden")],
)
def test_output_names_from_file_names_are_sanitised(stem, expected):
    assert outputs.output_name(stem, "fallback") == expected


def test_dotdot_toml_does_not_replace_every_earlier_run(tmp_path, capsys, monkeypatch):
    # the issue: a scenario named `..toml` got the output name `.`, so reports/runs/. was replaced
    reports = tmp_path / "reports"
    earlier = reports / "runs" / "earlier"
    earlier.mkdir(parents=True)
    (earlier / outputs.MARKER).write_text(outputs.MARKER_TEXT)
    (earlier / "results.csv").write_text("earlier\n")
    monkeypatch.setattr(cli, "REPORTS", reports)
    scenario = tmp_path / "..toml"
    scenario.write_text('title = "dots"\ndescription = "a file named ..toml"\nbaseline = "cbo-2025-01"\n')
    assert main(["run", str(scenario), *QUICK]) == 0
    assert (earlier / "results.csv").read_text() == "earlier\n"
    assert sorted(p.name for p in (reports / "runs").iterdir()) == ["earlier", "scenario"]


def test_output_folders_respect_the_umask(tmp_path, capsys):
    # the issue: folders were created 0700 (mkdtemp), so colleagues could not open a briefing
    old = os.umask(0o022)
    try:
        assert main(["run", "baseline", *QUICK, "--out", str(tmp_path / "a" / "run")]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a" / "run").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o755


def test_compare_of_many_scenarios_names_its_folder_by_a_hash(tmp_path, capsys, monkeypatch):
    # the issue: all built-in scenarios joined by "-vs-" made a folder name over 255 characters
    from runners.scenario import builtin_names

    monkeypatch.setattr(cli, "REPORTS", tmp_path)
    names = builtin_names()
    assert len("-vs-".join(names)) > 255
    assert main(["compare", *names, *QUICK]) == 0
    (folder,) = (tmp_path / "compare").iterdir()
    assert folder.name.startswith(f"compare-{len(names)}-scenarios-") and len(folder.name) < 60
    assert json.loads((folder / "run.json").read_text())["scenarios"] == names


# ---------------------------------------------------------------- write failures are one line


def test_full_disk_is_one_line_and_keeps_the_previous_output(tmp_path, capsys, monkeypatch):
    out = tmp_path / "run"
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 0
    before = snapshot(tmp_path)
    capsys.readouterr()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs, "write_csv", full)
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 2
    one_line_error(capsys, f"cannot write {out}: No space left on device")
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


@pytest.mark.parametrize("target", ["/proc/snowball-test", "/sys/snowball-test", "/proc"])
def test_unwritable_places_are_one_line(capsys, target):
    assert main(["run", "baseline", *QUICK, "--out", target]) == 2
    one_line_error(capsys, target)


def test_cli_subprocess_has_no_traceback_for_out_dot(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "runners.cli", "run", "baseline", "--until", "2026", "--out", "."],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []
