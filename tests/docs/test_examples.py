"""Issue 27 item 8: the three example notebooks (jupytext percent-format .py files in examples/)
run as they are, from a fresh folder, and say what the API computes."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from runners import api
from runners.core.paths import REPO

EXAMPLES = ["your_own_rate_path", "how_likely_is_150", "what_would_it_take"]


def _run(name: str, cwd) -> str:
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg")
    done = subprocess.run(
        [sys.executable, str(REPO / "examples" / f"{name}.py")],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_example_is_a_percent_format_notebook(name):
    text = (REPO / "examples" / f"{name}.py").read_text(encoding="utf-8")
    assert "format_name: percent" in text and text.count("# %% [markdown]") >= 2
    assert text.count("\n# %%\n") >= 2  # code cells


@pytest.mark.slow
def test_your_own_rate_path(tmp_path):
    out = _run("your_own_rate_path", tmp_path)
    base = api.run("baseline").results
    mine = api.run("baseline", overrides={"growth shift": -0.5}, paths="ten-year=5.5 from 2027").results
    extra = mine.loc[2035, "net_interest"] - base.loc[2035, "net_interest"]
    assert f"${mine.loc[2035, 'net_interest']:,.0f}bn, ${extra:,.0f}bn above the baseline" in out
    assert "'ten year yield table=5.5 from 2027'" in out
    charts = sorted(p.name for p in (tmp_path / "reports/examples/your_own_rate_path").glob("*.png"))
    assert charts == ["debt_to_gdp.png", "r_minus_g.png", "rates.png", "spending.png"]


@pytest.mark.slow
def test_how_likely_is_150(tmp_path):
    out = _run("how_likely_is_150", tmp_path)
    runs = pd.read_parquet(tmp_path / "reports/examples/how_likely_is_150/baseline/runs.parquet")
    debt = runs[runs["variable"] == "debt_to_gdp"].pivot(
        index="run_id", columns="fiscal_year", values="value"
    )
    p = ((debt.loc[:, :2055] > 150) | debt.loc[:, :2055].isna()).any(axis=1).mean() * 100
    assert f"P(debt_to_gdp > 150 by 2055): baseline {p:.1f}%" in out


@pytest.mark.slow
def test_what_would_it_take(tmp_path):
    _run("what_would_it_take", tmp_path)
    table = pd.read_csv(tmp_path / "reports/examples/what_would_it_take/what_would_it_take.csv", index_col=0)
    size = table["adjustment, % of GDP a year"]
    # solved alike, the sale and the higher rate path each need more than the baseline
    assert size["Baseline"] < size["Japan sells $1,200bn"] and size["Baseline"] < size.iloc[1]
    assert table["debt/GDP 2055 with it, %"].round(1).eq(100.0).all()
    switches = {"confidence switch": 1, "debt premium switch": 1, "inflation read back switch": 1}
    assert size["Baseline"] == pytest.approx(api.gap(target=100, by=2055, overrides=switches).size, abs=5e-4)
