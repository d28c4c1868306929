"""Issue 29 (faults that still get through): caches checked, not trusted; the data folder and the
.mdl validated. Every test here failed before the fix it comes with."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runners.analysis import backtest
from runners.cli import main
from runners.core import cache
from runners.core.errors import SnowballError
from runners.core.fiscal_years import model_vars_for
from runners.core.paths import REPO
from runners.engine import program as engine
from runners.inputs.vintage import load_inputs
from runners.mdl import model
from runners.mdl import model_data as modeldata
from runners.projection import params, run

RECORD = model_vars_for(("debt_to_gdp", "net_interest"))
FUZZ = settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A private cache folder (the translation stays where it is: only runners.core.cache moves)."""
    folder = tmp_path / "cache"
    monkeypatch.setattr(cache, "cache_dir", lambda: folder)
    model.discard()
    yield folder
    model.discard()


def snowball(*argv: str) -> tuple[int, str, str]:
    """``snowball ARGV`` in this process: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def entry(folder: Path, kind: str) -> Path:
    (path,) = folder.glob(f"{kind}-*.json")
    return path


def edit(path: Path, change) -> None:
    """Apply ``change`` to a cache file's value and write it back (its recorded digest unchanged)."""
    doc = json.loads(path.read_text())
    change(doc["value"])
    path.write_text(json.dumps(doc))


# --- caches are checked, not trusted -------------------------------------------------------------


def test_an_edited_model_meta_entry_is_rebuilt_not_used(cache_dir, capsys):
    # the issue: 'debt premium sensitivity' edited to 0.2 in model-meta-*.json changed
    # `snowball run japan-selloff` with exit 0, and `snowball parameters` showed "default 0.2"
    name = "debt premium sensitivity"
    true = model.default(name)
    path = entry(cache_dir, "model-meta")
    edit(path, lambda v: v["constants"].__setitem__(name, 0.2))
    model.discard()
    capsys.readouterr()
    assert model.default(name) == true == 0.02
    err = capsys.readouterr().err
    assert err == f"snowball: note: {path} was damaged (digest mismatch); rebuilt\n"
    model.discard()
    status, out, err = snowball("parameters")
    assert status == 0 and err == ""  # rebuilt: the entry is whole again
    assert "default 0.02, unit percent/percent, range [0, 0.1]" in out
    assert "default 0.2," not in out


@pytest.mark.slow
def test_an_edited_program_entry_is_rebuilt_not_used(cache_dir, capsys):
    built = engine.build_engine().program(RECORD)
    assert engine.cached_program(RECORD) == built
    path = entry(cache_dir, "program")
    edit(path, lambda v: v["constants"].__setitem__("debt premium sensitivity", 0.2))
    capsys.readouterr()
    assert engine.cached_program(RECORD) == built
    assert "was damaged (digest mismatch); rebuilt" in capsys.readouterr().err
    assert engine.cached_program(RECORD) == built
    assert capsys.readouterr().err == ""


def test_an_edited_baseline_paths_entry_is_rebuilt_not_used(cache_dir, capsys, monkeypatch):
    inputs = run.cached_inputs("cbo-2025-01")
    times = np.arange(2024.75, 2030, 0.25)
    fresh = {
        name: pd.Series(np.linspace(1, 2, len(times)) * (i + 1), index=times)
        for i, name in enumerate(modeldata.PATH_VARIABLES)
    }
    monkeypatch.setattr(modeldata, "computed_paths", lambda _: fresh)  # a pysd run stands in
    params.stored_paths(inputs)
    path = entry(cache_dir, "baseline-paths")
    edit(path, lambda v: v["baseline debt to GDP path"].__setitem__(3, 500.0))
    capsys.readouterr()
    again = params.stored_paths(inputs)
    assert "was damaged (digest mismatch); rebuilt" in capsys.readouterr().err
    for name, series in fresh.items():
        assert np.array_equal(again[name].to_numpy(), series.to_numpy())


def test_a_cache_folder_that_cannot_be_used_is_not_blamed_on_the_scenario(tmp_path, monkeypatch):
    # the issue: cache errors were reported against a scenario line ("s.toml: line 4: [constants]
    # .../snowball-...: cannot write the translated model")
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("SNOWBALL_CACHE_DIR", str(blocker / "cache"))
    scenario = tmp_path / "s.toml"
    scenario.write_text('title = "t"\ndescription = "d"\n[constants]\n"yield shift" = 1\n')
    model.discard()
    try:
        status, _, err = snowball("run", str(scenario), "--out", str(tmp_path / "out"))
    finally:
        model.discard()
    assert status == 2
    assert "cannot write the translated model" in err
    assert "s.toml" not in err and "line 4" not in err


DAMAGE = st.one_of(
    st.binary(max_size=64).map(lambda b: ("bytes", b)),
    st.floats(min_value=0.05, max_value=0.95).map(lambda f: ("truncate", f)),
    st.tuples(st.integers(0, 10**6), st.sampled_from([b"0", b"9", b"-", b"e", b"x", b"\xff"])).map(
        lambda t: ("byte", t)
    ),
)


def damage(path: Path, how: tuple) -> None:
    data = path.read_bytes()
    kind, arg = how
    if kind == "bytes":
        path.write_bytes(arg)
    elif kind == "truncate":
        path.write_bytes(data[: int(len(data) * arg)])
    else:
        at, byte = arg
        at %= len(data)
        path.write_bytes(data[:at] + byte + data[at + 1 :])


@pytest.mark.slow
@FUZZ
@given(how=DAMAGE)
def test_fuzz_a_damaged_program_entry_is_rebuilt(tmp_path_factory, how):
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cache, "cache_dir", lambda: folder)
        built = engine.cached_program(RECORD)
        path = entry(folder, "program")
        before = path.read_bytes()
        damage(path, how)
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            again = engine.cached_program(RECORD)
        assert again == built
        if path.read_bytes() != before:  # a byte replaced by itself is no damage
            assert err.getvalue().count("\n") <= 1
        assert json.loads(path.read_text())["sha256"]  # stored again, whole


@pytest.mark.slow
@settings(FUZZ, max_examples=6)
@given(how=DAMAGE)
def test_fuzz_a_damaged_model_meta_entry_is_rebuilt(cache_dir, how):
    # the cache file of the issue: whatever the damage, the .mdl's own defaults and ranges come back
    want = (model.parameters(), model.defaults()["debt premium sensitivity"])
    path = entry(cache_dir, "model-meta")
    damage(path, how)
    model.discard()
    with contextlib.redirect_stderr(io.StringIO()) as err:
        assert (model.parameters(), model.defaults()["debt premium sensitivity"]) == want
    assert err.getvalue().count("\n") <= 1
    assert json.loads(path.read_text())["sha256"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("source", 5),
        ("constants", []),
        ("tables", {"x": 1}),
        ("controls", {"a": "b"}),
        ("time_step", 10**400),
    ],
)
def test_a_forged_entry_with_a_good_digest_is_refused_by_its_reader(cache_dir, capsys, field, value):
    # an entry whose digest was recomputed after an edit still has to have the shape its reader
    # needs: a malformed one is rebuilt, never a traceback
    built = engine.cached_program(RECORD)
    path = entry(cache_dir, "program")
    doc = json.loads(path.read_text())
    doc["value"][field] = value
    doc["sha256"] = cache._digest(doc["key"], doc["value"])
    path.write_text(json.dumps(doc))
    capsys.readouterr()
    assert engine.cached_program(RECORD) == built
    assert "was damaged (malformed value); rebuilt" in capsys.readouterr().err


# --- the .mdl: missing, empty, truncated, not UTF-8 ----------------------------------------------

MDL = (REPO / "models" / "snowball.mdl").read_bytes()
SKETCH_AT = MDL.index(b"\\\\\\---///")


@pytest.mark.parametrize(
    "cut, problem",
    [
        (SKETCH_AT // 3, "an equation without its closing '|'; the file is truncated"),
        (SKETCH_AT + (len(MDL) - SKETCH_AT) // 2, "the sketch section has no end line '///---\\\\\\'"),
    ],
    ids=["in-the-equations", "in-the-sketch"],
)
def test_a_truncated_mdl_is_refused_by_check_and_write_sketch(tmp_path, cut, problem):
    # the issue: `snowball check` passed a truncated .mdl (it checked the equations left) and
    # `snowball model --write-sketch` exited 0 on one, writing a sketch of the smaller model
    from runners.mdl import sketch

    mdl = tmp_path / "snowball.mdl"
    mdl.write_bytes(MDL[:cut])
    status, out, err = snowball("check", "--model", str(mdl))
    assert status == 2 and out == ""
    assert err.startswith(f"snowball: error: {mdl}: ") and problem in err and err.count("\n") == 1
    with pytest.raises(SnowballError, match="truncated"):
        sketch.sketch_command(write=True, mdl=mdl)
    assert mdl.read_bytes() == MDL[:cut]  # nothing written
    with pytest.raises(SnowballError, match="truncated"):
        model.translate(mdl)


def test_an_invalid_utf8_byte_in_the_mdl_is_refused_with_its_offset(tmp_path):
    # the issue: pysd dropped an invalid byte silently (in a comment: the run went on)
    at = MDL.index(b"CBO")
    mdl = tmp_path / "snowball.mdl"
    mdl.write_bytes(MDL[:at] + b"\xff" + MDL[at + 1 :])
    line = MDL[:at].count(b"\n") + 1
    status, _, err = snowball("check", "--model", str(mdl))
    assert status == 2
    assert (
        err == f"snowball: error: {mdl}: not UTF-8 text (byte {at}, line {line}); save the model as UTF-8\n"
    )
    with pytest.raises(SnowballError, match=f"byte {at}, line {line}"):
        model.translate(mdl)


def test_an_empty_mdl_is_one_line_not_a_type_error(tmp_path):
    # the issue: an empty .mdl leaked "translation failed (TypeError: decode() argument ...)"
    mdl = tmp_path / "snowball.mdl"
    mdl.write_bytes(b"")
    for call in (lambda: model.translate(mdl), lambda: engine.build_engine(mdl)):
        with pytest.raises(SnowballError) as exc:
            call()
        assert str(exc.value) == f"{mdl}: the model file is empty"


@pytest.mark.slow
def test_a_missing_mdl_in_a_clone_is_reported_as_missing(tmp_path):
    # the issue: a clone without models/snowball.mdl was taken for an installed package (no data
    # folder) and `snowball run baseline` said "unknown scenario 'baseline'"
    clone = tmp_path / "clone"
    shutil.copytree(REPO / "runners", clone / "runners", ignore=shutil.ignore_patterns("__pycache__"))
    (clone / "models").mkdir()
    (clone / "data").symlink_to(REPO / "data")
    code = "import sys; from runners.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "SNOWBALL_CACHE_DIR": str(tmp_path / "cache")}
    for argv in (["run", "baseline", "--out", str(tmp_path / "out")], ["parameters"]):
        proc = subprocess.run(
            [sys.executable, "-c", code, *argv], cwd=clone, env=env, capture_output=True, text=True
        )
        assert proc.returncode == 2
        assert proc.stderr == "snowball: error: models/snowball.mdl: model file is missing\n"


# --- the data folder ----------------------------------------------------------------------------


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A copy of data/ under a folder of another name, read through $SNOWBALL_DATA_DIR."""
    folder = tmp_path / "mydata"
    shutil.copytree(REPO / "data", folder)
    monkeypatch.setenv("SNOWBALL_DATA_DIR", str(folder))
    return folder


def refused(call, *fragments: str) -> str:
    """The one-line SnowballError ``call()`` raises, holding every fragment."""
    with pytest.raises(SnowballError) as exc:
        call()
    text = str(exc.value)
    assert "\n" not in text
    for fragment in fragments:
        assert fragment in text, text
    return text


def drop_rows(path: Path, prefix: str) -> None:
    lines = path.read_text().splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(prefix)]
    assert len(kept) < len(lines)
    path.write_text("".join(kept))


def set_value(path: Path, prefix: str, value: str) -> None:
    """Replace the value (third field) of the tidy row starting with ``prefix``."""
    lines = path.read_text().splitlines(keepends=True)
    hit = [i for i, line in enumerate(lines) if line.startswith(prefix)]
    assert len(hit) == 1
    fields = lines[hit[0]].split(",", 3)
    fields[2] = value
    lines[hit[0]] = ",".join(fields)
    path.write_text("".join(lines))


def test_data_files_are_named_as_manifests_name_them_under_snowball_data_dir(data):
    # the issue: under SNOWBALL_DATA_DIR messages named files by the folder's own name
    # ("mydata/baselines/..."), neither a usable path nor the manifest's data/...
    (data / "baselines" / "cbo-2026-02" / "targets.csv").unlink()
    refused(
        lambda: load_inputs("cbo-2026-02"), "data/baselines/cbo-2026-02/targets.csv: data file is missing"
    )
    assert "mydata" not in refused(lambda: load_inputs("cbo-2026-02"))


@pytest.mark.parametrize(
    "vintage, file, prefix, year",
    [
        ("cbo-2026-02", "long_term.csv", "2045,revenues_pct_gdp,", 2045),  # one row
        ("cbo-2026-02", "long_term.csv", "2045,", 2045),  # a whole year
        ("cbo-2026-02", "long_term.csv", "2037,", 2037),  # the first year
        ("cbo-2026-02", "outlays_by_category.csv", "2030,defense,", 2030),
        ("cbo-2026-02", "outlays_by_category.csv", "2031,", 2031),
        ("cbo-2025-01", "outlays_by_category.csv", "2026,medicare,", 2026),  # a sparse file's year
    ],
)
def test_a_year_missing_from_long_term_or_categories_is_refused(data, vintage, file, prefix, year):
    # the issue: a year removed from long_term.csv or outlays_by_category.csv was interpolated
    drop_rows(data / "baselines" / vintage / file, prefix)
    refused(
        lambda: load_inputs(vintage),
        f"data/baselines/{vintage}/{file}: variable '",
        f"has no row for fiscal year {year}",
    )


def test_last_projection_year_below_the_data_is_refused(data):
    # the issue: last_projection_year = 2034 silently dropped CBO's FY2035-2036 rows
    meta = data / "baselines" / "cbo-2026-02" / "vintage.toml"
    meta.write_text(meta.read_text().replace("last_projection_year = 2036", "last_projection_year = 2034"))
    refused(
        lambda: load_inputs("cbo-2026-02"),
        "data/baselines/cbo-2026-02/budget_projections.csv: gives fiscal year 2035, after "
        "last_projection_year 2034",
    )


@pytest.mark.parametrize("value", ['"yesterday"', '"2026-02-31"', "2026", '"2020-01-01"', "[]"])
def test_published_is_a_date_after_the_initial_state(data, value):
    meta = data / "baselines" / "cbo-2026-02" / "vintage.toml"
    meta.write_text(meta.read_text().replace('published = "2026-02-11"', f"published = {value}"))
    refused(lambda: load_inputs("cbo-2026-02"), "data/baselines/cbo-2026-02/vintage.toml: field 'published'")


def test_published_may_be_a_toml_date(data):
    meta = data / "baselines" / "cbo-2026-02" / "vintage.toml"
    meta.write_text(meta.read_text().replace('published = "2026-02-11"', "published = 2026-02-11"))
    inputs = load_inputs("cbo-2026-02")
    assert inputs.first_year == 2025 and inputs.meta["published"] == "2026-02-11"  # text, for JSON


def test_negative_debt_is_blamed_on_the_file_and_field_that_give_it(data):
    # the issue: a negative debt in budget_projections.csv was reported against holders.csv
    # ("holdings sum to ..., more than the debt (-5.0)")
    set_value(
        data / "baselines" / "cbo-2026-02" / "budget_projections.csv", "2025,debt_held_by_public,", "-5"
    )
    text = refused(
        lambda: load_inputs("cbo-2026-02"),
        "data/baselines/cbo-2026-02/budget_projections.csv: variable 'debt_held_by_public' = -5 in "
        "fiscal year 2025; it must be positive",
    )
    assert "holders.csv" not in text
    set_value(data / "history" / "actuals_fy.csv", "2014,debt_held_by_public,", "-5")
    refused(
        lambda: backtest.history_inputs(2015, 2020),
        "data/history/actuals_fy.csv: variable 'debt_held_by_public' = -5 in fiscal year 2014",
    )


def test_backtest_errors_name_the_history_file_not_a_scenario(data):
    # the issue: out-of-range actuals were reported as "scenario 'backtest-2015': ..."
    set_value(data / "history" / "actuals_fy.csv", "2016,revenues,", "99999")
    text = refused(
        lambda: backtest.backtest(2015, 2020),
        "data/history/actuals_fy.csv: gives 'revenues share table' = ",
        "out of range; allowed 1 to 60",
    )
    assert "backtest-2015" not in text and "scenario" not in text


def test_a_missing_initial_state_folder_is_named_not_blamed_on_the_year(data):
    # the issue: a removed data/initial/treasury-2016-09-30 read "--start 2017: no initial state"
    shutil.rmtree(data / "initial" / "treasury-2016-09-30")
    refused(
        lambda: backtest.history_inputs(2017, 2020),
        "data/initial/treasury-2016-09-30: initial state folder is missing",
    )


# --- fuzz: damaged vintage folders and .mdl files ------------------------------------------------

VINTAGE_FILES = [
    "baselines/cbo-2026-02/budget_projections.csv",
    "baselines/cbo-2026-02/outlays_by_category.csv",
    "baselines/cbo-2026-02/long_term.csv",
    "baselines/cbo-2025-01/outlays_by_category.csv",
    "baselines/cbo-2025-01/long_term.csv",
    "initial/treasury-2025-09-30/maturity_profile.csv",
    "initial/treasury-2025-09-30/holders.csv",
    "initial/treasury-2025-09-30/tips.csv",
    "initial/treasury-2025-09-30/issuance.csv",
]


@FUZZ
@given(
    file=st.sampled_from(VINTAGE_FILES),
    row=st.integers(0, 10**6),
    edit=st.one_of(
        st.none(),  # the row removed
        st.sampled_from(["", "nan", "-1", "1e9", "x", "2200", "0"]),  # a cell replaced
    ),
    column=st.integers(0, 3),
)
def test_fuzz_a_damaged_vintage_folder_gives_one_line(tmp_path_factory, file, row, edit, column):
    # a removed row from a file every row of which is read, or an edited cell, is one SnowballError
    # line naming the file, or (an edit the checks accept) inputs that load
    folder = tmp_path_factory.mktemp("data")
    shutil.copytree(REPO / "data" / "baselines", folder / "baselines")
    shutil.copytree(REPO / "data" / "initial", folder / "initial")
    path = folder / file
    header, *rows = path.read_text().splitlines(keepends=True)
    at = row % len(rows)
    # the year before the first is read for its debt only (FY2024's other rows are not inputs)
    needed = not (rows[at].startswith("2024,") and "debt_held_by_public" not in rows[at])
    if edit is None:
        del rows[at]
    else:
        cells = rows[at].split(",")
        cells[column % len(cells)] = edit
        rows[at] = ",".join(cells)
    path.write_text(header + "".join(rows))
    vintage = file.split("/")[1] if file.startswith("baselines") else "cbo-2026-02"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SNOWBALL_DATA_DIR", str(folder))
        try:
            load_inputs(vintage)
        except SnowballError as exc:
            assert "\n" not in str(exc) and str(exc).startswith(f"data/{file}: ")
        else:
            assert edit is not None or not needed  # every other row of these files is needed


TAIL_AT = MDL.index(b"///---\\\\\\", SKETCH_AT)


@FUZZ
@given(
    cut=st.integers(1, len(MDL) - 1),
    bad=st.one_of(st.none(), st.sampled_from([b"\xff", b"\xc3", b"\xe2\x82", b"\x80", b"\xed\xa0\x80"])),
)
def test_fuzz_a_damaged_mdl_gives_one_line(tmp_path_factory, cut, bad):
    # a truncated .mdl (anywhere before the sketch's end line) or one with bytes that are not
    # UTF-8 is one line naming the file; never a smaller model read as the whole
    mdl = tmp_path_factory.mktemp("mdl") / "snowball.mdl"
    mdl.write_bytes(MDL[:cut] if bad is None else MDL[:cut] + bad + MDL[cut:])
    if bad is None and cut >= TAIL_AT + len(b"///---\\\\\\"):
        assert model.read_mdl(mdl)  # the end line is whole: nothing that matters was cut
        return
    with pytest.MonkeyPatch.context() as mp, pytest.raises(SnowballError) as exc:
        mp.setattr(model, "MODEL_FILE", mdl)  # as the model's own file (which has a sketch)
        model.read_mdl(mdl)
    text = str(exc.value)
    assert "\n" not in text and text.startswith(f"{mdl}: ")
    if bad is not None:
        assert f"not UTF-8 text (byte {cut}," in text or f"(byte {cut - 1}," in text
    else:
        assert "truncated" in text or "empty" in text


def test_a_year_missing_from_cbos_optional_cpi_path_is_refused(data):
    # found by the fuzz: a CPI-U row removed made the whole path fall back to PCE plus the wedge
    drop_rows(data / "baselines" / "cbo-2026-02" / "budget_projections.csv", "2036,cpiu_inflation,")
    refused(
        lambda: load_inputs("cbo-2026-02"),
        "data/baselines/cbo-2026-02/budget_projections.csv: variable 'cpiu_inflation' has no row for "
        "fiscal year 2036",
    )


def test_the_models_own_file_cut_at_an_equations_end_is_refused(tmp_path, monkeypatch):
    # found by the fuzz: cut just after an equation's '|', the file read as a smaller model
    mdl = tmp_path / "snowball.mdl"
    mdl.write_bytes(MDL[: MDL.index(b"|", SKETCH_AT // 2) + 1])
    monkeypatch.setattr(model, "MODEL_FILE", mdl)
    refused(lambda: model.translate(mdl), "no sketch section ending with", "the file is truncated")
