"""snowball gap: the fiscal gap solved on the model, checked against the debt identity's arithmetic."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from conftest import lines_through_legends, variant

from runners import cli
from runners.analysis import gap
from runners.core.errors import SnowballError
from runners.projection import run
from runners.report import gap as gap_report
from runners.scenario.scenarios import load_scenario
from runners.sweep import runner as sweep
from runners.sweep import spec as sweepspec

VINTAGE = "cbo-2025-01"  # pinned: the numbers below are this vintage's
C = 1200 * (1.04 ** (1 / 12) - 1)  # 3.92849%: monthly compounding at C grows debt 4% a year
NO_LOOPS = {
    "long bond spread": 0.0,
    "debt premium sensitivity": 0.0,
    "debt premium switch": 0.0,
    "inflation read back switch": 0.0,
    "confidence switch": 0.0,
    "fed response switch": 0.0,
    "fiscal rule switch": 0.0,
    "vicious cycle switch": 0.0,
    "policy rule switch": 0.0,
    "rating switch": 0.0,
    "private crowding switch": 0.0,
    "inflation expectations yield sensitivity": 0.0,  # yields here differ from the baseline path
}


@pytest.fixture(scope="module")
def base():
    """The baseline with CBO's debt premium loop switched on (2 bp per point of debt/GDP away
    from the baseline path), so the adjustment acts through a feedback loop."""
    s = dataclasses.replace(load_scenario("baseline"), baseline=VINTAGE)
    return dataclasses.replace(s, constants=s.constants | {"debt premium switch": 1.0})


@pytest.fixture(scope="module")
def r_equals_g(base):
    """r = g = 4% a year, a primary deficit of 1% of GDP, every loop off: set in a scenario.

    Every yield and initial coupon is C (so interest is exactly C% of the debt, compounding to 4%
    a year, as GDP grows); revenues 17% and primary outlays 18% of GDP every year.
    """
    inputs = run.cached_inputs(VINTAGE)
    years = range(inputs.first_year, 2101)
    flat = lambda v: dict.fromkeys(years, v)  # noqa: E731
    tables = {
        "nominal GDP growth table": flat(4.0),
        "revenues share table": flat(17.0),
        "primary outlays share table": flat(18.0),
        "other means of financing share table": flat(0.0),
        "bill yield table": flat(C),
        "ten year yield table": flat(C),
        # TIPS earn their real coupon plus CPI accrual: with no inflation anywhere, C in total
        "CPI inflation table": flat(0.0),
        "baseline inflation table": flat(0.0),
        "other interest income table": flat(0.0),  # no interest income: net interest = interest
    }
    for name in tables:  # every point of the vintage's table is replaced (no other x values)
        assert set(inputs.tables[name].index) <= set(years), name
    constants = NO_LOOPS | {
        "initial TIPS real coupon": C,
        "initial bill rate": C,
        # bills at the yield itself: no discount-to-investment conversion (365 d / (365 - 0 d) = d)
        "bill discount days": 365.0,
        "bill tenor days": 0.0,
        **{k: C for k in inputs.constants if k.startswith("initial coupon")},
    }
    return dataclasses.replace(base, name="r-equals-g", constants=constants, tables=tables)


# The debt identity with r = g, month by month: D' = D (1 + C/1200) + PD/12, with the primary
# deficit PD = (p - x)% of this fiscal year's GDP Y (constant within the year), p = 1 and x the
# adjustment. Over a year's 12 steps D_end = 1.04 D_start + (p - x)/100 Y (1.04 - 1)/(C/1200)
# = 1.04 D_start + (p - x)/100 Y (4/C); with Y = 1.04 Y_prev, debt/GDP moves by
# (p - x) 4/C = (p - x) x 1.018204 points a year. From d0 = 28,199.313 / 28,823 = 97.8361% of GDP
# (FY2024), N = 11 years (FY2025-2035) to 80%:
#   97.8361 + 11 x 1.018204 x (1 - x) = 80  =>  x = 1 + 17.8361 / 11.2002 = 2.59248% of GDP.
# Phased in over 5 years the adjustment in force is x/5, 2x/5, ..., x, then x: 9x in all, so
#   97.8361 + 1.018204 x (11 - 9 x) = 80  =>  x = (17.8361 + 11.2002) / (9 x 1.018204) = 3.16859.
# Stabilising (debt/GDP never above its FY2030 level, to FY2035) needs exactly x = p = 1.
D0 = 28199.313 / 28823 * 100
A = 4 / C


@pytest.mark.slow
def test_r_equals_g_answer_is_the_debt_identity_arithmetic(r_equals_g):
    q = gap.question(r_equals_g, 2035, target=80.0)
    assert q.start == 2025 and gap.current_debt_to_gdp(q) == pytest.approx(D0, rel=1e-12)
    assert gap.solve(q) == pytest.approx(1 + (D0 - 80) / (11 * A), abs=1e-6)
    assert gap.solve(q) == pytest.approx(2.59248, abs=1e-5)
    # the instrument does not matter without loops
    spending = dataclasses.replace(q, instrument="spending")
    assert gap.solve(spending) == pytest.approx(2.59248, abs=1e-5)


@pytest.mark.slow
def test_r_equals_g_phased_and_stabilising_answers(r_equals_g):
    phased = gap.question(r_equals_g, 2035, target=80.0, phase_in=5)
    assert gap.solve(phased) == pytest.approx((D0 - 80 + 11 * A) / (9 * A), abs=1e-6)
    assert gap.solve(phased) == pytest.approx(3.16859, abs=1e-5)
    stable = gap.question(r_equals_g, 2030, until=2035)
    assert stable.stabilise
    assert gap.solve(stable) == pytest.approx(1.0, abs=1e-6)
    # starting later: from FY2030, 6 years (FY2030-2035) must do it: x = 1 + 17.8361 / 6.1092
    late = gap.question(r_equals_g, 2035, target=80.0, start=2030)
    d_2029 = D0 + 5 * A  # five years of the 1% deficit first
    assert gap.solve(late) == pytest.approx(1 + (d_2029 - 80) / (6 * A), abs=1e-6)


@pytest.mark.slow
def test_adjusted_run_lands_on_target_and_acts_through_the_model(base):
    q = gap.question(base, 2055, target=100.0)
    result = gap.gap(q)
    a, b = result.adjusted.results, result.baseline.results
    assert abs(a.at[2055, "debt_to_gdp"] - 100.0) <= 0.05
    assert b.at[2055, "debt_to_gdp"] > 150  # the baseline is far above the target
    assert 0.5 < result.size < 3.0
    # half raises revenues, half cuts primary outlays, in every year, x% of that year's GDP
    # (the baseline has no loop that moves GDP, revenues or primary outlays otherwise)
    half = result.size / 100 * a["gdp"] / 2
    np.testing.assert_allclose(a["gdp"], b["gdp"], rtol=1e-12)
    np.testing.assert_allclose(a["revenues"] - b["revenues"], half, rtol=1e-9)
    np.testing.assert_allclose(b["primary_outlays"] - a["primary_outlays"], half, rtol=1e-9)
    np.testing.assert_allclose(b["other_primary_outlays"] - a["other_primary_outlays"], half, rtol=1e-9)
    np.testing.assert_allclose(result.consolidation, 2 * half, rtol=1e-9)
    # $bn in FY2025, and the % of revenues / noninterest spending over FY2025-2055
    assert result.first_year_bn == pytest.approx(result.size / 100 * b.at[2025, "gdp"], rel=1e-9)
    total = (2 * half).loc[2025:2055].sum()
    assert result.revenue_rise_pct == pytest.approx(total / b.loc[2025:2055, "revenues"].sum() * 100)
    assert result.spending_cut_pct == pytest.approx(total / b.loc[2025:2055, "primary_outlays"].sum() * 100)
    # lower debt lowers the debt premium and net interest: the loops act
    assert (a.loc[2030:, "net_interest"] < b.loc[2030:, "net_interest"]).all()
    assert a.at[2055, "debt_premium"] < 0 == b.at[2055, "debt_premium"]
    # ... so without the debt premium's feedback it would take more
    flat = dataclasses.replace(q, scenario=variant(base, "no-premium", debt_premium_sensitivity=0.0))
    assert gap.solve(flat) > result.size + 0.05


@pytest.mark.slow
def test_larger_target_needs_smaller_adjustment(base):
    sizes = [gap.solve(gap.question(base, 2055, target=t)) for t in (80.0, 100.0, 120.0)]
    assert sizes[0] > sizes[1] > sizes[2]
    # each point of debt/GDP in FY2055 costs about the same: 20 points ~ 0.3-1% of GDP a year
    assert 0.3 < sizes[0] - sizes[1] < 1.0 and 0.3 < sizes[1] - sizes[2] < 1.0


@pytest.mark.slow
def test_phasing_in_needs_larger_end_size(base):
    runs = {p: gap.solve(gap.question(base, 2055, target=100.0, phase_in=p)) for p in (0, 5, 10)}
    assert runs[0] < runs[5] < runs[10]
    # a one-year ramp is no ramp
    assert gap.solve(gap.question(base, 2055, target=100.0, phase_in=1)) == pytest.approx(runs[0], abs=1e-9)


def test_engine_and_pysd_agree_on_the_consolidation_block(base):
    s = variant(base, "consolidated")
    constants = {
        "consolidation size": 2.5,
        "consolidation start": 2027,
        "consolidation phase in years": 3.5,
        "consolidation revenue share": 0.3,
    }
    s = dataclasses.replace(s, constants=s.constants | constants | {"fiscal rule switch": 1.0})
    (fast,) = sweep.run_scenarios([s], until=2060)
    single = run.run(s, until=2060).results.drop(columns="credit_rating")
    np.testing.assert_allclose(fast[single.columns].to_numpy(), single.to_numpy(), rtol=1e-9, atol=1e-9)
    # nothing before FY2027; 1/3.5 of 2.5% of GDP in FY2027, 2/3.5 in FY2028, full from FY2030
    plain = run.run(dataclasses.replace(s, constants=s.constants | {"consolidation size": 0.0}), until=2060)
    extra = (single["revenues"] - plain.results["revenues"]) / single["gdp"] * 100
    assert extra.loc[:2026].abs().max() < 1e-12
    # revenue share 0.3 of the consolidation (the fiscal rule's revenue moves too, a loop: compare
    # the first year, before the rule's 2-year delay has let lower debt feed back)
    assert extra.loc[2027] == pytest.approx(0.3 * 2.5 / 3.5, rel=0.02)


# --------------------------------------------------------------------------- probabilistic

SYMMETRIC = """
title = "symmetric yield shifts"
scenario = "baseline"
until = 2055
method = "grid"
seed = 1
chunk = 2

[inputs."yield shift"]
distribution = "list"
values = [-1.0, -0.5, 0.0, 0.5, 1.0]
"""


@pytest.mark.slow
def test_probabilistic_answer_is_an_order_statistic_of_the_draws(base, tmp_path):
    path = tmp_path / "symmetric.toml"
    path.write_text(SYMMETRIC)
    spec = sweepspec.parse_spec(path)
    q = gap.question(base, 2055, target=100.0)
    det = gap.solve(q)
    answers = {p: gap.solve_probabilistic(q, spec, p, det) for p in (0.2, 0.5, 0.9)}
    # 5 draws, debt rising with the yield shift: P = 0.5 needs the 3rd draw (ceil(2.5)), the
    # scenario itself (shift 0); P = 0.9 the 5th (shift +1); P = 0.2 the 1st (shift -1)
    assert answers[0.5].size == pytest.approx(det, abs=2e-4)
    hi = gap.solve(dataclasses.replace(q, scenario=variant(base, "up", yield_shift=1.0)))
    lo = gap.solve(dataclasses.replace(q, scenario=variant(base, "down", yield_shift=-1.0)))
    assert answers[0.9].size == pytest.approx(hi, abs=2e-4)
    assert answers[0.2].size == pytest.approx(lo, abs=2e-4)
    assert answers[0.2].size < answers[0.5].size < answers[0.9].size
    assert answers[0.9].share_met >= 0.9 and answers[0.5].share_met >= 0.5
    # at the deterministic size shifts -1 and -0.5 meet the goal, +0.5 and +1 miss it (0 is on it)
    assert answers[0.5].share_met_deterministic in (0.4, 0.6)


@pytest.mark.slow
def test_probabilistic_answer_with_normal_draws_is_close_to_deterministic(base, tmp_path):
    text = SYMMETRIC.replace('method = "grid"', 'method = "monte-carlo"\ndraws = 201').replace(
        'distribution = "list"\nvalues = [-1.0, -0.5, 0.0, 0.5, 1.0]',
        'distribution = "normal"\nmean = 0\nsd = 0.5',
    )
    path = tmp_path / "normal.toml"
    path.write_text(text.replace("chunk = 2", "chunk = 100"))
    spec = sweepspec.parse_spec(path)
    q = gap.question(base, 2055, target=100.0)
    det = gap.solve(q)
    median = gap.solve_probabilistic(q, spec, 0.5, det, workers=2)
    assert median.size == pytest.approx(det, abs=0.1)
    assert gap.solve_probabilistic(q, spec, 0.8, det).size > median.size + 0.1


# ------------------------------------------------------------------------------- the command


@pytest.mark.slow
def test_cli_prints_and_writes_the_answer(tmp_path, capsys):
    out = tmp_path / "gap"
    args = ["gap", "--target", "100", "--by", "2055", "--baseline", VINTAGE, "--out", str(out)]
    assert cli.main(args) == 0
    shown = capsys.readouterr().out
    table = pd.read_csv(out / "gap.csv", index_col="answer")
    size = table.at["deterministic", "adjustment_pct_gdp"]
    assert f"Adjustment needed  {size:.2f}% of GDP a year from FY2025" in shown
    assert f"${table.at['deterministic', 'first_year_bn']:,.0f}bn in FY2025" in shown
    assert f"revenues {table.at['deterministic', 'revenue_rise_pct']:.1f}% higher" in shown
    results = pd.read_csv(out / "results.csv", index_col="fiscal_year")
    assert abs(results.at[2055, "debt_to_gdp"] - 100) <= 0.05
    path = pd.read_csv(out / "path.csv", index_col="fiscal_year")
    assert f"{2055:<12}{path.at[2055, 'debt_to_gdp_without']:>11.1f}{100.0:>11.1f}" in shown
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["gap"]["adjustment_pct_gdp"] == pytest.approx(size, abs=1e-6)
    assert manifest["data_vintage"] == VINTAGE and manifest["overrides"][
        "consolidation size"
    ] == pytest.approx(size)
    assert set(manifest["output_files_sha256"]) == {
        "gap.csv",
        "path.csv",
        "results.csv",
        "columns.csv",
        "gap.png",
    }
    # byte-for-byte reproducible
    again = tmp_path / "again"
    assert cli.main([*args[:-1], str(again)]) == 0
    for name in ("gap.csv", "path.csv", "results.csv", "gap.png", "manifest.json"):
        if name == "manifest.json":
            a, b = (json.loads((d / name).read_text()) for d in (out, again))
            a.pop("command"), b.pop("command")
            assert a == b
        else:
            assert (out / name).read_bytes() == (again / name).read_bytes(), name


@pytest.mark.slow
def test_chart_draws_the_runs_and_its_title_states_the_answer(base):
    import matplotlib.pyplot as plt

    q = gap.question(base, 2040, target=110.0)
    result = gap.gap(q)
    data = gap_report.chart_data(result)
    assert data.index[0] == 2024 and data.iloc[0].tolist() == pytest.approx([D0, D0])
    assert abs(data.at[2040, "with"] - 110) <= 0.05
    title = gap_report.chart_title(result)
    assert title == f"{result.size:.2f}% of GDP a year from FY2025 brings debt to 110% of GDP in FY2040"
    fig, ax = plt.subplots()
    gap_report.plot_gap(data, ax, result)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    np.testing.assert_allclose(lines["baseline, no adjustment"].get_ydata(), data["without"])
    with_label = next(k for k in lines if k.startswith("with "))
    assert f"{result.size:.2f}% of GDP" in with_label
    np.testing.assert_allclose(lines[with_label].get_ydata(), data["with"])
    assert ax.get_ylabel() == "Debt held by the public, % of GDP" and ax.get_xlabel() == "Fiscal year"
    assert any("Source: CBO" in t.get_text() for t in fig.texts)
    plt.close(fig)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "1", "--by", "2027"], "no adjustment from -5 to 15% of GDP meets the goal"),
        (["--target", "0", "--by", "2055"], "--target must be a debt/GDP ratio above 0 and at most 300"),
        (["--target", "300", "--by", "2030"], "is met even with a loosening of 5% of GDP"),
        (["--target", "100", "--by", "2200"], "--by must be a fiscal year from the first adjusted year"),
        (["--target", "100", "--by", "2030", "--from", "2032"], "--by must be a fiscal year"),
        (["--target", "100", "--by", "2030", "--from", "2024"], "--from must be a fiscal year from 2025"),
        (["--target", "-3", "--by", "2030"], "--target must be a debt/GDP ratio above 0 and at most 300"),
        (["--target", "100", "--by", "2055", "--phase-in", "-1"], "--phase-in must be from 0 to 50"),
        (["--stabilise", "--by", "2055", "--until", "2055"], "--stabilise needs --until after --by"),
        (
            ["--target", "100", "--by", "2055", "--probability", "1.5", "--sweep", "monte-carlo"],
            "--probability must be strictly between 0 and 1",
        ),
        (
            ["--target", "100", "--by", "2055", "--probability", "0", "--sweep", "monte-carlo"],
            "--probability must be strictly between 0 and 1",
        ),
        (
            ["--target", "100", "--by", "2055", "--probability", "0.9"],
            "--probability and --sweep go together",
        ),
        (
            ["--target", "100", "--by", "2055", "--baseline", "cbo-1999"],
            "--baseline: unknown vintage 'cbo-1999'",
        ),
        (
            ["--target", "100", "--by", "2055", "--calibration", "bogus"],
            "unknown calibration 'bogus'; sets in data/calibration/supply-effects.toml: low, central, high",
        ),
    ],
)
def test_bad_questions_are_one_line_errors_and_leave_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "out"
    assert cli.main(["gap", "--baseline", VINTAGE, *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("snowball: error: ") and message in err, err
    assert "\n" not in err and "Traceback" not in err
    assert not out.exists()


def test_scenario_that_sets_the_consolidation_is_refused(base):
    s = variant(base, "preset", consolidation_size=1.0)
    with pytest.raises(SnowballError, match="sets 'consolidation size'; snowball gap solves for"):
        gap.question(s, 2055, target=100.0)


# ----------------------------------------------------------------------- the briefing's table


@pytest.mark.slow
def test_what_it_would_take_table(base):
    selloff = dataclasses.replace(load_scenario("japan-selloff"), baseline=VINTAGE)
    table = gap.what_it_would_take([base, selloff], by=2055)
    assert list(table["scenario"]) == ["baseline", "baseline", "japan-selloff", "japan-selloff"]
    hold = table[table["goal"] == "hold at the FY2024 level"].set_index("scenario")
    back = table[table["goal"] == "return to 100%"].set_index("scenario")
    assert hold["target_pct_gdp"].tolist() == pytest.approx([D0, D0], abs=1e-5)
    # holding debt at 97.8% takes more than returning it to 100%; the sell-off takes more than the baseline
    assert (hold["adjustment_pct_gdp"] > back["adjustment_pct_gdp"]).all()
    assert hold.at["japan-selloff", "adjustment_pct_gdp"] > hold.at["baseline", "adjustment_pct_gdp"]
    assert (table["note"] == "").all()
    # each answer, run through pysd, lands on its goal; the first-year $bn is x% of FY2025 GDP
    for _, row in table.iterrows():
        s = base if row["scenario"] == "baseline" else selloff
        q = gap.question(s, 2055, target=row["target_pct_gdp"])
        r = run.run(s, until=2055, overrides=q.constants(row["adjustment_pct_gdp"])).results
        assert abs(r.at[2055, "debt_to_gdp"] - row["target_pct_gdp"]) <= 0.05
        assert row["first_year_bn"] == pytest.approx(
            row["adjustment_pct_gdp"] / 100 * r.at[2025, "gdp"], rel=1e-6
        )
        assert row["debt_to_gdp_by_without"] == pytest.approx(
            run.run(s, until=2055).results.at[2055, "debt_to_gdp"], rel=1e-9
        )


def test_unreachable_goal_is_a_row_with_a_note(base):
    table = gap.what_it_would_take([base], by=2026, return_to=0.0)
    back = table[table["goal"] == "return to 0%"].iloc[0]
    assert np.isnan(back["adjustment_pct_gdp"]) and "no adjustment from -5 to 15% of GDP" in back["note"]


@pytest.mark.slow
def test_stabilised_path_never_rises_above_its_level_and_the_title_says_so(base):
    q = gap.question(base, 2035, until=2055, instrument="spending")
    result = gap.gap(q)
    data = gap_report.chart_data(result)
    level = data.at[2035, "with"]
    # the binding year: debt/GDP after FY2035 touches its FY2035 level and never exceeds it
    assert data.loc[2036:2055, "with"].max() == pytest.approx(level, abs=1e-5)
    assert data.loc[2036:2055, "without"].min() > data.at[2035, "without"]  # the baseline keeps rising
    assert (
        gap_report.chart_title(result)
        == f"{result.size:.2f}% of GDP a year from FY2025 stops debt/GDP rising after FY2035"
    )
    # all from spending: revenues unchanged, primary outlays lower by x% of GDP every year
    a, b = result.adjusted.results, result.baseline.results
    np.testing.assert_allclose(a["revenues"], b["revenues"], rtol=1e-12)
    np.testing.assert_allclose(
        b["primary_outlays"] - a["primary_outlays"], result.size / 100 * a["gdp"], rtol=1e-9
    )


@pytest.mark.slow
def test_probabilistic_goal_out_of_reach_is_reported(base, tmp_path):
    # two draws: no shock, and nominal growth 10 points lower from FY2025; P = 0.9 needs both
    # (ceil(1.8) = 2). Cutting debt from 97.8% to 90% of GDP by FY2026 takes about 6% of GDP a
    # year without the shock; with it debt/GDP rises some 20 points more, beyond 15% of GDP a year
    path = tmp_path / "slump.toml"
    path.write_text(
        SYMMETRIC.replace('"yield shift"', '"growth shift"').replace(
            "[-1.0, -0.5, 0.0, 0.5, 1.0]", "[0.0, -10.0]"
        )
    )
    spec = sweepspec.parse_spec(path)
    q = gap.question(base, 2026, target=90.0)
    det = gap.solve(q)
    assert 4 < det < 8
    with pytest.raises(
        gap.GapUnreachable, match=r"no adjustment from -5 to 15% of GDP .* in 90% of the 2 draws"
    ):
        gap.solve_probabilistic(q, spec, 0.9, det)
    assert gap.solve_probabilistic(q, spec, 0.5, det).size == pytest.approx(det, abs=2e-4)


def test_gap_help_lists_every_option(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["gap", "--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    for option in ("--target", "--stabilise", "--by", "--from", "--until", "--instrument", "--phase-in"):
        assert option in shown
    assert "--probability" in shown and "--sweep" in shown and "% of GDP" in shown


@pytest.mark.slow
def test_every_vintage_starts_the_engine_at_its_own_initial_state():
    # each vintage starts at the end of its own fiscal year (FY2024 for January 2025, FY2025 for
    # February 2026), whatever the .mdl's INITIAL TIME: the engine's search and pysd's check run
    # must agree for both (the search once kept the .mdl's start and missed by 3 pp)
    from runners.inputs.vintage import available_vintages

    for vintage in available_vintages():
        s = dataclasses.replace(load_scenario("baseline"), baseline=vintage)
        q = gap.question(s, 2040, target=110.0)
        assert q.start == run.cached_inputs(vintage).first_year + 1
        result = gap.gap(q)
        assert abs(result.adjusted.results.at[2040, "debt_to_gdp"] - 110.0) <= 0.05


@pytest.mark.slow
def test_chart_legend_clears_the_lines():
    # the worked example of docs/howto/gap.md (default vintage): the legend at the upper left sat on the
    # vertical "adjustment starts" line and, in the --by 2026 chart, on the paths' first years
    import matplotlib.pyplot as plt

    from runners.report.style import STYLE

    for by in (2055, 2026):
        result = gap.gap(gap.question(load_scenario("baseline"), by, target=100.0))
        with plt.style.context(STYLE):
            fig, ax = plt.subplots()
            gap_report.plot_gap(gap_report.chart_data(result), ax, result)
            assert lines_through_legends(fig) == [], by
        plt.close(fig)


@pytest.mark.slow
def test_the_supply_effect_set_reaches_the_runs_and_is_named(tmp_path, capsys):
    """``snowball gap japan-selloff --calibration high`` solves on the high supply effects, as
    ``snowball run --calibration high`` runs them: its run without the adjustment is that run, the
    answer is larger than under the low set (a sale moves yields more), and the text and the
    manifest name the set."""
    from runners import api

    sizes = {}
    for name in ("low", "high"):
        out = tmp_path / name
        args = ["gap", "japan-selloff", "--target", "100", "--by", "2055", "--calibration", name]
        assert cli.main([*args, "--out", str(out)]) == 0
        shown = capsys.readouterr().out
        assert shown.splitlines()[0].endswith(f"(baseline data cbo-2026-02, supply-effect set {name})")
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["calibration"] == name
        sizes[name] = pd.read_csv(out / "gap.csv", index_col="answer").at[
            "deterministic", "adjustment_pct_gdp"
        ]
        path = pd.read_csv(out / "path.csv", index_col="fiscal_year")
        alone = api.run("japan-selloff", calibration=name).results
        assert path.at[2055, "debt_to_gdp_without"] == pytest.approx(alone.at[2055, "debt_to_gdp"], abs=1e-6)
    assert sizes["high"] > sizes["low"] + 0.1
    answer = api.gap("japan-selloff", target=100, by=2055, calibration="high")
    assert answer.size == pytest.approx(sizes["high"], abs=1e-6)
