"""The briefing's two Monte Carlo fans (issue 25 item 3): current law (the spread of CBO's errors,
centred on the baseline) and with policy drift (data/sweeps/monte-carlo-drift.toml: CBO's error
centre too). Every number is recomputed here from the draws (run with the sweep runner, not the
briefing's code) and from CBO's own file, data/uncertainty/cbo_debt_errors.csv."""

import re

import numpy as np
import pandas as pd
import pytest

from runners.core.paths import data_dir
from runners.report.render import odds

pytestmark = pytest.mark.slow

TOLERANCE = 0.5  # pp of GDP: the drift's mean error against CBO's mean error


def _errors() -> pd.Series:
    frame = pd.read_csv(data_dir() / "uncertainty" / "cbo_debt_errors.csv")
    return frame.set_index(["horizon_years", "statistic"])["value"]


def _draws(name: str):
    """Every draw's debt/GDP (runs, years), the base path and the years, from the sweep runner."""
    from runners.sweep import runner as sweep
    from runners.sweep.spec import load_spec

    plan = sweep.plan(load_spec(name))
    with sweep.computed(plan) as chunks:
        debt = chunks.gather(slice(None), plan.columns.index("debt_to_gdp"))
    return debt, sweep.base_run(plan)["debt_to_gdp"], list(plan.years)


@pytest.fixture(scope="module")
def drift():
    return _draws("monte-carlo-drift")


@pytest.fixture(scope="module")
def current():
    return _draws("monte-carlo")


@pytest.fixture(scope="module")
def book(briefing_pack):
    from openpyxl import load_workbook

    return load_workbook(briefing_pack / "tables/figures.xlsx")


def _sheet(ws) -> dict[str, list]:
    """Header -> values of a figures.xlsx sheet (the header is the row the sheet freezes below)."""
    row = int(re.search(r"\d+", ws.freeze_panes).group()) - 1
    headers = [c.value for c in ws[row]]
    out = {h: [] for h in headers if h}
    for cells in ws.iter_rows(min_row=row + 1):
        if cells[0].value is None:
            break
        for h, c in zip(headers, cells, strict=False):
            if h:
                out[h].append(c.value)
    return out


def test_drift_matches_cbo_mean_error_at_5_and_10_years(drift, current):
    """The drift's draws err, on average, as CBO's baselines did 5 and 10 years out (the first
    projected year is horizon 0); the current-law draws do not (their centre is the baseline)."""
    errors = _errors()
    assert int(errors[(10, "n")]) >= 10 and errors[(10, "p10")] > 0  # nine in ten under-projected
    for (debt, base, years), carries in ((drift, True), (current, False)):
        for h in (5, 10):
            y = years[0] + h
            mean_error = np.nanmean(debt[:, years.index(y)]) - base[y]
            if carries:
                assert abs(mean_error - errors[(h, "mean")]) < TOLERANCE, (h, mean_error)
            else:
                assert abs(mean_error - errors[(h, "mean")]) > 5, (h, mean_error)
    # the drift keeps the spread near CBO's (it widens it a little: each rate shock costs more on
    # a higher debt): standard deviation within 2 pp of CBO's 5 and 10 years out
    debt, _, years = drift
    for h in (5, 10):
        sd = np.nanstd(debt[:, years.index(years[0] + h)], ddof=1)
        assert abs(sd - errors[(h, "sd")]) < 2.0, (h, sd)
    # the spec states the numbers it was solved to
    text = (data_dir() / "sweeps" / "monte-carlo-drift.toml").read_text()
    assert f"{errors[(5, 'mean')]:.2f} and {errors[(10, 'mean')]:.2f} pp" in text


def _probability(debt, years, year, threshold) -> float:
    v = debt[:, years.index(year)]
    return float(np.mean(np.where(np.isfinite(v), v > threshold, True)) * 100)


def test_both_fans_odds_in_tables_findings_and_table(briefing_pack, drift, current):
    """The pack's probabilities for both fans equal the share of draws above 150% and 200% of GDP
    (recounted here), in the CSV files, the key-findings sentence and the Markdown table; the
    2055 odds say they extrapolate CBO's record (errors up to 10 years out)."""
    md = (briefing_pack / "briefing.md").read_text()
    findings = md.split("## Key findings")[1].split("##")[0]
    errors = _errors()
    reach = int(max(h for h, _ in errors.index))
    for name, (debt, _, years) in (("monte_carlo", current), ("monte_carlo_drift", drift)):
        table = pd.read_csv(briefing_pack / f"tables/{name}_probabilities.csv", index_col="fiscal_year")
        words = [
            odds(_probability(debt, years, 2035, 150)),
            odds(_probability(debt, years, 2055, 150)),
            odds(_probability(debt, years, 2035, 200)),
            odds(_probability(debt, years, 2055, 200)),
        ]
        for year, t in ((2035, 150), (2055, 150), (2035, 200), (2055, 200)):
            assert table.at[year, f"prob_debt_over_{t}pct_of_gdp_pct"] == pytest.approx(
                _probability(debt, years, year, t), abs=1e-9
            )
        phrase = f"is {words[0]} in 2035 and {words[1]} in 2055; 200%: {words[2]} and {words[3]}."
        assert phrase in findings, (name, phrase)
        row = next(line for line in md.splitlines() if line.startswith("| 2055"))
        assert f"| {words[1]} | {words[3]} |" in row
    assert "calibrated to the spread of CBO's own forecast errors (not their centre)" in findings
    assert f"by {errors[(10, 'mean')]:.0f} pp of GDP on average 10 years out" in findings
    out = 2055 - current[2][0]
    assert f"CBO's record covers errors up to {reach} years out; the 2055 odds, {out} years out" in findings
    row = next(line for line in md.splitlines() if line.startswith("| 2055"))
    assert f"2055 ({out} years out: extrapolated; CBO's record reaches {reach})" in row
    assert next(line for line in md.splitlines() if line.startswith("| 2035")).startswith("| 2035 |")


def _band(ws) -> tuple[dict, dict, dict]:
    cols = _sheet(ws)
    years = cols["Fiscal year"]
    base = next(v for k, v in cols.items() if k.startswith("Debt held by the public, base"))
    low = next(v for k, v in cols.items() if "error range" in k and "low end" in k)
    high = next(v for k, v in cols.items() if "error range" in k and "high end" in k)
    pick = lambda v: {y: x for y, x in zip(years, v, strict=True) if x is not None}  # noqa: E731
    return pick(base), pick(low), pick(high)


def test_drift_fan_draws_cbo_range_where_cbo_record_puts_it(book):
    """On the drift fan CBO's 10th-90th error range sits at the base path plus CBO's 10th and 90th
    percentile errors (FY2036: about 134-174% of GDP), not centred on the base path (100-139%)."""
    errors = _errors()
    base, low, high = _band(book["fan_monte_carlo_drift"])
    first = min(base)
    assert sorted(low) == [first + 5, first + 10]
    for h in (5, 10):
        y = first + h
        assert low[y] == pytest.approx(base[y] + errors[(h, "p10")], abs=0.01)
        assert high[y] == pytest.approx(base[y] + errors[(h, "p90")], abs=0.01)
        # around the base plus CBO's mean error, not the base
        assert low[y] < base[y] + errors[(h, "mean")] < high[y]
    y = first + 10
    assert (low[y] + high[y]) / 2 - base[y] > 30


def test_fans_are_labelled_for_what_they_are(briefing_pack):
    """Captions name each fan (current law: CBO's error spread only, its CBO band centred on the
    base; with drift: CBO's record) and the charts' legends say the same."""
    md = (briefing_pack / "briefing.md").read_text()
    assert "current law (CBO's error spread only), with the width of CBO's historical" in md
    assert "these draws carry the spread of CBO's errors, not their centre" in md
    assert "with policy drift (CBO's error centre and spread), with CBO's record" in md
    svg = (briefing_pack / "charts/fan_monte_carlo.svg").read_text()
    assert "(spread only," in svg and "centred on the base)" in svg
    svg = (briefing_pack / "charts/fan_monte_carlo_drift.svg").read_text()
    assert "CBO's record: 10th" in svg
