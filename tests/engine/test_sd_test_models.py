"""The sweep engine against the community's test suite (SDXorg/test-models in ../shared/peers).

Every model the engine accepts must reproduce the canonical output (Vensim's or Stella's) to the
precision pysd's own integration tests use (``pysd.tools.benchmarking.assert_allclose``:
``|expected - actual| <= atol + rtol |actual|`` with rtol = atol = 1e-5, NaN equal to NaN, and
Vensim's constant columns, blank after the first row, filled from it). Every model it refuses must
be refused with a SnowballError that names the equation. The outcome of each model is recorded in
``tests/sd_test_models.csv`` (the tally docs/development.md quotes); a change writes
``tests/sd_test_models_actual.csv`` for review.
"""

from __future__ import annotations

import csv
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from runners.core.errors import SnowballError
from runners.engine import program as engine

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT.parent / "shared" / "peers" / "sd-test-models" / "tests"
TALLY = Path(__file__).resolve().parents[1] / "sd_test_models.csv"
RTOL = ATOL = 1e-5  # pysd's assert_allclose defaults
LOOSER = {"arguments": 1e-2}  # pysd's own per-model rtol (pytest_integration_vensim_pathway.py)


def suite_models() -> list[Path]:
    """Every Vensim model of the suite that has a canonical output beside it."""
    out = []
    for folder in sorted(p for p in SUITE.iterdir() if p.is_dir()):
        if not any((folder / f).is_file() for f in ("output.tab", "output.csv")):
            continue
        out += sorted(p for p in folder.iterdir() if p.suffix.lower() == ".mdl")
    return out


def canonical(folder: Path):
    """The canonical output as pysd's test runner reads it (time index, one column per variable)."""
    from pysd.py_backend.utils import detect_encoding, load_outputs

    path = folder / "output.csv" if (folder / "output.csv").is_file() else folder / "output.tab"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_outputs(path, encoding=detect_encoding(path))


def _key(name: str) -> str:
    return engine.normalise(name.strip().strip('"'))


def reason(message: str) -> str:
    """A refusal's category: what the engine does not support, without the equation's name."""
    text = re.sub(r"^equation '.*?': ", "", message.split(" is not supported")[0])
    text = re.sub(r"^.*?: macro '.*?': ", "", text)
    text = re.sub(r"the table '.*?'", "the table", text)
    text = re.sub(r" \(it reads '.*?'\)", "", text)
    return text.split(" (")[0]


def outcome(path: Path) -> tuple[str, str]:
    """("match" | "refused" | "mismatch", detail) for one model of the suite."""
    canon = canonical(path.parent)
    try:
        with warnings.catch_warnings():  # pysd's parser warns about the suite's oddities
            warnings.simplefilter("ignore")
            eng = engine.build_engine(path)
    except SnowballError as exc:
        assert path.stem in str(exc) or "equation '" in str(exc), f"{path}: {exc}"
        return "refused", reason(str(exc))
    by_key = {_key(n): n for n, k in eng.kinds.items() if k != "lookup"}
    controls = {_key(n): v for n, v in eng.controls.items()}
    cols = [c for c in canon.columns if _key(c) in by_key]
    missing = [c for c in canon.columns if _key(c) not in by_key and _key(c) not in controls]
    if missing:
        return "mismatch", f"no variable for column(s) {missing[:3]}"
    until = None if "final_time" in by_key else float(canon.index[-1])  # None: the model's FINAL TIME
    times, raw = eng.simulate(1, until, record=[by_key[_key(c)] for c in cols], at="steps")
    # the program partially evaluated for the model's constants (runners.engine.fold) gives the same numbers
    _, folded = eng.simulate(1, until, record=[by_key[_key(c)] for c in cols], at="steps", fold=True)
    if any(not np.array_equal(raw[k], folded[k], equal_nan=True) for k in raw):
        return "mismatch", "the program folded for its constants gives other numbers"
    expected = canon.astype(float)
    nan_cols = expected.iloc[1:].isna().all().to_numpy()
    expected.loc[:, nan_cols] = expected.loc[:, nan_cols].iloc[0].to_numpy()
    rows = [int(np.argmin(np.abs(times - t))) for t in expected.index.to_numpy(dtype=float)]
    if not np.allclose(times[rows], expected.index.to_numpy(dtype=float), rtol=0, atol=1e-9):
        return "mismatch", "canonical times are not the engine's steps"
    if rows[-1] != len(times) - 1:  # FINAL TIME (evaluated every step where it reads Time)
        return "mismatch", f"the run ends at {times[-1]:g}, the canonical output at {expected.index[-1]:g}"
    rtol = LOOSER.get(path.parent.name, RTOL)
    bad = []
    for c in expected.columns:
        exp = expected[c].to_numpy()
        act = raw[by_key[_key(c)]][rows, 0] if _key(c) in by_key else np.full(len(rows), controls[_key(c)])
        ok = (np.abs(exp - act) <= ATOL + rtol * np.abs(act)) | (np.isnan(exp) & np.isnan(act))
        if not ok.all():
            bad.append(c)
    if bad:
        return "mismatch", f"column(s) not close: {', '.join(sorted(bad)[:3])}"
    return "match", ""


def tally() -> list[dict[str, str]]:
    rows = []
    for path in suite_models():
        try:
            result, detail = outcome(path)
        except Exception as exc:  # recorded, and the test fails on it
            result, detail = "crash", f"{type(exc).__name__}: {exc}"[:200]
        rows.append({"model": f"{path.parent.name}/{path.name}", "result": result, "detail": detail})
    return rows


@pytest.mark.slow
@pytest.mark.skipif(not SUITE.is_dir(), reason="../shared/peers/sd-test-models is not present")
def test_engine_matches_the_community_suite_or_refuses_by_name():
    rows = tally()
    recorded = []
    if TALLY.is_file():
        with TALLY.open(newline="") as f:
            recorded = list(csv.DictReader(f))
    mismatches = [r for r in rows if r["result"] in ("mismatch", "crash")]
    if rows != recorded:
        actual = TALLY.with_name("sd_test_models_actual.csv")
        with actual.open("w", newline="") as f:
            w = csv.DictWriter(f, ["model", "result", "detail"], lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        pytest.fail(f"the tally changed: review {actual.name} and, if right, move it to {TALLY.name}")
    assert not mismatches, mismatches
