"""What does not change between runs is cached on disk (runners/core/cache.py): the engine's programs,
the model's metadata and the baseline paths; a sweep with a warm cache never loads pysd."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from runners.core import cache
from runners.core.fiscal_years import model_vars_for
from runners.core.paths import REPO
from runners.engine import program as engine
from runners.mdl import model
from runners.mdl import model_data as modeldata
from runners.projection import params, run

RECORD = model_vars_for(("debt_to_gdp", "net_interest"))


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SNOWBALL_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.mark.slow
def test_cached_program_equals_the_built_one_and_follows_the_engine_code(cache_dir, monkeypatch):
    built = engine.build_engine().program(RECORD, initial_time=2025)
    first = engine.cached_program(RECORD, initial_time=2025)  # a miss: built, then stored
    stored = sorted(cache_dir.glob("program-*.json"))
    assert len(stored) == 1
    again = engine.cached_program(RECORD, initial_time=2025)  # a hit: read back
    for prog in (first, again):
        assert prog == built  # every field: source, constants, tables, clock (floats exact)
    # a change to any engine module's code (runners/engine/*.py) gives another key: built again
    real = cache.file_sha256
    monkeypatch.setattr(cache, "file_sha256", lambda p: "edited" if p.endswith("/build.py") else real(p))
    assert engine.cached_program(RECORD) == engine.build_engine().program(RECORD)
    assert len(list(cache_dir.glob("program-*.json"))) == 2


def test_an_entry_for_another_key_or_damaged_is_not_used(cache_dir):
    key = {"model": "a"}
    cache.store("thing", key, {"x": 0.1 + 0.2})
    assert cache.load("thing", key) == {"x": 0.30000000000000004}  # floats round-trip exactly
    path = next(cache_dir.glob("thing-*.json"))
    doc = json.loads(path.read_text())
    doc["key"] = {"model": "b"}  # a file whose name matches but whose key does not
    path.write_text(json.dumps(doc))
    assert cache.load("thing", key) is None
    path.write_text('{"key": {"mod')  # truncated
    assert cache.load("thing", key) is None
    assert not list(cache_dir.glob(".*.tmp"))  # no temporary file left behind


@pytest.mark.slow
def test_cached_baseline_paths_equal_a_fresh_pysd_run(cache_dir):
    inputs = run.cached_inputs("cbo-2025-01")
    fresh = modeldata.computed_paths(inputs)
    stored = params.stored_paths(inputs)  # a miss: runs pysd and stores
    read = params.stored_paths(inputs)  # a hit
    assert len(list(cache_dir.glob("baseline-paths-*.json"))) == 1
    for table, series in fresh.items():
        for other in (stored[table], read[table]):
            assert np.array_equal(other.index.to_numpy(), series.index.to_numpy())
            assert np.array_equal(other.to_numpy(), series.to_numpy())


def test_model_metadata_matches_pysd():
    m = model.load_translated(model.translate())  # a fresh pysd model (runs change the shared one)
    doc = m.doc.set_index("Real Name")
    params = model.parameters()
    assert "yield shift" in params
    for name, p in params.items():
        assert p.py_name == doc.at[name, "Py Name"] and p.units == str(doc.at[name, "Units"])
        assert model.default(name) == float(getattr(m.components, p.py_name)())
    assert set(model.tables()) == set(doc.index[doc["Type"] == "Lookup"])


@pytest.mark.slow
def test_a_sweep_with_a_warm_cache_never_loads_pysd(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text(
        'title = "t"\nscenario = "baseline"\nuntil = 2030\nmethod = "monte-carlo"\ndraws = 8\nseed = 1\n'
        'chunk = 4\n[inputs."yield shift"]\ndistribution = "uniform"\nlow = 0\nhigh = 1\n'
    )
    code = (
        "import sys\nfrom pathlib import Path\nfrom runners.sweep import runner as sweep, spec as sweepspec\n"
        f"spec = sweepspec.parse_spec(Path({str(spec)!r}))\n"
        f"sweep.run_sweep(spec, out=Path({str(tmp_path / 'o')!r}), workers=1, show_progress=False,"
        " force=True)\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'pysd'))\n"
    )
    env = os.environ | {"SNOWBALL_CACHE_DIR": str(tmp_path / "cache"), "MPLBACKEND": "Agg"}
    first = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "pysd" in first.stdout  # the cold cache: pysd parses the .mdl once
    second = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "[]"
    # the default vintage's baseline paths are written into the .mdl (snowball model --write-data),
    # so only the model's metadata and the engine's program are cached
    assert sorted(p.name.split("-")[0] for p in Path(tmp_path / "cache").glob("*.json")) == [
        "model",
        "program",
    ]


@pytest.mark.slow
def test_gap_runs_from_the_cached_program_without_parsing_the_mdl(cache_dir, monkeypatch, tmp_path):
    # snowball gap (and the briefing's "what it would take") parsed the .mdl with pysd on every
    # call (about 1.5 s): its runs, one size at a time or over a sweep's draws, now read the
    # cached program as a sweep does
    from runners.analysis import gap
    from runners.scenario.scenarios import load_scenario
    from runners.sweep import spec as sweepspec

    q = gap.question(load_scenario("baseline"), 2030, target=100.0)
    spec = tmp_path / "s.toml"
    spec.write_text(
        'title = "t"\nscenario = "baseline"\nuntil = 2030\nmethod = "monte-carlo"\ndraws = 4\nseed = 1\n'
        'chunk = 4\n[inputs."yield shift"]\ndistribution = "uniform"\nlow = 0\nhigh = 1\n'
    )

    def answers():
        years, out = gap.ModelRuns(q).run([0.0, 1.0])
        with gap.DrawRuns(q, sweepspec.parse_spec(spec)) as draws:
            missed = draws.miss(0.0)
        return years, out["debt_to_gdp"], missed

    cold = answers()  # a cold cache: the .mdl is parsed once, and the two programs stored
    engine._build_cached.cache_clear()

    def parse(path):
        raise AssertionError(f"parsed {path}")

    monkeypatch.setattr(engine, "parse_mdl", parse)
    years, debt, missed = answers()
    assert all(np.array_equal(a, b) for a, b in zip((years, debt, missed), cold, strict=True))
    assert debt[-1, 1] < debt[-1, 0]  # 1% of GDP a year from FY2026 lowers debt/GDP in FY2030
    assert missed.shape == (4,)
    assert len(gap.what_it_would_take([load_scenario("baseline")], by=2030)) == 2  # hold; return to 100%


@pytest.mark.slow
def test_the_explorer_s_javascript_is_cached_and_built_without_pysd_when_warm(cache_dir, monkeypatch):
    # snowball explore and every briefing parsed the .mdl with pysd to generate the page's
    # JavaScript (about 2.8 s a process); the generated source is now cached beside the programs
    from runners.engine import js

    prog = engine.cached_program(RECORD, initial_time=2025)
    fresh = js.generate_js(engine.build_engine().equations, tuple(RECORD))
    assert js.cached_js_source(prog) == fresh  # a miss: generated, then stored
    assert len(list(cache_dir.glob("javascript-*.json"))) == 1
    engine._build_cached.cache_clear()

    def parse(*args, **kwargs):
        raise AssertionError("parsed the .mdl")

    monkeypatch.setattr(engine, "_equations", parse)
    assert js.cached_js_source(prog) == fresh  # a hit: no parse
    assert js.js_module(prog, until=2030).count(fresh) == 1
