"""Safety (issue 9): never lose a user's files, never print a traceback, never write an impossible
result. Each test reproduces one defect found by an adversarial tester and asserts the one-line
message, the exit code and that no foreign file was touched."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import one_line_error, snowball_with_data

from runners.cli import common as cli
from runners.cli import main
from runners.core import outputs
from runners.core.paths import REPO

QUICK = ["--until", "2026"]


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
    one_line_error(capsys, f"--out {out}: exists and was not written by snowball", "choose another --out")
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


def test_force_replaces_a_folder_snowball_wrote(tmp_path, capsys):
    # results.csv edited since it was written: --force replaces it (a folder snowball did not
    # write is refused even with --force: test_faults_outputs.py)
    out = tmp_path / "x"
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 0
    (out / "results.csv").write_text("old\n")
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
    listed = (out / outputs.MARKER).read_text().split(outputs.MARKER_HASHES)[1].splitlines()
    assert [line.split(" ")[-1] for line in listed] == ["columns.csv", "results.csv", "run.json"]
    (out / "results.csv").unlink()  # removed (not edited): no one's work, replaced without --force
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


@pytest.mark.slow
def test_compare_of_many_scenarios_names_its_folder_by_a_hash(tmp_path, capsys, monkeypatch):
    # the issue: all built-in scenarios joined by "-vs-" made a folder name over 255 characters
    from runners.scenario.scenarios import builtin_names

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


@pytest.mark.slow
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


# ---------------------------------------------------------------- one line, never a traceback


def test_bond_help_prints(capsys):
    # the issue: an unescaped '%' in the help text made `snowball bond --help` a traceback
    with pytest.raises(SystemExit) as stop:
        main(["bond", "--help"])
    assert stop.value.code == 0
    assert "coupon, % of face a year" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "baseline", "--until", "soon"], "argument --until: invalid int value: 'soon'"),
        (["bond", "--coupon", "four", "--years", "2", "--yield", "4"], "argument --coupon: invalid float"),
        (["sweep"], "the following arguments are required: spec"),
    ],
)
def test_usage_errors_are_one_line(capsys, args, fragment):
    # the issue: argparse printed a three-line usage dump
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2
    one_line_error(capsys, fragment, "--help")


def test_bond_face_nan_is_refused(capsys):
    # the issue: `bond --face nan` printed "price nan"
    assert main(["bond", "--coupon", "4", "--years", "10", "--yield", "4", "--face", "nan"]) == 2
    one_line_error(capsys, "--face must be a finite number above 0, got nan")


def test_empty_scenarios_folder_is_one_line(tmp_path, capsys, monkeypatch):
    # the issue: `snowball scenarios` crashed on max() of an empty list
    (tmp_path / "scenarios").mkdir()
    monkeypatch.setenv("SNOWBALL_DATA_DIR", str(tmp_path))
    assert main(["scenarios"]) == 2
    one_line_error(capsys, "no scenario files (*.toml)")


@pytest.mark.slow
def test_invalid_utf8_vintage_is_one_line(tmp_path):
    # the issue: an invalid-UTF-8 vintage.toml gave a UnicodeDecodeError traceback
    import shutil

    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    for vintage in (data / "baselines").glob("*/vintage.toml"):  # whichever the default baseline is
        vintage.write_bytes(b'title = "\xff\xfe"\n')
    proc = snowball_with_data(tmp_path, data, "run", "baseline", "--until", "2026", "--out", "o")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().endswith("vintage.toml: not UTF-8 text (byte 9)")
    assert proc.stderr.count("\n") == 1
    assert not (tmp_path / "o").exists()


def write_scenario(tmp_path: Path, body: str, name: str = "s") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'title = "t"\ndescription = "d"\nbaseline = "cbo-2025-01"\n{body}')
    return path


@pytest.mark.parametrize(
    ("table", "x"),
    [
        ("rating premium table", "3"),
        ("confidence premium table", "2030"),
        ("baseline GDP path", "2030"),
        ("baseline debt to GDP path", "2030"),
    ],
)
def test_tables_the_run_cannot_set_are_refused(tmp_path, capsys, table, x):
    # the issue: the checker accepted these tables and the run failed with KeyError
    path = write_scenario(tmp_path, f'[tables."{table}"]\n{x} = 1\n')
    assert main(["run", str(path), *QUICK, "--out", str(tmp_path / "o")]) == 2
    one_line_error(
        capsys,
        f"'{table}' is not a fiscal-year input table",
        "allowed: CPI inflation table, GDP price growth table, baseline inflation",
    )
    assert not (tmp_path / "o").exists()


def test_fifo_scenario_file_does_not_hang(tmp_path, capsys):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    assert main(["run", str(fifo), *QUICK, "--out", str(tmp_path / "o")]) == 2
    one_line_error(capsys, "must be a regular file, not a pipe, device or folder")


def test_folder_named_like_a_scenario_is_refused(tmp_path, capsys):
    (tmp_path / "folder.toml").mkdir()
    assert main(["run", str(tmp_path / "folder.toml"), *QUICK, "--out", str(tmp_path / "o")]) == 2
    one_line_error(capsys, "folder.toml: scenario file must be a regular file")


def test_link_to_dev_zero_is_refused(tmp_path, capsys):
    link = tmp_path / "zero.toml"
    link.symlink_to("/dev/zero")
    assert main(["run", str(link), *QUICK, "--out", str(tmp_path / "o")]) == 2
    one_line_error(capsys, "must be a regular file")


def test_huge_scenario_file_is_refused(tmp_path, capsys):
    big = tmp_path / "big.toml"
    big.write_text('title = "t"\ndescription = "d"\n' + "# padding\n" * 200_000)
    assert main(["run", str(big), *QUICK, "--out", str(tmp_path / "o")]) == 2
    # 30 bytes of header + 200,000 lines of 10 bytes = 2,000,030 bytes
    one_line_error(capsys, "2,000,030 bytes; the limit is 1,000,000 bytes")


# ---------------------------------------------------------------- impossible results


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            '[tables."revenues share table"]\n2026 = 1e6\n',
            "'revenues share table' = 1e+06 in 2026 is out of range; allowed 1 to 60 (percent of GDP)",
        ),
        (
            '[tables."nominal GDP growth table"]\n2026 = -150\n',
            "'nominal GDP growth table' = -150 in 2026 is out of range; allowed -30 to 50",
        ),
        (
            # found by the fuzz test: revenues of 0% of GDP in 2025 made the interest-to-revenue
            # ratio divide by zero ("internal error"); revenue is that ratio's denominator
            '[tables."revenues share table"]\n2025 = 0\n',
            "'revenues share table' = 0 in 2025 is out of range; allowed 1 to 60 (percent of GDP)",
        ),
    ],
)
def test_table_values_are_range_checked(tmp_path, capsys, body, fragment):
    # the issue: revenues share 1e6 gave negative debt for 30 years; GDP growth -150 negative GDP
    path = write_scenario(tmp_path, body)
    assert main(["run", str(path), *QUICK, "--out", str(tmp_path / "o")]) == 2
    one_line_error(capsys, str(path), fragment)
    assert not (tmp_path / "o").exists()


def test_set_cannot_put_holdings_above_the_debt(tmp_path, capsys):
    # the issue: --set "initial japan holdings=1e9" gave negative domestic holdings with exit 0
    assert (
        main(["run", "baseline", *QUICK, "--set", "initial japan holdings=1e5", "--out", str(tmp_path)]) == 2
    )  # 1e9 is now refused by the constant's own bound (scenario.OPEN_BOUND); 1e5 $bn passes it
    one_line_error(capsys, "japan 100,000.0", "domestic private holdings would be negative")
    assert list(tmp_path.iterdir()) == []


def test_negative_debt_fails_naming_variable_and_year(tmp_path, capsys):
    # each value is in range, but revenues of 60% of GDP with primary outlays of 5% repay the
    # whole debt within two years: $28.2tn at the end of FY2024 less a surplus of about 55% of a
    # $30tn GDP (~$16.5tn) leaves ~$11.7tn after FY2025, and FY2026's surplus overshoots zero.
    # The run must fail, not write negative debt.
    years = "\n".join(f"{y} = 60" for y in range(2025, 2031))
    low = "\n".join(f"{y} = 5" for y in range(2025, 2031))
    body = f'[tables."revenues share table"]\n{years}\n[tables."primary outlays share table"]\n{low}\n'
    path = write_scenario(tmp_path, body)
    assert main(["run", str(path), "--until", "2030", "--out", str(tmp_path / "o")]) == 2
    err = one_line_error(capsys, "debt_held_by_public is negative", "which is impossible")
    assert " in FY2026," in err
    assert not (tmp_path / "o").exists()


def test_explosion_flag_covers_implosion(baseline_result):
    from runners.projection import run

    frame = baseline_result.results.copy()
    frame.loc[2031:, "debt_to_gdp"] = 0.0  # debt paid off from FY2031 (an implosion)
    assert run.milestones(frame)["debt_explodes"] == 2031
    frame.loc[2031:, "debt_to_gdp"] = 350.0  # and an explosion
    assert run.milestones(frame)["debt_explodes"] == 2031
    assert run.milestones(baseline_result.results)["debt_explodes"] is None


# ---------------------------------------------------------------- the Python API checks like the CLI


def test_api_accepts_a_name_and_checks_overrides(baseline_result):
    from runners.core.errors import SnowballError
    from runners.projection import run

    by_name = run.run("baseline", until=2055)  # the issue: AttributeError
    assert by_name.results.equals(baseline_result.results)
    with pytest.raises(SnowballError, match=r"'yield shift' = 99 is out of range; allowed -5 to 20"):
        run.run("baseline", until=2026, overrides={"yield shift": 99})
    with pytest.raises(SnowballError, match="domestic private holdings would be negative"):
        run.run("baseline", until=2026, overrides={"initial_japan_holdings": 1e5})
    python_name = run.run(
        str(REPO / "data/scenarios/baseline.toml"), until=2026, overrides={"yield_shift": 1}
    )
    assert python_name.overrides == {"yield shift": 1.0}


# ---------------------------------------------------------------- sweeps


SPEC = """
title = "safety sweep"
scenario = "baseline"
until = 2030
method = "monte-carlo"
draws = {draws}
seed = 9
chunk = {chunk}

[inputs."yield shift"]
distribution = "uniform"
low = -0.5
high = 1.5

[keep]
variables = ["debt_to_gdp"]
years = [2030]
"""


def sweep_spec(tmp_path: Path, draws: int = 30, chunk: int = 10, name: str = "safe"):
    from runners.sweep import spec as sweepspec

    path = tmp_path / f"{name}.toml"
    path.write_text(SPEC.format(draws=draws, chunk=chunk))
    return sweepspec.parse_spec(path)


def test_grid_cap_is_checked_before_the_grid_is_built(tmp_path):
    # the issue: `points = 1e9` allocated 7.45 GiB before the cap was checked, and the message
    # named 'draws', which a grid spec does not have
    from runners.core.errors import SnowballError
    from runners.sweep import spec as sweepspec

    text = SPEC.format(draws=1, chunk=10).replace('method = "monte-carlo"\ndraws = 1\n', 'method = "grid"\n')
    text = text.replace("high = 1.5", "high = 1.5\npoints = 1000000000")
    path = tmp_path / "grid.toml"
    path.write_text(text)
    with pytest.raises(
        SnowballError, match=r"field 'inputs.yield shift.points': the grid has 1,000,000,000 runs"
    ):
        sweepspec.parse_spec(path)


def test_bad_scheduler_and_zero_workers_leave_no_partial_folder(tmp_path, capsys):
    spec = tmp_path / "safe.toml"
    spec.write_text(SPEC.format(draws=30, chunk=10))
    out = tmp_path / "o"
    for extra, fragment in [
        (["--scheduler", "notaurl"], "--scheduler notaurl: not a Dask scheduler address"),
        (["--workers", "0"], "--workers must be at least 1, got 0"),
    ]:
        assert main(["sweep", str(spec), "--out", str(out), *extra]) == 2
        one_line_error(capsys, fragment)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["safe.toml"]


@pytest.mark.slow
def test_unreachable_scheduler_leaves_no_partial_folder(tmp_path, monkeypatch):
    from runners.core.errors import SnowballError
    from runners.sweep import dask_cluster as sweep_dask_cluster
    from runners.sweep import runner as sweep

    monkeypatch.setattr(sweep_dask_cluster, "SCHEDULER_TIMEOUT", "1s")
    spec = sweep_spec(tmp_path)
    with pytest.raises(SnowballError, match="cannot reach the Dask scheduler"):
        sweep.run_sweep(spec, out=tmp_path / "o", scheduler="tcp://127.0.0.1:9", show_progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["safe.toml"]


def test_truncated_chunk_is_run_again_on_resume(tmp_path, capsys):
    # the issue: a truncated chunk file gave a traceback on --resume
    from runners.sweep import runner as sweep

    spec = sweep_spec(tmp_path)
    clean = sweep.run_sweep(spec, out=tmp_path / "clean", workers=1, show_progress=False)
    out = tmp_path / "o"
    the_plan = sweep.plan(spec)
    folder = sweep.partial_dir(out)
    folder.mkdir()
    (folder / "key.txt").write_text(the_plan.key + "\n")
    sweep.execute(the_plan, folder)
    chunk = folder / "chunk-00001.npy"
    chunk.write_bytes(chunk.read_bytes()[:100])  # a crash mid-write on a filesystem without rename
    sweep.run_sweep(spec, out=out, workers=1, resume=True, show_progress=False)
    assert "1 damaged, recomputed: chunk-00001.npy (checksum mismatch)" in capsys.readouterr().err
    assert snapshot(out) == snapshot(clean.out)
    assert not folder.exists()


def test_two_sweeps_on_one_out_are_refused(tmp_path):
    # the issue: two sweeps writing to the same --out deleted each other's chunks
    import fcntl

    from runners.core.errors import SnowballError
    from runners.sweep import runner as sweep

    spec = sweep_spec(tmp_path)
    out = tmp_path / "o"
    folder = sweep.partial_dir(out)
    folder.mkdir()
    (folder / "chunk-00000.npy").write_bytes(b"the other sweep's chunk")
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what the first sweep holds while it runs
        with pytest.raises(SnowballError, match="another sweep is writing there now"):
            sweep.run_sweep(spec, out=out, workers=1, show_progress=False)
    finally:
        os.close(fd)
    assert (folder / "chunk-00000.npy").read_bytes() == b"the other sweep's chunk"


def test_rerun_without_resume_says_chunks_are_discarded(tmp_path, capsys):
    from runners.sweep import runner as sweep

    spec = sweep_spec(tmp_path)
    out = tmp_path / "o"
    the_plan = sweep.plan(spec)
    folder = sweep.partial_dir(out)
    folder.mkdir()
    sweep.execute(the_plan, folder)
    sweep.run_sweep(spec, out=out, workers=1, show_progress=False)
    err = capsys.readouterr().err
    assert f"{folder} holds 3 finished chunk(s) of an earlier sweep; discarding them" in err
    assert "pass --resume" in err


def test_progress_in_a_log_has_no_carriage_return(tmp_path):
    import io

    from runners.sweep import runner as sweep

    log = io.StringIO()
    spec = sweep_spec(tmp_path)
    sweep.run_sweep(spec, out=tmp_path / "o", workers=1, progress=sweep.Progress(0, "sweep safe", log))
    text = log.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert lines[0] == "sweep safe: sampling the inputs and checking the base scenario"
    assert "sweep safe: running 30 runs in 3 chunk(s)" in lines
    assert "sweep safe: 30/30 runs" in lines[-2]
    assert lines[-1] == "sweep safe: writing the outputs (summary, sensitivity, charts)"


def test_error_after_the_bar_starts_on_its_own_line(tmp_path):
    # the issue: an error during a sweep was printed after the bar, on the bar's own line
    import io

    from runners.core.errors import SnowballError
    from runners.sweep import runner as sweep

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    class FailAfterOneChunk(sweep.Progress):
        def update(self, done: int, first: bool = False) -> None:
            super().update(done, first)
            if done:
                raise SnowballError("a chunk failed")

    screen = Terminal()
    with pytest.raises(SnowballError):
        sweep.run_sweep(
            sweep_spec(tmp_path), out=tmp_path / "o", workers=1, progress=FailAfterOneChunk(0, "s", screen)
        )
    assert "\r" in screen.getvalue()  # a terminal gets the bar
    assert screen.getvalue().endswith("\n")  # and the error that follows starts on its own line


def test_failed_runs_are_counted_named_and_refused_above_the_limit(tmp_path, capsys):
    # the issue: non-finite runs were dropped from the percentiles silently
    import numpy as np

    from runners.core.errors import SnowballError
    from runners.sweep import runner as sweep
    from runners.sweep.work import load_chunk, save_chunk

    spec = sweep_spec(tmp_path, draws=200, chunk=100)
    the_plan = sweep.plan(spec)
    folder = tmp_path / "chunks"
    folder.mkdir()
    sweep.execute(the_plan, folder)
    first = load_chunk(str(folder / "chunk-00000.npy")).copy()  # (runs, years, columns)
    first[7, -1, 0] = np.nan  # run 7 diverged in its last year
    save_chunk(str(folder), 0, first)
    sweep.write_outputs(the_plan, folder, tmp_path / "one")  # 1 of 200 = 0.5%: allowed, reported
    assert "1 of 200 runs (0.5%) went non-finite or negative (run ids 7;" in capsys.readouterr().err
    manifest = json.loads((tmp_path / "one" / "manifest.json").read_text())
    assert manifest["failed_runs"] == {"count": 1, "run_ids": [7], "limit_share": 0.01}
    first[8:10, 0, 0] = -1.0  # runs 8 and 9: negative debt (an impossible value)
    save_chunk(str(folder), 0, first)
    with pytest.raises(SnowballError, match=r"3 of 200 runs \(1.5%\).*run ids 7, 8, 9;.*more than the 1%"):
        sweep.write_outputs(the_plan, folder, tmp_path / "three")
    assert not (tmp_path / "three").exists()
    # and the refused sweep's runs.parquet writer thread ended with it (it closed its files)
    import threading

    assert not [t for t in threading.enumerate() if t.name == "snowball-runs-writer"]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_parent(tmp_path):
    # the issue: after SIGKILL of the sweep, its worker processes lived on
    script = tmp_path / "parent.py"
    script.write_text(
        "import sys\n"
        "from runners.sweep import runner as sweep, spec as sweepspec\n"
        "if __name__ == '__main__':  # worker processes are spawned: they import this file\n"
        "    spec = sweepspec.parse_spec(sweepspec.Path(sys.argv[1]))\n"
        "    sweep.run_sweep(spec, out=sweepspec.Path(sys.argv[2]), workers=2, show_progress=False)\n"
    )
    spec = tmp_path / "big.toml"
    # chunks of 20,000 runs to 2100 take several seconds each: a worker that only notices its
    # parent's death when it asks for the next chunk would outlive the 5 s allowed below
    spec.write_text(SPEC.format(draws=400_000, chunk=20_000).replace("until = 2030", "until = 2100"))
    assert_workers_die_with([sys.executable, str(script), str(spec), str(tmp_path / "o")])


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_gap_workers_die_with_a_killed_parent(tmp_path):
    # the same for snowball gap --probability: its own spawned pool outlived a killed gap
    spec = tmp_path / "big.toml"
    spec.write_text(SPEC.format(draws=400_000, chunk=20_000))
    args = ["gap", "--target", "100", "--by", "2100", "--probability", "0.9", "--sweep", str(spec)]
    cmd = [
        sys.executable,
        "-c",
        "import sys; from runners.cli import main; sys.exit(main(sys.argv[1:]))",
    ]
    assert_workers_die_with([*cmd, *args, "--workers", "2", "--out", str(tmp_path / "o")])


def assert_workers_die_with(cmd: list[str]) -> None:
    """Start ``cmd``, wait for its two worker processes, SIGKILL it: every process it started is
    gone within 5 s (on Linux sweep workers are forked by a fork server, a child of the command)."""
    import signal
    import time

    parent = subprocess.Popen(cmd)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 3 and time.monotonic() < deadline and parent.poll() is None:
            time.sleep(0.5)
            workers = descendants(parent.pid)  # two workers, and a fork server or resource tracker
        assert len(workers) >= 3, "the command never started its workers"
        workers = descendants(parent.pid)  # the workers, the fork server and the resource tracker
        time.sleep(2)  # let them start working
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(alive(w) for w in workers):
            time.sleep(0.2)
        assert not any(alive(w) for w in workers)
    finally:
        if parent.poll() is None:
            parent.kill()
        for w in workers:  # never leave a stray worker behind, even when the test fails
            if alive(w):
                os.kill(w, signal.SIGKILL)


def children(pid: int) -> list[int]:
    """Child process ids of ``pid`` (Linux /proc)."""
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            out += [int(c) for c in (task / "children").read_text().split()]
    return out


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``: the sweep's workers are forked by its fork server, a child."""
    out, todo = [], children(pid)
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children(p)
    return out


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie counts as dead)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_output_written_before_the_marker_is_still_replaced(tmp_path, capsys):
    # folders from older versions carry no marker: recognised by Snowball's own files only
    out = tmp_path / "run"
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 0
    (out / outputs.MARKER).unlink()
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 0
    assert (out / outputs.MARKER).is_file()
    (out / outputs.MARKER).unlink()
    (out / "notes.txt").write_text("keep\n")  # a user's file makes it a user's folder
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 2
    one_line_error(capsys, "exists and was not written by snowball")
    assert (out / "notes.txt").read_text() == "keep\n"


def test_sweep_cannot_draw_holdings_above_the_debt(tmp_path):
    # the cross-field rule of --set holds for every run of a sweep too
    from runners.core.errors import SnowballError
    from runners.sweep import runner as sweep
    from runners.sweep import spec as sweepspec

    text = SPEC.format(draws=30, chunk=10).replace(
        '[inputs."yield shift"]\ndistribution = "uniform"\nlow = -0.5\nhigh = 1.5',
        '[inputs."initial japan holdings"]\ndistribution = "uniform"\nlow = 0\nhigh = 40000',
    )
    path = tmp_path / "holders.toml"
    path.write_text(text)
    with pytest.raises(SnowballError, match="the starting holdings sum to at least the 'initial debt held"):
        sweep.plan(sweepspec.parse_spec(path))


def test_a_failed_runs_parquet_write_fails_the_sweep_in_one_line(tmp_path, monkeypatch):
    # runs.parquet's row groups are encoded by a writer thread: its error (here a full disk at
    # the second row group) must reach the sweep as the usual one-line error, with no output
    import errno

    import pyarrow.parquet as pq

    from runners.core.errors import SnowballError
    from runners.sweep import runner as sweep

    spec = sweep_spec(tmp_path, draws=200, chunk=50)
    calls = []
    real = pq.ParquetWriter.write_table

    def full_disk(self, table, *args, **kwargs):
        calls.append(table.num_rows)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full_disk)
    with pytest.raises(SnowballError, match=r"^sweep safe: disk full writing .*runs\.parquet\.part$"):
        sweep.run_sweep(spec, out=tmp_path / "o", workers=1, show_progress=False)
    assert len(calls) == 2
    assert not (tmp_path / "o").exists()


def test_a_table_point_between_two_points_of_a_stepped_table(tmp_path):
    # found by the fuzz test: January 2025's bill share table has two points, 2024 and 2100 (a
    # stepped RangeIndex); a scenario point in 2062 made pandas' enlargement fail ("internal
    # error: Length of values (3) does not match length of index (4)")
    from runners.projection import run
    from runners.projection.params import scenario_params
    from runners.scenario.scenarios import load_scenario

    path = write_scenario(tmp_path, '[tables."bill share table"]\n2062 = 0.0\n')
    scen = load_scenario(str(path))
    params = scenario_params(scen, run.cached_inputs(scen.baseline))
    table = params["bill share table"]
    base = run.cached_inputs(scen.baseline).tables["bill share table"]
    assert list(table.index) == [2024, 2062, 2100]
    assert table[2062] == 0.0 and table[2024] == base[2024] and table[2100] == base[2100]
    assert main(["run", str(path), "--until", "2030", "--out", str(tmp_path / "o")]) == 0


def test_a_users_file_in_an_output_folder_keeps_it(tmp_path, capsys):
    # the issue: notes a user saved in a folder snowball wrote (reports/runs/baseline/notes.txt,
    # or beside the brief's charts) were deleted with the folder by the next run
    out = tmp_path / "run"
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 0
    (out / "notes.txt").write_text("keep\n")
    (out / "mine").mkdir()
    (out / "mine" / "draft.md").write_text("keep too\n")
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 2
    one_line_error(capsys, f"--out {out}: holds files snowball did not write (mine/draft.md, notes.txt)")
    assert (out / "notes.txt").read_text() == "keep\n" and (out / "mine" / "draft.md").is_file()
    # moved away, the folder is snowball's again; --force replaces it as before
    (out / "notes.txt").unlink()
    shutil.rmtree(out / "mine")
    assert main(["run", "baseline", *QUICK, "--out", str(out), "--force"]) == 0
    assert not (out / "mine").exists()
    # snowball's own files edited since are replaced only with --force
    (out / "results.csv").write_text("edited\n")
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 2
    one_line_error(capsys, f"--out {out}: results.csv has been edited since snowball wrote it", "--force")
    assert main(["run", "baseline", *QUICK, "--out", str(out), "--force"]) == 0
    assert (out / "results.csv").read_text().startswith("fiscal_year,")
    # a folder whose marker lists no files (written before markers listed them) is replaced
    # when it holds only snowball's own file names (a user's file keeps it: test_faults_outputs.py)
    (out / outputs.MARKER).write_text(outputs.MARKER_TEXT)
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 0


def _chart_worker_killed(*args):
    """A chart-writing task that dies in its worker process (as the out-of-memory killer stops it)."""
    import os

    os._exit(9)


@pytest.mark.slow
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the brief writes its charts itself")
def test_a_chart_worker_that_dies_gives_a_one_line_error(tmp_path, monkeypatch):
    # the brief writes its charts' SVG and PDF files in worker processes; one that died gave
    # "internal error: BrokenProcessPool: A process in the process pool was terminated abruptly"
    from runners.core.errors import SnowballError
    from runners.report import chart_files
    from runners.report.brief import write_brief

    monkeypatch.setattr(chart_files, "save_pickled", _chart_worker_killed)
    out = tmp_path / "pack"
    with pytest.raises(
        SnowballError, match=r"^brief: a worker process writing the charts died .*nothing was written"
    ):
        write_brief(["baseline"], out, until=2030, uncertainty=False, sweeps_dir=tmp_path / "none")
    assert not out.exists() and not list(tmp_path.glob(".pack*"))
