"""The engine's JavaScript back end (runners.engine.js) against its numpy back end, run under Node.

One generator, two back ends: the JavaScript ``simulate`` must give what the numpy engine gives for
the same inputs, every recorded variable at every recorded time, to a relative 1e-9 (absolute 1e-9
near zero; NaN equal to NaN): every built-in scenario on both vintages, random lever settings drawn
with hypothesis within each constant's .mdl range, the engine's feature model and a clock that
reads Time. A handful of Node processes run them all (each takes a batch of inputs as JSON).
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runners.core.columns import COLUMNS
from runners.core.errors import SnowballError
from runners.core.fiscal_years import DEBT, model_vars_for
from runners.engine import program as engine
from runners.engine.build import generate
from runners.engine.js import generate_js, js_module

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(
    NODE is None, reason="node is not installed (apt-get install nodejs): JS parity not checked"
)
FEATURES = Path(__file__).resolve().parents[1] / "models" / "features.mdl"
VINTAGES = ("cbo-2026-02", "cbo-2025-01")
UNTIL = 2055
RECORD = model_vars_for(tuple(c.name for c in COLUMNS))  # what the runs record
RTOL = ATOL = 1e-9
RANDOM_SETTINGS = 110  # per vintage

DRIVER = r"""
const m = require(process.argv[2]);
const batch = JSON.parse(require("fs").readFileSync(0, "utf8"));
const text = (v) => (Number.isFinite(v) ? v : String(v));  // NaN, Infinity: JSON has neither
const results = batch.map((b) => {
  const r = m.run(b.constants, b.tables);
  const values = {};
  for (const [k, col] of Object.entries(r.values)) values[k] = col.map(text);
  return { times: r.times, values };
});
process.stdout.write(JSON.stringify(results));
"""


def node_runs(module: str, batch: list[dict], tmp_path: Path) -> list[dict]:
    """Run ``module`` (js_module's text) under Node once per item of ``batch`` ({constants,
    tables}), all in one process: each run's times and recorded values."""
    path, driver = tmp_path / "model.js", tmp_path / "driver.js"
    path.write_text(module)
    driver.write_text(DRIVER)
    done = subprocess.run(
        [NODE, str(driver), str(path)], input=json.dumps(batch), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    for r in out:
        r["values"] = {k: np.array([float(v) for v in col]) for k, col in r["values"].items()}
    return out


def worst(js: np.ndarray, py: np.ndarray, what: str) -> float:
    """The largest relative difference of ``js`` from ``py`` (absolute near zero), checked to 1e-9."""
    assert js.shape == py.shape, what
    assert np.array_equal(np.isnan(js), np.isnan(py)), f"{what}: NaN in one back end only"
    rest = ~((js == py) | np.isnan(py))  # equal, infinities included, or NaN in both
    assert np.all(np.isfinite(js[rest]) & np.isfinite(py[rest])), f"{what}: an infinity in one back end only"
    diff = np.abs(js[rest] - py[rest])
    assert np.all(diff <= ATOL + RTOL * np.abs(py[rest])), f"{what}: max |js - numpy| {diff.max():.3g}"
    rel = diff / np.maximum(np.abs(py[rest]), ATOL / RTOL)
    return float(rel.max()) if rel.size else 0.0


def inputs_json(constants: dict, tables: dict) -> dict:
    return {
        "constants": {k: float(v) for k, v in constants.items()},
        "tables": {
            k: [np.asarray(x, float).tolist(), np.asarray(y, float).tolist()] for k, (x, y) in tables.items()
        },
    }


@pytest.fixture(scope="module")
def vintages():
    """Per vintage: the program the runs use, and the baseline's inputs (runners.sweep.scenario_inputs)."""
    from runners.scenario.scenarios import load_scenario, rebase
    from runners.sweep.scenario_inputs import scenario_inputs

    out = {}
    for vintage in VINTAGES:
        base = scenario_inputs(engine.cached_program(RECORD), rebase(load_scenario("baseline"), vintage))
        program = engine.cached_program(RECORD, initial_time=base.inputs.first_year)
        out[vintage] = (program, base)
    return out


@pytest.mark.slow
@needs_node
@pytest.mark.parametrize("vintage", VINTAGES)
def test_every_builtin_scenario_equals_the_numpy_engine(vintages, vintage, tmp_path):
    from runners.scenario.scenarios import builtin_names, load_scenario, rebase
    from runners.sweep.scenario_inputs import scenario_inputs

    program, base = vintages[vintage]
    items = {}
    for name in builtin_names():
        try:
            scenario = rebase(load_scenario(name), vintage)
        except SnowballError:  # a table point before this vintage's first year: not runnable there
            continue
        items[name] = scenario_inputs(program, scenario, inputs=base.inputs)
    assert len(items) >= 12 and "baseline" in items
    module = js_module(program, base.constants, base.tables, UNTIL)
    js = node_runs(module, [inputs_json(b.constants, b.tables) for b in items.values()], tmp_path)
    rel = 0.0
    for (name, b), r in zip(items.items(), js, strict=True):
        times, raw = program.simulate(1, UNTIL, constants=b.constants, tables=b.tables)
        assert r["times"] == times.tolist() and round(times[-1]) == UNTIL
        for var in RECORD:
            rel = max(rel, worst(r["values"][var], raw[var][:, 0], f"{vintage} {name} {var}"))
    print(f"{vintage}: {len(items)} scenarios, max relative difference {rel:.3g}")


def levers(program) -> dict[str, st.SearchStrategy]:
    """Each settable constant with a finite .mdl range: 0 or 1 for a switch, else a float in range;
    or None (the scenario's value), so that a setting moves some levers, as a user does."""
    from runners.mdl.model import parameters

    out = {}
    for name, p in parameters().items():
        if p.low is None or p.high is None or name in program.clock_inputs or name not in program.constants:
            continue
        if name.endswith(" switch") or name == "baseline path on":
            out[name] = st.none() | st.sampled_from([0.0, 1.0])
        else:
            out[name] = st.none() | st.floats(
                float(p.low), float(p.high), allow_nan=False, allow_infinity=False
            )
    return out


@pytest.mark.slow
@needs_node
@pytest.mark.parametrize("vintage", VINTAGES)
def test_random_lever_settings_equal_the_numpy_engine(vintages, vintage, tmp_path):
    program, base = vintages[vintage]
    strategy = st.fixed_dictionaries(levers(program))
    drawn: list[dict[str, float]] = []

    @settings(
        max_examples=RANDOM_SETTINGS,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def draw(setting):
        drawn.append({k: v for k, v in setting.items() if v is not None})

    draw()
    assert len(drawn) >= RANDOM_SETTINGS * 0.9
    assert len({n for s in drawn for n in s}) > 100  # every lever is moved in some setting
    module = js_module(program, base.constants, base.tables, UNTIL)
    js = node_runs(module, [{"constants": s, "tables": {}} for s in drawn], tmp_path)
    n = len(drawn)
    moved = {k for s in drawn for k in s}
    constants = dict(base.constants) | {
        k: np.array([s.get(k, base.constants[k]) for s in drawn]) for k in moved
    }
    with np.errstate(all="ignore"):
        times, raw = program.simulate(n, UNTIL, constants=constants, tables=base.tables, fold=False)
    rel = 0.0
    for i, r in enumerate(js):
        assert r["times"] == times.tolist()
        for var in RECORD:
            rel = max(rel, worst(r["values"][var], raw[var][:, i], f"{vintage} setting {i} {var}"))
    finite = int(np.isfinite(raw[DEBT][-1]).sum())
    print(f"{vintage}: {n} random settings ({finite} finite to FY{UNTIL}), max relative difference {rel:.3g}")


@needs_node
def test_every_feature_equals_the_numpy_engine_at_every_step(tmp_path):
    # the stateful and time functions of tests/models/features.mdl (equal to pysd's: test_engine)
    eng = engine.build_engine(FEATURES)
    names = [n for n, k in eng.kinds.items() if k not in ("lookup", "constant", "control")]
    program = eng.program(names)
    settings_ = [{"constants": {}}, {"constants": {"adjust time": 4.5, "empty": 2.0}}]
    js = node_runs(js_module(program, until=12, engine=eng, at="steps"), settings_, tmp_path)
    for s, r in zip(settings_, js, strict=True):
        times, raw = program.simulate(1, 12, constants=s["constants"], at="steps")
        assert r["times"] == times.tolist() and len(times) == 49
        for var in names:
            worst(r["values"][var], raw[var][:, 0], var)
    assert js[0]["values"]["input"][-1] == 23  # 10 + 5 (STEP) + 2 x (8 - 4) (RAMP), as test_engine


@needs_node
def test_clock_that_reads_time_steps_as_the_numpy_engine(tmp_path):
    body = (
        "area = INTEG(Time, 0)\n\t~\tthing\n\t~\ta\n\t|\n\n"
        "steps = INTEG(1 / TIME STEP, 0)\n\t~\tDmnl\n\t~\tcounts steps\n\t|\n\n"
        "kick = STEP(1, 4.25) + MODULO(Time, 0.75) - (-Time) ^ 2\n\t~\tthing\n\t~\tk\n\t|\n\n"
        "FINAL TIME = 10\n\t~\tYear\n\t~\tend\n\t|\n\nINITIAL TIME = 0\n\t~\tYear\n\t~\tstart\n\t|\n\n"
        "SAVEPER = TIME STEP\n\t~\tYear\n\t~\tsave\n\t|\n\n"
        "TIME STEP = IF THEN ELSE(Time < 4, 1, 0.5)\n\t~\tYear\n\t~\tstep\n\t|\n\n"
        "\\\\\\---/// Sketch information - do not modify anything except names\n"
    )
    path = tmp_path / "clocked.mdl"
    path.write_text("{UTF-8}\n" + body)
    eng = engine.build_engine(path)
    names = ["area", "steps", "kick", "TIME STEP"]
    program = eng.program(names)
    (r,) = node_runs(js_module(program, engine=eng, at="steps"), [{}], tmp_path)
    times, raw = program.simulate(1, at="steps")
    assert r["times"] == times.tolist() and len(times) == 17  # 4 steps of 1, then 12 of 0.5
    for var in names:
        worst(r["values"][var], raw[var][:, 0], var)
    assert r["values"]["area"][-1] == 46.5  # Euler sums of Time x dt (test_engine's worked value)


def test_an_equation_the_generator_cannot_translate_is_refused_naming_it():
    from pysd.translators.structures import abstract_expressions as ae

    eqs = copy.deepcopy(engine.build_engine(FEATURES).equations)
    eqs["shaped"].ast = ae.CallStructure(
        ae.ReferenceStructure("get_time_value"), (ae.ReferenceStructure("input"),)
    )
    message = r"equation 'shaped': the function GET TIME VALUE is not supported"
    with pytest.raises(SnowballError, match=message):
        generate_js(eqs, ("shaped",))
    with pytest.raises(SnowballError, match=message):  # as the numpy generator refuses it
        generate(eqs, ("shaped",))


@needs_node
@pytest.mark.parametrize("python_power", [False, True])
def test_a_power_overflows_as_numpy_or_as_python_floats(python_power, tmp_path):
    """_pow follows numpy (Infinity) by default, and Python's float (pysd, snowball run) when the
    module is built with ``python_power``: the same exception and words Python gives here."""
    from runners.engine.js import RUNTIME_JS

    flag = "true" if python_power else "false"
    script = tmp_path / "pow.js"
    script.write_text(
        f'"use strict";\nconst PYTHON_POWER = {flag};\n{RUNTIME_JS}\n'
        "const out = [];\n"
        "for (const [a, b] of [[1e6 + 1, 60], [0, -1], [2, 10], [-8, 1 / 3]]) {\n"
        "  try { const r = _pow(a, b); out.push(r === r ? String(r) : 'NaN'); }\n"
        "  catch (e) { out.push(e.kind + ': ' + e.message); }\n"
        "}\nprocess.stdout.write(JSON.stringify(out));\n"
    )
    done = subprocess.run([NODE, str(script)], capture_output=True, text=True, check=True)
    shown = json.loads(done.stdout)
    python = []
    for a, b in ((1e6 + 1, 60.0), (0.0, -1.0)):
        try:
            a**b
        except ArithmeticError as exc:
            python.append(f"{type(exc).__name__}: {exc}")
    assert shown[2:] == ["1024", "NaN"]  # finite powers alike; JS's NaN where Python's is complex
    assert shown[:2] == (python if python_power else ["Infinity", "Infinity"])


def test_js_spelling_of_numbers_and_operators():
    # -(x) and _pow: JavaScript reads ``--x`` as a decrement and refuses ``-a ** b``
    eqs = copy.deepcopy(engine.build_engine(FEATURES).equations)
    source = generate_js(eqs, ())
    assert "--" not in source and "**" not in source and "np." not in source
    assert source.startswith("function simulate(P, L, t0, nsteps, slot, out, D) {\n    let ")
