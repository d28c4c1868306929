"""Fuzz (issue 9): random scenario files and --set values never give a traceback, and a results
file written with exit 0 never holds a non-finite value or a negative GDP, debt or holding."""

from __future__ import annotations

import contextlib
import io
import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runners.cli import main
from runners.mdl import model
from runners.projection.run import NON_NEGATIVE
from runners.scenario.scenarios import TABLE_RANGES

PARAMETERS = sorted(model.parameters())
TABLES = sorted(TABLE_RANGES) + ["rating premium table", "baseline GDP path", "no such table"]

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-200, max_value=200),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.sampled_from([0, -1, 1e6, -1e6, 1e300]),
)


def toml_value(value: object) -> str:
    """A TOML literal for ``value`` (TOML spells the special floats nan, inf and -inf)."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


LIMITS = {n: (p.low, p.high) for n, p in model.parameters().items()}


def in_range(low: float | None, high: float | None, wild: bool) -> st.SearchStrategy:
    """Values the checks accept (so the model really runs), or anything at all when ``wild``."""
    if wild:
        return st.one_of(numbers, st.text(max_size=4))
    return st.floats(min_value=-1e3 if low is None else low, max_value=1e4 if high is None else high)


@st.composite
def constants(draw, wild: bool) -> dict:
    names = draw(st.lists(st.sampled_from(PARAMETERS + (["not a constant"] if wild else [])), max_size=4))
    return {n: draw(in_range(*LIMITS.get(n, (None, None)), wild)) for n in names}


@st.composite
def tables(draw, wild: bool) -> dict:
    names = draw(st.lists(st.sampled_from(TABLES if wild else sorted(TABLE_RANGES)), max_size=3, unique=True))
    out = {}
    for name in names:
        low, high, _ = TABLE_RANGES.get(name, (-10.0, 10.0, ""))
        years = st.integers(1990, 2130) if wild else st.integers(2025, 2100)
        out[name] = draw(st.dictionaries(years, in_range(low, high, wild), min_size=1, max_size=5))
    return out


@st.composite
def sets(draw, wild: bool) -> list[tuple[str, object]]:
    names = draw(st.lists(st.sampled_from(PARAMETERS + (["nope"] if wild else [])), max_size=3))
    return [(n, draw(in_range(*LIMITS.get(n, (None, None)), wild))) for n in names]


def scenario_text(consts: dict, tabs: dict) -> str:
    lines = ['title = "fuzz"', 'description = "random inputs"', 'baseline = "cbo-2025-01"', "[constants]"]
    lines += [f"{toml_value(k)} = {toml_value(v)}" for k, v in consts.items()]
    for name, points in tabs.items():
        lines.append(f"[tables.{toml_value(name)}]")
        lines += [f'"{year}" = {toml_value(v)}' for year, v in points.items()]
    return "\n".join(lines) + "\n"


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run: CI is reproducible (seeds explicit)
    suppress_health_check=[HealthCheck.too_slow],
)
@given(consts=constants(wild=False), tabs=tables(wild=False), overrides=sets(wild=False))
def test_inputs_in_range_never_give_an_impossible_result(consts, tabs, overrides):
    """Every value passes its own check: a run either writes possible results or fails in one line."""
    check_run(consts, tabs, overrides)


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(consts=constants(wild=True), tabs=tables(wild=True), overrides=sets(wild=True))
def test_wild_inputs_never_give_a_traceback(consts, tabs, overrides):
    """Anything at all (NaN, 1e300, text, unknown names, years outside the model): one line."""
    check_run(consts, tabs, overrides)


def check_run(consts: dict, tabs: dict, overrides: list) -> None:
    """Run the CLI on a scenario file and --set values; check the exit code, stderr and results."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.toml"
        path.write_text(scenario_text(consts, tabs), encoding="utf-8")
        out = Path(tmp) / "out"
        args = ["run", str(path), "--until", "2032", "--out", str(out)]
        for name, value in overrides:
            args += ["--set", f"{name}={value}"]
        err, shown = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(shown):
            code = main(args)
        message = err.getvalue()
        assert code in (0, 2), message
        if code == 2:
            assert message.startswith("snowball: error: ") and message.count("\n") == 1, message
            assert not out.exists()
            return
        results = pd.read_csv(out / "results.csv", index_col="fiscal_year")
        numeric = results.drop(columns=["credit_rating"]).to_numpy(dtype=float)
        assert np.isfinite(numeric).all()
        assert (results[list(NON_NEGATIVE)].to_numpy() >= 0).all()
