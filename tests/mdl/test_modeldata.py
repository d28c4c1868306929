"""The .mdl runs on its own (issue 12, item 1): it holds the default vintage's data and baseline
paths, written by `snowball model --write-data`, and plain pysd runs it to Snowball's baseline."""

import contextlib
import io

import numpy as np
import pandas as pd
import pysd
import pytest

from runners.core import columns as registry
from runners.core.paths import MODEL_FILE
from runners.inputs.vintage import DEFAULT_VINTAGE
from runners.mdl import model_data as modeldata
from runners.projection import params, run


@pytest.mark.slow
def test_the_mdl_holds_datas_values_and_its_own_baseline_paths():
    text = MODEL_FILE.read_text(encoding="utf-8")
    wanted = modeldata.data_values()
    assert modeldata.differences(wanted=wanted) == []
    # writing them again changes no byte: the file is exactly what --write-data writes
    assert modeldata.write_values(text, wanted) == text
    inputs = run.cached_inputs(DEFAULT_VINTAGE)
    held = modeldata.read_values(text, ["INITIAL TIME", "baseline path on", "initial bills"])
    assert held == {
        "INITIAL TIME": inputs.first_year,
        "baseline path on": 1,
        "initial bills": inputs.constants["initial bills"],
    }
    # so runs of the default vintage read the paths from the .mdl (no second pysd pass)
    assert params.model_holds(inputs) and not params.model_holds(run.cached_inputs("cbo-2025-01"))


@pytest.mark.slow
def test_write_values_changes_only_the_values(tmp_path):
    text = MODEL_FILE.read_text(encoding="utf-8")
    table = pd.Series([1.0, 2.5, 0.125], index=[2025.0, 2030.0, 2100.0])
    new = modeldata.write_values(text, {"initial bills": 1234.5, "bill share table": table})
    assert modeldata.read_values(new, ["initial bills"]) == {"initial bills": 1234.5}
    assert modeldata.same(modeldata.read_values(new, ["bill share table"])["bill share table"], table)
    changed = [(a, b) for a, b in zip(text.splitlines(), new.splitlines(), strict=False) if a != b]
    assert len(text.splitlines()) == len(new.splitlines()) and len(changed) == 2  # one line each
    # --check names what disagrees and exits 1; --write-data puts data/'s values back
    mdl = tmp_path / "snowball.mdl"
    mdl.write_text(new)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert modeldata.model_command(write=False, mdl=mdl) == 1
        assert "initial bills, bill share table" in err.getvalue()
        assert modeldata.model_command(write=True, mdl=mdl) == 0
    assert mdl.read_text() == text


@pytest.mark.slow
@pytest.mark.parametrize("exact", [True, False])
def test_plain_pysd_runs_the_mdl_to_snowballs_baseline(tmp_path, exact):
    mdl = tmp_path / "snowball.mdl"
    mdl.write_bytes(MODEL_FILE.read_bytes())
    # pysd writes lookup values with numpy's print options; its default (8 decimals) rounds the
    # written tables by up to 5e-9, so that run is held to 5e-8 of each column's largest value
    # (other means of financing, a share near 0.1%, is the loosest); printing them in full
    # ("unique") gives Snowball's own numbers to 1e-9 (in fact exactly)
    options = np.printoptions(floatmode="unique") if exact else contextlib.nullcontext()
    with contextlib.redirect_stdout(io.StringIO()), options:
        m = pysd.read_vensim(str(mdl))
    with contextlib.redirect_stdout(io.StringIO()):
        raw = m.run(return_columns=registry.model_variables(), progress=False)
    plain = run.tidy(raw)
    ours = run.run("baseline").results.drop(columns="credit_rating")
    assert list(plain.index) == list(ours.index)
    scale = ours.abs().max().clip(lower=1.0)
    error = ((plain - ours).abs() / scale).max()
    assert error.max() <= (1e-9 if exact else 5e-8), error.sort_values().tail(3).to_dict()
    if not exact:
        key = ["debt_held_by_public", "debt_to_gdp", "net_interest", "gdp", "ten_year_yield"]
        assert error[key].max() <= 1e-9


@pytest.mark.slow
def test_snowball_model_check_passes_on_the_repository(capsys):
    from runners import cli

    assert cli.main(["model", "--check"]) == 0
    assert f"holds data/'s values ({DEFAULT_VINTAGE})" in capsys.readouterr().out
