"""The briefing pack: every file written, charts drawn from the right data with labels and units,
claims in titles and text checked against the run's own data, history-aware milestones, the
Monte Carlo, the figures' data (xlsx), the print PDF, the loop diagram derived from the model,
and byte-identical files on rerun. No expectation depends on the default vintage's numbers."""

import dataclasses
import hashlib
import io
import json
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
from conftest import BRIEF_SCENARIOS as SCENARIOS
from conftest import EPOCH, lines_through_legends
from matplotlib.colors import to_rgb
from matplotlib.patches import FancyArrowPatch, Rectangle

from runners.analysis import loops
from runners.core.errors import SnowballError
from runners.inputs.vintage import read_history
from runners.mdl import model
from runners.projection.headline import headline
from runners.projection.milestones import milestone_label, milestones
from runners.projection.run import run
from runners.report import (
    brief,
    brief_monte_carlo,
    brief_text,
    charts,
    loops_chart,
    selloff_charts,
    style,
    sweep_charts,
)
from runners.report import render as publish
from runners.report.brief import build_charts, default_scenarios, write_brief
from runners.scenario.scenarios import load_scenario

STEMS = [
    "debt_to_gdp",
    "budget",
    "spending",
    "net_interest",
    "interest_to_revenues",
    "r_minus_g",
    "change_from_baseline",
    "debt_structure",
    "rollover_lag",
    "selloff",
    "decomposition",
    "fan_monte_carlo",
    "fan_monte_carlo_drift",
    "tornado_monte_carlo",
    "validation",
    "feedback_loops",
    "fan_selloff",
]


@pytest.fixture(scope="module")
def selloff_result():
    """The sale scenario with the monthly detail the sell-off chart draws."""
    return run(load_scenario("japan-selloff"), monthly=selloff_charts.SELLOFF_VARIABLES)


@pytest.fixture(scope="module")
def selloff_base(selloff_result):
    """The baseline of the sale's own vintage, monthly (the sell-off chart's reference)."""
    base = dataclasses.replace(load_scenario("baseline"), baseline=selloff_result.scenario.baseline)
    return run(base, monthly=selloff_charts.SELLOFF_VARIABLES)


@pytest.fixture(scope="module")
def selloff_frame(selloff_result, selloff_base):
    return selloff_charts.selloff_data(selloff_result.monthly, selloff_base.monthly)


@pytest.fixture(scope="module")
def uncertainty():
    """The calibrated Monte Carlo, as the brief runs it."""
    return brief.monte_carlo()


@pytest.fixture(scope="module")
def pack(briefing_pack):
    """The session's one briefing pack (conftest.briefing_pack): baseline and japan-selloff."""
    return briefing_pack


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _digest(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _png_size(path):
    head = path.read_bytes()[:24]
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _bars(collection):
    """The vertical segments of an error bar's LineCollection, as ((x, y_low), (x, y_high))."""
    from matplotlib.collections import LineCollection

    if not isinstance(collection, LineCollection):
        return []
    segments = [tuple(map(tuple, seg)) for seg in collection.get_segments()]
    return [tuple(sorted(seg, key=lambda p: p[1])) for seg in segments if seg[0][0] == seg[-1][0]]


def _lines(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def _title(fig):
    """The chart's title as one line (titles wrap)."""
    return fig._suptitle.get_text().replace("\n", " ")


def _texts(fig):
    return [_title(fig)] + [t.get_text().replace("\n", " ") for t in fig.texts]


def test_default_scenarios_are_the_sale_family():
    assert default_scenarios() == [
        "baseline",
        "japan-selloff",
        "japan-selloff-fed",
        "japan-gradual",
        "fiscal-reform",
    ]


# ------------------------------------------------------------------------------ the pack


@pytest.mark.slow
def test_pack_contents(pack):
    names = set(_digest(pack))
    for stem in STEMS:
        assert {f"charts/{stem}.png", f"charts/{stem}.svg", f"charts/{stem}.pdf"} <= names, stem
        width, _ = _png_size(pack / f"charts/{stem}.png")
        assert width == 1300  # 6.5 inches at 200 dpi
    assert {"briefing.html", "briefing.md", "briefing.pdf", "manifest.json", "tables/figures.xlsx"} <= names
    assert {"tables/headline.csv", "tables/loop_edges.csv", "tables/decomposition_baseline.csv"} <= names
    assert "tables/monte_carlo_probabilities.csv" in names
    # every chart the pack holds is described in the briefing page's table of the brief's charts
    from runners.core.paths import REPO

    text = (REPO / "docs" / "howto" / "briefing.md").read_text(encoding="utf-8")
    described = set(
        re.findall(r"`([a-z_]+)`", "\n".join(x for x in text.splitlines() if x.startswith("| `")))
    )
    assert {p.stem for p in (pack / "charts").glob("*.png")} <= described
    # sweeps in reports/sweeps/ enter only when named: none here
    assert not [n for n in names if re.match(r"charts/(fan|tornado)_(?!monte_carlo|selloff)", n)]
    table = pd.read_csv(pack / "tables/headline.csv", index_col="scenario")
    assert table.loc["japan-selloff", "debt_to_gdp_2035_pct"] > table.loc["baseline", "debt_to_gdp_2035_pct"]
    # the sell-off as a central value with the low-high range of the supply-effect calibrations
    ranges = pd.read_csv(pack / "tables/selloff_ranges.csv", index_col=0)
    row = ranges.loc["japan-selloff"]
    for var in ("ten_year_peak_bp", "debt_to_gdp_2035_pct", "net_interest_2035_bn"):
        assert row[f"{var}_low"] < row[f"{var}_central"] < row[f"{var}_high"]
    assert table.loc["japan-selloff", "debt_to_gdp_2035_pct"] == pytest.approx(
        row["debt_to_gdp_2035_pct_central"], abs=0.05
    )
    text = (pack / "briefing.md").read_text()
    assert (
        f"10-year peak +{row['ten_year_peak_bp_central']:.0f} bp ({row['ten_year_peak_bp_low']:.0f}-" in text
    )
    assert "supply-effect calibration: central" in text
    # what it would take (snowball gap): the baseline and the sell-off, each goal; a lower target
    # needs a larger adjustment
    take = pd.read_csv(pack / "tables/what_it_would_take.csv")
    assert set(take["scenario"]) == {"baseline", "japan-selloff"} and len(take) == 4
    for _, rows in take.groupby("scenario"):
        rows = rows.sort_values("target_pct_gdp")
        assert rows["adjustment_pct_gdp"].is_monotonic_decreasing and (rows["adjustment_pct_gdp"] > 0).all()
    assert "## What it would take" in text
    # named as everywhere else in the brief, with the level a goal holds debt at
    hold = take[take["goal"].str.startswith("hold")].set_index("scenario").loc["baseline"]
    assert (
        f"| Baseline (Snowball's replication of CBO current law) | "
        f"{hold['goal']} ({hold['target_pct_gdp']:.1f}% of GDP) by FY{hold['by']} | "
        f"{hold['debt_to_gdp_by_without']:.1f} |" in text
    )


def test_headline_peak_year_is_where_the_path_first_reaches_its_peak(baseline_result):
    """The baseline holds the 10-year flat after CBO's window: its peak is the year it gets there,
    as `snowball run` prints it, not the last year, where float noise puts it a hair higher
    (headline.csv said FY2055 while the run said FY2036)."""
    r = baseline_result.results
    row = brief.headline_frame({"baseline": baseline_result}).loc["baseline"]
    for col in ("bill_yield", "ten_year_yield", "thirty_year_yield"):
        year = row[f"peak_fy_average_{col}_fiscal_year"]
        assert r.at[year, col] == pytest.approx(r[col].max(), abs=1e-6)
        assert (r.loc[: year - 1, col] < r[col].max() - 1e-6).all(), col
    printed = dict(headline(baseline_result))["Peak 10-year yield (FY average)"]
    assert printed.endswith(f"(FY{row['peak_fy_average_ten_year_yield_fiscal_year']})")
    flat = r["ten_year_yield"].round(6)
    assert flat.loc[row["peak_fy_average_ten_year_yield_fiscal_year"] :].nunique() == 1
    # the rollover chart's title names the same year
    fig = style.draw(charts.plot_rollover, charts.rollover_data(r), "Baseline")
    assert f"in FY{row['peak_fy_average_ten_year_yield_fiscal_year']} (fiscal-year averages)" in _title(fig)


@pytest.mark.slow
def test_files_carry_no_dates_and_svg_text_stays_text(pack):
    for path in (pack / "charts").iterdir():
        data = path.read_bytes()
        assert b"CreationDate" not in data and b"ModDate" not in data, path.name
        if path.suffix == ".svg":
            assert b"<dc:date>" not in data
            assert b"<text" in data  # svg.fonttype none: searchable text, not paths
        if path.suffix == ".png":
            assert b"Software" not in data
    book = (pack / "briefing.pdf").read_bytes()
    assert b"CreationDate" not in book and b"ModDate" not in book


@pytest.mark.slow
def test_xlsx_has_one_sheet_per_chart_with_the_data_drawn(pack):
    from openpyxl import load_workbook

    wb = load_workbook(pack / "tables/figures.xlsx")
    assert wb.sheetnames[:3] == ["contents", "headline", "probabilities"]
    assert set(STEMS) <= set(wb.sheetnames)
    # the debt chart's sheet: title, then exactly debt_data (history and each scenario), then its
    # source (tests/report/test_figures_xlsx.py checks the layout)
    ws = wb["debt_to_gdp"]
    assert ws["A1"].value.startswith("Debt reaches")
    header = [c.value for c in ws[6]]
    debt = "Debt held by the public, {} (% of GDP)"
    sale = brief.short_title(load_scenario("japan-selloff"))
    assert header == ["Fiscal year", debt.format("actual"), debt.format("Baseline"), debt.format(sale)]
    data = charts.debt_data({"a": run(load_scenario("baseline")).results}, read_history())
    rows = list(ws.iter_rows(min_row=7, max_row=6 + len(data), values_only=True))
    assert ws.cell(row=7 + len(data), column=1).value is None
    assert ws.cell(row=9 + len(data), column=1).value.startswith("Source: CBO")
    last = rows[-1]
    assert last[0] == data.index[-1] and last[2] == pytest.approx(data["a"].iloc[-1])
    # fixed timestamps: the document's and every zip entry's
    with zipfile.ZipFile(pack / "tables/figures.xlsx") as z:
        core = z.read("docProps/core.xml").decode()
        assert "2000-01-01T00:00:00Z" in core
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.slow
def test_pdf_puts_two_charts_a_page_where_they_fit(pack):
    book = (pack / "briefing.pdf").read_bytes()
    pages = len(re.findall(rb"/Type /Page\b", book))
    assert pages < len(STEMS)  # charts share pages (a one-chart-a-page book would need more)
    # the pairing rule on charts of known heights: two 4-inch charts share, two 7.4-inch do not
    fake = [
        type("C", (), {"figure": type("F", (), {"get_size_inches": lambda s, h=h: (6.5, h)})()})()
        for h in (4, 4, 7.4, 7.4)
    ]
    assert [len(p) for p in publish._pair(fake, 11 - 2 * publish.MARGIN)] == [2, 1, 1]


@pytest.mark.slow
def test_manifest_records_provenance(pack, baseline_result):
    m = json.loads((pack / "manifest.json").read_text())
    assert list(m["scenarios"]) == SCENARIOS
    assert m["data_vintages"] == [baseline_result.inputs.vintage]
    assert m["model_sha256"] == model.model_hash()
    assert m["command"] == ["snowball", "brief"]
    for dep in ("pysd", "matplotlib", "numpy", "pandas", "xarray", "python", "snowball", "openpyxl"):
        assert m["versions"][dep]
    assert m["selloff_scenario"] == "japan-selloff"
    assert m["uncertainty"]["spec_file"] == "data/sweeps/monte-carlo.toml"
    assert m["files"]["tables/headline.csv"] == _digest(pack)["tables/headline.csv"]
    # every file's hash is the file's as it stands; the output marker, rewritten last with the list
    # of files it guards, is bookkeeping, not an output (its recorded hash was stale)
    unwritten = ("manifest.json", ".snowball-output")
    assert m["files"] == {k: v for k, v in _digest(pack).items() if k not in unwritten}


@pytest.mark.slow
def test_html_is_self_contained_dated_and_matches_markdown(pack):
    page = (pack / "briefing.html").read_text()
    md = (pack / "briefing.md").read_text()
    assert page.count("data:image/png;base64,") == len(STEMS)
    assert not re.search(r'src="(?!data:)', page)
    assert "@media print" in page
    title = brief.short_title(load_scenario("japan-selloff"))
    summaries = [line for line in md.splitlines() if line.startswith(f"**{title}.**")]
    assert len(summaries) == 1
    for number in re.findall(r"\d[\d,.]*%|\$[\d,]+bn|FY\d{4}", summaries[0]):
        assert number in page
    # a dated header naming the version, the vintage and the calibration
    header = md.splitlines()[2]
    assert header.startswith(f"*1 January 2026 · Snowball {brief.__version__} · baseline: ")
    assert "CBO, The Budget and Economic Outlook" in header and "monte-carlo.toml" in header
    # the units every number in the pack is in
    assert "years are federal fiscal years" in header and "dollars are nominal" in header
    # titles, not slugs, in the headings and summaries
    assert "japan-selloff" not in md.split("## Headline numbers")[0]
    assert "## Key findings" in md and "## Methods" in md
    # the list of loops follows the loop diagram, not whichever chart comes last
    after = md.split("charts/feedback_loops.png")[1].split("\n### ")[0]
    assert "Loops the model closes: R1 snowball (reinforcing)" in after
    assert md.count("Loops the model closes") == 1
    html = (pack / "briefing.html").read_text()
    assert "Loops the model closes" in html.split('alt="The feedback loops"')[1].split("<figure>")[0]


@pytest.mark.slow
def test_summaries_state_the_run_numbers(pack, baseline_result):
    md = (pack / "briefing.md").read_text()
    r = baseline_result.results
    line = next(
        x
        for x in md.splitlines()
        if x.startswith("**Baseline (Snowball's replication of CBO current law).**")
    )
    assert f"{r.at[2035, 'debt_to_gdp']:.0f}% of GDP in 2035" in line
    assert f"{r.at[2055, 'debt_to_gdp']:.0f}% of GDP in 2055" in line
    assert f"${r.at[2035, 'net_interest']:,.0f}bn in 2035" in line
    for phrase in brief_text.milestone_phrases(baseline_result):
        assert phrase in line
    # the scenario paragraph says what differs, against the baseline
    sale = run(load_scenario("japan-selloff"))
    title = brief.short_title(sale.scenario)
    other = next(x for x in md.splitlines() if x.startswith(f"**{title}.**"))
    diff = sale.results.at[2035, "debt_to_gdp"] - r.at[2035, "debt_to_gdp"]
    assert (
        f"{diff:+.1f} percentage points of GDP in 2035 ({sale.results.at[2035, 'debt_to_gdp']:.0f}% of GDP)"
        in other
    )
    assert "Debt held by the public reaches" not in other


@pytest.mark.slow
def test_key_findings_compare_scenarios_and_state_the_odds(pack, baseline_result):
    md = (pack / "briefing.md").read_text()
    findings = md.split("## Key findings")[1].split("##")[0]
    r = baseline_result.results
    assert f"{r.at[2035, 'debt_to_gdp']:.0f}% of GDP in 2035" in findings
    probs = pd.read_csv(pack / "tables/monte_carlo_probabilities.csv", index_col="fiscal_year")
    assert f"is {probs.at[2035, 'prob_debt_over_150pct_of_gdp_pct']:.0f}% in 2035" in findings
    assert f"{probs.at[2055, 'prob_debt_over_150pct_of_gdp_pct']:.0f}% in 2055" in findings


@pytest.mark.slow
def test_methods_note_takes_its_numbers_from_the_run(pack, baseline_result):
    md = (pack / "briefing.md").read_text()
    methods = md.split("## Methods")[1]
    v = charts.validation_data(baseline_result.results, baseline_result.inputs.cbo)
    last = int(v.index[-1])
    assert (
        f"{v.at[last, 'debt_to_gdp:model']:.1f}% in {last} against CBO's {v.at[last, 'debt_to_gdp:cbo']:.1f}%"
        in methods
    )
    assert "10,000 Monte Carlo draws" in methods


@pytest.mark.slow
def test_second_brief_is_byte_identical(pack, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    # one core: the sweeps and the charts' files all in this process (the pack used workers where
    # the machine has two cores or more)
    monkeypatch.setattr("os.cpu_count", lambda: 1)  # the os module brief and sweepspec read
    again = tmp_path / "briefing"
    write_brief(SCENARIOS, again, command=["snowball", "brief"], sweeps_dir=tmp_path / "none")
    assert _digest(again) == _digest(pack)


@pytest.mark.slow
def test_failed_brief_keeps_the_finished_one(pack, tmp_path):
    before = _digest(pack)
    with pytest.raises(SnowballError):
        write_brief(["baseline", "no-such-scenario"], pack, sweeps_dir=tmp_path)
    assert _digest(pack) == before
    assert [p.name for p in pack.parent.iterdir() if p.name.startswith(".")] == []


# ------------------------------------------------------------------------------ milestones


def test_milestone_spell_reaches_back_into_history():
    # history: FY2022 interest 90 < defense 100; FY2023 110 > 100 (actual crossing)
    # projection from FY2024: 120 > 105, so the spell in force began in FY2023
    history = pd.DataFrame(
        {"net_interest": [90.0, 110.0], "defense": [100.0, 100.0], "outlays": [1000.0, 1000.0]},
        index=[2022, 2023],
    )
    results = pd.DataFrame(
        {
            "net_interest": [120.0, 130.0],
            "defense": [105.0, 140.0],
            "medicare": [200.0, 125.0],
            "social_security": [300.0, 300.0],
            "net_interest_share_of_outlays": [12.0, 21.0],
            "debt_to_gdp": [100.0, 310.0],
            "gdp": [1000.0, 1050.0],
        },
        index=[2024, 2025],
    )
    m = milestones(results, history)
    assert m["interest_exceeds_defense"] == 2023  # since an actual year
    assert m["interest_exceeds_medicare"] == 2025  # not in force at the start: first projected year
    assert m["interest_exceeds_social_security"] is None
    assert m["interest_over_20pct_of_outlays"] == 2025
    assert m["debt_explodes"] == 2025
    assert milestone_label(2023, results) == "FY2023 (actual)"
    assert milestone_label(2025, results) == "FY2025"
    assert milestone_label(None, results, 2055) == "not by FY2055"


def test_baseline_milestones_use_the_actual_years(baseline_result):
    r, hist = baseline_result.results, read_history()
    first = int(r.index[0])
    m = baseline_result.milestones
    # recompute from the data: walk back from the first projected year while interest > defense
    past = hist[hist.index < first]
    ahead = r.at[first, "net_interest"] > r.at[first, "defense"]
    if ahead:
        year = first
        while year - 1 in past.index and pd.notna(past.at[year - 1, "defense"]):
            if not past.at[year - 1, "net_interest"] > float(past.at[year - 1, "defense"]):
                break
            year -= 1
        assert m["interest_exceeds_defense"] == year
    # FY2024: net interest $881bn vs defense $855bn (CBO, Jan 2025): an actual crossing
    assert hist.at[2024, "net_interest"] > float(hist.at[2024, "defense"])
    assert m["interest_exceeds_defense"] <= 2024
    assert milestone_label(m["interest_exceeds_defense"], r).endswith("(actual)")


# ------------------------------------------------------------------------------ chart data


def test_debt_chart_draws_history_and_projection(baseline_result):
    data = charts.debt_data({"Baseline": baseline_result.results}, read_history())
    assert data.index.min() == 1940 and data.index.max() == 2055
    assert data.at[1946, "history"] == pytest.approx(106.1, abs=0.1)
    fig = style.draw(charts.plot_debt, data)
    ax = fig.axes[0]
    proj = _lines(ax)["Baseline"]
    assert proj.get_xdata()[-1] == 2055
    assert proj.get_ydata()[-1] == pytest.approx(baseline_result.results.at[2055, "debt_to_gdp"])
    assert any(list(line.get_ydata()) == [charts.RECORD_1946] * 2 for line in ax.get_lines())
    assert ax.get_ylabel() == "Debt held by the public, % of GDP" and ax.get_xlabel() == "Fiscal year"
    last = baseline_result.results.at[2055, "debt_to_gdp"]
    assert _title(fig).startswith(f"Debt reaches {last:.0f}% of GDP by 2055")
    above = baseline_result.results["debt_to_gdp"].gt(charts.RECORD_1946)
    if above.any():
        assert f"passes the 1946 record in {int(above.idxmax())}" in " ".join(_texts(fig))
    assert any("1946 record: 106%" in t.get_text() for t in ax.texts)


def test_interest_record_is_computed_from_levels(baseline_result):
    hist = read_history()
    data = charts.interest_data({"Baseline": baseline_result.results}, hist)
    share = hist["net_interest"] / hist["gdp"] * 100
    assert data["net_interest_to_gdp"]["history"].idxmax() == share.idxmax()
    fig = style.draw(charts.plot_interest, data)
    gdp_ax, share_ax = fig.axes
    assert gdp_ax.get_ylabel() == "Net interest, % of GDP"
    assert share_ax.get_ylabel() == "Net interest, % of outlays"
    assert any(list(line.get_ydata()) == [20, 20] for line in share_ax.get_lines())
    sub = " ".join(_texts(fig))
    assert f"Highest actual: {share.max():.2f}% of GDP (FY{int(share.idxmax())})" in sub
    drawn = _lines(gdp_ax)["Baseline"]
    assert drawn.get_ydata()[-1] == pytest.approx(baseline_result.results.at[2055, "net_interest_to_gdp"])


def test_budget_chart_is_the_deficit_identity(baseline_result):
    data = charts.budget_data(baseline_result.results, read_history())
    proj = data.dropna(subset=["deficit:projection"])
    assert np.allclose(proj["outlays:projection"] - proj["revenues:projection"], proj["deficit:projection"])
    hist = data.dropna(subset=["deficit:history"])
    # OMB: the deficit is outlays less revenues (to rounding in Table 1.1)
    assert np.allclose(hist["outlays:history"] - hist["revenues:history"], hist["deficit:history"], atol=0.01)
    fig = style.draw(charts.plot_budget, data, "Baseline")
    last = int(proj.index[-1])
    assert f"reaches {proj.at[last, 'deficit:projection']:.1f}% of GDP in {last}" in _title(fig)
    assert all(a.get_ylabel() == "% of GDP" for a in fig.axes)


def test_spending_chart_marks_the_extension_and_states_the_milestones(baseline_result):
    r = baseline_result.results
    data = charts.spending_data(r, read_history())
    assert np.allclose(data["net_interest:projection"].dropna(), r["net_interest_to_gdp"])
    window_end = int(baseline_result.inputs.cbo.dropna(how="all").index.max())
    phrases = brief_text.milestone_phrases(baseline_result)[:2]
    fig = style.draw(charts.plot_spending, data, "Baseline", window_end, phrases)
    ax = fig.axes[0]
    lines = _lines(ax)
    colors = {lines[label].get_color() for label, *_ in charts.SPENDING.values()}
    assert len(colors) == len(charts.SPENDING)  # every line its own colour
    shaded = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert shaded and shaded[0].get_x() == pytest.approx(window_end + 0.5)
    note = " ".join(t.get_text().replace("\n", " ") for t in ax.texts)
    assert "Beyond CBO's 10-year window" in note
    # what the note says is held is held: each category's share of primary outlays (the lines,
    # % of GDP, still rise with primary outlays; "category shares held" read as shares of GDP)
    assert "share of primary outlays held" in note
    after = r.loc[window_end:]
    for col in ("social_security", "medicare", "medicaid", "defense", "nondefense"):
        share = after[col] / after["primary_outlays"]
        assert np.allclose(share, share.iloc[0], rtol=1e-9, atol=0), col
    assert after["medicare"].div(after["gdp"]).iloc[-1] > after["medicare"].div(after["gdp"]).iloc[0] * 1.02
    v = charts.validation_data(r, baseline_result.inputs.cbo)
    methods = brief.methods_text(baseline_result, None, v)
    assert f"share of primary outlays held at its FY{window_end} level" in methods
    assert _title(fig) == "Net interest " + "; ".join(phrases)
    # the dots are data/history's actual years: OMB's tables, CBO's categories (its source column)
    assert "Actual (OMB, CBO)" in ax.get_legend_handles_labels()[1] or any(
        t.get_text() == "Actual (OMB, CBO)" for leg in fig.legends for t in leg.get_texts()
    )
    sources = " ".join(read_history().loc[2020:, "source"])
    assert "OMB" in sources and "CBO" in sources


def test_r_minus_g_legend_clears_the_lines(baseline_result):
    # g's actual line (13% in FY1977-1981) ran through the legend's text at the top of the panel
    data = charts.r_g_data(baseline_result.results, read_history())
    fig = style.draw(charts.plot_r_g, data, "Baseline")
    assert fig.axes[0].get_legend() is not None
    assert lines_through_legends(fig) == []


def test_r_minus_g(baseline_result):
    r = baseline_result.results
    data = charts.r_g_data(r, read_history())
    proj = data.loc[r.index]
    assert np.allclose(proj["r:projection"], r["average_interest_rate"])
    assert np.allclose(proj["r_minus_g"], proj["r:projection"] - proj["g:projection"])
    # g in the first projected year is measured from the last actual GDP
    first = int(r.index[0])
    hist = read_history()
    if first - 1 in hist.index:
        expected = (r.at[first, "gdp"] / hist.at[first - 1, "gdp"] - 1) * 100
        assert proj.at[first, "g:projection"] == pytest.approx(expected)
    fig = style.draw(charts.plot_r_g, data, "Baseline")
    title = _title(fig)
    future = proj["r_minus_g"]
    # no knife-edge sign (test_chart_print checks the wording against a recomputed r - g)
    assert "turns positive" not in title and "snowball" not in title
    assert title == f"{charts.r_g_claim(future)} (Baseline)"


def test_change_from_baseline(baseline_result, selloff_result):
    runs = {"Baseline": baseline_result.results, "Sale": selloff_result.results}
    data = charts.change_data(runs)
    diff = selloff_result.results["debt_to_gdp"] - baseline_result.results["debt_to_gdp"]
    assert np.allclose(data["debt_to_gdp:Sale"], diff)
    fig = style.draw(charts.plot_change, data, "Baseline")
    assert np.allclose(_lines(fig.axes[0])["Sale"].get_ydata(), diff)
    assert _title(fig) == f"In 2035, debt/GDP is {diff.loc[2035]:+.1f} points of GDP from Baseline"
    assert "Sale less Baseline, pp of GDP." in " ".join(_texts(fig))
    # several scenarios: the range, and which is highest and lowest
    runs["Same"] = baseline_result.results
    fig = style.draw(charts.plot_change, charts.change_data(runs), "Baseline")
    assert (
        _title(fig) == f"In 2035, debt/GDP is {0:+.1f} to {diff.loc[2035]:+.1f} points of GDP from Baseline"
    )
    assert "Highest: Sale; lowest: Same." in " ".join(_texts(fig))


def test_debt_structure_shares_sum_to_one_hundred(selloff_result):
    hist = read_history()
    data = charts.structure_data(selloff_result.results, hist)
    shares = data[[c for c in data.columns if c.startswith("share:")]].dropna().sum(axis=1)
    assert np.allclose(shares, 100)
    # the actual bill share (MSPD, 30 September 2024): bills $6,004bn + FRNs $616bn of $28,307bn
    assert data.at[2024, "bill_share:history"] == pytest.approx(
        (6004.141 + 615.53) / 28307.312 * 100, abs=0.01
    )
    fig = style.draw(charts.plot_structure, data, "Sale")
    bills = data["bill_share"].dropna()
    assert f"Bills and FRNs stay at {bills.mean():.0f}% of the debt in every projected year" in " ".join(
        _texts(fig)
    )
    drawn = [line for line in fig.axes[0].get_lines() if line.get_label().startswith("_")]
    assert np.allclose(drawn[0].get_ydata(), hist["bill_share"].dropna())


def test_validation_chart_against_cbo(baseline_result):
    data = charts.validation_data(baseline_result.results, baseline_result.inputs.cbo)
    assert np.allclose(data["debt_to_gdp:gap"], data["debt_to_gdp:model"] - data["debt_to_gdp:cbo"])
    assert data.index[0] == baseline_result.results.index[0]
    fig = style.draw(charts.plot_validation, data, baseline_result.inputs.vintage)
    last = int(data.index[-1])
    title = _title(fig)
    assert f"{data.at[last, 'debt_to_gdp:model']:.1f}% vs {data.at[last, 'debt_to_gdp:cbo']:.1f}%" in title
    # the verdict in the title follows the largest gap
    tracks = data["debt_to_gdp:gap"].abs().max() <= charts.TRACKS_CBO
    assert title.startswith("The model tracks CBO" if tracks else "The model departs from CBO")


def test_rollover_chart(selloff_result):
    r = selloff_result.results
    fig = style.draw(charts.plot_rollover, charts.rollover_data(r), "Sale")
    lines = _lines(fig.axes[0])
    assert np.allclose(lines["Average interest rate on the debt"].get_ydata(), r["average_interest_rate"])
    assert np.allclose(lines["10-year note yield"].get_ydata(), r["ten_year_yield"])
    assert f"{r['ten_year_yield'].max():.1f}%" in _title(fig)


def test_selloff_chart_draws_gaps_from_the_baseline(selloff_result, selloff_base, selloff_frame):
    data = selloff_frame
    assert data.index[0] == pytest.approx(selloff_result.monthly.index[0] + 0.75)
    sale = data["official sales"] > 1e-9
    before = data.index < data.index[sale.argmax()] - 1e-9
    # before the sale the scenario is the baseline: every gap is zero, so CBO's calendar steps
    # (which both paths share) cannot show up as the sale's effect
    for var in selloff_charts.SELLOFF_YIELDS:
        assert np.allclose(data.loc[before, var], 0, atol=1e-9), var
    ten = selloff_result.monthly["ten year yield"] - selloff_base.monthly["ten year yield"]
    assert data["ten year yield"].max() == pytest.approx(ten.loc[: data.index[-1] - 0.75].max())
    fig = style.draw(selloff_charts.plot_selloff, data, "Sale")
    yields, prices, holders = fig.axes
    assert yields.get_ylabel() == "bp above baseline"
    assert holders.get_ylabel() == r"\$bn vs baseline"
    drawn = _lines(yields)["10-year"]
    assert max(drawn.get_ydata()) == pytest.approx(data["ten year yield"].max() * 100)
    title = _title(fig)
    assert f"{data['ten year yield'].max() * 100:.0f} bp above its baseline path (monthly peak" in title
    assert selloff_charts.month_label(float(data["ten year yield"].idxmax())) in title
    japan = _lines(holders)["Japan"]
    assert min(japan.get_ydata()) < -1000  # the seller's sale is visible against the baseline
    assert any(isinstance(p, Rectangle) for p in yields.patches)  # the sale window is shaded


def test_month_labels():
    # model time 2025 is 30 September 2025: calendar 2025.75 ends September
    assert selloff_charts.month_label(2025.75) == "Sep 2025"
    assert selloff_charts.month_label(2025.75 + 1 / 12) == "Oct 2025"
    assert selloff_charts.month_label(2026.0) == "Dec 2025"


@pytest.mark.slow
def test_sale_summary_labels_monthly_and_fiscal_year_peaks(pack, selloff_result, selloff_frame):
    md = (pack / "briefing.md").read_text()
    title = brief.short_title(selloff_result.scenario)
    line = next(x for x in md.splitlines() if x.startswith(f"**{title}.**"))
    facts = brief._selloff_facts(selloff_frame)
    assert (
        f"Monthly, the 10-year peaks {facts['peak_gap_bp']:.0f} bp above its baseline path in "
        f"{facts['peak_month']}" in line
    )
    gap = selloff_result.results["ten_year_yield"] - run(load_scenario("baseline")).results["ten_year_yield"]
    assert f"10-year yield (fiscal-year average) is up to {gap.max():.2f} pp higher" in line
    # the chart's title states the same monthly peak
    fig = style.draw(selloff_charts.plot_selloff, selloff_frame, title)
    assert f"{facts['peak_gap_bp']:.0f} bp" in _title(fig)


def test_decomposition_parts_sum_to_the_change(selloff_result):
    d = charts.decomposition_data(selloff_result.results)
    parts = d[["primary_deficit", "interest", "growth", "other_means_of_financing"]].sum(axis=1)
    assert np.allclose(parts, d["change"], atol=1e-9)
    assert d["residual"].abs().max() < 1e-9
    fig = style.draw(charts.plot_decomposition, {"A": d, "B": d * 2})
    a, b = fig.axes
    assert a.get_ylim() == b.get_ylim()  # one scale for every panel
    assert np.allclose(_lines(a)["Change in debt/GDP"].get_ydata(), d["change"])
    assert a.get_title(loc="left") == "A" and a.get_ylabel() == "pp of GDP"


# ------------------------------------------------------------------ uncertainty and sweeps


def test_exceedance_worked_example():
    # four draws of debt/GDP in 2035: 100, 160, 210 and one that blew up (not finite)
    values = np.array([[100.0], [160.0], [210.0], [np.nan]])
    p = brief_monte_carlo.exceedance(values, [2035], thresholds=(150.0, 200.0), horizons=(2035,))
    # above 150: 160, 210 and the blow-up = 3 of 4; above 200: 210 and the blow-up = 2 of 4
    assert p.loc[2035].tolist() == [75.0, 50.0]


@pytest.mark.slow
def test_monte_carlo_fan_chart_with_cbo_errors_and_odds(uncertainty):
    u = uncertainty
    assert u.n_runs == u.spec.draws and u.spec.method == "monte-carlo"
    assert list(u.probabilities.index) == [2035, 2055]
    lines = brief_monte_carlo.exceed_lines(u.probabilities)
    fig = sweep_charts.sweep_fan_figure(u.summary, u.base, u.spec, u.n_runs, u.calibration, lines)
    ax = fig.axes[0]
    data = sweep_charts.fan_data(u.summary, "debt_to_gdp", u.base)
    assert np.allclose(_lines(ax)["Median"].get_ydata(), data["p50"])
    assert "CBO's own 10th\u201390th error range" in _lines(ax)
    # each CBO range stands on the base path at its own fiscal year (it stood half a year late),
    # centred there, as tall as CBO's 10th-90th spread
    errors = u.calibration[u.calibration["statistic"] == "p10_to_p90"]
    bars = [seg for c in ax.collections for seg in _bars(c)]
    assert len(errors) == len(bars) == 2
    for (_, r), ((x0, y0), (x1, y1)) in zip(errors.iterrows(), sorted(bars), strict=True):
        year = int(r["fiscal_year"])
        assert x0 == x1 == year
        assert (y0 + y1) / 2 == pytest.approx(data.at[year, "base"])
        assert y1 - y0 == pytest.approx(r["cbo"])
    texts = " ".join(_texts(fig))
    for line in lines:
        assert line in texts
    p150 = u.probabilities.at[2055, "prob_debt_over_150pct_of_gdp_pct"]
    assert f"{p150:.0f}% in 2055" in texts
    # the bands are labelled as percentiles of draws, a distribution
    assert "of the design" not in " ".join(ax.get_legend_handles_labels()[1] if ax.get_legend() else [])
    assert _title(fig).startswith("Debt held by the public in 2055: 90% of draws")


def test_tornado_charts_at_the_headline_horizons_with_readable_labels(uncertainty):
    u = uncertainty
    labels = sweep_charts.input_labels(u.spec)
    assert labels["rates.shift"] == "Lasting shift in bill and 10-year yields (pp)"
    assert labels["growth.size"] == "Shock to productivity growth, first year (pp; half-life 3 y)"
    fig = sweep_charts.sweep_tornado_figure(u.sensitivity, u.summary, u.spec, years=[2035, 2055])
    left, right = fig.axes
    assert [left.get_title(loc="left"), right.get_title(loc="left")] == ["FY2035", "FY2055"]
    # one axis label under both panels (one per panel overlapped its neighbour's)
    assert [left.get_xlabel(), right.get_xlabel()] == ["", ""]
    assert [t.get_text() for t in fig.texts].count("From the median, pp of GDP") == 1
    ticks = [t.get_text().replace("\n", " ") for t in left.get_yticklabels()]
    assert set(ticks) == set(labels.values())
    for y, ax in ((2035, left), (2055, right)):
        s = u.sensitivity[(u.sensitivity["fiscal_year"] == y)]
        top = s.loc[s["swing"].idxmax(), "input"]
        assert ax.patches  # bars drawn
        assert labels[top] == sweep_charts.tornado_data(u.sensitivity, "debt_to_gdp", y, labels).index[-1]


def test_every_tornado_bar_sits_beside_its_own_input_label(uncertainty):
    """Only the first panel carries input labels: a later panel ranked in its own order drew its
    bars beside other inputs' labels (FY2055's yield-shift bar sat on the primary-outlays row)."""
    u = uncertainty
    labels = sweep_charts.input_labels(u.spec)
    fig = sweep_charts.sweep_tornado_figure(u.sensitivity, u.summary, u.spec, years=[2035, 2055])
    left = fig.axes[0]
    ticks = {
        round(y): t.get_text().replace("\n", " ")
        for y, t in zip(left.get_yticks(), left.get_yticklabels(), strict=True)
    }
    for year, ax in zip((2035, 2055), fig.axes, strict=True):
        frame = sweep_charts.sweep_tornado_data(u.sensitivity, u.summary, u.spec, [year])[year]
        bars = [p for p in ax.patches if isinstance(p, Rectangle)]
        assert len(bars) == 2 * len(frame)
        for bar in bars:
            name = ticks[round(bar.get_y() + bar.get_height() / 2)]
            drawn = bar.get_x() + bar.get_width()  # the bar's end away from zero
            top = tuple(bar.get_facecolor()[:3]) == to_rgb(style.SERIES[0])  # the top decile's colour
            want = frame.loc[name, "high"] if top else frame.loc[name, "low"]
            assert drawn == pytest.approx(want) or bar.get_x() == pytest.approx(want), (year, name)
    # the title names each year's largest swing, from that year's own ranking
    for year in (2035, 2055):
        s = u.sensitivity[u.sensitivity["fiscal_year"] == year]
        top = labels[s.loc[s["swing"].idxmax(), "input"]].split(" (")[0].lower()
        assert f"FY{year}: {top}" in _title(fig)


def _pixel(rgba, fig, x, y):
    """The rendered colour (RGB, 0-255) at display point (x, y) of a drawn figure."""
    row = int(round(fig.bbox.height - y))
    return rgba[row, int(round(x)), :3].astype(int)


@pytest.mark.parametrize("probability", [True, False])
def test_fan_legend_swatches_are_the_colours_the_bands_show(uncertainty, probability):
    """Each percentile band's legend swatch is the colour a reader sees in that band. The bands
    are drawn nested with transparency, so the 10th-90th band shows through the 5th-95th one:
    over white, 0.18 then 0.3 of the blue give 1 - 0.82 x 0.7 = 0.43 of it, where the swatch
    showed 0.3 alone (it matched the 25th-75th swatch's shade far better than its own band)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    u = uncertainty
    data = sweep_charts.fan_data(u.summary, "debt_to_gdp", u.base)
    fig = style.draw(
        sweep_charts.plot_fan, data, "Debt held by the public", "% of GDP", "note", probability=probability
    )
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    ax, legend = fig.axes[0], fig.legends[0]
    swatches = {
        t.get_text().replace("\n", " ").split(" percentile")[0]: h
        for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
        if "percentile" in t.get_text().replace("\n", " ")
    }
    assert list(swatches) == ["5th\u201395th", "10th\u201390th", "25th\u201375th"]
    year = int(data.index.max()) - 1  # the bands are widest at the end; no CBO error bar there
    # a point inside each band and outside the next one in: between its lower edge and the next
    edges = {
        "5th\u201395th": ("p5", "p10"),
        "10th\u201390th": ("p10", "p25"),
        "25th\u201375th": ("p25", "p50"),
    }
    for name, handle in swatches.items():
        lo, inner = edges[name]
        # the commonest colour at five heights across the band (a grid line may cross one)
        heights = data.at[year, lo] + (data.at[year, inner] - data.at[year, lo]) * np.linspace(0.2, 0.8, 5)
        seen = [tuple(_pixel(rgba, fig, *ax.transData.transform((year, y)))) for y in heights]
        shown = np.array(max(seen, key=seen.count))
        box = handle.get_window_extent(canvas.get_renderer())
        swatch = _pixel(rgba, fig, box.x0 + box.width / 2, box.y0 + box.height / 2)
        assert np.abs(shown - swatch).max() <= 3, (name, shown, swatch)


def test_the_median_shows_where_it_lies_under_the_base_path(uncertainty):
    """The Monte Carlo's median coincides with the base scenario (mean-zero shocks), and the blue
    median drawn under the dashed base line vanished into the blue 25th-75th band beside it. It is
    now edged in white (1.7 pt from its centre, past its own 1.0 pt and the base line's 0.6 pt):
    across the line, within 2.5 pt on each side, a reader sees white between line and band."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    u = uncertainty
    data = sweep_charts.fan_data(u.summary, "debt_to_gdp", u.base)
    year = int(data.index.max()) - 1
    assert abs(data.at[year, "p50"] - data.at[year, "base"]) < 1.0  # they coincide (pp of GDP)
    fig = style.draw(sweep_charts.plot_fan, data, "Debt held by the public", "% of GDP", "note")
    fig.set_dpi(style.PNG_DPI)  # as fan.png is written
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    ax = fig.axes[0]
    x, y = ax.transData.transform((year, data.at[year, "p50"]))
    before, after = (ax.transData.transform((t, data.at[t, "p50"])) for t in (year - 1, year + 1))
    normal = np.array([before[1] - after[1], after[0] - before[0]])  # across the line, unit length
    normal /= np.hypot(*normal)
    steps = np.arange(0.5, 2.5, 0.1) / 72 * fig.dpi  # 0.5 to 2.5 pt out, in pixels
    for side in (+1, -1):  # above and below: a white edge between the line and the band
        seen = [_pixel(rgba, fig, *(np.array([x, y]) + side * d * normal)) for d in steps]
        assert any((c >= 235).all() for c in seen), (side, seen)


def test_design_sweeps_are_drawn_as_sensitivity_not_probability(uncertainty):
    u = uncertainty
    data = sweep_charts.fan_data(u.summary, "debt_to_gdp")
    fig = style.draw(
        sweep_charts.plot_fan, data, "Debt held by the public", "% of GDP", "Sobol", probability=False
    )
    assert _title(fig).startswith("Sensitivity, not probability")
    labels = fig.legends[0].get_texts()
    assert all("design" in t.get_text() for t in labels if "percentile" in t.get_text())
    # the note names the design in words, not by its spec id ("latin-hypercube")
    for method, name in (("latin-hypercube", "Latin hypercube"), ("sobol", "Sobol"), ("grid", "grid")):
        fig = sweep_charts.sweep_fan_figure(
            u.summary, u.base, dataclasses.replace(u.spec, method=method), 100
        )
        assert f"100 runs of a {name} design (not a probability)" in " ".join(_texts(fig))


SOBOL = """
title = "Sobol test: rates and growth"
method = "sobol"
draws = 8
seed = 1
until = 2040
[inputs."yield shift"]
distribution = "uniform"
low = 0
high = 2
[inputs."growth shift"]
distribution = "uniform"
low = -0.5
high = 0.5
[keep]
variables = ["debt_to_gdp"]
years = [2040]
[sensitivity]
variables = ["debt_to_gdp"]
years = [2040]
"""


def test_sweeps_enter_only_when_named(tmp_path):
    from runners.sweep import runner as sweep
    from runners.sweep import spec as sweepspec

    spec_file = tmp_path / "sob.toml"
    spec_file.write_text(SOBOL)
    sweeps_dir = tmp_path / "sweeps"
    sweep.run_sweep(sweepspec.parse_spec(spec_file), out=sweeps_dir / "sob", workers=1, show_progress=False)
    charts_ = brief.sweep_charts(brief.find_sweeps(sweeps_dir, ["sob"]), style.SOURCE)
    stems = [c.stem for c in charts_]
    assert stems == ["fan_sob", "tornado_sob"]
    fan = charts_[0].figure
    assert _title(fan).startswith("Sensitivity, not probability")
    tornado = charts_[1].figure
    ticks = {t.get_text().replace("\n", " ") for t in tornado.axes[0].get_yticklabels()}
    units = {n: model.parameters()[n].units for n in ("yield shift", "growth shift")}
    assert ticks == {f"Yield shift ({units['yield shift']})", f"Growth shift ({units['growth shift']})"}
    with pytest.raises(SnowballError, match="no sweep results 'nope'.*available: sob"):
        brief.find_sweeps(sweeps_dir, ["nope"])
    assert brief.find_sweeps(sweeps_dir, []) == {}


# ------------------------------------------------------------------------- every chart


def _drawn_texts(fig):
    """Texts the renderer draws: figure and axes texts, titles, labels, legends, and the tick
    labels inside the axis limits (matplotlib keeps hidden ones off the limits)."""
    out = list(fig.texts) + [fig._suptitle] + [t for leg in fig.legends for t in leg.get_texts()]
    for ax in fig.axes:
        out += ax.texts + [ax.title, ax._left_title, ax.xaxis.label, ax.yaxis.label]
        if ax.get_legend():
            out += ax.get_legend().get_texts()
        for axis, (lo, hi) in ((ax.xaxis, sorted(ax.get_xlim())), (ax.yaxis, sorted(ax.get_ylim()))):
            for loc, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=False):
                if ax.axison and lo <= loc <= hi and label.get_visible():
                    out.append(label)
    return [t for t in out if t is not None and t.get_visible() and t.get_text().strip()]


@pytest.mark.slow
def test_every_label_fits_and_titles_not_slugs(baseline_result, selloff_result, selloff_frame, uncertainty):
    # all the default scenarios, so the longest titles and legends are checked
    names = default_scenarios()
    results = {"baseline": baseline_result, "japan-selloff": selloff_result}
    results |= {n: run(load_scenario(n)) for n in names if n not in results}
    titles = {n: brief.short_title(load_scenario(n)) for n in names}
    spread = brief.monte_carlo(brief.SELLOFF_SPREAD)
    built = build_charts(
        {n: results[n] for n in names},
        (selloff_result, selloff_frame),
        read_history(),
        titles,
        uncertainty,
        spread=spread,
        drift=brief.monte_carlo(brief.MONTE_CARLO_DRIFT, drift=True),
    )
    assert [c.stem for c in built] == STEMS
    for chart in built:
        fig = chart.figure
        assert lines_through_legends(fig) == [], chart.stem  # a legend inside the axes clears the data
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        box = fig.bbox
        for t in _drawn_texts(fig):
            ext = t.get_window_extent(renderer)
            assert ext.x0 >= box.x0 - 1 and ext.x1 <= box.x1 + 1, (chart.stem, t.get_text())
            assert ext.y0 >= box.y0 - 1 and ext.y1 <= box.y1 + 1, (chart.stem, t.get_text())
            for slug in names[1:]:
                assert slug not in t.get_text(), (chart.stem, t.get_text())
        own = [fig._suptitle] + [t for t in fig.texts if t is not fig._suptitle]
        figure_texts = [t.get_window_extent(renderer) for t in own if t is not None and t.get_text()]
        for i, a in enumerate(figure_texts):
            for b in figure_texts[i + 1 :]:
                assert not a.overlaps(b), chart.stem
        # the axes (with their panel titles) sit below the header
        if fig.texts and len(fig.texts) > 1:
            header_bottom = min(t.get_window_extent(renderer).y0 for t in own[:2])
            for ax in fig.axes:
                if ax.get_visible() and ax.axison:
                    assert ax.get_window_extent(renderer).y1 <= header_bottom + 1, chart.stem


# ----------------------------------------------------------------------------- loop diagram


def test_loop_edges_come_from_the_model():
    edges = loops.model_edges()
    for edge in [
        ("net_interest", "deficit"),
        ("deficit", "gross_issuance"),
        ("total_premium", "ten_year_yield"),
        ("dollar_index", "vicious_cycle_sales"),
        ("fed_purchases", "fed_extra_holdings"),
        ("debt_to_gdp", "fiscal_adjustment"),
        ("policy_rate_gap", "ten_year_yield"),
        ("debt_to_gdp", "rating_notch"),
        ("private_investment_change", "growth_drag"),
    ]:
        assert edge in edges
    # no direct equation links these: the path runs through other key variables
    assert ("official_sales", "ten_year_yield") not in edges
    assert ("fiscal_adjustment", "gross_issuance") not in edges
    codes = [loop.code for loop in loops.closed_loops(edges)]
    assert sorted(codes) == ["B1", "B2", "B3", "R1", "R2", "R3", "R4", "R5", "R6"]


def test_loop_polarities_are_measured_and_match_their_kind():
    signs = loops.model_signs()
    # a few links read straight off the equations: a larger fiscal adjustment cuts the deficit;
    # interest adds to it; Fed holdings lower the QE term (more negative); a higher yield premium
    # lowers private investment
    assert signs[("fiscal_adjustment", "deficit")] == -1
    assert signs[("net_interest", "deficit")] == 1
    assert signs[("fed_extra_holdings", "qe_effect")] == -1
    assert signs[("ten_year_yield", "private_investment_change")] == -1
    for loop in loops.LOOPS:
        assert all(signs[e] for e in loops.loop_edges(loop)), loop.code  # every arrow signed
        assert loops.loop_polarity(loop, signs) == (1 if loop.kind == "reinforcing" else -1), loop.code


def _without(deps, var, dropped):
    copy = {k: (dict(v) if isinstance(v, dict) else v) for k, v in deps.items()}
    copy[var] = {k: n for k, n in copy[var].items() if k != dropped}
    return copy


def test_edges_follow_the_structure():
    deps = model.load_model()._dependencies
    assert ("vicious_cycle_sales", "japan_sales") in loops.key_edges(deps)
    cut = _without(deps, "japan_sales", "vicious_cycle_sales")
    edges = loops.key_edges(cut)
    assert ("vicious_cycle_sales", "japan_sales") not in edges
    assert "R3" not in [loop.code for loop in loops.closed_loops(edges)]
    added = {k: (dict(v) if isinstance(v, dict) else v) for k, v in deps.items()}
    added["indicated_fiscal_adjustment"] = dict(added["indicated_fiscal_adjustment"]) | {"dollar_index": 1}
    assert ("dollar_index", "fiscal_adjustment") in loops.key_edges(added)
    assert ("dollar_index", "fiscal_adjustment") not in loops.key_edges(deps)


def test_collapsing_intermediates():
    deps = {
        "a": {"b": 1},
        "b": {"c": 1, "time": 1},
        "c": {"_integ_c": 1},
        "_integ_c": {"initial": {"x": 1}, "step": {"a": 1}},
        "x": {},
    }
    assert loops.key_edges(deps, {"a", "c"}) == {("a", "c"), ("c", "a")}
    assert loops.key_edges(deps, {"a", "b", "c"}) == {("a", "c"), ("c", "b"), ("b", "a")}


def test_loop_diagram_draws_nine_loops_without_overlaps():
    data = loops.loop_data(loops.model_edges(), loops.model_signs())
    fig = style.draw(loops_chart.plot_loops, data)
    ax = fig.axes[0]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(data["edges"]) > 30
    labels = {t.get_text() for t in ax.texts}
    assert {
        "R1\nsnowball",
        "R4\nmonetary squeeze",
        "R5\ndowngrade spiral",
        "R6\nprivate crowding-out",
    } <= labels
    title = _title(fig)
    assert title.startswith("The model closes 9 named feedback loops: 6 reinforcing, 3 balancing")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t for t in ax.texts if t.get_bbox_patch() is not None]
    extents = [t.get_bbox_patch().get_window_extent(renderer) for t in boxes]
    for i, a in enumerate(extents):
        for j in range(i + 1, len(extents)):
            assert not a.overlaps(extents[j]), (boxes[i].get_text(), boxes[j].get_text())
    cut = loops.loop_data(
        loops.key_edges(_without(model.load_model()._dependencies, "japan_sales", "vicious_cycle_sales")),
        loops.model_signs(),
    )
    assert [loop.code for loop in cut["missing"]] == ["R3"]


def test_brief_cli_takes_named_sweeps(tmp_path, capsys):
    from runners import cli

    assert cli.main(["brief", "baseline", "--out", str(tmp_path / "b"), "--sweeps", "no-such-sweep"]) == 2
    err = capsys.readouterr().err
    assert "snowball: error: --sweeps: no sweep results 'no-such-sweep'" in err
    assert not (tmp_path / "b").exists()


def test_pdf_text_escapes_dollars():
    assert publish._plain("**$1,755bn** `x`") == r"\$1,755bn x"


def test_headline_rows_mark_actual_years():
    table = pd.DataFrame(
        {
            "first_year_interest_exceeds_defense": [2024],
            "first_year_interest_exceeds_defense_is_actual": [True],
            "first_year_interest_exceeds_medicare": [pd.NA],
        },
        index=pd.Index(["baseline"], name="scenario"),
    )
    header, rows = publish.headline_rows(table, {"baseline": "Baseline"}, until=2055)
    assert rows == [["Baseline", "FY2024 (actual)", "not by FY2055"]]
    assert header == ["Scenario", "Interest > defense", "Interest > Medicare (net)"]


@pytest.mark.slow
def test_pdf_pages_are_readable_text(pack):
    # the PDF carries the text as text (Type 42 fonts), with the title
    data = (pack / "briefing.pdf").read_bytes()
    assert b"/FontFile2" in data or b"/Subtype /TrueType" in data or b"/Type0" in data
    assert io.BytesIO(data).read(5) == b"%PDF-"


def test_source_note_names_the_vintage_dates():
    title = "CBO, The Budget and Economic Outlook: 2026 to 2036 (February 2026), extended (February 2026)"
    assert (
        style.source_note([title]) == "Source: CBO (February 2026), OMB, Treasury, TIC; Snowball projections."
    )


def test_sobol_tornado_keeps_its_intervals():
    sens = pd.DataFrame(
        {
            "variable": ["debt_to_gdp"] * 2,
            "fiscal_year": [2055] * 2,
            "input": ["yield shift", "growth shift"],
            "S1": [0.4, 0.2],
            "S1_conf": [0.05, 0.04],
            "ST": [0.6, 0.3],
            "ST_conf": [0.07, 0.03],
        }
    )
    data = sweep_charts.tornado_data(sens, "debt_to_gdp", 2055, {"yield shift": "Yield shift (pp)"})
    assert list(data.index) == ["growth shift", "Yield shift (pp)"]  # largest drawn on top
    assert data.loc["Yield shift (pp)", "st_conf"] == 0.07
    fig = style.draw(sweep_charts.plot_tornado, {2055: data}, "Sobol")
    assert _title(fig) == "Yield shift moves debt/GDP most in FY2055"


def test_tornado_title_names_each_years_top_input_once():
    # FY2030 and FY2035 led by the same input, FY2055 by another: the title named the first input
    # twice ("FY2030: growth shift; FY2035: growth shift; FY2055: yield shift"), three lines long
    labels = {"yield shift": "Yield shift (pp)", "growth shift": "Growth shift (pp)"}
    swings = {2030: (1.0, 3.0), 2035: (2.0, 4.0), 2055: (9.0, 5.0)}  # (yield, growth) swing
    data = {}
    for year, (yld, gro) in swings.items():
        sens = pd.DataFrame(
            {
                "variable": ["debt_to_gdp"] * 2,
                "fiscal_year": [year] * 2,
                "input": ["yield shift", "growth shift"],
                "low": [-yld / 2, -gro / 2],
                "high": [yld / 2, gro / 2],
                "swing": [yld, gro],
                "spearman": [0.5, 0.5],
            }
        )
        data[year] = sweep_charts.tornado_data(sens, "debt_to_gdp", year, labels, 0.0)
    fig = style.draw(sweep_charts.plot_tornado, data, "note")
    assert _title(fig) == "What moves debt/GDP most: FY2030 and FY2035: growth shift; FY2055: yield shift"


def test_interest_and_revenue_titles_follow_the_data(baseline_result):
    r, hist = baseline_result.results, read_history()
    fig = style.draw(charts.plot_interest, charts.interest_data({"Baseline": r}, hist))
    last = int(r.index[-1])
    assert (
        _title(fig)
        == f"Net interest reaches {r.at[last, 'net_interest_to_gdp']:.1f}% of GDP by {last} (Baseline)"
    )
    data = charts.revenue_share_data({"Baseline": r}, hist)
    share = hist["net_interest"] / hist["revenues"] * 100
    assert np.allclose(data["Baseline"].dropna(), r["net_interest_share_of_revenues"])
    fig = style.draw(charts.plot_revenue_share, data)
    assert _title(fig).startswith(
        f"Net interest takes {data['Baseline'].iloc[-1]:.0f}% of revenues by {last}"
    )
    above = data["Baseline"].dropna()
    above = above[above > share.max()]
    sub = " ".join(_texts(fig))
    if len(above):
        assert f"passes the FY{int(share.idxmax())} high in FY{int(above.index[0])}" in sub


def test_decomposition_title_states_the_last_year(baseline_result):
    d = charts.decomposition_data(baseline_result.results)
    fig = style.draw(charts.plot_decomposition, {"Baseline": d})
    last = int(d.index[-1])
    net = d.at[last, "interest"] + d.at[last, "growth"]  # net interest less growth's erosion
    primary = d.at[last, "primary_deficit"]
    word = "more than" if primary > net + 0.1 else "less than" if primary < net - 0.1 else "about as much as"
    assert _title(fig) == (
        f"In {last} (Baseline), the primary deficit adds {primary:.1f} pp of GDP to debt/GDP, {word} "
        f"net interest less growth ({net:+.1f} pp)"
    )
    assert f"Net interest {d.at[last, 'interest']:+.1f} pp" in " ".join(_texts(fig))


def test_short_horizon_text_uses_the_years_run(tmp_path):
    res = {n: run(load_scenario(n), until=2030) for n in ("baseline", "fiscal-reform")}
    titles = {n: brief.short_title(r.scenario) for n, r in res.items()}
    text = brief.key_findings(res, titles, None)
    assert f"reaches {res['baseline'].results.at[2030, 'debt_to_gdp']:.0f}% of GDP in 2030;" in text
    assert "2035" not in text and "2055" not in text
    para = brief.scenario_summary(res["fiscal-reform"], res["baseline"], "Fiscal reform", "Baseline")
    diff = (
        res["fiscal-reform"].results.at[2030, "debt_to_gdp"] - res["baseline"].results.at[2030, "debt_to_gdp"]
    )
    assert f"{diff:+.1f} percentage points of GDP in 2030" in para


@pytest.mark.slow
def test_brief_baseline_option_replaces_every_vintage(tmp_path):
    out = tmp_path / "b"
    write_brief(
        ["baseline", "fiscal-reform"], out, baseline="cbo-2025-01", uncertainty=False, sweeps_dir=tmp_path
    )
    m = json.loads((out / "manifest.json").read_text())
    assert m["data_vintages"] == ["cbo-2025-01"]
    assert {s["data_vintage"] for s in m["scenarios"].values()} == {"cbo-2025-01"}
    assert not (out / "charts/fan_monte_carlo.png").exists()  # uncertainty=False: no Monte Carlo


def test_dollar_signs_in_titles_are_not_math():
    # "Japan's $1.2tn sale ... Japan sells $1.2tn" was drawn as mathtext (italic, spaces lost)
    import matplotlib.pyplot as plt

    fig = plt.figure()
    style.title(fig, "Interest $1,968bn vs $2,246bn", "Japan's $1.2tn sale: on Japan sells $1.2tn")
    texts = [fig._suptitle, *fig.texts]
    for t in texts:
        shown, ismath = t._preprocess_math(t.get_text())
        assert not ismath and "$1" in shown.replace("\\$", "$")
    plt.close(fig)


# ------------------------------------------------- claims in titles and sentences (reader audit)


def test_odds_never_round_a_chance_to_zero_or_certainty():
    # 2 of 10,000 draws is 0.02%: "0%" would say it cannot happen
    assert [publish.odds(p) for p in (0, 0.02, 0.5, 0.6, 64.54, 99.7, 100)] == [
        "0%",
        "<1%",
        "<1%",  # 0.5 rounds to even: "0%"
        "1%",
        "65%",
        ">99%",
        "100%",
    ]
    probs = pd.DataFrame({"prob_debt_over_200pct_of_gdp_pct": [0.02, 30.42]}, index=[2035, 2055])
    assert brief_monte_carlo.exceed_lines(probs) == ["P(debt > 200% of GDP): <1% in 2035, 30% in 2055"]
    assert publish.probability_rows(probs)[1] == [["2035", "<1%"], ["2055", "30%"]]


@pytest.mark.slow
def test_key_findings_state_the_odds_as_the_table_does(pack):
    md = (pack / "briefing.md").read_text()
    findings = md.split("## Key findings")[1].split("##")[0]
    p = pd.read_csv(pack / "tables/monte_carlo_probabilities.csv", index_col="fiscal_year")
    col = "prob_debt_over_200pct_of_gdp_pct"
    assert f"200%: {publish.odds(p.at[2035, col])} and {publish.odds(p.at[2055, col])}." in findings
    # the spread across scenarios has its unit
    assert "percentage points of GDP from Baseline" in findings


def test_net_interest_difference_reads_as_higher_or_lower(baseline_result):
    reform = run(load_scenario("fiscal-reform"))
    para = brief.scenario_summary(reform, baseline_result, "Fiscal reform", "Baseline")
    r, b = reform.results, baseline_result.results
    dni = r.at[2035, "net_interest"] - b.at[2035, "net_interest"]
    assert dni < 0  # the rule lowers debt and so interest
    assert (
        f"Net interest is ${-dni:,.0f}bn lower in 2035 (${r.at[2035, 'net_interest']:,.0f}bn a year)." in para
    )
    assert "\u2212$" not in para and "-$" not in para  # never "net interest is -$61bn"


def test_net_interest_subtitle_names_every_scenario_tied_for_first(baseline_result):
    r = baseline_result.results
    data = charts.interest_data({"Baseline": r, "Copy": r}, read_history())
    fig = style.draw(charts.plot_interest, data)
    share = r["net_interest_share_of_outlays"]
    year = int(share[share > 20].index[0])
    sub = " ".join(_texts(fig))
    assert f"2 of 2 scenarios, first Baseline and Copy (FY{year})." in sub
    hist = read_history()
    record = (hist["net_interest"] / hist["gdp"] * 100).max()
    past = r["net_interest_to_gdp"][r["net_interest_to_gdp"] > record]
    assert f"Baseline passes it in FY{int(past.index[0])}." in sub
    three = charts.interest_data({"Baseline": r, "Copy": r, "Other": r}, read_history())
    sub = " ".join(_texts(style.draw(charts.plot_interest, three)))
    assert f"3 of 3 scenarios, first Baseline, Copy and Other (FY{year})." in sub


def test_r_minus_g_turns_positive_only_if_it_stays_positive(baseline_result):
    data = charts.r_g_data(baseline_result.results, read_history())
    proj = data.loc[baseline_result.results.index, "r_minus_g"]
    fig = style.draw(charts.plot_r_g, data, "Baseline")
    title, sub = _title(fig), " ".join(_texts(fig))
    if title.startswith("r \u2212 g is within"):
        a, b = (int(y) for y in re.search(r"FY(\d{4})\u2013(\d{4})", title).groups())
        assert (proj.loc[a:b].abs() < charts.R_G_EDGE).all() and (proj.loc[b + 1 :] > charts.R_G_EDGE).all()
    history = data.loc[data.index < proj.index[0], "r_minus_g"]
    assert (
        f"averages {proj.mean():+.1f} pp over the projection, against {history.mean():+.1f} pp since 1960"
        in sub
    )
    # a path that turns positive and back gets no "within 0.25 pp, then rises" either
    flips = data.copy()
    flips.loc[proj.index[0], "r_minus_g"] = -1.0
    flips.loc[proj.index[1], "r_minus_g"] = 1.0
    flips.loc[proj.index[2], "r_minus_g"] = -1.0
    back = flips.loc[proj.index, "r_minus_g"]
    fig = style.draw(charts.plot_r_g, flips, "Baseline")
    edge = charts.R_G_EDGE
    assert _title(fig) == (
        f"r \u2212 g exceeds +{edge:.2f} pp in {(back > edge).sum()} of {len(back)} projected years"
        " (Baseline)"
    )


@pytest.mark.slow
def test_net_interest_bound_against_cbo_is_rounded_up(baseline_result):
    v = charts.validation_data(baseline_result.results, baseline_result.inputs.cbo).copy()
    # a largest gap of 2.4%: "within 2%" would be false; 3% is the bound in whole percent
    v["net_interest:gap"] = v["net_interest:cbo"] * 0.01
    v.iloc[-1, v.columns.get_loc("net_interest:gap")] = v["net_interest:cbo"].iloc[-1] * -0.024
    fig = style.draw(charts.plot_validation, v, "test")
    assert "net interest within 3% of CBO's" in " ".join(_texts(fig))
    assert "net interest stays within 3% of CBO's every year" in brief.methods_text(baseline_result, None, v)


def test_selloff_subtitle_dates_the_sellers_shortfall(selloff_frame):
    fig = style.draw(selloff_charts.plot_selloff, selloff_frame, "Sale")
    seller = min(selloff_charts.SELLOFF_HOLDERS, key=lambda v: float(selloff_frame[v].min()))
    assert selloff_charts.SELLOFF_HOLDERS[seller] == "Japan"
    gap = selloff_frame[seller]
    sub = " ".join(_texts(fig)).replace("\\$", "$")  # matplotlib's escaped dollars
    assert (
        f"Japan holds ${-gap.min():,.0f}bn less than at baseline by "
        f"{selloff_charts.month_label(float(gap.idxmin()))}" in sub
    )
    price = selloff_frame["bond price 10y"]
    assert f"falls up to ${-price.min():.2f} per $100" in sub


def test_other_chart_claims_follow_the_data(baseline_result, selloff_result):
    hist = read_history()
    r, s = baseline_result.results, selloff_result.results
    # budget: the primary deficit in the last year
    data = charts.budget_data(r, hist)
    last = int(r.index[-1])
    fig = style.draw(charts.plot_budget, data, "Baseline")
    assert _title(fig).endswith(f"{data.at[last, 'primary_deficit:projection']:.1f}% before interest")
    # change from the baseline: which scenario is highest and lowest in 2035
    lower = s.copy()
    lower["debt_to_gdp"] = r["debt_to_gdp"] - 1
    fig = style.draw(
        charts.plot_change, charts.change_data({"Baseline": r, "Sale": s, "Low": lower}), "Baseline"
    )
    assert "Highest: Sale; lowest: Low." in " ".join(_texts(fig))
    assert f"is -1.0 to {s.at[2035, 'debt_to_gdp'] - r.at[2035, 'debt_to_gdp']:+.1f} points of GDP" in _title(
        fig
    )
    # rollover: the average rate in the 10-year's peak year
    fig = style.draw(charts.plot_rollover, charts.rollover_data(s), "Sale")
    peak = int(s["ten_year_yield"].idxmax())
    assert (
        f"{s.at[peak, 'average_interest_rate']:.1f}% vs {s['ten_year_yield'].max():.1f}% in FY{peak}"
        in _title(fig)
    )
    # structure: foreign holders' share at each end
    data = charts.structure_data(s, hist)
    fig = style.draw(charts.plot_structure, data, "Sale")
    held = data.dropna(subset=[f"share:{c}" for c in charts.HOLDERS])
    foreign = [f"share:{c}" for c in list(charts.HOLDERS)[:4]]
    first, end = int(held.index[0]), int(held.index[-1])
    f0, f1 = held.loc[first, foreign].sum(), held.loc[end, foreign].sum()
    said = (
        f"hold {f0:.0f}% of the debt in {first} and in {end}"
        if round(f0) == round(f1)
        else f"hold {f0:.0f}% of the debt in {first}, {f1:.0f}% in {end}"
    )
    assert _title(fig) == f"Sale: foreign holders {said}"


def test_structure_chart_starts_from_the_initial_holders(selloff_result):
    """The sale is over by the end of the first projected year: without the initial state the holders'
    panel and its title ("foreign holders 27% in 2026, 27% in 2055") hid it."""
    r, constants = selloff_result.results, selloff_result.inputs.constants
    data = charts.structure_data(r, read_history(), constants)
    start = int(r.index[0]) - 1
    shares = data[[f"share:{c}" for c in charts.HOLDERS]].dropna()
    assert shares.index[0] == start and np.allclose(shares.sum(axis=1), 100)
    # Japan at 30 September of the start year: its holdings over the debt, from the initial state
    japan = constants["initial japan holdings"] / constants["initial debt held by the public"] * 100
    assert shares.at[start, "share:holdings_japan"] == pytest.approx(japan)
    foreign = [f"share:{c}" for c in list(charts.HOLDERS)[:4]]
    f0, f1 = shares.loc[start, foreign].sum(), shares.loc[int(r.index[-1]), foreign].sum()
    assert f0 > f1 + 3  # Japan's $1.2tn is about 4% of the debt
    fig = style.draw(charts.plot_structure, data, "Sale")
    assert (
        f"foreign holders hold {f0:.0f}% of the debt in {start}, {f1:.0f}% in {int(r.index[-1])}"
        in _title(fig)
    )
    stack = fig.axes[-1].collections[0]  # Japan's band starts at the initial state
    assert stack.get_paths()[0].vertices[:, 0].min() == start


@pytest.mark.slow
def test_pdf_tables_fit_their_columns(pack):
    """The PDF's tables: no cell or header overlaps another (the goal column of "what it would
    take" ran over the scenario names, and headline headers over each other)."""
    import matplotlib.pyplot as plt

    class Pdf:  # collects the pages instead of writing them
        pages: list = []

        def savefig(self, fig):
            self.pages.append(fig)

    table = pd.read_csv(pack / "tables/headline.csv", index_col="scenario")
    take = pd.read_csv(pack / "tables/what_it_would_take.csv")
    titles = {n: brief.short_title(load_scenario(n)) for n in table.index}
    pages = publish._TextPages(Pdf(), style.STYLE)
    with plt.style.context(style.STYLE):
        for header, rows in (publish.headline_rows(table, titles), publish.take_rows(take, titles)):
            pages.table(header, rows)
        fig = pages.fig
        renderer = fig.canvas.get_renderer()
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in fig.texts if t.get_text()]
    assert len(boxes) > 60
    for i, (a, box) in enumerate(boxes):
        for b, other in boxes[i + 1 :]:
            assert not box.shrunk(0.98, 0.9).overlaps(other.shrunk(0.98, 0.9)), (a, b)
        assert box.x0 >= 0 and box.x1 <= fig.bbox.x1, a  # and stays on the page
    plt.close(fig)


@pytest.mark.slow
def test_every_chart_caption_states_its_units(pack):
    md = (pack / "briefing.md").read_text()
    captions = dict(re.findall(r"!\[[^\]]*\]\(charts/(\w+)\.png\)\n\n([^\n]+)", md))
    assert set(STEMS) <= set(captions)
    units = re.compile(
        r"% of GDP|% a year|percentage points|\$bn|\$ per \$100|\bbp\b|months|% of federal|share of"
    )
    for stem, caption in captions.items():
        if stem != "feedback_loops":  # a diagram: signs, not numbers
            assert units.search(caption), (stem, caption)


@pytest.mark.slow
def test_selloff_sheet_holds_the_units_drawn(pack, selloff_frame):
    from openpyxl import load_workbook

    ws = load_workbook(pack / "tables/figures.xlsx")["selloff"]
    header = [c.value for c in ws[6]]
    assert "10-year yield (bp vs baseline)" in header and "Japan holdings ($bn vs baseline)" in header
    col = header.index("10-year yield (bp vs baseline)")
    drawn = [row[col] for row in ws.iter_rows(min_row=7, values_only=True) if row[col] is not None]
    # the chart's peak in bp, as its title states it
    assert max(drawn) == pytest.approx(selloff_frame["ten year yield"].max() * 100)


def test_one_alternative_is_not_a_range():
    """`snowball brief combined-stress seed-14pct` said 'in 2035 the scenarios sit -14.0 to -14.0
    percentage points of GDP from Combined stress', and the change chart 'debt/GDP is -14.0 to
    -14.0 points ... Highest: The seed's 14.4%; lowest: The seed's 14.4%': with one alternative
    scenario the difference is one number, said once, with the scenario's name."""
    res = {n: run(load_scenario(n), until=2055) for n in ("baseline", "rates-up-200bp")}
    titles = {n: brief.short_title(r.scenario) for n, r in res.items()}
    diff = (
        res["rates-up-200bp"].results.at[2035, "debt_to_gdp"]
        - res["baseline"].results.at[2035, "debt_to_gdp"]
    )
    text = brief.key_findings(res, titles, None)
    assert f"{diff:+.1f} to {diff:+.1f}" not in text
    assert (
        f"in 2035 {titles['rates-up-200bp']} sits {diff:+.1f} percentage points of GDP from Baseline" in text
    )
    data = charts.change_data({titles[n]: r.results for n, r in res.items()})
    fig = style.draw(charts.plot_change, data, "Baseline")
    assert _title(fig) == f"In 2035, debt/GDP is {diff:+.1f} points of GDP from Baseline"
    assert "Highest" not in " ".join(_texts(fig))
    assert f"{titles['rates-up-200bp']} less Baseline" in " ".join(_texts(fig))


def test_yield_gap_is_dated_at_its_first_year():
    """A shift that is the same every year is dated at its first year: rates-up-200bp's +2 pp read
    'up to 2.00 pp higher than in Baseline (FY2037: 6.39%)', a year picked by rounding noise in
    the last digits (the gap is 2.00 pp from FY2026)."""
    base, shock = run(load_scenario("baseline")), run(load_scenario("rates-up-200bp"))
    gap = shock.results["ten_year_yield"] - base.results["ten_year_yield"]
    assert gap.max() - gap.min() < 1e-9  # 2 pp every year
    first = int(gap.index[0])
    para = brief.scenario_summary(shock, base, "Rates up", "Baseline")
    level = shock.results.at[first, "ten_year_yield"]
    assert (
        "10-year yield (fiscal-year average) is up to 2.00 pp higher than in Baseline "
        f"(FY{first}: {level:.2f}%)" in para
    )


def test_briefing_years_stop_at_the_briefings_last_year():
    # 2035 and 2055 where the briefing reaches them, and its last year where it stops short of 2055
    assert brief.briefing_years(2055) == [2035, 2055]
    assert brief.briefing_years(2100) == [2035, 2055]
    assert brief.briefing_years(2040) == [2035, 2040]
    assert brief.briefing_years(2035) == [2035]
    assert brief.briefing_years(2030) == [2030]


@pytest.mark.slow
def test_a_briefing_to_2040_reports_2040_not_2055(tmp_path):
    # `snowball brief --until 2040` reported the Monte Carlo's odds and "what it would take" for 2055
    out = tmp_path / "b"
    write_brief(["baseline"], out, until=2040, sweeps_dir=tmp_path / "none")
    probs = pd.read_csv(out / "tables/monte_carlo_probabilities.csv")
    assert list(probs["fiscal_year"]) == [2035, 2040]
    take = pd.read_csv(out / "tables/what_it_would_take.csv")
    results = pd.read_csv(out / "tables/results_baseline.csv", index_col="fiscal_year")
    assert set(take["by"]) == {2040}
    assert take["debt_to_gdp_by_without"].tolist() == pytest.approx([results.at[2040, "debt_to_gdp"]] * 2)
    headline = pd.read_csv(out / "tables/headline.csv")
    assert headline.at[0, "debt_to_gdp_2040_pct"] == pytest.approx(results.at[2040, "debt_to_gdp"])
    assert not [c for c in headline.columns if "2055" in c]
    md = (out / "briefing.md").read_text()
    assert "2055" not in md
    assert "| Debt/GDP 2035 | Debt/GDP 2040 | Interest 2035 |" in md


@pytest.mark.slow
def test_a_briefing_to_2033_draws_only_the_cbo_error_range_it_reaches(tmp_path):
    # the calibration's horizons are FY2031 and FY2036: a briefing to FY2033 crashed (KeyError
    # 2036) drawing the 10-year range outside its fan; now it draws the 5-year one and says so
    out = tmp_path / "b"
    write_brief(["baseline"], out, until=2033, sweeps_dir=tmp_path / "none")
    md = (out / "briefing.md").read_text()
    assert "with the width of CBO's historical 10th-90th error range at 5 years, centred" in md
    assert "with CBO's record: the 10th-90th percentile of its past errors at 5 years," in md
    assert list(pd.read_csv(out / "tables/monte_carlo_probabilities.csv")["fiscal_year"]) == [2033]
    # the methods note still states the calibration at both horizons (a property of the spec)
    assert "5 years out" in md and "10 years out" in md


@pytest.mark.slow
def test_a_briefing_beyond_2055_keeps_2055_as_its_last_headline_year(tmp_path):
    # to FY2060 the runs go on, but the odds and "what it would take" stay at FY2055
    out = tmp_path / "b"
    write_brief(["baseline"], out, until=2060, sweeps_dir=tmp_path / "none")
    assert list(pd.read_csv(out / "tables/monte_carlo_probabilities.csv")["fiscal_year"]) == [2035, 2055]
    assert set(pd.read_csv(out / "tables/what_it_would_take.csv")["by"]) == {2055}
    assert pd.read_csv(out / "tables/results_baseline.csv")["fiscal_year"].max() == 2060


@pytest.mark.slow
def test_probability_columns_name_their_unit(pack):
    # the columns held percent under names like p_debt_over_150pct, which read as a fraction
    probs = pd.read_csv(pack / "tables/monte_carlo_probabilities.csv", index_col="fiscal_year")
    assert list(probs.columns) == ["prob_debt_over_150pct_of_gdp_pct", "prob_debt_over_200pct_of_gdp_pct"]
    # percent of the 10,000 draws: 150% of GDP in 2055 is passed in well over 1% of them
    assert 1 < probs.at[2055, "prob_debt_over_150pct_of_gdp_pct"] <= 100


def test_a_malformed_source_date_epoch_is_refused_before_anything_runs(tmp_path, monkeypatch):
    # SOURCE_DATE_EPOCH=1.7e9 dated the brief today, silently: not what the user asked to reproduce
    for wrong in ("1.7e9", "yesterday", "-5", "99999999999999"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", wrong)
        with pytest.raises(
            SnowballError, match=f"SOURCE_DATE_EPOCH={re.escape(wrong)}: expected whole seconds"
        ):
            write_brief(["baseline"], tmp_path / "b", sweeps_dir=tmp_path)
        assert not (tmp_path / "b").exists()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert brief.brief_date() == "1 January 2026"


@pytest.mark.slow
def test_a_briefing_written_from_python_records_no_command(tmp_path):
    # it recorded ["snowball", "brief"], a command nobody ran (run.json records None from Python)
    out = tmp_path / "b"
    write_brief(["baseline"], out, until=2030, uncertainty=False, sweeps_dir=tmp_path / "none")
    assert json.loads((out / "manifest.json").read_text())["command"] is None


# ------------------------------------------------------------------ issue 25: wrong claims


@pytest.mark.slow
def test_what_it_would_take_solves_every_row_under_the_sell_offs_switches(pack):
    """Issue 25: the table solved the baseline with every market feedback off and the sell-off with
    three on, so Japan's sale seemed to need *less* consolidation than the baseline. Every row is
    now solved under the switches the sell-off scenario turns on (read here from its TOML), the
    note names them, and the sale needs more than the baseline for each goal."""
    import tomllib

    from runners.core.paths import data_dir

    raw = tomllib.loads((data_dir() / "scenarios/japan-selloff.toml").read_text())
    on = sorted(k for k, v in raw["constants"].items() if k.endswith(" switch") and v == 1)
    assert on  # the sell-off switches market feedbacks on
    take = pd.read_csv(pack / "tables/what_it_would_take.csv")
    by_goal = take.pivot(index="goal", columns="scenario", values="adjustment_pct_gdp")
    assert (by_goal["japan-selloff"] > by_goal["baseline"]).all(), by_goal
    md = (pack / "briefing.md").read_text()
    section = md.split("## What it would take", 1)[1].split("\n## ", 1)[0]
    names = [n.removesuffix(" switch") for n in on]
    assert f"the {', '.join(names[:-1])} and {names[-1]} switches" in section
    assert "rows differ only by the scenario" in section


def test_shared_switches_are_those_every_sell_off_turns_on():
    sale, fed = load_scenario("japan-selloff"), load_scenario("japan-selloff-fed")
    both = {k for k, v in sale.constants.items() if k.endswith(" switch") and v == 1} & {
        k for k, v in fed.constants.items() if k.endswith(" switch") and v == 1
    }
    assert set(brief.shared_switches([sale, fed])) == both and "fed response switch" not in both
    assert brief.shared_switches([]) == {}


@pytest.mark.slow
def test_what_it_would_take_holds_debt_at_cbos_published_fy2025_level(pack):
    """Issue 25: "hold at the FY2025 level (99.5% of GDP)"; CBO's figure is 99.4% (CBO, The Budget
    and Economic Outlook: 2026 to 2036, Feb 2026; data/baselines/cbo-2026-02/budget_projections.csv,
    debt_to_gdp for FY2025, which divides by the budget's FY2025 GDP, not the economic file's)."""
    from runners.core.paths import data_dir
    from runners.inputs.vintage import vintage_meta

    first = vintage_meta("cbo-2026-02")["first_year"]
    cbo = pd.read_csv(data_dir() / "baselines/cbo-2026-02/budget_projections.csv")
    ratio = cbo[(cbo["variable"] == "debt_to_gdp") & (cbo["fiscal_year"] == first)]["value"].item()
    take = pd.read_csv(pack / "tables/what_it_would_take.csv")
    hold = take[take["goal"] == f"hold at the FY{first} level"]
    assert list(hold["target_pct_gdp"]) == pytest.approx([ratio] * len(hold), abs=1e-9)
    md = (pack / "briefing.md").read_text()
    assert f"hold at the FY{first} level ({ratio:.1f}% of GDP)" in md
    assert "CBO's published debt/GDP for the last actual year" in md


def test_a_yield_gap_is_dated_at_its_largest_not_where_rounding_first_reaches_it():
    """Issue 25: the gradual sale's bill-yield gap was dated FY2033, the first year that *rounds*
    to its printed maximum (0.16 pp); it is largest in FY2035. The year printed is the year of the
    largest gap, and the value printed is that year's."""
    base, gradual = run(load_scenario("baseline")), run(load_scenario("japan-gradual"))
    gap = (gradual.results["bill_yield"] - base.results["bill_yield"]).abs()
    values = gap.to_numpy()
    year = int(gap.index[int(np.argmax(values))])
    assert (values[: int(np.argmax(values))] < values.max() - 1e-6).all()  # a strict, unique peak
    para = brief.scenario_summary(gradual, base, "Gradual", "Baseline")
    level = gradual.results.at[year, "bill_yield"]
    assert (
        f"3-month bill yield (fiscal-year average) is up to {values.max():.2f} pp higher than in "
        f"Baseline (FY{year}: {level:.2f}%)" in para
    ), para


@pytest.mark.slow
def test_medicare_crossing_is_cbos_and_names_its_measure(pack):
    """Issue 25: "net interest passes Medicare" named no measure. The crossing is CBO's own, in
    CBO's measure, Medicare net of offsetting receipts (data/baselines/cbo-2026-02: net interest in
    budget_projections.csv, Medicare (net) in outlays_by_category.csv), and the pack says '(net)'."""
    from runners.core.paths import data_dir

    folder = data_dir() / "baselines/cbo-2026-02"
    proj = pd.read_csv(folder / "budget_projections.csv")
    cats = pd.read_csv(folder / "outlays_by_category.csv")
    interest = proj[proj["variable"] == "net_interest"].set_index("fiscal_year")["value"]
    medicare = cats[cats["variable"] == "medicare"].set_index("fiscal_year")["value"]
    above = (interest - medicare).dropna() > 0
    year = int(above.index[above.to_numpy()][0])
    md = (pack / "briefing.md").read_text()
    baseline = next(
        x
        for x in md.splitlines()
        if x.startswith("**Baseline (Snowball's replication of CBO current law).**")
    )
    assert f"passes Medicare (net) in FY{year}" in baseline
    assert "| Interest > Medicare (net) |" in md
    assert not re.search(r"Medicare(?! \(net\))[^|]{0,3}in FY", md)
