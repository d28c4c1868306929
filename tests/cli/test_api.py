"""The Python API (issue 12, item 5): the example of docs/howto/python-api.md runs, names and paths
are equivalent, overrides are checked by the CLI's own function, and the fast lookups touch Snowball's
model only."""

import contextlib
import io
import json
import os
import re

import pandas as pd
import pytest

from runners import api
from runners.cli import common as cli
from runners.core.errors import SnowballError
from runners.core.paths import REPO
from runners.mdl import model
from runners.scenario.scenarios import scenarios_dir


def docs_example() -> str:
    text = (REPO / "docs" / "howto" / "python-api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1
    return blocks[0]


@pytest.mark.slow
def test_docs_example_runs(monkeypatch):
    monkeypatch.chdir(REPO)  # the example names data/scenarios/baseline.toml relative to a clone
    space: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(docs_example(), "docs/howto/python-api.md", "exec"), space)
    base, shock, older = space["base"], space["shock"], space["older"]
    # FY-indexed frames; the 1 pp shift raises FY2035 net interest and the line printed says so
    assert base.results.index.name == "fiscal_year" and base.results.index[-1] == 2035
    extra = shock.results.at[2035, "net_interest"] - base.results.at[2035, "net_interest"]
    assert extra > 0
    assert f"adds ${extra:,.0f}bn of net interest in FY2035" in out.getvalue()
    assert shock.overrides == {"yield shift": 1.0}
    mine = space["mine"]  # the 10-year is the path from FY2027 (no feedbacks in the baseline)
    assert mine.results.loc[2027:2035, "ten_year_yield"].round(9).eq(5.5).all()
    assert mine.results.loc[2026, "ten_year_yield"] == pytest.approx(base.results.loc[2026, "ten_year_yield"])
    assert older.inputs.vintage == "cbo-2025-01" and older.results.index[0] == older.inputs.first_year + 1
    table = space["table"]
    assert list(table.columns) == ["baseline", "japan-selloff", "japan-selloff - baseline"]
    pd.testing.assert_series_equal(
        table["japan-selloff - baseline"], table["japan-selloff"] - table["baseline"], check_names=False
    )
    assert table.at["Debt, % of GDP, FY2035", "baseline"] == pytest.approx(
        base.results.at[2035, "debt_to_gdp"], rel=1e-12
    )


def test_name_path_and_scenario_give_identical_runs(baseline):
    by_name = api.run("baseline", until=2030).results
    by_path = api.run(scenarios_dir() / "baseline.toml", until=2030).results
    by_object = api.run(baseline, until=2030).results
    pd.testing.assert_frame_equal(by_name, by_path, check_exact=True)
    pd.testing.assert_frame_equal(by_name, by_object, check_exact=True)


@pytest.mark.parametrize(
    ("name", "value"), [("yield shift", "1e6"), ("yeild shift", "1"), ("yield shift", "abc")]
)
def test_overrides_are_refused_exactly_as_the_cli_refuses_them(name, value):
    with pytest.raises(SnowballError) as from_cli:
        cli.parse_set([f"{name}={value}"])
    with pytest.raises(SnowballError) as from_api:
        api.run("baseline", overrides={name: value}, until=2030)
    assert str(from_api.value) == str(from_cli.value).replace("--set", "override")


def test_compare_accepts_paths_and_refuses_a_bare_name():
    table = api.compare([scenarios_dir() / "baseline.toml", "rates-up-200bp"], until=2035)
    # 200 bp on every yield costs money: FY2035 net interest higher than the baseline's
    assert table.at["Net interest, $bn, FY2035", "rates-up-200bp - baseline"] > 0
    with pytest.raises(SnowballError, match="list of one or more scenarios"):
        api.compare("baseline")


@pytest.mark.slow
def test_sweep_by_path_writes_outputs(tmp_path):
    spec = tmp_path / "tiny.toml"
    spec.write_text(
        'title = "api sweep"\nscenario = "baseline"\nuntil = 2030\nmethod = "monte-carlo"\n'
        'draws = 6\nseed = 1\nchunk = 6\n\n[inputs."yield shift"]\ndistribution = "uniform"\n'
        "low = 0\nhigh = 1\n"
    )
    result = api.sweep(spec, out=tmp_path / "out", workers=1)
    assert result.n_runs == 6 and (tmp_path / "out" / "summary.csv").is_file()
    debt = result.summary[
        (result.summary["variable"] == "debt_to_gdp") & (result.summary["fiscal_year"] == 2030)
    ]
    # every draw shifts yields up by 0 to 1 pp: the spread of debt/GDP is ordered and not empty
    assert float(debt["p5"].iloc[0]) < float(debt["p95"].iloc[0])
    # draws and seed as on the command line (--draws, --seed): 8 runs, recorded in the manifest
    more = api.sweep(spec, out=tmp_path / "more", workers=1, draws=8, seed=2)
    assert more.n_runs == 8
    manifest = json.loads((tmp_path / "more" / "manifest.json").read_text())
    assert manifest["overrides"] == {
        "draws": {"spec": 6, "command_line": 8},
        "seed": {"spec": 1, "command_line": 2},
    }


def test_listings():
    assert "baseline" in api.scenarios().index
    assert api.scenarios().at["japan-selloff", "title"].startswith("Japan")
    params = api.parameters()
    assert params.at["yield shift", "default"] == 0 and params.at["yield shift", "unit"]
    vintages = api.vintages()
    assert vintages["default"].sum() == 1 and {"cbo-2025-01", "cbo-2026-02"} <= set(vintages.index)
    tables = api.tables()
    assert tables.at["bill yield table", "unit"] == "percent" and tables.at["bill yield table", "min"] > 0


TINY = """{UTF-8}
curve(
[(0,0)-(10,10)],(0,0),(10,10))
	~	dmnl
	~	a lookup
	|
out = curve(Time)
	~	dmnl
	~	reads the lookup
	|
INITIAL TIME = 0
	~	Month
	~	start
	|
FINAL TIME = 4
	~	Month
	~	end
	|
TIME STEP = 1
	~	Month
	~	step
	|
SAVEPER = TIME STEP
	~	Month
	~	output
	|
"""


def test_fast_lookups_apply_to_snowballs_model_only(tmp_path):
    import pysd
    from pysd.py_backend import lookups

    api.run("baseline", until=2027)
    ours = model._lookup_objects(model.base_model())
    assert ours and all(getattr(type(o), "_snowball_fast", False) for o in ours)
    # pysd's own classes are untouched ...
    assert lookups.Lookups.__call__.__module__ == "pysd.py_backend.lookups"
    assert lookups.HardcodedLookups.set_values.__module__ == "pysd.py_backend.lookups"
    # ... and another model loaded in the same process gets pysd's own lookup objects
    (tmp_path / "tiny.mdl").write_text(TINY)
    with contextlib.redirect_stdout(io.StringIO()):
        other = pysd.read_vensim(str(tmp_path / "tiny.mdl"))
    theirs = model._lookup_objects(other)
    assert theirs and all(type(o) is lookups.HardcodedLookups for o in theirs)
    out = other.run(progress=False)
    assert list(out["out"]) == [0.0, 1.0, 2.0, 3.0, 4.0]  # curve(t) = t on 0..10


@pytest.mark.slow
def test_only_the_command_tells_xarray_that_dask_is_absent(tmp_path):
    # xarray asks of every array pysd makes whether it is a dask array, which imports dask.array
    # (0.3 s of each `snowball run`); the command's own process answers "not available" once. The
    # Python API must leave a notebook's xarray alone: there dask arrays stay dask arrays.
    import subprocess
    import sys

    pytest.importorskip("dask.array")
    out = tmp_path / "o"
    command = (
        "import sys; from runners.cli import main; "
        f"sys.argv = ['snowball', 'run', 'baseline', '--until', '2030', '--out', {str(out)!r}]; "
        "rc = main(); print(rc, 'dask.array' in sys.modules)"
    )
    api_use = (
        "from runners import api; api.run('baseline', until=2030); "
        "from xarray.namedarray.pycompat import array_type; print(len(array_type('dask')))"
    )
    env = {k: v for k, v in os.environ.items() if k != model.NO_DASK_CHECK}
    done = subprocess.run([sys.executable, "-c", command], capture_output=True, text=True, env=env)
    assert done.stdout.splitlines()[-1].split() == ["0", "False"], done.stderr
    done = subprocess.run([sys.executable, "-c", api_use], capture_output=True, text=True, env=env)
    assert done.stdout.splitlines()[-1] == "1", done.stderr  # dask.array.Array still recognised


def test_vintages_first_year_is_the_first_projected_year():
    """api.vintages()'s first_year is the first fiscal year a run reports, as api.tables()'s
    first_year: it was the initial state's year (2025 for cbo-2026-02, whose runs start in
    FY2026), so `results.loc[first_year]` raised KeyError. The initial state is `start`, the
    date `snowball vintages` prints."""
    vintages = api.vintages()
    for name in ("cbo-2025-01", "cbo-2026-02"):
        first = int(api.run("baseline", baseline=name, until=2040).results.index[0])
        assert vintages.at[name, "first_year"] == first
        assert (api.tables(baseline=name)["first_year"] == first).all()
        assert vintages.at[name, "start"] == f"{first - 1}-09-30"


def test_an_unknown_monthly_variable_is_named():
    # api.run(..., monthly=["ten year yeild"]) said "the run failed numerically (KeyError: ...);
    # check the scenario's values", blaming the scenario for a misspelt variable name
    with pytest.raises(
        SnowballError,
        match=r"^monthly: unknown model variable 'ten year yeild'; close matches: ten year yield",
    ):
        api.run("baseline", monthly=["ten year yeild"], until=2030)
    # Vensim and Python names both work
    both = api.run("baseline", monthly=["ten year yield", "debt_to_gdp"], until=2027).monthly
    assert list(both.columns) == ["ten year yield", "debt_to_gdp"]


def test_overrides_that_are_not_a_mapping_are_refused():
    # overrides=[("yield shift", 1)] raised AttributeError: 'list' object has no attribute 'items'
    for bad in ([("yield shift", 1)], "yield shift=1"):
        with pytest.raises(SnowballError, match=r"^overrides: give a dict of constant names and values"):
            api.run("baseline", overrides=bad, until=2030)
