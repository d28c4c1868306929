"""Partial evaluation of engine programs (runners.engine.fold): switched-off loops cost nothing, and every
result equals the unspecialised program's (and pysd's)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engine import mdl, pysd_run

from runners.engine import program as engine
from runners.engine.fold import specialize

LOOP = (
    "debt = INTEG(deficit - loop payback, 100)\n\t~\t$bn\n\t~\tstock that grows\n\t|\n\n"
    "deficit = rate * debt\n\t~\t$bn/Year\n\t~\tflow\n\t|\n\n"
    "rate = 0.05\n\t~\t1/Year\n\t~\tgrowth rate\n\t|\n\n"
    "switch = 0\n\t~\tDmnl\n\t~\tthe loop's switch\n\t|\n\n"
    "pressure = INTEG(switch * (debt - pressure) / 2, 0)\n\t~\t$bn\n\t~\tloop stock\n\t|\n\n"
    "loop payback = switch * MAX(0, pressure - 50) / 10\n\t~\t$bn/Year\n\t~\tloop flow\n\t|\n\n"
    "loop state = IF THEN ELSE(switch > 0, pressure, 0)\n\t~\t$bn\n\t~\treported\n\t|\n\n"
)
NAMES = ["debt", "pressure", "loop state"]


def unspecialised(monkeypatch):
    monkeypatch.setattr(engine, "_folds", lambda fold, n: False)


def run(eng, switch, n=3):
    rates = np.array([0.03, 0.05, 0.08][:n])
    constants = {"switch": switch, "rate": rates}
    return eng.simulate(n, 10, record=NAMES, constants=constants, at="steps", fold=True)[1]


def test_switched_off_loop_is_dropped_and_results_are_unchanged(tmp_path, monkeypatch):
    eng = engine.build_engine(mdl(tmp_path, LOOP))
    prog = eng.program(NAMES)
    fixed = dict(prog.constants | prog.controls)
    off = specialize(prog.source, fixed, engine.RUNTIME)
    # switch = 0: the loop's flow, its stock's update and the IF THEN ELSE are gone
    assert "d_" + eng._eqs["pressure"].local not in off and "payback" not in off
    assert "_ite" not in off and "_ite" in prog.source
    # the switch per scenario (an array): nothing of the loop is dropped
    kept = specialize(prog.source, {k: v for k, v in fixed.items() if k != "switch"}, engine.RUNTIME)
    assert "d_" + eng._eqs["pressure"].local in kept and "payback" in kept
    switches = (0.0, np.array([0.0, 1.0, 1.0]))
    folded = [run(eng, s) for s in switches]
    unspecialised(monkeypatch)
    for s, values in zip(switches, folded, strict=True):
        plain = run(eng, s)
        for name in NAMES:
            assert np.array_equal(values[name], plain[name]), name
    # debt compounds by 1 + rate x dt each step with the loop off: 100 x 1.0125 ** 40 at rate 0.05
    assert folded[0]["debt"][-1, 1] == pytest.approx(100 * 1.0125**40, rel=1e-12)
    assert np.all(folded[0]["pressure"] == 0) and np.all(folded[0]["loop state"] == 0)
    assert folded[1]["pressure"][-1, 2] > 50  # the loop on: its stock moves


def test_switched_off_loop_equals_pysd(tmp_path):
    path = mdl(tmp_path, LOOP)
    ref = pysd_run(path, tmp_path, NAMES)
    times, raw = engine.build_engine(path).simulate(1, 10, record=NAMES, at="steps", fold=True)
    assert np.array_equal(times, ref.index.to_numpy())
    for name in NAMES:
        assert np.allclose(raw[name][:, 0], ref[name].to_numpy(), rtol=1e-12, atol=0), name


SOURCE = """def simulate(P, L, t0, nsteps, slot, out, n):
    a = P['a']
    b = P['b']
    c = P['c']
    _dt = P['TIME STEP']
    time = t0
    s = 0
    m = 1
    t = t0
    for i in range(nsteps + 1):
        time = t
        x = _ite(a > b, c, time)
        y = _ite(time > 1, c * 2, c + c)
        z = a * time + time * a + _zidz(a, time) + (time - a) + (a + time)
        k = slot[i]
        if k >= 0:
            o = out[k]
            o[0] = x
            o[1] = y
            o[2] = z
            o[3] = s
            o[4] = m
        if i == nsteps:
            break
        d_s = a * time
        d_m = c
        dt = _dt
        s = s + d_s * dt
        m = m + d_m * dt
        t = t + dt
    return None
"""


def test_rules_worked_by_hand():
    # a = 0, b = -1, c = 2.5: a > b is known true, so x is c; y's branches are both 5.0 (c x 2
    # and c + c), so y is 5.0 whatever time; z = 0 x time + time x 0 + ZIDZ(0, time) + (time - 0)
    # + (0 + time) = time + time; s's flow is 0 x time = 0, so s never moves (a constant 0); m's
    # flow is c = 2.5, so m moves and keeps its update
    out = specialize(SOURCE, {"a": 0.0, "b": -1.0, "c": 2.5, "TIME STEP": 0.5}, engine.RUNTIME)
    assert "x = c\n" in out and "y = c * 2\n" in out and "z = time + time\n" in out
    assert "d_s" not in out and "o[3] = 0\n" in out and "m = m + d_m * dt" in out
    assert "a = P['a']" not in out  # every use of a known zero is the literal: a's load is dead
    times = np.array([0.0, 0.5, 1.0, 1.5])
    values = {}
    for src in (SOURCE, out):
        fn = engine.compiled(src)
        res = np.full((4, 5, 2), np.nan)
        fn({"a": 0.0, "b": -1.0, "c": 2.5, "TIME STEP": 0.5}, {}, 0.0, 3, [0, 1, 2, 3], res, 2)
        values[src] = res
    assert np.array_equal(values[SOURCE], values[out])
    assert values[out][:, 2, 0].tolist() == (2 * times).tolist()  # z = time + time
    assert values[out][:, 4, 0].tolist() == [1.0, 2.25, 3.5, 4.75]  # m: 1 + 2.5 x 0.5 per step


def test_a_product_with_a_switched_off_term_is_a_plain_zero():
    # the one difference from the unspecialised program: z's first terms, 0 x (time - 3) with
    # time < 3, are -0.0 there (-0.0 + -0.0 = -0.0) and 0.0 here; the numbers are equal
    src = SOURCE.replace("z = a * time + time * a", "z = a * (time - 3) + (time - 3) * a").replace(
        " + _zidz(a, time) + (time - a) + (a + time)", ""
    )
    fixed = {"a": 0.0, "b": -1.0, "c": 2.5, "TIME STEP": 0.5}
    out = specialize(src, fixed, engine.RUNTIME)
    assert "z = 0.0\n" in out or "o[2] = 0.0\n" in out
    z = {}
    for code in (src, out):
        res = np.full((4, 5, 1), np.nan)
        engine.compiled(code)(fixed, {}, 0.0, 3, [0, 1, 2, 3], res, 1)
        z[code] = res[:, 2, 0]
    assert np.all(np.signbit(z[src])) and not np.any(np.signbit(z[out]))
    assert np.array_equal(z[src], z[out])


def test_unknown_shapes_and_no_known_values_are_left_alone():
    assert specialize("x = 1\n", {}, engine.RUNTIME) == "x = 1\n"
    assert specialize(SOURCE, {}, engine.RUNTIME) == SOURCE


def test_snowball_sweep_program_equals_the_unspecialised_one(monkeypatch):
    # the Monte Carlo program with the feedback loops off (as shipped) and on (the sell-off's
    # confidence, Fed and rating loops): per-scenario yields and growth, everything else shared
    eng = engine.build_engine()
    prog = eng.program(["debt held by the public", "net interest", "debt to GDP", "ten year yield"])
    rng = np.random.default_rng(7)
    n = 64
    varied = {"yield shift": rng.normal(0, 1.4, n), "growth shift": rng.normal(0, 2.5, n)}
    loops = {
        "confidence switch": 1.0,
        "rating switch": 1.0,
        "fed response switch": 1.0,
        "debt premium switch": 1.0,
        "japan sale amount": 1200.0,
    }
    results = {}
    for label, fixed in (("off", {}), ("on", loops)):
        results[label] = prog.simulate(n, 2060, constants=varied | fixed, fold=True)[1]
    fixed = dict(prog.constants | prog.controls) | varied
    folded = {k: engine._specialized(prog.source, fixed | v) for k, v in (("off", {}), ("on", loops))}
    assert len(folded["off"]) < len(folded["on"]) < len(prog.source)
    unspecialised(monkeypatch)
    for label, fixed in (("off", {}), ("on", loops)):
        plain = prog.simulate(n, 2060, constants=varied | fixed, fold=True)[1]
        for name, values in plain.items():
            assert np.array_equal(results[label][name], values), (label, name)


def test_specialised_sources_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(engine, "_SPECIALIZED", {})
    monkeypatch.setattr(engine, "SPECIALIZED_KEEP", 3)
    for a in range(5):
        engine._specialized(SOURCE, {"a": float(a), "b": -1.0, "c": 2.5, "TIME STEP": 0.5})
    assert len(engine._SPECIALIZED) == 3


SWITCHES = [
    "debt premium switch",
    "confidence switch",
    "fed response switch",
    "fiscal rule switch",
    "vicious cycle switch",
    "inflation read back switch",
    "policy rule switch",
    "rating switch",
    "private crowding switch",
    "monthly yields switch",
]
SHARED = ["japan sale amount", "consolidation size", "growth shift", "inflation expectations sensitivity"]


@pytest.fixture(scope="module")
def snowball_program():
    return engine.build_engine().program(["debt held by the public", "net interest", "ten year yield"])


@pytest.mark.slow
@settings(max_examples=25, deadline=None, database=None, derandomize=True)
@given(
    on=st.lists(st.sampled_from(SWITCHES), unique=True),
    shared=st.dictionaries(st.sampled_from(SHARED), st.sampled_from([0.0, 0.5, 300.0])),
    varied=st.sampled_from(["yield shift", "consolidation size", "debt premium switch"]),
)
def test_any_switches_and_shared_values_give_the_unspecialised_results(snowball_program, on, shared, varied):
    # whichever loops are on, whichever constants are shared (0 or not) and whichever is varied
    # per scenario, the partially evaluated program gives the unspecialised program's numbers
    prog = snowball_program
    constants = {name: 1.0 for name in on} | shared | {varied: np.array([0.0, 0.5, 1.0, 2.0])}
    folded = prog.simulate(4, 2045, constants=constants, fold=True)[1]
    with pytest.MonkeyPatch.context() as mp:
        unspecialised(mp)
        plain = prog.simulate(4, 2045, constants=constants, fold=True)[1]
    for name, values in plain.items():
        assert np.array_equal(folded[name], values, equal_nan=True), name


def test_small_runs_are_not_folded_unless_asked_and_a_sweep_decides_once():
    # below FOLD_MIN_RUNS scenarios the ~20 ms partial evaluation costs more than it saves
    prog = engine.build_engine().program(["debt held by the public"])
    assert prog.source_for(engine.FOLD_MIN_RUNS - 1) == prog.source
    assert prog.source_for(engine.FOLD_MIN_RUNS) != prog.source
    assert prog.source_for(1, fold=True) == prog.source_for(engine.FOLD_MIN_RUNS)
    from runners.sweep import runner as sweep
    from runners.sweep.spec import parse_spec, sweeps_dir

    # every chunk of a sweep carries the sweep's own choice, whatever its size (the last chunk of
    # 10,000 draws in chunks of 300 holds 100 runs, and is folded like the others)
    the_plan = dataclasses.replace(sweep.plan(parse_spec(sweeps_dir() / "monte-carlo.toml")), chunk_runs=300)
    assert len(the_plan.job(len(the_plan.chunks) - 1).run_ids) == 100
    assert {the_plan.job(i).fold for i in (0, len(the_plan.chunks) - 1)} == {True}
