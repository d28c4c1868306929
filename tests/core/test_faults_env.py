"""Issue 29, the environment and input parsing: every environment variable Snowball or its libraries
read is checked once at start (one line, exit 2), no broad ``except`` turns an import error into a
domain answer, deep TOML, control characters, and values Python reads that Snowball should not."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import one_line_error
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runners.analysis import gap
from runners.cli import main
from runners.core.errors import SnowballError
from runners.core.paths import REPO
from runners.scenario import scenarios as scenario
from runners.sweep import spec as sweepspec

QUICK = ["--until", "2026"]
THREAD_VARIABLES = [
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "GOTO_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "NUMEXPR_MAX_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "BLIS_NUM_THREADS",
]
SNOWBALL_VARIABLES = [
    "SNOWBALL_DATA_DIR",
    "SNOWBALL_CACHE_DIR",
    "SNOWBALL_DEBUG",
    "SNOWBALL_CLI_PROCESS",
    "SNOWBALL_PARENT_MAIN",
]
BAD_EPOCHS = [
    "1" * 5000,
    "garbage",
    "1.5",
    "1e9",
    " 1767225600",
    "-5",
    "\u0661\u0667\u0666\u0667",
    "99999999999999",
]


def snowball(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``snowball ARGS`` in a fresh process (the bug was in an import: only a fresh one has it)."""
    return subprocess.run(
        [sys.executable, "-m", "runners.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **env},
        check=False,
    )


def commands(tmp: Path) -> dict[str, list[str]]:
    """One cheap invocation of every command."""
    out = str(tmp / "out")
    return {
        "run": ["run", "baseline", *QUICK, "--out", out],
        "compare": ["compare", "baseline", "japan-selloff", *QUICK, "--out", out],
        "sweep": ["sweep", "monte-carlo", "--draws", "20", "--workers", "1", "--out", out],
        "brief": ["brief", "--out", out],
        "gap": ["gap", "--target", "100", "--by", "2030", "--out", out],
        "backtest": ["backtest", "--start", "2024", "--out", out],
        "scenarios": ["scenarios"],
        "parameters": ["parameters"],
        "tables": ["tables"],
        "vintages": ["vintages"],
        "check": ["check"],
        "model": ["model", "--check"],
        "diagram": ["diagram", "--format", "dot", "--out", out],
        "bond": ["bond", "--coupon", "4", "--years", "10", "--yield", "4"],
    }


# ----------------------------------------------------------------------------- SOURCE_DATE_EPOCH


@pytest.mark.slow
def test_gap_answers_as_unset_with_an_empty_source_date_epoch(tmp_path):
    # the issue: numpy's f2py (imported by scipy) calls int("") on it, and gap.solve's broad
    # `except ValueError` read the failed import as "no adjustment from -5 to 15% of GDP meets the goal"
    # (the answer was 2.14% of GDP then; it is whatever the same command gives with the variable unset)
    unset = snowball("gap", "--target", "100", "--by", "2055", "--out", str(tmp_path / "unset"))
    answer = re.search(r"Adjustment needed\s+([\d.]+% of GDP a year)", unset.stdout).group(1)
    proc = snowball(
        "gap", "--target", "100", "--by", "2055", "--out", str(tmp_path / "gap"), SOURCE_DATE_EPOCH=""
    )
    assert "no adjustment" not in proc.stderr
    assert f"Adjustment needed  {answer}" in proc.stdout, proc.stderr


@pytest.mark.slow
def test_an_empty_source_date_epoch_runs_a_sweep_as_unset(tmp_path):
    # the issue: `SOURCE_DATE_EPOCH= snowball sweep monte-carlo` was "internal error: ValueError"
    out = tmp_path / "out"
    proc = snowball(
        "sweep", "monte-carlo", "--draws", "20", "--workers", "1", "--out", str(out), SOURCE_DATE_EPOCH=""
    )
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {out}" in proc.stdout


@pytest.mark.slow
def test_a_fractional_source_date_epoch_is_one_line_in_a_fresh_backtest(tmp_path):
    # `SOURCE_DATE_EPOCH=1.5 snowball backtest` was "internal error: ValueError" (scipy's import)
    proc = snowball("backtest", "--start", "2024", "--out", str(tmp_path / "out"), SOURCE_DATE_EPOCH="1.5")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("snowball: error: SOURCE_DATE_EPOCH=1.5: expected whole seconds")


@pytest.mark.slow
def test_a_malformed_source_date_epoch_is_one_line_before_the_gap_runs():
    proc = snowball("gap", "--target", "100", "--by", "2055", SOURCE_DATE_EPOCH="garbage")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("snowball: error: SOURCE_DATE_EPOCH=garbage: expected whole seconds")
    assert proc.stderr.count("\n") == 1 and "no adjustment" not in proc.stderr


@pytest.mark.parametrize("command", list(commands(Path("/tmp"))))
def test_every_command_refuses_a_malformed_source_date_epoch_the_same_way(
    command, tmp_path, capsys, monkeypatch
):
    # only `brief` checked it, and only when non-empty; the others ran, or failed in an import
    argv = commands(tmp_path)[command]
    for value in ("garbage", "1.5", "1e9"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
        assert main(argv) == 2, value
        err = one_line_error(
            capsys, f"SOURCE_DATE_EPOCH={value}: expected whole seconds since 1 January 1970"
        )
        assert "in ASCII digits, before the year 10000" in err
    assert not (tmp_path / "out").exists()


def test_an_empty_source_date_epoch_means_unset_and_is_removed(monkeypatch, capsys):
    # removed, so that no library reads int(""); the brief is then dated today
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")
    assert main(["vintages"]) == 0
    assert "SOURCE_DATE_EPOCH" not in os.environ
    capsys.readouterr()


@pytest.mark.parametrize("value", BAD_EPOCHS)
def test_source_date_epoch_is_ascii_whole_seconds(value):
    from runners.core import environment

    with pytest.raises(SnowballError, match="SOURCE_DATE_EPOCH=.*: expected whole seconds"):
        environment.source_date_epoch({"SOURCE_DATE_EPOCH": value})
    assert environment.source_date_epoch({"SOURCE_DATE_EPOCH": "1767225600"}) == 1767225600
    assert environment.source_date_epoch({"SOURCE_DATE_EPOCH": ""}) is None
    assert environment.source_date_epoch({}) is None


def test_the_api_checks_the_environment_too(monkeypatch):
    from runners import api

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1.5")
    with pytest.raises(SnowballError, match="SOURCE_DATE_EPOCH=1.5"):
        api.run("baseline", until=2026)


# ----------------------------------------------------------------------------- other variables


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("OMP_NUM_THREADS", "garbage", "expected a whole number of threads from 1 to 4096"),
        ("OPENBLAS_NUM_THREADS", "0", "expected a whole number of threads"),
        ("MKL_NUM_THREADS", "-1", "expected a whole number of threads"),
        ("NUMEXPR_MAX_THREADS", "1.5", "expected a whole number of threads"),
        ("NUMEXPR_NUM_THREADS", "99999", "expected a whole number of threads"),
        ("OPENBLAS_NUM_THREADS", "1" * 5000, "... (5,000 characters): expected a whole number"),
        ("OMP_NUM_THREADS", "4,", "or one per nesting level, e.g. 4,2"),
        ("SNOWBALL_DEBUG", "yes", "expected 1 (print tracebacks) or 0"),
        ("SNOWBALL_CLI_PROCESS", "2", "set by snowball itself"),
        ("SNOWBALL_DATA_DIR", "/nonexistent", "no such folder"),
        ("SNOWBALL_DATA_DIR", " ", "set but empty"),
        ("SNOWBALL_CACHE_DIR", str(REPO / "pyproject.toml"), "names a file, not a folder"),
        ("SNOWBALL_CACHE_DIR", "  ", "blank; unset it"),
        ("MPLBACKEND", "garbage", "not a matplotlib backend"),
    ],
)
def test_every_variable_is_checked_at_start_by_every_command(name, value, message, monkeypatch, capsys):
    # a thread count or backend matplotlib refuses failed on import (MPLBACKEND=garbage was an
    # internal ValueError), others were never looked at; `bond` reads no data, yet checks them too
    monkeypatch.setenv(name, value)
    assert main(["bond", "--coupon", "4", "--years", "10", "--yield", "4"]) == 2
    one_line_error(capsys, f"error: {name}", message)


def test_valid_values_and_the_machine_s_own_settings_are_accepted():
    from runners.core.environment import check_environment

    env = {
        "OMP_NUM_THREADS": "4,2",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "",
        "MPLBACKEND": "Agg",
        "SNOWBALL_DEBUG": "0",
        "SOURCE_DATE_EPOCH": "0",
        "OPENBLAS_CORETYPE": "garbage",  # set on purpose on some machines: never Snowball's to refuse
        "OPENBLAS_L2_SIZE": "not a size",
    }
    check_environment(env)
    assert "MKL_NUM_THREADS" not in env and env["OPENBLAS_CORETYPE"] == "garbage"


def test_snowball_debug_0_prints_no_traceback(monkeypatch, capsys):
    # any non-empty value turned tracebacks on, "0" too
    monkeypatch.setenv("SNOWBALL_DEBUG", "0")
    monkeypatch.setattr("runners.cli.history.cmd_vintages", lambda args: 1 / 0)  # a bug in a command
    assert main(["vintages"]) == 1
    assert capsys.readouterr().err.startswith("snowball: internal error: ZeroDivisionError")


NAMES = [*THREAD_VARIABLES, "SOURCE_DATE_EPOCH", "MPLBACKEND", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]
NAMES += SNOWBALL_VARIABLES
values = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.floats().map(str),
    st.sampled_from(["", " ", "1", "4,2", "0", "1e9", "1.5", "nan", "\u0661", "/", ".", "\x1b[31m"]),
    st.text(alphabet="0123456789,", min_size=15, max_size=5000),  # int() refuses over 4,300 digits
)


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(env=st.dictionaries(st.sampled_from(NAMES), values, max_size=6))
def test_fuzz_the_environment_is_accepted_or_one_line(env):
    """Any values: accepted, then readable by every library as it reads them, or one SnowballError
    line naming a variable Snowball checks (never OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE)."""
    from runners.core import environment
    from runners.core.environment import check_environment

    assert tuple(THREAD_VARIABLES) == environment.THREAD_VARIABLES
    assert tuple(SNOWBALL_VARIABLES) == environment.SNOWBALL_VARIABLES
    env = {k: v.replace("\x00", "") for k, v in env.items()}  # an environment cannot hold NUL
    try:
        check_environment(env)
    except SnowballError as exc:
        text = str(exc)
        assert "\n" not in text and "\x1b" not in text and text.split("=")[0].split()[0] in NAMES
        assert not text.startswith(("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"))
        return
    if "SOURCE_DATE_EPOCH" in env:
        int(env["SOURCE_DATE_EPOCH"])  # as numpy's f2py reads it
    for name in THREAD_VARIABLES:
        if name in env:
            assert all(int(p) >= 1 for p in env[name].split(","))


@settings(
    max_examples=20,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(value=values)
def test_fuzz_the_cli_with_a_random_source_date_epoch(value, capsys, monkeypatch):
    """Through the command: exit 0 or the one line, never an internal error."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value.replace("\x00", ""))
    code = main(["vintages"])
    err = capsys.readouterr().err
    assert code == 0 or (code == 2 and err.startswith("snowball: error: SOURCE_DATE_EPOCH=")), err


# ----------------------------------------------------------------------------- broad excepts


def test_gap_reads_no_import_error_as_an_unreachable_goal(baseline, monkeypatch):
    # the wrong answer: `except ValueError` around the solver also caught a ValueError
    # raised while importing scipy, and said the goal could not be met
    import scipy.optimize

    def broken(*args, **kwargs):
        raise ValueError("invalid literal for int() with base 10: 'garbage'")

    monkeypatch.setattr(scipy.optimize, "brentq", broken)
    q = gap.question(baseline, by=2055, target=100.0)
    with pytest.raises(ValueError, match="invalid literal"):
        gap.solve(q)


def test_gap_target_0_is_refused_with_the_allowed_range(baseline):
    # --target 0 ran every size, then said the answer "cannot be kept up": debt/GDP of 0 is
    # never reached (the runs stop when the debt would go negative)
    with pytest.raises(SnowballError, match="--target must be a debt/GDP ratio above 0 and at most 300"):
        gap.question(baseline, by=2055, target=0.0)


class FakeModel:
    """A stand-in for the pysd model whose ``set_components`` runs ``fail``."""

    def __init__(self, fail):
        self.fail = fail

    def set_components(self, params):
        self.fail()


def test_a_run_reads_no_import_error_or_bug_as_a_numerical_failure(tmp_path, monkeypatch):
    # run.run caught ValueError and KeyError around pysd: a ValueError raised while a library was
    # imported (numpy's f2py on SOURCE_DATE_EPOCH) or a KeyError (a bug) became "the run failed
    # numerically ... check the scenario's values"
    import importlib

    from runners.mdl import model
    from runners.projection import run

    (tmp_path / "snowball_broken_import.py").write_text("int('garbage')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(model, "discard", lambda: None)

    def load(fail):
        monkeypatch.setattr(model, "load_model", lambda: FakeModel(fail))

    load(lambda: importlib.import_module("snowball_broken_import"))
    with pytest.raises(ValueError, match="invalid literal for int"):
        run.run("baseline", until=2026)
    load(lambda: {}["a bug"])
    with pytest.raises(KeyError):
        run.run("baseline", until=2026)
    load(lambda: 1 / 0)  # a numerical failure is still one line
    with pytest.raises(SnowballError, match="the run failed numerically"):
        run.run("baseline", until=2026)


def test_a_tornado_panel_is_left_out_only_when_there_is_nothing_to_rank():
    # `except ValueError` also dropped a panel whose table was damaged (text where a number goes)
    import types

    import pandas as pd

    from runners.report import sweep_charts

    spec = types.SimpleNamespace(paths=[], factors=[], sensitivity_years=[2035])
    summary = pd.DataFrame({"variable": ["debt_to_gdp"], "fiscal_year": [2035], "p50": [120.0]})
    rows = {"variable": ["debt_to_gdp"] * 2, "fiscal_year": [2035] * 2, "input": ["a", "b"]}
    good = pd.DataFrame(rows | {"low": [1.0, 2.0], "high": [3.0, 5.0]})
    assert list(sweep_charts.sweep_tornado_data(good, summary, spec)) == [2035]
    assert sweep_charts.sweep_tornado_data(good, summary, spec, [2040]) == {}  # no rows that year: no panel
    damaged = pd.DataFrame(rows | {"low": ["1.0", "a number"], "high": [3.0, 5.0]})
    with pytest.raises(ValueError, match="could not convert string to float"):
        sweep_charts.sweep_tornado_data(damaged, summary, spec)


def test_the_loop_signs_tell_a_lookup_by_its_signature():
    # a lookup table was told by the TypeError of a call without its argument, which also hid a
    # TypeError raised in any equation (that input then silently not held)
    from runners.analysis import loops
    from runners.mdl import model

    comp = model.load_model().components._components
    assert loops._is_lookup(comp.baseline_debt_to_gdp_path)
    assert not loops._is_lookup(comp.yield_shift)
    assert not loops._is_lookup(object())  # no signature to read


# ----------------------------------------------------------------------------- TOML files


def deep(tmp_path: Path, levels: int = 330) -> Path:
    path = tmp_path / "deep.toml"
    nested = "{a = " * levels + "1" + "}" * levels
    path.write_text(f'title = "t"\ndescription = "d"\n[constants]\nx = {nested}\n')
    return path


def test_a_deeply_nested_scenario_is_one_line_naming_the_file(tmp_path, capsys):
    # internal error: RecursionError
    path = deep(tmp_path)
    with pytest.raises(SnowballError, match="deep.toml: tables or arrays nested more than 16 levels"):
        scenario.parse_scenario(path)
    with pytest.raises(SnowballError, match="deep.toml: tables or arrays nested more than 16 levels"):
        sweepspec.parse_spec(path)
    assert main(["run", str(path), *QUICK, "--out", str(tmp_path / "out")]) == 2
    one_line_error(capsys, str(path), "nested more than 16 levels")


def test_nesting_within_the_limit_is_read_and_checked_as_before(tmp_path):
    path = deep(tmp_path, levels=16)
    with pytest.raises(SnowballError, match="nested more than 16"):
        scenario.parse_scenario(path)  # the document itself is one level more
    with pytest.raises(SnowballError, match="unknown model constant 'x'"):
        scenario.parse_scenario(deep(tmp_path, levels=10))


def scenario_file(tmp_path: Path, body: str, title: str = "t") -> Path:
    path = tmp_path / "s.toml"
    path.write_text(f'title = "{title}"\ndescription = "d"\n{body}\n', encoding="utf-8")
    return path


def test_control_characters_from_a_file_reach_the_terminal_escaped(tmp_path, capsys):
    # a title with an ANSI escape and a BEL was printed as is (colours, a bell, a window title)
    path = scenario_file(tmp_path, "", title="Red \\u001b[31mtitle\\u0007 \\u202eevil")
    assert main(["run", str(path), *QUICK, "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert out.startswith("Red \\x1b[31mtitle\\x07 \\u202eevil\n")


def test_control_characters_in_an_error_message_are_escaped(tmp_path, capsys):
    path = scenario_file(tmp_path, '[constants]\n"yield\\u001b]0;owned\\u0007shift" = 1')
    assert main(["run", str(path), *QUICK, "--out", str(tmp_path / "out")]) == 2
    err = one_line_error(capsys, "unknown model constant 'yield\\x1b]0;owned\\x07shift'")
    assert "\x1b" not in err and "\x07" not in err


# ----------------------------------------------------------------------------- values


def test_a_quoted_number_is_refused_as_a_constant_as_it_is_as_a_table_value(tmp_path):
    # "1" was read as 1 for a constant, refused for a table value: one rule for both
    with pytest.raises(
        SnowballError, match=r"\[constants\] 'yield shift' must be a number \(unquoted\), got '1'"
    ):
        scenario.parse_scenario(scenario_file(tmp_path, '[constants]\n"yield shift" = "1"'))
    with pytest.raises(SnowballError, match=r"value for 2030 must be a number \(unquoted\), got '3'"):
        scenario.parse_scenario(scenario_file(tmp_path, '[tables."bill yield table"]\n2030 = "3"'))


def test_nan_and_inf_are_not_finite_numbers(tmp_path):
    for text in ("nan", "inf", "-inf"):
        with pytest.raises(SnowballError, match=r"'yield shift' is not a finite number"):
            scenario.parse_scenario(scenario_file(tmp_path, f'[constants]\n"yield shift" = {text}'))
        with pytest.raises(SnowballError, match=r"value for 2030 is not a finite number"):
            scenario.parse_scenario(scenario_file(tmp_path, f'[tables."bill yield table"]\n2030 = {text}'))
        with pytest.raises(SnowballError, match=r"'yield shift' is not a finite number"):
            scenario.check_overrides({"yield shift": text})


def test_only_ascii_digits_are_numbers(tmp_path, capsys):
    # Python's float("١") is 1.0 and int("٢٠٣٠") is 2030: Arabic-Indic digits were accepted
    assert main(["run", "baseline", *QUICK, "--set", "yield shift=\u0661", "--out", str(tmp_path)]) == 2
    one_line_error(capsys, "--set yield shift: '\u0661' is not a number (ASCII digits")
    path = scenario_file(tmp_path, '[tables."bill yield table"]\n"\u0662\u0660\u0663\u0660" = 3')
    with pytest.raises(SnowballError, match="must be a fiscal year"):
        scenario.parse_scenario(path)
    assert scenario.check_overrides({"yield shift": " +1.5e0 "}) == {"yield shift": 1.5}


def test_a_constant_the_mdl_leaves_unbounded_has_a_finite_limit(capsys, tmp_path):
    # `initial bills=1e300` passed the range [0, inf]
    assert main(["run", "baseline", *QUICK, "--set", "initial bills=1e300", "--out", str(tmp_path)]) == 2
    one_line_error(capsys, "'initial bills' = 1e+300 is out of range; allowed 0 to 1e+06 (billion USD)")


def test_a_path_is_never_looked_up_as_a_built_in_name(tmp_path, monkeypatch, capsys):
    # `../../pyproject` read data/scenarios/../../pyproject.toml, the project's own file
    monkeypatch.chdir(tmp_path)
    assert main(["run", "../../pyproject", *QUICK]) == 2
    one_line_error(capsys, "unknown scenario '../../pyproject'")
    assert main(["sweep", "../../pyproject"]) == 2
    one_line_error(capsys, "../../pyproject: sweep spec not found")
    (tmp_path / "notes.md").write_text("# notes\n")
    assert main(["run", "notes.md", *QUICK]) == 2
    one_line_error(capsys, "notes.md: not a scenario file (a scenario is a .toml file")


def test_a_folder_named_like_a_scenario_is_not_one(tmp_path, monkeypatch, capsys):
    # a folder data/scenarios/x.toml made `snowball scenarios` fail on "unknown scenario 'x'"
    data = tmp_path / "data"
    data.mkdir()
    for entry in (REPO / "data").iterdir():
        if entry.name != "scenarios":
            (data / entry.name).symlink_to(entry)
    (data / "scenarios").mkdir()
    (data / "scenarios" / "baseline.toml").symlink_to(REPO / "data/scenarios/baseline.toml")
    (data / "scenarios" / "x.toml").mkdir()
    monkeypatch.setenv("SNOWBALL_DATA_DIR", str(data))
    assert scenario.builtin_names() == ["baseline"]
    assert main(["scenarios"]) == 0
    assert capsys.readouterr().out.startswith("baseline  ")


def test_control_characters_in_the_arguments_are_escaped_in_argparse_errors(capsys):
    # "unrecognized arguments: ..." quoted the raw text of the command line
    with pytest.raises(SystemExit) as exit_:
        main(["vintages", "\x1b[2J\x07"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: \\x1b[2J\\x07" in err and "\x1b" not in err


def test_a_relative_xdg_cache_home_is_ignored(monkeypatch, tmp_path):
    # XDG_CACHE_HOME=cache put an installed Snowball's translation under wherever it ran
    from runners.core import paths

    monkeypatch.delenv("SNOWBALL_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", "cache")
    assert paths.cache_dir() == (tmp_path / ".cache" / "snowball").resolve()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert paths.cache_dir() == (tmp_path / "xdg" / "snowball").resolve()


@pytest.mark.parametrize(
    ("name", "hint"),
    [("SNOWBALL_DATADIR", "did you mean SNOWBALL_DATA_DIR? "), ("SNOWBALL_SEED", "")],
)
def test_an_unknown_snowball_variable_is_refused(capsys, name, hint):
    # a misspelt SNOWBALL_DATA_DIR ran silently on the repository's own data
    from runners.core.environment import check_environment

    with pytest.raises(SnowballError) as err:
        check_environment({name: "/tmp"})
    assert str(err.value).startswith(f"{name} is not a variable snowball reads; {hint}snowball reads ")
    assert "SNOWBALL_CACHE_DIR" in str(err.value)
