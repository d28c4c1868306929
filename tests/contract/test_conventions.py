"""Every output a user sees follows the same conventions: fiscal years, money in $ billions,
rates in percent, units in column names and labels, and one wording for one thing (a milestone
not reached within the run is 'not by FY2055' everywhere, as in ``snowball run``'s headline)."""

import re

import pandas as pd
import pytest

from runners.analysis import compare
from runners.cli import main
from runners.core.paths import REPO
from runners.projection import run
from runners.projection.milestones import milestone_label
from runners.scenario.scenarios import load_scenario


@pytest.fixture(scope="module")
def reform_and_baseline(baseline_result):
    """fiscal-reform and the baseline to FY2055: the baseline passes 20% of outlays in FY2041,
    the reform never does by FY2055; neither leaves 0-300% of GDP."""
    reform = run.run(load_scenario("fiscal-reform"), until=2055)
    return reform, baseline_result


def test_compare_words_a_milestone_never_reached_as_the_run_headline_does(reform_and_baseline):
    reform, base = reform_and_baseline
    assert base.milestones["interest_over_20pct_of_outlays"] == 2041
    assert reform.milestones["interest_over_20pct_of_outlays"] is None
    assert milestone_label(None, reform.results, reform.until) == "not by FY2055"  # the run's words
    text = compare.format_compare(compare.compare_table([base, reform]), base.until)
    rows = {line[:40].strip(): line[40:].split() for line in text.splitlines()[1:]}
    row = " ".join(rows["First year interest > 20% of outlays"])
    # baseline FY2041; fiscal-reform not by FY2055, so later by more than 2055 - 2041 = 14 years
    assert row == "FY2041 not by FY2055 > +14"
    assert " ".join(rows["First year debt > 300% of GDP"]) == "not by FY2055 not by FY2055 neither by FY2055"
    assert " ".join(rows["First year interest > Medicare"]) == "FY2028 FY2028 0"
    body = "\n".join(line[40:] for line in text.splitlines()[1:])  # the cells, not the header
    assert not re.search(r"(^|\s)-(\s|$)", body)  # no bare dash for 'never'
    assert "nan" not in body.lower()


def test_compare_bounds_a_difference_when_only_the_first_never_gets_there(reform_and_baseline):
    reform, base = reform_and_baseline
    text = compare.format_compare(compare.compare_table([reform, base]), base.until)
    row = next(line for line in text.splitlines() if line.startswith("First year interest > 20%"))
    # the baseline's FY2041 less a year after FY2055: earlier by more than 14 years
    assert row.split()[-6:] == ["not", "by", "FY2055", "FY2041", "<", "-14"]


def test_compare_command_prints_fiscal_years_and_never_a_dash(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "fiscal-reform", "--until", "2040", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    lines = {x[:40].strip(): " ".join(x[40:].split()) for x in text.splitlines()}
    # to FY2040 the baseline (FY2041) does not get there either
    assert lines["First year interest > 20% of outlays"] == "not by FY2040 not by FY2040 neither by FY2040"
    assert lines["First year interest > Medicare"] == "FY2028 FY2028 0"
    table = pd.read_csv(out / "compare.csv", index_col="metric")  # the file keeps numbers: empty = never
    assert pd.isna(table.at["First year interest > 20% of outlays", "fiscal-reform"])
    assert table.at["First year interest > Medicare", "baseline"] == 2028


def _doc(table: pd.DataFrame, titles: dict[str, str], until: int, take=None) -> dict:
    """A briefing document with the real headline table and no charts (runners.report.render renders it)."""
    return {
        "title": "t",
        "header": "h",
        "findings": "f",
        "summaries": [],
        "table": table,
        "until": until,
        "titles": titles,
        "take": take,
        "charts": [],
        "methods": "m",
        "loops": [],
        "source": "s",
    }


def test_briefing_headline_table_words_never_as_the_run_does(reform_and_baseline, tmp_path):
    from runners.report import brief
    from runners.report import render as publish

    reform, base = reform_and_baseline
    table = brief.headline_frame({"baseline": base, "fiscal-reform": reform})
    assert pd.isna(table.at["fiscal-reform", "first_year_interest_over_20pct_of_outlays"])
    header, rows = publish.headline_rows(table, {"baseline": "Baseline", "fiscal-reform": "Reform"}, 2055)
    cells = dict(zip(header, rows[1], strict=True))
    assert cells["Interest > 20% of outlays"] == "not by FY2055"  # as snowball run prints it
    assert dict(zip(header, rows[0], strict=True))["Interest > 20% of outlays"] == "FY2041"
    doc = _doc(table, {"baseline": "Baseline", "fiscal-reform": "Reform"}, 2055)
    md, page = publish.render_markdown(doc), publish.render_html(doc, tmp_path)
    for text in (md, page):
        assert "not by FY2055" in text
        assert "never" not in text and "nan" not in text.lower()
    cells = ["Reform", "114.1%", "124.9%", "$1,934bn", "4.3%", "4.34%", "FY2024 (actual)", "FY2028"]
    reform_row = "| " + " | ".join([*cells, "not by FY2055"]) + " |"
    assert reform_row in md


def test_what_it_would_take_out_of_reach_is_said_in_words(baseline):
    from runners.analysis.gap import what_it_would_take
    from runners.report import render as publish

    # debt/GDP from 100.6% (FY2026) to 40% by FY2027 would take far more than 15% of GDP a year
    take = what_it_would_take([baseline], by=2027, return_to=40)
    row = take.set_index("goal").loc["return to 40%"]
    assert pd.isna(row["adjustment_pct_gdp"]) and pd.isna(row["first_year_bn"])
    header, rows = publish.take_rows(take)
    cells = dict(zip(header, rows[1], strict=True))
    assert cells["Adjustment (% of GDP a year)"] == "out of reach"
    assert cells["In the first year ($bn)"] == "out of reach"  # was a bare '-'
    assert not any(c in ("-", "", "nan") for r in rows for c in r)


@pytest.fixture(scope="module")
def selloff_months():
    from runners.report import selloff_charts

    sale = run.run(load_scenario("japan-selloff"), until=2028, monthly=selloff_charts.SELLOFF_VARIABLES)
    base = run.run(load_scenario("baseline"), until=2028, monthly=selloff_charts.SELLOFF_VARIABLES)
    return selloff_charts.selloff_data(sale.monthly, base.monthly)


def test_selloff_chart_time_axis_is_in_fiscal_years_and_shades_the_sale_itself(selloff_months):
    from runners.report import selloff_charts, style

    data = selloff_months
    # japan-selloff sells $1.2tn over the 12 months of FY2026: 1 Oct 2025 (2025.75) to 1 Oct 2026
    assert selloff_charts.sale_span(data) == pytest.approx((2025.75, 2026.75))
    japan = data["Japan holdings"]  # monthly rows from 2025.75: row 12 is 1 Oct 2026
    assert data.index[12] == 2026.75
    assert japan.iloc[12] - japan.iloc[11] == pytest.approx(-100, abs=15)  # $1,200bn / 12, the last month
    assert abs(japan.iloc[13] - japan.iloc[12]) < 15  # sold: the baseline's growth only
    fig = style.draw(selloff_charts.plot_selloff, data, "Sale")
    for ax in fig.axes[:3]:
        (shade,) = [p for p in ax.patches if p.get_facecolor()[:3] != (1, 1, 1)]
        assert (shade.get_x(), shade.get_x() + shade.get_width()) == pytest.approx((2025.75, 2026.75))
        labels = [t.get_text() for t in ax.get_xticklabels(minor=True)]
        assert labels == ["FY2026", "FY2027", "FY2028"]  # the years shown whole, each at its middle
        assert [t.get_text() for t in ax.get_xticklabels()] == [""] * 4  # starts: 1 October
        assert list(ax.get_xticks()) == pytest.approx([2025.75, 2026.75, 2027.75, 2028.75])
    assert fig.axes[2].get_xlabel().startswith("Fiscal year")
    assert "Calendar" not in fig.axes[2].get_xlabel()


def test_selloff_sheet_names_each_rows_month_and_fiscal_year(selloff_months):
    from runners.report import selloff_charts

    table = selloff_charts.selloff_table(selloff_months)
    rows = table[["end_of_month", "fiscal_year"]].to_numpy().tolist()
    # 2025.75 is the initial state (30 Sep 2025, FY2025's end); 2026.75 the end of FY2026
    assert rows[0] == ["Sep 2025", 2025] and rows[1] == ["Oct 2025", 2026]
    assert rows[12] == ["Sep 2026", 2026] and rows[13] == ["Oct 2026", 2027]
    assert all(re.search(r"\((bp|\$)", c) for c in table.columns[2:])  # every value column states its unit


@pytest.mark.slow
def test_ranges_files_name_the_year_and_unit_of_every_column(tmp_path, capsys):
    # compare --until 2030 reports the sell-off's range in FY2030: the columns say so
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "japan-selloff", "--until", "2030", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    ranges = pd.read_csv(out / "ranges.csv", index_col="scenario")
    levels = ("central", "low", "high")
    assert list(ranges.columns) == [
        f"{var}_{level}"
        for var in ("ten_year_peak_bp", "debt_to_gdp_2030_pct", "net_interest_2030_bn")
        for level in levels
    ]
    row = ranges.loc["japan-selloff"]
    sale = run.run(load_scenario("japan-selloff"), until=2030).results.loc[2030]
    assert row["debt_to_gdp_2030_pct_central"] == pytest.approx(sale["debt_to_gdp"], abs=1e-6)
    assert row["net_interest_2030_bn_central"] == pytest.approx(sale["net_interest"], abs=1e-6)
    assert f"net interest FY2030 ${row['net_interest_2030_bn_central']:,.0f}bn (" in text


def test_backtest_chart_states_money_as_every_other_chart_does():
    from runners.analysis import backtest
    from runners.report import charts, style

    bt = backtest.backtest(2020, 2025)
    data = charts.backtest_data(bt.table)
    fig = style.draw(charts.plot_backtest, data, bt.start)
    ax = fig.axes[0]
    assert ax.get_ylabel() == r"Net interest, \$bn"  # '$bn' as in the validation and sell-off charts
    assert data.at[2025, "actual"] == pytest.approx(970, abs=1)  # FY2025 net interest, $bn (OMB)
    bars = [p.get_height() for p in ax.patches]
    assert bars == pytest.approx(data["actual"].tolist())  # drawn in $bn, not dollars or $tn


def test_decomposition_table_names_its_unit_beside_results_in_dollars(baseline_result):
    from runners.report import charts

    r = baseline_result.results
    table = charts.decomposition_table(r)
    assert all(c.endswith("_pp_of_gdp") for c in table.columns)
    # FY2027: primary deficit $779.5bn over GDP $33,315.2bn = 2.34 pp of GDP (results.csv: $bn)
    assert table.at[2027, "primary_deficit_pp_of_gdp"] == pytest.approx(
        r.at[2027, "primary_deficit"] / r.at[2027, "gdp"] * 100
    )
    assert table.at[2027, "primary_deficit_pp_of_gdp"] == pytest.approx(2.3397, abs=1e-4)
    assert r.at[2027, "primary_deficit"] == pytest.approx(779.488, abs=1e-3)
    # the change in debt/GDP: 102.079 - 100.608 = 1.471 pp
    assert table.at[2027, "change_pp_of_gdp"] == pytest.approx(
        r.at[2027, "debt_to_gdp"] - r.at[2026, "debt_to_gdp"]
    )


MONEY_NOT_IN_BILLIONS = re.compile(
    r"\$\s?[\d.,]+\s?(tn|trn|trillion|m|mn|million)\b|\btrillion\b", re.IGNORECASE
)


def test_scenario_and_sweep_titles_state_money_in_billions():
    """Titles name each scenario in every legend, table and headline: '$1,200bn', never '$1.2tn'."""
    from runners.scenario.scenarios import builtin_names
    from runners.sweep.spec import load_spec

    texts = {}
    for name in builtin_names():
        s = load_scenario(name)
        texts[name] = s.title + " " + s.description
    for name in ("monte-carlo", "rate-paths", "selloff-uncertainty", "sobol"):
        spec = load_spec(name)
        texts[f"sweep {name}"] = spec.title + " " + spec.description
    bad = {k: MONEY_NOT_IN_BILLIONS.findall(v) for k, v in texts.items() if MONEY_NOT_IN_BILLIONS.search(v)}
    assert not bad
    assert "Japan sells $1,200bn of Treasuries over 12 months" in texts["japan-selloff"]
    assert "$1,200bn and $700bn" in texts["japan-china-selloff"]
    assert load_scenario("japan-selloff").constants["japan sale amount"] == 1200  # what the title says, $bn


@pytest.mark.slow
def test_bond_command_states_the_price_unit(capsys):
    assert main(["bond", "--coupon", "4", "--years", "10", "--yield", "6"]) == 0
    out = capsys.readouterr().out.strip()
    # 20 semiannual coupons of $2 and $100 at 3% a half-year: 2 x 14.8775 + 100 / 1.806111 = 85.12
    assert out.startswith("price 85.12 ($ per $100 face; 85.122")
    assert out.endswith("face $100, 2 coupons a year")
    assert main(["bond", "--coupon", "3", "--years", "1", "--price", "90", "--frequency", "1"]) == 0
    # the seed's bond: ($3 + $100 - $90) / $90 = 14.4%
    assert capsys.readouterr().out.strip() == (
        "yield 14.4% (14.4444%) for a price of 90 ($ per $100 face): "
        "3% coupon, 1 year, face $100, 1 coupon a year"
    )


def test_sweep_printout_ranks_inputs_with_the_ranking_unit(tmp_path, capsys):
    out = tmp_path / "sw"
    assert main(["sweep", "monte-carlo", "--draws", "256", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    sens = pd.read_csv(out / "sensitivity.csv")
    first = sens.iloc[0]
    assert first["variable"] == "debt_to_gdp"
    # the swing: the median debt/GDP with the input in its top decile less that in its bottom, pp
    assert first["swing"] == pytest.approx(abs(first["high"] - first["low"]))
    head = f"Inputs ranked by swing (pp of GDP) for debt_to_gdp in FY{first['fiscal_year']}:"
    assert head in text
    assert f"1. {first['input']:<32} {first['swing']:.3f}" in text


def test_api_compare_keeps_numbers_and_marks_never_as_nan():
    from runners import api

    table = api.compare(["baseline", "fiscal-reform"], until=2055)
    row = table.loc["First year interest > 20% of outlays"]
    assert row["baseline"] == 2041 and pd.isna(row["fiscal-reform"])  # never by FY2055: NaN, not 0 or '-'
    assert pd.isna(row["fiscal-reform - baseline"])
    assert table.at["Net interest, $bn, FY2035", "baseline"] == pytest.approx(1996.27, abs=0.01)


@pytest.mark.slow
def test_gap_csv_gives_shares_and_probabilities_in_percent(tmp_path, capsys):
    # the printout says "50% ... of draws"; gap.csv said 0.5 and 0.9: the same numbers, in percent
    from runners.core.paths import data_dir

    mc = (data_dir() / "sweeps" / "monte-carlo.toml").read_text(encoding="utf-8")
    (tmp_path / "mc.toml").write_text(mc.replace("draws = 10000", "draws = 400"), encoding="utf-8")
    out = tmp_path / "gap"
    args = [
        "gap",
        "--target",
        "100",
        "--by",
        "2035",
        "--probability",
        "0.9",
        "--sweep",
        str(tmp_path / "mc.toml"),
    ]
    assert main([*args, "--workers", "1", "--out", str(out)]) == 0, capsys.readouterr().err
    text = capsys.readouterr().out
    table = pd.read_csv(out / "gap.csv", index_col="answer")
    assert {"revenue_share_pct", "probability_pct", "share_of_draws_met_pct"} <= set(table.columns)
    assert not {"revenue_share", "probability", "share_of_draws_met"} & set(table.columns)
    det = table.loc["deterministic"]
    prob = table.drop(index="deterministic").iloc[0]
    assert det["revenue_share_pct"] == 50  # half revenues, half spending (--instrument both)
    assert pd.isna(det["probability_pct"])
    assert prob["probability_pct"] == pytest.approx(90)
    # at least 90% of the 400 draws meet the goal at the answer (the ceil(0.9 x 400) = 360th smallest miss)
    assert 90 <= prob["share_of_draws_met_pct"] <= 100
    assert f"{prob['share_of_draws_met_pct']:.1f}% of 400 draws" in text


def test_rate_axes_are_worded_alike(baseline_result):
    """The average interest rate is '% a year' on every chart (it read '%' on the validation
    chart and 'Percent a year' on the rollover chart, '% a year' on r - g)."""
    from runners.report import charts, style

    r = baseline_result.results
    rollover = style.draw(charts.plot_rollover, charts.rollover_data(r), "Baseline")
    validation = style.draw(
        charts.plot_validation, charts.validation_data(r, baseline_result.inputs.cbo), "cbo-2026-02"
    )
    assert rollover.axes[0].get_ylabel() == "% a year"
    assert [a.get_ylabel() for a in validation.axes[:3]] == ["% of GDP", "$bn", "% a year"]
    line = validation.axes[2].get_lines()[0]  # the model's average rate, FY2026: 3.404% (docs/quality.md)
    assert line.get_ydata()[0] == pytest.approx(3.404, abs=5e-4)
    quality = (REPO / "docs" / "quality.md").read_text(encoding="utf-8")
    assert re.search(r"^\| 2026 \| .*? \| 3\.404% \| 3\.404% \| \+0\.000 \|$", quality, flags=re.M)


def test_columns_csv_says_how_each_column_is_reported_and_the_numbers_agree(tmp_path):
    # columns.csv named each column's unit but not whether it is a year-end stock, a fiscal-year
    # total or an average; the words now come from the registry's kinds, checked here against the
    # model's own monthly values (steps of 1/12 year; FY2027 runs from t = 2026 to t = 2027)
    import numpy as np

    from runners import api
    from runners.core.outputs import column_table

    table = column_table()
    assert table.at["debt_held_by_public", "reported"] == "at the fiscal-year end"
    assert table.at["net_interest", "reported"] == "fiscal-year total"
    assert table.at["ten_year_yield", "reported"] == "fiscal-year average"
    assert table.at["debt_to_gdp", "reported"] == "ratio of the columns in its definition"
    assert table.at["credit_rating", "reported"] == "at the fiscal-year end"
    assert table["reported"].notna().all()
    r = api.run("baseline", until=2030, monthly=["debt held by the public", "ten year yield", "net interest"])
    t, m, fy = r.monthly.index.to_numpy(), r.monthly, r.results.loc[2027]
    year = (t >= 2026 - 1e-9) & (t < 2027 - 1e-9)  # the 12 months of FY2027
    # stock: the value at the year's end, t = 2027
    assert fy["debt_held_by_public"] == pytest.approx(
        m["debt held by the public"].to_numpy()[np.isclose(t, 2027)][0]
    )
    # flow: the 12 monthly rates ($bn a year) times 1/12 year each
    assert fy["net_interest"] == pytest.approx(m["net interest"].to_numpy()[year].sum() / 12)
    # average: the mean of the 12 monthly values
    assert fy["ten_year_yield"] == pytest.approx(m["ten year yield"].to_numpy()[year].mean())
