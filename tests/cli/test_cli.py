"""The command line: outputs, manifest, headline table and one-line errors with no partial output."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from runners.cli import main
from runners.core.columns import COLUMNS
from runners.mdl import model

REQUIRED = [
    "gdp",
    "revenues",
    "outlays",
    "primary_deficit",
    "deficit",
    "net_interest",
    "debt_held_by_public",
    "debt_to_gdp",
    "net_interest_share_of_outlays",
    "net_interest_share_of_revenues",
    "average_interest_rate",
    "bill_yield",
    "ten_year_yield",
    "defense",
    "medicare",
    "social_security",
    "nondefense",
]


def test_run_writes_results_and_manifest(tmp_path, capsys):
    out = tmp_path / "run"
    assert (
        main(
            [
                "run",
                "rates-up-200bp",
                "--until",
                "2040",
                "--set",
                "growth shift=-0.5",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    results = pd.read_csv(out / "results.csv")
    assert results.columns[0] == "fiscal_year"
    assert list(results["fiscal_year"]) == list(range(2026, 2041))
    assert set(REQUIRED) <= set(results.columns)
    assert [c for c in results.columns[1:] if c != "credit_rating"] == [c.name for c in COLUMNS]
    assert results["credit_rating"].eq("AA+").all()
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["scenario"]["name"] == "rates-up-200bp"
    assert manifest["scenario"]["constants"]["yield shift"] == 2.0
    assert manifest["overrides"] == {"growth shift": -0.5}
    assert manifest["data_vintage"] == "cbo-2026-02"
    assert manifest["model_sha256"] == model.model_hash()
    assert manifest["command"][:3] == ["snowball", "run", "rates-up-200bp"]
    assert "snowball_version" in manifest and "pysd_version" in manifest
    shown = capsys.readouterr().out
    assert "Debt held by the public, FY2035" in shown and "Net interest first exceeds defense" in shown
    assert shown.splitlines()[2] == "with --set growth shift = -0.5"  # the headline names the overrides
    # the scenario's title, then the CBO baseline it stands on (both began "Baseline:")
    assert shown.splitlines()[1].startswith("Baseline vintage: cbo-2026-02 (CBO, ")
    # columns.csv describes every column of results.csv, in its order (credit_rating was missing)
    described = pd.read_csv(out / "columns.csv")["column"].tolist()
    assert described == list(results.columns[1:])
    # the last line names every file written (columns.csv was left out)
    assert shown.splitlines()[-1] == f"wrote {out}/: columns.csv, results.csv and run.json"


def test_python_name_and_vensim_name_are_equivalent(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", "baseline", "--until", "2030", "--set", "yield_shift=1", "--out", str(a)]) == 0
    assert main(["run", "baseline", "--until", "2030", "--set", "Yield Shift=1", "--out", str(b)]) == 0
    assert (a / "results.csv").read_bytes() == (b / "results.csv").read_bytes()


def test_same_inputs_give_identical_files(tmp_path):
    for name in ("x", "y"):
        assert main(["run", "combined-stress", "--out", str(tmp_path / name)]) == 0
    assert (tmp_path / "x/results.csv").read_bytes() == (tmp_path / "y/results.csv").read_bytes()


def test_scenario_file_path_runs(tmp_path):
    spec = tmp_path / "my-shock.toml"
    spec.write_text(
        'title = "Mine"\ndescription = "A test shock."\n[constants]\n"yield shift" = 1.5\n'
        '"debt premium sensitivity" = 0\n"confidence switch" = 0\n'
        '"inflation expectations yield sensitivity" = 0\n'
        '[tables."bill yield table"]\n2026 = 5.0\n'
    )
    out = tmp_path / "out"
    assert main(["run", str(spec), "--until", "2030", "--out", str(out)]) == 0
    results = pd.read_csv(out / "results.csv", index_col="fiscal_year")
    assert results.at[2026, "bill_yield"] == pytest.approx(5.0 + 1.5)


def test_scenarios_lists_titles(capsys):
    assert main(["scenarios"]) == 0
    shown = capsys.readouterr().out
    assert "baseline" in shown and "Rates up 200 bp" in shown and "combined-stress" in shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["run", "no-such-scenario"],
            "unknown scenario 'no-such-scenario'; built-in scenarios: baseline",
        ),
        (
            ["run", "baseline", "--set", "yeild shift=1"],
            "unknown model constant 'yeild shift'; close matches: yield shift",
        ),
        (
            ["run", "baseline", "--set", "yield shift=lots"],
            "--set yield shift: 'lots' is not a number",
        ),
        (
            ["run", "baseline", "--set", "yield shift=40"],
            "'yield shift' = 40 is out of range; allowed -5 to 20",
        ),
        (["run", "baseline", "--set", "yield shift"], "expected NAME=VALUE"),
        (
            ["run", "baseline", "--until", "2025"],
            "--until must be a fiscal year from 2026 to 2100, got 2025",
        ),
        (
            ["run", "baseline", "--until", "2101"],
            "--until must be a fiscal year from 2026 to 2100, got 2101",
        ),
    ],
)
def test_bad_input_is_one_line_and_leaves_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "never"
    assert main([*args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("snowball: error: ") and message in err
    assert "\n" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('title = "x"\ndescription = "y"\n[constants\n', r"malformed TOML: .*line 3"),
        ('title = "x"\ndescription = "y"\ncolour = 1\n', r"line 3: unknown field 'colour'"),
        ('title = "x"\n', r"line 1: field 'description' is required"),
        (
            'title = "x"\ndescription = "y"\n[constants]\n"yield shfit" = 1\n',
            r"line 4: \[constants\] unknown model constant 'yield shfit'; close matches: yield shift",
        ),
        (
            'title = "x"\ndescription = "y"\n[constants]\n"growth shift" = "fast"\n',
            r"line 4: \[constants\] 'growth shift' must be a number",
        ),
        (
            'title = "x"\ndescription = "y"\n[tables."bill yield table"]\n1999 = 4\n',
            r"year '1999' must be a fiscal year 2026-2100",
        ),
    ],
)
def test_malformed_scenario_file_names_file_and_line(tmp_path, capsys, text, message):
    spec = tmp_path / "bad.toml"
    spec.write_text(text)
    assert main(["run", str(spec), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert str(spec) in err
    assert pytest.importorskip("re").search(message, err)
    assert not (tmp_path / "out").exists()


def test_failed_run_keeps_the_previous_output(tmp_path, capsys):
    out = tmp_path / "keep"
    assert main(["run", "baseline", "--until", "2030", "--out", str(out)]) == 0
    before = (out / "results.csv").read_bytes()
    assert main(["run", "baseline", "--set", "nope=1", "--out", str(out)]) == 2
    assert (out / "results.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep"]


@pytest.mark.slow
def test_corrupt_data_file_from_the_command_line(tmp_path):
    import shutil

    from runners.core import paths

    data = tmp_path / "data"
    shutil.copytree(paths.REPO / "data", data)
    (data / "baselines/cbo-2026-02/long_term.csv").unlink()
    env = {"SNOWBALL_DATA_DIR": str(data), "PATH": ""}
    proc = subprocess.run(
        [sys.executable, "-m", "runners.cli", "run", "baseline", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == "snowball: error: data/baselines/cbo-2026-02/long_term.csv: data file is missing"
    )
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_closed_pipe_is_quiet():
    # `snowball parameters | head`: the reader leaves early (here at once: `true` reads nothing)
    proc = subprocess.run(
        f"{sys.executable} -m runners.cli parameters | true",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stderr == ""
