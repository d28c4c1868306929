"""The explorer's bundle (runners.projection.explorer) run under Node against ``api.run``.

``Snowball.run`` in the bundle must give what ``api.run`` gives (``runners.projection.run.run``,
its body less the environment check): every results column to a relative 1e-9 (absolute 1e-9
near zero), the credit rating's letters, and the milestones in the words ``snowball run`` prints
(``runners.projection.headline``), or refuse what ``api.run`` refuses with the same message. For
every built-in scenario on both vintages, the three supply-effect sets on a sell-off, and random
lever settings drawn with hypothesis within each constant's .mdl range over random presets and
sets. One Node process per batch.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runners.core.columns import COLUMNS
from runners.core.errors import SnowballError
from runners.projection.headline import EXPLOSIVE_FLAG, MILESTONE_LABELS, headline
from runners.projection.params import YEAR_CONSTANTS
from runners.projection.run import run

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(
    NODE is None, reason="node is not installed (apt-get install nodejs): the explorer's parity not checked"
)
VINTAGES = ("cbo-2026-02", "cbo-2025-01")
UNTIL = 2055
RTOL = ATOL = 1e-9
RANDOM_SETTINGS = 210  # per vintage (the issue: >= 200 random settings on every vintage)
SHOWN = (  # the columns the page shows, each checked by name (every other column is checked too)
    "debt_to_gdp",
    "debt_held_by_public",
    "net_interest",
    "net_interest_share_of_outlays",
    "net_interest_share_of_revenues",
    "defense",
    "medicare",
    "social_security",
    "ten_year_yield",
    "bill_yield",
    "average_interest_rate",
    "holdings_japan",
    "holdings_fed",
)

DRIVER = r"""
const m = require(process.argv[2]);
const batch = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = batch.map((b) => {
  try {
    return m.Snowball.run(b.overrides, { scenario: b.scenario, calibration: b.calibration });
  } catch (e) {
    return { error: e.message };
  }
});
process.stdout.write(JSON.stringify(out));
"""


class Bundles(dict):
    """Per vintage: the bundle's path and its data (SNOWBALL), built when first asked for."""

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder
        (folder / "driver.js").write_text(DRIVER)

    def __missing__(self, vintage: str) -> tuple[Path, dict]:
        from runners.projection.explorer import explorer_bundle

        path = self.folder / f"{vintage}.js"
        path.write_text(explorer_bundle(vintage, until=UNTIL))
        code = f"process.stdout.write(JSON.stringify(require({json.dumps(str(path))}).Snowball.data))"
        data = subprocess.run([NODE or "node", "-e", code], capture_output=True, text=True, check=True)
        self[vintage] = (path, json.loads(data.stdout))
        return self[vintage]


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    return Bundles(tmp_path_factory.mktemp("explorer"))


def node_runs(path: Path, batch: list[dict]) -> list[dict]:
    """``Snowball.run`` of each {scenario, calibration, overrides} in ``batch``, in one Node process."""
    done = subprocess.run(
        [NODE, str(path.parent / "driver.js"), str(path)],
        input=json.dumps(batch),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def python_run(vintage: str, item: dict):
    """api.run's result for the same settings, or the SnowballError it raises."""
    try:
        return run(
            item["scenario"],
            until=UNTIL,
            overrides=item["overrides"],
            baseline=vintage,
            calibration=item["calibration"],
        )
    except SnowballError as exc:
        return exc


def check_same(vintage: str, item: dict, js: dict) -> float:
    """``js`` equals api.run for ``item``: every column, the rating and the headline's milestone
    words; or both refuse, in the same words. The largest relative difference."""
    what = f"{vintage} {item}"
    py = python_run(vintage, item)
    if isinstance(py, SnowballError):
        if "the run failed numerically (OverflowError" in str(py):
            # a power past the largest double: Python's float raises, and so does the bundle's
            # _pow (python_power), in the same words
            assert js.get("error") == str(py), f"{what}: {js.get('error')}"
        elif "the run failed numerically" in str(py):
            # Python's float division by zero raises where JavaScript's reaches Infinity: the
            # bundle refuses the non-finite results as check_results words it
            where = str(py).split(": the run failed")[0]
            assert re.fullmatch(
                re.escape(where) + r": \w+ is not finite in FY\d{4} \(the run diverged\); check the "
                r"scenario's values",
                js.get("error", ""),
            ), f"{what}: {js.get('error')}"
        else:
            assert js.get("error") == str(py), what
        return 0.0
    assert "error" not in js, f"{what}: {js.get('error')}"
    r = py.results
    assert js["fiscal_year"] == r.index.tolist(), what
    rel = 0.0
    for c in COLUMNS:
        a, b = np.array(js["columns"][c.name], dtype=float), r[c.name].to_numpy(dtype=float)
        diff = np.abs(a - b)
        assert np.all(diff <= ATOL + RTOL * np.abs(b)), (
            f"{what} {c.name}: max |js - api.run| {diff.max():.3g}"
        )
        rel = max(rel, float((diff / np.maximum(np.abs(b), ATOL / RTOL)).max()))
    assert js["columns"]["credit_rating"] == r["credit_rating"].tolist(), what
    words = dict(headline(py))
    for key, label in MILESTONE_LABELS.items():
        assert js["milestone_labels"][key] == words[label], f"{what} {label}"
        assert js["milestones"][key] == py.milestones[key], f"{what} {key}"
    assert js["explosive_flag"] == words[EXPLOSIVE_FLAG], what
    assert js["milestones"]["debt_explodes"] == py.milestones["debt_explodes"], what
    return rel


@pytest.mark.slow
@needs_node
@pytest.mark.parametrize("vintage", VINTAGES)
def test_every_preset_equals_api_run(bundles, vintage):
    from runners.scenario.scenarios import builtin_names

    path, data = bundles[vintage]
    presets = sorted(data["presets"])
    assert len(presets) >= 12 and "baseline" in presets and set(presets) <= set(builtin_names())
    batch = [{"scenario": s, "calibration": "central", "overrides": {}} for s in presets]
    rel = max(check_same(vintage, item, js) for item, js in zip(batch, node_runs(path, batch), strict=True))
    print(f"{vintage}: {len(batch)} presets, max relative difference {rel:.3g}")


@pytest.mark.slow
@needs_node
def test_the_supply_effect_sets_on_a_selloff_equal_api_run(bundles):
    path, data = bundles["cbo-2026-02"]
    assert sorted(data["calibrations"]) == ["central", "high", "low"]
    batch = [
        {"scenario": "japan-selloff", "calibration": c, "overrides": {}} for c in ("low", "central", "high")
    ]
    batch.append(
        {"scenario": "japan-china-selloff", "calibration": "high", "overrides": {"yield shift": 0.5}}
    )
    js = node_runs(path, batch)
    for item, r in zip(batch, js, strict=True):
        check_same("cbo-2026-02", item, r)
    peaks = [max(r["columns"]["supply_premium"]) for r in js[:3]]
    assert peaks[0] < peaks[1] < peaks[2]  # the sets differ: low < central < high


def draws(data: dict, n: int) -> list[dict]:
    """``n`` settings: a preset, a supply-effect set and some levers moved within their .mdl ranges
    (0 or 1 for a switch)."""
    levers = {}
    for name, lever in data["levers"].items():
        if lever["low"] is None or lever["high"] is None:
            continue
        if name in YEAR_CONSTANTS:  # dates in the projection (refusals: test_refusals_are_api_runs)
            low = data["first_year"] + YEAR_CONSTANTS[name]
            levers[name] = st.none() | st.floats(low, lever["high"], allow_nan=False, allow_infinity=False)
        elif name.endswith(" switch") or name == "baseline path on":
            levers[name] = st.none() | st.sampled_from([0.0, 1.0])
        else:
            levers[name] = st.none() | st.floats(
                lever["low"], lever["high"], allow_nan=False, allow_infinity=False
            )
    strategy = st.fixed_dictionaries(
        {
            "scenario": st.sampled_from(sorted(data["presets"])),
            "calibration": st.sampled_from(sorted(data["calibrations"])),
            "overrides": st.fixed_dictionaries(levers),
        }
    )
    drawn: list[dict] = []

    @settings(
        max_examples=n,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def draw(item):
        drawn.append(item | {"overrides": {k: v for k, v in item["overrides"].items() if v is not None}})

    draw()
    return drawn


@pytest.mark.slow
@needs_node
@pytest.mark.parametrize("vintage", VINTAGES)
def test_random_lever_settings_equal_api_run(bundles, vintage):
    path, data = bundles[vintage]
    batch = draws(data, RANDOM_SETTINGS)
    assert len(batch) >= RANDOM_SETTINGS * 0.9
    assert len({k for b in batch for k in b["overrides"]}) > 100  # every lever moved in some setting
    start = time.perf_counter()
    js = node_runs(path, batch)
    node_s = time.perf_counter() - start
    rel = max(check_same(vintage, item, r) for item, r in zip(batch, js, strict=True))
    ran = sum("error" not in r for r in js)
    # most settings run to the end (measured 90-110 of 130); the rest are refused alike by both
    # (check_same compares the refusals too), so the parity above covers both kinds
    assert ran >= 0.6 * len(batch)
    print(
        f"{vintage}: {len(batch)} settings ({ran} ran, {len(batch) - ran} refused alike), "
        f"max relative difference {rel:.3g}; Node {node_s:.1f} s for the batch"
    )


@pytest.mark.slow
@needs_node
def test_overrides_by_python_name_and_the_bundle_is_self_contained(bundles):
    from runners.projection.explorer import explorer_bundle

    path, data = bundles["cbo-2026-02"]
    py_name = data["levers"]["yield shift"]["py_name"]
    js = node_runs(path, [{"scenario": "baseline", "calibration": "central", "overrides": {py_name: 1.0}}])
    check_same(
        "cbo-2026-02",
        {"scenario": "baseline", "calibration": "central", "overrides": {"yield shift": 1.0}},
        js[0],
    )
    text = path.read_text()
    assert explorer_bundle("cbo-2026-02", until=UNTIL) == text  # byte for byte
    assert "require(" not in text and "import " not in text and "http" not in text.split("const SNOWBALL")[0]
    assert len(text.encode()) < 1_000_000
    lever = data["levers"]["yield shift"]
    assert lever["units"] and lever["comment"] and lever["low"] < 0 < lever["high"]


@needs_node
def test_refusals_are_api_runs(bundles):
    # a date before the projection, holdings above the debt, a lever out of range: refused in
    # api.run's words (the first two) and before any run
    path, data = bundles["cbo-2026-02"]
    batch = [
        {
            "scenario": "japan-selloff",
            "calibration": "central",
            "overrides": {"japan sale start year": 2025.5},
        },
        {"scenario": "baseline", "calibration": "low", "overrides": {"initial japan holdings": 40000.0}},
    ]
    js = node_runs(path, batch)
    for item, r in zip(batch, js, strict=True):
        assert "error" in r
        check_same("cbo-2026-02", item, r)
    item = {"scenario": "baseline", "calibration": "central", "overrides": {"yield shift": 1e6}}
    (r,) = node_runs(path, [item])
    assert r["error"].startswith("'yield shift' = 1e+06 is out of range; allowed -")
    check_same("cbo-2026-02", item, r)


@needs_node
def test_lever_values_are_those_a_run_sets(bundles):
    # what a slider starts from: every lever's value in a preset under a set, as run_params sets it
    from runners.mdl.model import defaults
    from runners.projection.params import cached_inputs, run_params
    from runners.scenario.scenarios import load_scenario

    path, data = bundles["cbo-2026-02"]
    code = f"const m = require({json.dumps(str(path))}); process.stdout.write(JSON.stringify("
    code += "m.Snowball.values({scenario: 'japan-selloff', calibration: 'high'})))"
    done = subprocess.run([NODE, "-e", code], capture_output=True, text=True, check=True)
    values = json.loads(done.stdout)
    params = run_params(load_scenario("japan-selloff"), cached_inputs("cbo-2026-02"), {}, "high")
    mdl = defaults()
    assert set(values) == set(data["levers"]) and len(values) > 100
    for name, value in values.items():
        assert value == float(params.get(name, mdl[name])), name
