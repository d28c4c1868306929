"""The sweep engine speaks Vensim: stateful functions, lazy IF THEN ELSE, INITIAL, the clock.

``tests/models/features.mdl`` uses every stateful and time function the engine accepts; pysd runs
the same file and the two must agree at every step (they agree to the last bit; asserted to 1e-12).
"""

from __future__ import annotations

import pickle
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from runners.core.errors import SnowballError
from runners.engine import program as engine

FEATURES = Path(__file__).resolve().parents[1] / "models" / "features.mdl"
CLOCK = (
    "FINAL TIME = 10\n\t~\tYear\n\t~\tend\n\t|\n\nINITIAL TIME = 0\n\t~\tYear\n\t~\tstart\n\t|\n\n"
    "SAVEPER = TIME STEP\n\t~\tYear\n\t~\tsave\n\t|\n\nTIME STEP = 0.25\n\t~\tYear\n\t~\tstep\n\t|\n\n"
    "\\\\\\---/// Sketch information - do not modify anything except names\n"
)


def mdl(tmp_path: Path, body: str, name: str = "tiny") -> Path:
    """A model file of ``body`` (Vensim equations) and the standard clock."""
    path = tmp_path / f"{name}.mdl"
    path.write_text("{UTF-8}\n" + body + CLOCK)
    return path


def pysd_run(path: Path, tmp_path: Path, names: list[str], params: dict | None = None):
    import pysd

    copy = tmp_path / "pysd" / path.name
    copy.parent.mkdir(exist_ok=True)
    shutil.copy(path, copy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pysd.read_vensim(str(copy)).run(params=params or {}, return_columns=names)


@pytest.fixture(scope="module")
def features():
    return engine.build_engine(FEATURES)


def recorded(eng) -> list[str]:
    return [n for n, k in eng.kinds.items() if k not in ("lookup", "constant", "control")]


@pytest.mark.parametrize("fold", [False, True], ids=["as generated", "folded for its constants"])
def test_every_feature_equals_pysd_at_every_step(features, tmp_path, fold):
    names = recorded(features)
    assert {"smooth out", "delayn out", "fixed out", "sampled", "shaped", "relative"} <= set(names)
    ref = pysd_run(FEATURES, tmp_path, names)
    times, raw = features.simulate(1, 12, record=names, at="steps", fold=fold)
    assert np.array_equal(times, ref.index.to_numpy())  # 0, 0.25, ..., 12: 49 steps
    for n in names:
        np.testing.assert_allclose(raw[n][:, 0], ref[n].to_numpy(), rtol=1e-12, atol=0, err_msg=n)
    # worked values: input at t = 12 is 10 + 5 (STEP) + 2 x (8 - 4) (RAMP) + 0 (pulses) = 23;
    # DELAY FIXED holds its initial 2 for 1.5 months, then the input of 1.5 months before
    assert raw["input"][-1, 0] == 23
    assert raw["fixed out"][:6, 0].tolist() == [2.0] * 6
    assert raw["fixed out"][6, 0] == raw["input"][0, 0]
    # IF THEN ELSE(empty > 0, input / empty, 0) + XIDZ(input, empty, 5) + ZIDZ(input, empty) = 5
    assert np.all(raw["share"] == 5)


@pytest.mark.slow
def test_scenarios_side_by_side_equal_single_pysd_runs(features, tmp_path):
    # per-scenario smoothing/delay times and denominators: each column equals its own pysd run
    names = ["smooth out", "delay3i out", "share", "relative"]
    adjust, empty = np.array([3.0, 4.0, 6.5]), np.array([0.0, 2.0, 4.0])
    _, raw = features.simulate(
        3, 12, record=names, constants={"adjust time": adjust, "empty": empty}, at="steps"
    )
    for j in range(3):
        ref = pysd_run(FEATURES, tmp_path, names, {"adjust time": adjust[j], "empty": empty[j]})
        for n in names:
            np.testing.assert_allclose(raw[n][:, j], ref[n].to_numpy(), rtol=1e-12, err_msg=f"{n} run {j}")
    # share with empty = 2 at t = 0: input 10 / 2 + 10 / 2 + 10 / 2 = 15
    assert raw["share"][0, 1] == 15


def test_delay_shorter_than_its_stages_is_refused_at_run_time(features):
    # DELAY3I(input, adjust time, 7): 3 stages x TIME STEP 0.25 = 0.75 > 0.5; pysd would lower the order
    with pytest.raises(SnowballError, match=r"delay time 0.5 is shorter than its order \(3\)"):
        features.simulate(2, 12, record=["delay3i out"], constants={"adjust time": np.array([3.0, 0.5])})


def test_lazy_if_then_else_divides_by_a_scalar_zero(tmp_path):
    # the Vensim idiom IF THEN ELSE(s > 0, x / s, 0) with s = 0 shared by every run (a scalar)
    path = mdl(
        tmp_path,
        "s = 0\n\t~\tthing\n\t~\tdenominator\n\t|\n\nx = 3\n\t~\tthing\n\t~\tnumerator\n\t|\n\n"
        "ratio = IF THEN ELSE(s > 0, x / s, 0) + IF THEN ELSE(Time > 1, x / (Time - 1), -1)\n"
        "\t~\tDmnl\n\t~\tratio\n\t|\n\n",
    )
    times, raw = engine.build_engine(path).simulate(1, 2, record=["ratio"], at="steps")
    # t = 0: 0 + (-1) = -1; t = 1: Time - 1 = 0 in the branch not taken; t = 2: 0 + 3 / 1 = 3
    assert raw["ratio"][[0, 4, 8], 0].tolist() == [-1.0, -1.0, 3.0]


def test_initial_value_read_by_a_constant_expression(tmp_path):
    # an auxiliary of constants and an INITIAL value (used to raise UnboundLocalError)
    path = mdl(
        tmp_path,
        "stock = INTEG(1, 4)\n\t~\tthing\n\t~\ts\n\t|\n\n"
        "first = INITIAL(stock)\n\t~\tthing\n\t~\tf\n\t|\n\n"
        "twice first = 2 * first\n\t~\tthing\n\t~\tt\n\t|\n\n",
    )
    _, raw = engine.build_engine(path).simulate(1, 10, record=["twice first", "stock"])
    assert raw["twice first"][:, 0].tolist() == [8.0] * 11  # 2 x stock at t = 0 (4), every year
    assert raw["stock"][-1, 0] == 14.0  # 4 + 1 x 10 years


def test_computed_clock_is_accepted_and_cannot_be_changed(tmp_path):
    path = mdl(tmp_path, "stock = INTEG(1, 0)\n\t~\tthing\n\t~\ts\n\t|\n\n")
    text = path.read_text().replace("TIME STEP = 0.25", "TIME STEP = half year / 2")
    path.write_text(text.replace("{UTF-8}\n", "{UTF-8}\nhalf year = 0.5\n\t~\tYear\n\t~\th\n\t|\n\n"))
    eng = engine.build_engine(path)
    # TIME STEP = 0.5 / 2 = 0.25 and SAVEPER = TIME STEP
    assert eng.controls == {"FINAL TIME": 10.0, "INITIAL TIME": 0.0, "SAVEPER": 0.25, "TIME STEP": 0.25}
    assert "TIME STEP" not in eng.constants and "half year" in eng.constants
    for name in ("TIME STEP", "half year"):
        with pytest.raises(SnowballError, match=f"'{name}' is fixed when the engine is built"):
            eng.simulate(1, 10, record=["stock"], constants={name: 1.0})
    times, raw = eng.simulate(1, 10, record=["stock"], at="steps")
    assert len(times) == 41 and raw["stock"][-1, 0] == 10.0  # 40 steps of 0.25 x 1


def clocked(tmp_path: Path, body: str, **controls: str) -> Path:
    """A model file of ``body`` with control equations (``TIME_STEP="..."`` ...) in place of the standard."""
    text = "{UTF-8}\n" + body + CLOCK
    for name, equation in controls.items():
        line = next(ln for ln in CLOCK.splitlines() if ln.startswith(name.replace("_", " ") + " ="))
        text = text.replace(line, f"{name.replace('_', ' ')} = {equation}")
    path = tmp_path / "clocked.mdl"
    path.write_text(text)
    return path


def test_time_step_that_halves_during_the_run_equals_pysd(tmp_path, monkeypatch):
    path = clocked(
        tmp_path,
        "area = INTEG(Time, 0)\n\t~\tthing\n\t~\ta\n\t|\n\n"
        "steps = INTEG(1 / TIME STEP, 0)\n\t~\tDmnl\n\t~\tcounts steps\n\t|\n\n"
        "kick = STEP(1, 4.25)\n\t~\tthing\n\t~\tk\n\t|\n\n",
        TIME_STEP="IF THEN ELSE(Time < 4, 1, 0.5)",
    )
    eng = engine.build_engine(path)
    assert eng.kinds["TIME STEP"] == "control" and "TIME STEP" not in eng.controls
    names = ["area", "steps", "kick", "TIME STEP", "SAVEPER"]
    times, raw = eng.simulate(1, record=names, at="steps")  # to the .mdl's FINAL TIME, 10
    # steps of 1 from 0 to 4, then of 0.5 to 10: 5 + 12 = 17 step times
    assert times.tolist() == [0.0, 1.0, 2.0, 3.0] + [4 + k / 2 for k in range(13)]
    assert raw["TIME STEP"][:, 0].tolist() == [1.0] * 4 + [0.5] * 13
    # Euler sums of Time x dt: (0 + 1 + 2 + 3) x 1 = 6 by t = 4, then 0.5 x (4 + 4.5 + ... + 9.5)
    # = 0.5 x 81 = 40.5 by t = 10: 46.5 (the exact integral is 50)
    assert raw["area"][-1, 0] == 46.5
    assert raw["steps"][-1, 0] == 16  # one per step: 4 steps of 1, 12 of 0.5
    # STEP(1, 4.25) switches on once Time + TIME STEP / 2 > 4.25: at 4 (4 + 0.25) not yet, at 4.5
    assert raw["kick"][[4, 5], 0].tolist() == [0.0, 1.0]
    ref = pysd_run(path, tmp_path, names)  # pysd saves every step here (SAVEPER = TIME STEP)
    assert np.array_equal(times, ref.index.to_numpy())
    for n in names:
        np.testing.assert_allclose(raw[n][:, 0], ref[n].to_numpy(dtype=float), rtol=1e-12, atol=0, err_msg=n)
    # the clock travels with the program: pickled to a worker, stored in and read from the cache
    monkeypatch.setenv("SNOWBALL_CACHE_DIR", str(tmp_path / "cache"))
    built = eng.program(names)
    for prog in (pickle.loads(pickle.dumps(built)), *(engine.cached_program(names, path=path) for _ in "ab")):
        assert prog == built and prog.clock_source
        assert prog.simulate(1, at="steps")[1]["area"][-1, 0] == 46.5


def test_final_time_that_reads_time_ends_the_run(tmp_path):
    path = clocked(
        tmp_path,
        "stock = INTEG(1, 0)\n\t~\tthing\n\t~\ts\n\t|\n\nhorizon = 10\n\t~\tYear\n\t~\th\n\t|\n\n",
        FINAL_TIME="IF THEN ELSE(Time >= 6, Time, horizon)",
    )
    eng = engine.build_engine(path)
    assert "FINAL TIME" not in eng.controls and eng.controls["TIME STEP"] == 0.25
    times, raw = eng.simulate(1, record=["stock", "FINAL TIME"], at="steps")
    # FINAL TIME is 10 until Time reaches 6, then Time itself: the run ends at 6 after 24 steps of 0.25
    assert times[-1] == 6 and len(times) == 25 and raw["stock"][-1, 0] == 6.0
    assert raw["FINAL TIME"][[0, 23, 24], 0].tolist() == [10.0, 10.0, 6.0]
    ref = pysd_run(path, tmp_path, ["stock", "FINAL TIME"])
    assert np.array_equal(times, ref.index.to_numpy())
    np.testing.assert_array_equal(raw["stock"][:, 0], ref["stock"].to_numpy())
    # a caller's end replaces FINAL TIME, as for a constant clock: 8 years of 1
    times, raw = eng.simulate(1, 8, record=["stock"], at="steps")
    assert times[-1] == 8 and raw["stock"][-1, 0] == 8.0


def test_clock_that_would_differ_between_scenarios_is_refused(tmp_path):
    body = "stock = INTEG(1, 1)\n\t~\tthing\n\t~\ts\n\t|\n\nhorizon = 10\n\t~\tYear\n\t~\th\n\t|\n\n"
    # a step read from a stock: each scenario's stock would give it its own clock
    with pytest.raises(
        SnowballError, match=r"^equation 'TIME STEP': a control variable computed from the model's "
    ):
        engine.build_engine(clocked(tmp_path, body, TIME_STEP="stock / 4"))
    with pytest.raises(SnowballError, match=r"it reads 'stock'"):
        engine.build_engine(clocked(tmp_path, body, FINAL_TIME="IF THEN ELSE(stock > 5, Time, 10)"))
    # a constant the clock reads cannot be set in a run, per scenario or shared; nor can TIME STEP
    eng = engine.build_engine(clocked(tmp_path, body, FINAL_TIME="IF THEN ELSE(Time > 4, horizon, 20)"))
    assert "horizon" in eng.clock_inputs
    for name, value in (("horizon", np.array([8.0, 9.0])), ("horizon", 8.0), ("TIME STEP", 0.5)):
        with pytest.raises(SnowballError, match=f"^'{name}' is fixed when the engine is built"):
            eng.simulate(2, record=["stock"], constants={name: value})
    # nor a table it reads
    table = "ends(\n\t[(0,0)-(20,20)],(0,10),(20,10))\n\t~\tYear\n\t~\te\n\t|\n\n"
    eng = engine.build_engine(clocked(tmp_path, body + table, FINAL_TIME="ends(Time)"))
    with pytest.raises(
        SnowballError, match=r"^'ends' is fixed when the engine is built \(the clock reads it\)"
    ):
        eng.simulate(1, record=["stock"], tables={"ends": ([0.0, 20.0], [5.0, 5.0])})
    assert eng.simulate(1, record=["stock"])[0][-1] == 10  # ends(Time) = 10 at every Time
    # INITIAL TIME read at Time 0 (as pysd loads it) must be its own value at that start
    with pytest.raises(SnowballError, match=r"equation 'INITIAL TIME': an INITIAL TIME that is not its own"):
        engine.build_engine(clocked(tmp_path, body, INITIAL_TIME="IF THEN ELSE(Time < 3, 5, 0)"))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "Region: north, south\n\t~\t\n\t~\t\n\t|\n\n"
            "stock[Region] = INTEG(1, 0)\n\t~\tthing\n\t~\ts\n\t|\n\n",
            r"equation 'stock': subscripts is not supported",
        ),
        (
            "x = GET XLS CONSTANTS('data.xlsx', 'sheet', 'B2')\n\t~\tthing\n\t~\tx\n\t|\n\n",
            r"equation 'x': external constants \(GET XLS/DIRECT CONSTANTS\) is not supported",
        ),
        (
            "x = ALLOCATE AVAILABLE(1, 2, 3)\n\t~\tthing\n\t~\tx\n\t|\n\n",
            r"equation 'x': .* is not supported",
        ),
        (
            ":MACRO: DOUBLE(a)\nDOUBLE = 2 * a\n\t~\tthing\n\t~\td\n\t|\n\n:END OF MACRO:\n"
            "x = DOUBLE(3)\n\t~\tthing\n\t~\tx\n\t|\n\n",
            r"macro 'double': macros are not supported",
        ),
        (
            "x = SMOOTH N(1, 2, 1, 2.5)\n\t~\tthing\n\t~\tx\n\t|\n\n",
            r"equation 'x': SMOOTH N with an order that is not a positive whole number",
        ),
    ],
)
def test_refusals_name_the_equation(tmp_path, body, message):
    with pytest.raises(SnowballError, match=message):
        engine.build_engine(mdl(tmp_path, body))


def test_non_negative_stock_is_floored_at_zero(tmp_path):
    # a .mdl cannot mark a stock non-negative (pysd sets the flag from XMILE's <non_negative/>);
    # the engine honours the flag as pysd's NonNegativeInteg does: max(stock + flow x dt, 0)
    path = mdl(tmp_path, "tank = INTEG(-5, 12)\n\t~\tthing\n\t~\tdrained\n\t|\n\n")
    eng = engine.build_engine(path)
    _, plain = eng.simulate(1, 10, record=["tank"])
    assert plain["tank"][-1, 0] == 12 - 5 * 10  # -38
    eng._eqs["tank"].non_negative = True
    _, floored = eng.simulate(1, 10, record=["tank"])
    # 12, 7, 2, then max(2 - 5, 0) = 0 from year 3 on (in steps of 0.25: 12 - 1.25 k, floored)
    assert floored["tank"][:, 0].tolist() == [12.0, 7.0, 2.0] + [0.0] * 8


def test_order_read_from_a_constant_is_fixed_at_build(tmp_path):
    path = mdl(
        tmp_path,
        "stages = 3\n\t~\tDmnl\n\t~\tdelay order\n\t|\n\n"
        "inflow = 4 + STEP(2, 1)\n\t~\tthing/Year\n\t~\tin\n\t|\n\n"
        "outflow = DELAY N(inflow, 2, 4, stages)\n\t~\tthing/Year\n\t~\tout\n\t|\n\n",
    )
    eng = engine.build_engine(path)
    ref = pysd_run(path, tmp_path, ["outflow"])
    _, raw = eng.simulate(1, 10, record=["outflow"], at="steps")
    np.testing.assert_allclose(raw["outflow"][:, 0], ref["outflow"].to_numpy(), rtol=1e-12)
    # three stages of 2/3 year: the step of 2 at t = 1 arrives smoothly, all of it by t = 10
    assert raw["outflow"][0, 0] == 4 and raw["outflow"][-1, 0] == pytest.approx(6, abs=1e-3)
    with pytest.raises(SnowballError, match=r"'stages' is fixed when the engine is built"):
        eng.simulate(1, 10, record=["outflow"], constants={"stages": 2.0})


def test_scalar_lookup_is_numpy_interp_bit_for_bit():
    # a shared table at a scalar argument is read on Python floats (engine.lookup); every value
    # must be numpy.interp's to the last bit: random tables, points on the grid and between,
    # outside both ends, a flat segment, huge slopes, NaN; a table per scenario from its
    # prepared rows and slopes, equal to engine.interp's per-scenario formula
    rng = np.random.default_rng(11)
    for _ in range(200):
        k = int(rng.integers(2, 12))
        xp = np.cumsum(rng.random(k) * rng.choice([1e-3, 1.0, 1e3]) + 1e-9) + rng.normal() * 100
        yp = rng.normal(size=k) * rng.choice([1.0, 1e6, 1e-6])
        if k > 3:
            yp[2] = yp[1]  # a flat segment
        fast = engine.scalar_table(xp, yp)
        xs = np.concatenate([xp, rng.uniform(xp[0] - 5, xp[-1] + 5, 50), [np.nan, -np.inf, np.inf]])
        for x in xs:
            got = engine.lookup(float(x), xp, yp, fast)
            want = float(np.interp(x, xp, yp))
            assert (got == want and np.signbit(got) == np.signbit(want)) or (np.isnan(got) and np.isnan(want))
        # a table per scenario (5 scenarios) at the same points: interp's per-scenario formula
        ys = yp[None, :] + rng.normal(size=(5, k)) * rng.choice([1.0, 1e3])
        fast2 = engine.scalar_table(xp, ys)
        for x in xs[:-3]:
            assert np.array_equal(engine.lookup(float(x), xp, ys, fast2), engine.interp(float(x), xp, ys))
        assert np.isnan(engine.lookup(float("nan"), xp, ys, fast2)).all()
    # a table with repeated x keeps the general path
    assert engine.scalar_table(np.array([0.0, 0.0, 1.0]), np.array([1.0, 2.0, 3.0])) is None
