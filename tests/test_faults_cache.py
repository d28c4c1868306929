"""Issue 29 (faults that still get through): caches checked, not trusted; the data folder and the
.mdl validated. Every test here failed before the fix it comes with."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runners import cache, engine, model, modeldata, run
from runners.cli import main
from runners.fiscal import model_vars_for

RECORD = model_vars_for(("debt_to_gdp", "net_interest"))
FUZZ = settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A private cache folder (the translation stays where it is: only runners.cache moves)."""
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
    run._stored_paths(inputs)
    path = entry(cache_dir, "baseline-paths")
    edit(path, lambda v: v["baseline debt to GDP path"].__setitem__(3, 500.0))
    capsys.readouterr()
    again = run._stored_paths(inputs)
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
