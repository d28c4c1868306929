"""A second adversarial pass over the command line (an analyst abusing every subcommand).

Each test reproduces one defect the pass found and failed before its fix: a value silently
replaced by another or silently ignored (a table point the run never reads, a sweep path far out
of range), a comparison that silently dropped a scenario, a record (run.json, a sweep's manifest
and key) that did not hold what ran, an option that could start 100,000 processes, an --out that
deleted the run's own scenario, an error that blamed the wrong thing, crashed or took several
lines, and a temporary folder left behind by ``kill``. Every bad input must give one line
``snowball: error: ...`` naming the file and field, exit status 2, and no output folder.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import one_line_error, snowball_with_data

from runners.cli import common as cli
from runners.cli import main
from runners.core.errors import SnowballError
from runners.core.paths import REPO

QUICK = ["--until", "2027"]


def scenario_file(folder: Path, body: str, name: str = "s", title: str = "t") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(f'title = "{title}"\ndescription = "d"\n{body}')
    return path


SPEC = """title = "abuse"
scenario = "baseline"
until = 2028
method = "{method}"
draws = {draws}
seed = 1
{extra}
[inputs."yield shift"]
distribution = "uniform"
low = 0
high = 1
"""


def spec_file(tmp_path: Path, method: str = "monte-carlo", draws: int = 4, extra: str = "") -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(SPEC.format(method=method, draws=draws, extra=extra))
    return path


# ------------------------------------------------- one constant or table set twice: the last won


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        # TOML refuses a key given twice, but "yield shift" and "YIELD SHIFT" (or the Python name
        # yield_shift) are two keys for one constant: the run silently used the second value
        ('[constants]\n"yield shift" = 1\n"YIELD SHIFT" = 2\n', 5, "'yield shift' is already set"),
        ('[constants]\n"yield shift" = 1\nyield_shift = 2\n', 5, "'yield shift' is already set"),
        (
            '[tables."bill yield table"]\n2030 = 3\n[tables.bill_yield_table]\n2031 = 4\n',
            5,
            "table 'bill yield table' is already set",
        ),
    ],
)
def test_a_scenario_cannot_set_one_input_twice(tmp_path, capsys, body, line, fragment):
    path = scenario_file(tmp_path, body)
    out = tmp_path / "o"
    assert main(["run", str(path), *QUICK, "--out", str(out)]) == 2
    one_line_error(capsys, f"{path}: line {line}: ", fragment, "set each")
    assert not out.exists()


@pytest.mark.parametrize(
    ("sets", "fragment"),
    [
        (["yield shift=1", "yield_shift=2"], "--set 'yield_shift': 'yield shift' is already set"),
        (["yield shift=1", "yield shift=2"], "--set 'yield shift' is given twice"),
    ],
)
def test_set_cannot_give_one_constant_twice(tmp_path, capsys, sets, fragment):
    out = tmp_path / "o"
    args = [arg for s in sets for arg in ("--set", s)]
    assert main(["run", "baseline", *QUICK, *args, "--out", str(out)]) == 2
    one_line_error(capsys, fragment)
    assert not out.exists()


def test_a_sweep_cannot_fix_one_constant_twice(tmp_path, capsys):
    path = spec_file(tmp_path, extra='[constants]\n"absorption time" = 1\nabsorption_time = 2\n')
    out = tmp_path / "o"
    assert main(["sweep", str(path), "--workers", "1", "--out", str(out)]) == 2
    one_line_error(capsys, f"{path}: field 'constants.absorption_time': ", "'absorption time' is already set")
    assert not out.exists()


# ---------------------------------------------- compare and brief: two scenarios of one name


def test_compare_refuses_two_files_of_one_name(tmp_path, capsys):
    # the issue: v1/reform.toml and v2/reform.toml (yield shift 0 and 3) gave one column,
    # "reform", holding v2's numbers, and a "reform - reform" column of zeros, exit 0
    v1 = scenario_file(tmp_path / "v1", '[constants]\n"yield shift" = 0\n', name="reform")
    v2 = scenario_file(tmp_path / "v2", '[constants]\n"yield shift" = 3\n', name="reform")
    out = tmp_path / "o"
    for command in ("compare", "brief"):
        assert main([command, str(v1), str(v2), *QUICK, "--out", str(out)]) == 2
        one_line_error(capsys, f"scenario 'reform' names two files, {v1} and {v2}", "rename one")
        assert not out.exists()
    assert main(["compare", "baseline", "baseline", *QUICK, "--out", str(out)]) == 2
    one_line_error(capsys, "scenario 'baseline' is given twice")
    assert not out.exists()
    from runners import api

    with pytest.raises(SnowballError, match="names two files"):
        api.compare([v1, v2], until=2027)


def test_compare_records_every_scenario_it_ran(tmp_path, capsys):
    # the issue: run.json held the first scenario's constants, vintage and data hashes only, so a
    # user file on another vintage (or with other constants) was not recorded
    other = scenario_file(
        tmp_path, 'baseline = "cbo-2025-01"\n[constants]\n"yield shift" = 1.5\n', name="mine", title="Mine"
    )
    out = tmp_path / "o"
    assert main(["compare", "baseline", str(other), *QUICK, "--out", str(out)]) == 0
    assert "Baseline vintages: baseline on cbo-2026-02, mine on cbo-2025-01" in capsys.readouterr().out
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["scenarios"] == ["baseline", "mine"]
    assert "scenario" not in manifest and "data_files" not in manifest  # no longer the first's only
    first, second = manifest["runs"]
    assert (first["scenario"], first["data_vintage"], first["constants"]) == ("baseline", "cbo-2026-02", {})
    assert (second["scenario"], second["title"], second["path"]) == ("mine", "Mine", str(other))
    assert second["data_vintage"] == "cbo-2025-01"
    assert second["constants"] == {"yield shift": 1.5}
    assert any(f.startswith("data/baselines/cbo-2025-01/") for f in second["data_files"])
    assert not any(f.startswith("data/baselines/cbo-2025-01/") for f in first["data_files"])


# ---------------------------------------------------------------- option values


@pytest.mark.parametrize(
    "command",
    [
        ["run", "baseline"],
        ["compare", "baseline", "japan-selloff"],
        ["brief"],
        ["sweep", "monte-carlo"],
        ["gap", "--target", "80", "--by", "2040"],
        ["backtest", "--start", "2020"],
        ["diagram"],
    ],
)
def test_an_empty_out_is_refused(tmp_path, capsys, monkeypatch, command):
    # the issue: `--out "$DIR"` with DIR unset meant the default folder (reports/...), exit 0
    from runners.core import paths
    from runners.sweep import runner as sweep

    for module in (cli, paths, sweep):  # where a regression would write: here, not in reports/
        monkeypatch.setattr(module, "REPORTS", tmp_path)
    with pytest.raises(SystemExit) as stop:
        main([*command, "--out", ""])
    assert stop.value.code == 2
    one_line_error(capsys, "argument --out: an empty path")
    assert list(tmp_path.iterdir()) == []


def test_workers_are_capped(tmp_path, capsys):
    # the issue: --workers 100000 was accepted; the pool starts one process per worker
    # (--workers 24 on this 2-core machine started 15 worker processes for a 3,000-run sweep)
    from runners.sweep.spec import usable_cores

    limit = 4 * usable_cores()  # the cores this process may use (a container's quota, its cpuset)
    path = spec_file(tmp_path)
    out = tmp_path / "o"
    for command in (["sweep", str(path)], ["gap", "--target", "80", "--by", "2040"]):
        assert main([*command, "--workers", str(limit + 1), "--out", str(out)]) == 2
        one_line_error(capsys, f"--workers must be at most {limit} (4 x the", f"got {limit + 1}")
        # gap took --workers 0 without a word when no --sweep was given
        assert main([*command, "--workers", "0", "--out", str(out)]) == 2
        one_line_error(capsys, "--workers must be at least 1, got 0")
    # the Python API has the same bounds (api.sweep and run_sweep had none)
    from runners import api

    with pytest.raises(SnowballError, match=f"--workers must be at most {limit} "):
        api.sweep(str(path), out=out, workers=limit + 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


# ---------------------------------------------------------------- sweep specs


def test_sweep_until_given_as_text_is_shown_as_text(tmp_path, capsys):
    # the issue: until = "2030" gave "... from 2026 to 2100, got 2030", which reads as valid
    path = spec_file(tmp_path)
    path.write_text(path.read_text().replace("until = 2028", 'until = "2030"'))
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    one_line_error(capsys, f"{path}: field 'until': ", "got '2030'")


def test_morris_needs_two_trajectories(tmp_path, capsys):
    # the issue: draws = 1 printed numpy's "Degrees of freedom <= 0" warnings (four lines of
    # stderr), exit 0, and a sensitivity table of undefined spreads
    path = spec_file(tmp_path, method="morris", draws=1)
    out = tmp_path / "o"
    assert main(["sweep", str(path), "--workers", "1", "--out", str(out)]) == 2
    one_line_error(capsys, f"{path}: field 'draws': the Morris method needs at least 2 trajectories")
    assert not out.exists()


# ---------------------------------------------------------------- gap


@pytest.mark.slow
def test_gap_says_when_its_answer_pays_the_debt_off(tmp_path, capsys):
    # the issue: `gap --target 60 --by 2030` failed with "scenario 'baseline': debt_held_by_public
    # is negative ... check the scenario's values": the built-in baseline is fine; the answer
    # (about 9% of GDP a year), kept up to FY2055, pays the debt off in the late 2030s
    out = tmp_path / "o"
    assert main(["gap", "--target", "60", "--by", "2030", "--out", str(out)]) == 2
    err = one_line_error(
        capsys,
        "the adjustment that meets the goal (debt/GDP at 60.0% in FY2030)",
        "cannot be kept up to FY2055",
        "debt_held_by_public is negative",
        "stop the runs earlier with --until",
    )
    assert "check the scenario's values" not in err
    assert not out.exists()
    # what it suggests works: the runs stop before the debt is paid off
    assert main(["gap", "--target", "60", "--by", "2030", "--until", "2035", "--out", str(out)]) == 0
    gap = (out / "gap.csv").read_text().splitlines()
    row = dict(zip(gap[0].split(","), gap[1].split(","), strict=True))
    assert abs(float(row["debt_to_gdp_by_with"]) - 60.0) < 0.05  # LANDING_TOLERANCE


# ---------------------------------------------------------------- one line, always


def test_an_error_quoting_a_file_is_still_one_line(tmp_path, capsys):
    # the issue: `check --model notes.toml` printed the "equation" it quoted, line breaks and all
    path = tmp_path / "notes.toml"
    path.write_text('title = "t"\ndescription = "d"\n[constants\n')
    assert main(["check", "--model", str(path)]) == 2
    one_line_error(capsys, "notes.toml: line 1: equation", "needs units and a comment")
    odd = tmp_path / "a\nb" / "x.toml"  # a path with a line break in it
    assert main(["run", str(odd), *QUICK]) == 2
    one_line_error(capsys, "a b/x.toml: scenario file not found")


# ---------------------------------------------------------------- data files


def copy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    return data


@pytest.mark.slow
def test_an_issuance_share_given_twice_is_refused(tmp_path):
    # the issue: a second two_year_issuance_share row silently replaced the first, exit 0
    data = copy_data(tmp_path)
    for issuance in (data / "initial").glob("*/issuance.csv"):
        lines = issuance.read_text().splitlines()
        (first,) = [line for line in lines if line.startswith("two_year_issuance_share,")]
        issuance.write_text("\n".join([*lines, first.replace(",0.", ",0.9", 1)]) + "\n")
    proc = snowball_with_data(tmp_path, data, "run", "baseline", *QUICK, "--out", "o")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("snowball: error: "), proc.stderr
    assert "issuance.csv: parameters must be exactly" in proc.stderr
    assert proc.stderr.strip().endswith("once each")
    assert not (tmp_path / "o").exists()


def test_a_history_year_given_twice_is_refused(tmp_path, monkeypatch):
    # the issue: a repeated fiscal year in historical_fy.csv was read without a word (the
    # milestones reach back into it)
    from runners.inputs.vintage import read_history

    data = copy_data(tmp_path)
    path = data / "history" / "historical_fy.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n")
    monkeypatch.setenv("SNOWBALL_DATA_DIR", str(data))
    year = lines[1].split(",")[0]
    with pytest.raises(SnowballError, match=rf"historical_fy.csv: fiscal year {year} appears twice"):
        read_history()


# ---------------------------------------------------------------- kill leaves nothing behind


@pytest.mark.slow
def test_sigterm_removes_the_half_written_folder(tmp_path):
    # the issue: `kill PID` (or `timeout`) during the write left a hidden .d.tmp-XXXX folder
    # holding part of the output; SIGTERM is now handled as Ctrl-C is
    proc = subprocess.Popen(
        [sys.executable, "-m", "runners.cli", "diagram", "--out", str(tmp_path / "d")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while not any(p.name.startswith(".d.tmp-") for p in tmp_path.iterdir()):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM
    assert err == "snowball: terminated\n"
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- table points the run never reads


def test_a_table_point_in_the_initial_states_year_is_refused(tmp_path, capsys):
    # the issue: on the default baseline (initial state at the end of FY2025) `2025 = 20` in the
    # nominal GDP growth table was accepted ("must be a fiscal year 2025-2100") and changed nothing:
    # results.csv was byte-identical to the baseline's; the run reads the tables from FY2026
    path = scenario_file(tmp_path, '[tables."nominal GDP growth table"]\n2025 = 20\n')
    out = tmp_path / "o"
    assert main(["run", str(path), *QUICK, "--out", str(out)]) == 2
    one_line_error(capsys, f"{path}: line 3: ", "year '2025' must be a fiscal year 2026-2100")
    assert not out.exists()


def test_a_table_point_before_another_baselines_start_is_refused(tmp_path, capsys):
    # the issue: a point valid on the scenario's own vintage (2025 on cbo-2025-01) was dropped
    # without a word when --baseline moved the start to FY2025's end
    path = scenario_file(tmp_path, 'baseline = "cbo-2025-01"\n[tables."bill yield table"]\n2025 = 9\n')
    out = tmp_path / "o"
    assert main(["run", str(path), *QUICK, "--out", str(out)]) == 0  # its own vintage reads it
    import pandas as pd

    assert pd.read_csv(out / "results.csv", index_col="fiscal_year").at[2025, "bill_yield"] == 9.0
    spec = spec_file(tmp_path)
    spec.write_text(spec.read_text().replace('scenario = "baseline"', f'scenario = "{path}"'))
    for command in (
        ["run", str(path), *QUICK],
        ["compare", "baseline", str(path), *QUICK],
        ["brief", str(path), *QUICK],
        ["gap", str(path), "--target", "80", "--by", "2040"],
        ["sweep", str(spec), "--workers", "1"],
    ):
        target = tmp_path / "other"
        assert main([*command, "--baseline", "cbo-2026-02", "--out", str(target)]) == 2
        one_line_error(
            capsys,
            f"{path}: [tables] 'bill yield table': the point in 2025 would be ignored on baseline "
            "'cbo-2026-02'",
            "allowed 2026 to 2100",
        )
        assert not target.exists()


# ---------------------------------------------------------------- --out never deletes an input


def test_out_never_replaces_a_folder_holding_the_runs_own_input(tmp_path, capsys):
    # the issue: a scenario kept in an earlier output folder, run with --out that folder, was
    # deleted with the folder (exit 0), and the new run.json named a file that no longer existed
    out = tmp_path / "o"
    assert main(["run", "baseline", *QUICK, "--out", str(out)]) == 0
    mine = scenario_file(out, '[constants]\n"yield shift" = 1\n', name="mine")
    spec = spec_file(out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    for command in (
        ["run", str(mine), *QUICK],
        ["compare", "baseline", str(mine), *QUICK, "--force"],  # not even with --force
        ["brief", str(mine), *QUICK],
        ["sweep", str(spec), "--workers", "1"],
        ["gap", str(mine), "--target", "80", "--by", "2040"],
    ):
        assert main([*command, "--out", str(out)]) == 2
        if command[0] == "sweep":
            one_line_error(capsys, f"--out {out}: holds {out}/", "an input of this run", "another --out")
        else:  # the folder holds files snowball did not write: the inputs, named
            one_line_error(capsys, f"--out {out}: holds files snowball did not write (mine.toml, spec.toml)")
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


# ---------------------------------------------------------------- backtest


def test_backtest_start_without_actuals_after_it_is_refused_plainly(tmp_path, capsys):
    # the issue: --start 2026 was listed as an available start, then refused with "--until must
    # be a fiscal year from 2026 to 2025" (whatever --until was given)
    from runners.analysis.backtest import available_starts

    usable = ", ".join(str(y) for y in available_starts() if y <= 2025)  # FY2025: the last actual
    assert usable.startswith("2015, ") and usable.endswith(", 2025") and 2026 in available_starts()
    out = tmp_path / "o"
    assert main(["backtest", "--start", "2026", "--out", str(out)]) == 2
    err = one_line_error(capsys, "--start 2026: there are no actuals after FY2025 to compare with")
    assert err.endswith(f"to compare with; available starts: {usable}\n")
    assert main(["backtest", "--start", "1800", "--out", str(out)]) == 2
    assert one_line_error(capsys, "--start 1800: no initial state").endswith(f"available starts: {usable}\n")
    assert not out.exists()


def test_baseline_is_a_vintage_name_never_a_path(tmp_path, capsys):
    # the issue: --baseline /any/folder (or ../baselines/X) holding a vintage.toml was run as a
    # vintage named by that path, though the message lists the available names only
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(REPO / "data" / "baselines" / "cbo-2026-02", elsewhere)
    out = tmp_path / "o"
    for name in (str(elsewhere), "../baselines/cbo-2026-02"):
        assert main(["run", "baseline", *QUICK, "--baseline", name, "--out", str(out)]) == 2
        one_line_error(capsys, f"unknown baseline vintage '{name}'; available: cbo-2025-01, cbo-2026-02")
        assert not out.exists()


# ---------------------------------------------------------------- brief --sweeps


def test_brief_sweeps_are_names_of_intact_sweep_folders(tmp_path, capsys, monkeypatch):
    # the issues: --sweeps /a/path failed late with "cannot write OUT: No such file or directory"
    # (the chart file was named fan_/a/path.png); a corrupt manifest.json gave "internal error:
    # JSONDecodeError"; a truncated summary.csv was drawn without a word
    from runners.sweep import runner as sweep
    from runners.sweep import spec as sweepspec

    sweeps = tmp_path / "reports" / "sweeps"
    sweep.run_sweep(
        sweepspec.parse_spec(spec_file(tmp_path)), out=sweeps / "mine", workers=1, show_progress=False
    )
    from runners.report import brief

    brief.check_sweep_results(["mine"], sweeps)  # as the sweep wrote it: accepted
    monkeypatch.setattr(cli, "REPORTS", tmp_path / "reports")
    monkeypatch.setattr(brief, "REPORTS", tmp_path / "reports")  # write_brief checks them
    out = tmp_path / "b"

    def refused(name: str, *fragments: str) -> None:
        assert main(["brief", "baseline", *QUICK, "--sweeps", name, "--out", str(out)]) == 2
        one_line_error(capsys, *fragments)
        assert not out.exists()

    refused(str(sweeps / "mine"), f"--sweeps '{sweeps / 'mine'}': give the name of a folder in", "not a path")
    with pytest.raises(SnowballError, match="not a path"):  # the Python API as well (it took paths)
        brief.find_sweeps(sweeps, [str(sweeps / "mine")])
    for name, damage in (
        ("cut", lambda f: (f / "summary.csv").write_bytes((f / "summary.csv").read_bytes()[:300])),
        ("edited", lambda f: (f / "sensitivity.csv").write_text("input,ST\nyield shift,0.5\n")),
        ("garbled", lambda f: (f / "manifest.json").write_text("{garbage")),
    ):
        shutil.copytree(sweeps / "mine", sweeps / name)
        damage(sweeps / name)
        if name == "garbled":
            refused(
                name, f"{sweeps / name / 'manifest.json'}: not a readable sweep manifest", "rerun the sweep"
            )
        else:
            table = "summary.csv" if name == "cut" else "sensitivity.csv"
            refused(name, f"{sweeps / name / table}: not the file the sweep wrote", "rerun the sweep")


# ---------------------------------------------------------------- sweep paths keep tables in range


@pytest.mark.parametrize(
    ("path", "table", "fragment"),
    [
        # 100 for +100 bp: a shift in pp, so the bill yield table went to ~103% (the scenario
        # checker refuses anything above 50%); the sweep ran, exit 0, net interest 100% of outlays
        (
            'family = "level-shift"\ntables = ["bill"]\nshift = 100.0\n',
            "bill yield table",
            "allowed -5 to 50",
        ),
        (
            'family = "spike"\ntables = ["nominal GDP growth table"]\nhalf_life = 3.0\n'
            'size = {distribution = "normal", mean = 0.0, sd = 40.0}\n',
            "nominal GDP growth table",
            "allowed -30 to 50",
        ),
        (
            'family = "random-walk"\ntables = ["ten-year"]\nsd = 30.0\n',
            "ten year yield table",
            "allowed -5 to 50",
        ),
    ],
)
def test_sweep_paths_cannot_push_a_table_out_of_range(tmp_path, capsys, path, table, fragment):
    spec = spec_file(tmp_path, draws=50, extra=f'[[paths]]\nname = "p"\n{path}')
    out = tmp_path / "o"
    assert main(["sweep", str(spec), "--workers", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.splitlines()[-1]  # after the progress line "sampling the inputs ..."
    assert last.startswith(f"snowball: error: {spec}: field paths[1] ('p'): run "), err
    assert f"puts '{table}' at " in last and fragment in last, last
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]  # no output, no partial folder


# ---------------------------------------------------------------- files saved by Windows editors


def test_a_byte_order_mark_is_read_as_utf8(tmp_path, capsys, monkeypatch):
    # the issue: a scenario saved "UTF-8 with BOM" (Notepad, Excel) failed with "malformed TOML:
    # Invalid statement (at line 1, column 1)": nothing a user can see at line 1; data/'s TOML
    # files likewise (data/'s CSVs with a BOM were already read)
    body = '[constants]\n"yield shift" = 1\n'
    plain = scenario_file(tmp_path / "plain", body, name="s")
    bom = tmp_path / "bom" / "s.toml"
    bom.parent.mkdir()
    bom.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes().replace(b"\n", b"\r\n"))
    for path in (plain, bom):
        assert main(["run", str(path), *QUICK, "--out", str(path.parent / "o")]) == 0
    assert (bom.parent / "o" / "results.csv").read_bytes() == (
        plain.parent / "o" / "results.csv"
    ).read_bytes()
    from runners.inputs.vintage import vintage_meta
    from runners.scenario.supply_effects import calibration_dir, parse_ranges

    data = copy_data(tmp_path)
    monkeypatch.setenv("SNOWBALL_DATA_DIR", str(data))
    for path in [*(data / "baselines").glob("*/vintage.toml"), calibration_dir() / "behaviour-ranges.toml"]:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert vintage_meta("cbo-2026-02")["first_year"] == 2025
    assert parse_ranges(calibration_dir() / "behaviour-ranges.toml")


def test_a_data_value_out_of_range_names_its_data_file(tmp_path, monkeypatch):
    # the issue: revenues of 500% of GDP in FY2045 in long_term.csv failed with "scenario
    # 'baseline': 'revenues share table' = 500 in 2045 is out of range", blaming a scenario
    # the user did not touch and naming no file
    import csv

    from runners.inputs.vintage import load_inputs

    data = copy_data(tmp_path)
    path = data / "baselines" / "cbo-2026-02" / "long_term.csv"
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    (row,) = [r for r in rows if r["variable"] == "revenues_pct_gdp" and r["fiscal_year"] == "2045"]
    row["value"] = "500"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setenv("SNOWBALL_DATA_DIR", str(data))
    with pytest.raises(SnowballError) as error:
        load_inputs("cbo-2026-02")
    assert str(error.value) == (
        "data/baselines/cbo-2026-02/long_term.csv: gives 'revenues share table' = 500 in 2045, out of "
        "range; allowed 1 to 60 (percent of GDP)"
    )


def test_run_json_records_the_calibration_and_history_it_read(tmp_path, capsys):
    # the issue: run.json named the calibration set ("high") but neither its values nor the file
    # they came from, nor the history file the milestones read: editing either changed the
    # results and left the record identical
    from runners.core.cache import sha256_of
    from runners.scenario.supply_effects import get_set

    out = tmp_path / "o"
    assert main(["run", "japan-selloff", *QUICK, "--calibration", "high", "--out", str(out)]) == 0
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["calibration"] == "high"
    assert manifest["calibration_constants"] == get_set("high").constants != get_set("central").constants
    assert manifest["other_data_files"] == {
        "data/calibration/supply-effects.toml": sha256_of(REPO / "data/calibration/supply-effects.toml"),
        "data/history/historical_fy.csv": sha256_of(REPO / "data/history/historical_fy.csv"),
    }


def test_a_sweeps_key_and_manifest_hold_its_base_scenarios_tables(tmp_path):
    # the issue: the key that --resume trusts held the base scenario's constants but not its
    # table points, so an interrupted sweep resumed after the scenario file's [tables] changed
    # mixed chunks of both; the manifest named the scenario only ("mine")
    from runners.sweep import runner as sweep
    from runners.sweep import spec as sweepspec

    mine = scenario_file(tmp_path, '[tables."bill yield table"]\n2030 = 6.0\n', name="mine")
    spec = spec_file(tmp_path)
    spec.write_text(spec.read_text().replace('scenario = "baseline"', f'scenario = "{mine}"'))
    before = sweep.plan(sweepspec.parse_spec(spec))
    mine.write_text(mine.read_text().replace("2030 = 6.0", "2030 = 9.0"))
    after = sweep.plan(sweepspec.parse_spec(spec))
    assert after.key != before.key
    sweep.run_sweep(after.spec, out=tmp_path / "o", workers=1, show_progress=False)
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["scenario"] == "mine" and manifest["scenario_file"] == str(mine)
    assert manifest["scenario_tables"] == {"bill yield table": {"2030": 9.0}}
    assert manifest["scenario_constants"] == after.spec.scenario.constants  # the calibration set's


def test_a_briefing_needs_two_projected_years(tmp_path, capsys):
    # the issue: `brief --until 2026` (one projected year on the default baseline) printed a
    # matplotlib warning, then "internal error: ValueError: zero-size array" (the decomposition
    # chart), exit 1; --until 2025 printed the progress line before its error
    out = tmp_path / "o"
    for until, first in (("2026", "2027"), ("2025", "2027"), ("2101", "2027")):
        assert main(["brief", "baseline", "--until", until, "--out", str(out)]) == 2
        one_line_error(
            capsys, f"--until must be a fiscal year from {first} to 2100 for a briefing", f"got {until}"
        )
    assert main(["brief", "--until", "2025", "--baseline", "cbo-2025-01", "--out", str(out)]) == 2
    one_line_error(capsys, "from 2026 to 2100 for a briefing")  # the vintage's own start
    assert not out.exists()
    from runners.report.brief import write_brief  # the Python API as well (it crashed in a chart)

    with pytest.raises(SnowballError, match="for a briefing"):
        write_brief(["baseline"], out, until=2026)
    assert not out.exists()


def test_a_table_year_given_twice_is_refused(tmp_path, capsys):
    # the issue: "2030" and "02030" are two TOML keys for one year: the second silently won
    path = scenario_file(tmp_path, '[tables."bill yield table"]\n2030 = 3\n"02030" = 9\n')
    assert main(["run", str(path), *QUICK, "--out", str(tmp_path / "o")]) == 2
    one_line_error(capsys, f"{path}: line 3: [tables] 'bill yield table': year 2030 is given twice")
    assert not (tmp_path / "o").exists()


def test_a_sweep_path_starting_after_the_sweep_is_refused(tmp_path, capsys):
    # the issue: start = 2050 in a sweep to FY2028 was accepted and the path never acted: every
    # run equal to the base scenario, exit 0
    path = spec_file(
        tmp_path, extra='[[paths]]\nfamily = "level-shift"\ntables = ["bill"]\nshift = 1.0\nstart = 2050\n'
    )
    assert main(["sweep", str(path), "--workers", "1", "--out", str(tmp_path / "o")]) == 2
    one_line_error(capsys, f"{path}: field 'paths[1].start': a fiscal year 2026-2028 (the sweep's years")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


def test_gap_probability_needs_a_monte_carlo_sweep(tmp_path, capsys):
    # the issue: `gap --probability 0.9 --sweep sobol` printed "With 90% probability 2.82% of GDP
    # (90.0% of 8,192 draws of 'sobol' meet the goal)", though a Sobol design (like grid, Morris
    # and Latin-hypercube ones) is "sensitivity over a design, not probabilities" (docs/howto/briefing.md)
    out = tmp_path / "o"
    for spec, method in (("sobol", "sobol"), ("rate-paths", "latin-hypercube")):
        args = ["gap", "--target", "110", "--by", "2040", "--probability", "0.9", "--sweep", spec]
        assert main([*args, "--out", str(out)]) == 2
        one_line_error(capsys, f"--sweep {spec}: method '{method}' samples a design", "--sweep monte-carlo")
        assert not out.exists()


def test_set_does_not_read_an_underscore_as_a_digit_separator(tmp_path, capsys):
    # the issue: Python's float() reads "1_0" as 10, so a typo of 1.0 ran a 1,000 bp yield shift
    assert main(["run", "baseline", *QUICK, "--set", "yield shift=1_0", "--out", str(tmp_path / "o")]) == 2
    one_line_error(capsys, "--set yield shift: '1_0' is not a number")
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_gap_probability_says_where_the_draws_are_applied(tmp_path, capsys):
    # the spec's own scenario, final year (here FY2028) and baseline give way to the question's;
    # the answer said only "draws of 'spec' meet the goal"
    spec = spec_file(tmp_path, draws=8)
    args = ["gap", "--target", "110", "--by", "2040", "--probability", "0.5", "--sweep", str(spec)]
    assert main([*args, "--out", str(tmp_path / "o")]) == 0
    shown = capsys.readouterr().out
    assert "of 8 draws of 'spec', applied to this scenario to FY2055, meet the goal" in shown  # gap's --until


@pytest.mark.parametrize(
    ("args", "flag", "allowed"),
    [
        (["--coupon", "-3", "--years", "1", "--price", "90"], "--coupon -3", "allowed 0 to 100"),
        (["--coupon", "3", "--years", "1000", "--price", "90"], "--years 1000", "allowed 0 to 100"),
        (["--coupon", "3", "--years", "1", "--yield", "-150"], "--yield -150", "allowed -50 to 1000"),
    ],
)
def test_bond_errors_name_the_option_typed(capsys, args, flag, allowed):
    # the error named the model's constant ('calculator coupon' = -3 ...), which the user never
    # typed and `snowball bond --help` never mentions
    assert main(["bond", *args]) == 2
    one_line_error(capsys, flag, allowed)


@pytest.mark.slow
@pytest.mark.parametrize("value", ["/nonexistent/snowball-data", ""])
def test_a_data_folder_that_is_not_there_is_named(tmp_path, value):
    # SNOWBALL_DATA_DIR=/nonexistent said "unknown scenario 'baseline'; built-in scenarios:  (or
    # give the path of a .toml file)", blaming the scenario; an empty value (an unset shell
    # variable) read the current folder as the data folder
    proc = snowball_with_data(tmp_path, value, "run", "baseline", "--until", "2026", "--out", "o")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("snowball: error: SNOWBALL_DATA_DIR") and proc.stderr.count("\n") == 1
    assert "folder" in proc.stderr and not (tmp_path / "o").exists()


@pytest.mark.parametrize("value", ["1%", "1,5", "lots"])
def test_a_set_value_that_is_not_a_number_says_what_is_allowed(capsys, value):
    # "--set yield shift: '1%' is not a number" named the field but not what to give
    assert main(["run", "baseline", *QUICK, "--set", f"yield shift={value}"]) == 2
    one_line_error(capsys, f"--set yield shift: '{value}' is not a number", "allowed -5 to 20 (percent)")
