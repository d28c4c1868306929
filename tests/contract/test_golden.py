"""Every built-in scenario under every vintage equals its reviewed golden output (1e-9 relative)."""

import numpy as np
import pandas as pd
import pytest
from golden import GOLDEN, golden_runs, path_of, write


@pytest.fixture(scope="module")
def runs():
    return golden_runs()


@pytest.mark.slow
def test_every_scenario_and_vintage_has_a_golden_file(runs):
    missing = [f"{v}/{s}" for v, s in runs if not path_of(v, s).is_file()]
    assert not missing, f"no golden output for {missing}; run 'make golden' and review the diff"
    on_disk = {(p.parent.name, p.stem) for p in GOLDEN.glob("*/*.csv") if not p.stem.endswith("_actual")}
    assert on_disk == set(runs), "golden files for scenarios or vintages that no longer exist"


def test_results_equal_golden(runs):
    bad = []
    for (vintage, name), frame in runs.items():
        golden = pd.read_csv(path_of(vintage, name), index_col="fiscal_year")
        ok = list(golden.columns) == list(frame.columns) and list(golden.index) == list(frame.index)
        if ok:
            num = frame.select_dtypes("number").columns
            ok = np.allclose(frame[num].to_numpy(float), golden[num].to_numpy(float), rtol=1e-9, atol=1e-9)
            ok = (
                ok
                and (frame.drop(columns=num).astype(str) == golden.drop(columns=num).astype(str)).all().all()
            )
        if not ok:
            write(frame, path_of(vintage, name, "_actual"))
            bad.append(f"{vintage}/{name}")
    assert not bad, (
        f"results differ from golden for {bad}: review tests/golden/*/*_actual.csv, then 'make golden'"
    )
