"""The briefing pack: every file written, charts drawn from the right data with labels and units,
the causal-loop diagram derived from the model, and byte-identical files on rerun."""

import hashlib
import json
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import FancyArrowPatch, Rectangle

from runners import charts, loops, model
from runners.brief import build_charts, default_scenarios, write_brief
from runners.errors import SnowballError
from runners.inputs import read_history
from runners.run import run
from runners.scenario import load_scenario

SCENARIOS = ["baseline", "japan-selloff"]
STEMS = ["debt_to_gdp", "net_interest", "crowding_out", "rollover_lag", "selloff", "decomposition"]
STEMS += ["feedback_loops"]


@pytest.fixture(scope="module")
def selloff_result():
    """The sale scenario with the monthly detail the sell-off chart draws."""
    return run(load_scenario("japan-selloff"), monthly=charts.SELLOFF_VARIABLES)


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory, baseline_result):
    """A sweep folder in the sweep command's format, built from real runs (not invented numbers)."""
    runs = {n: run(load_scenario(n)).results for n in ("rates-up-200bp", "growth-down-1pt", "japan-gradual")}
    runs["baseline"] = baseline_result.results
    rows = []
    for var in ("debt_to_gdp", "net_interest_share_of_outlays"):
        frame = pd.DataFrame({n: r[var] for n, r in runs.items()})
        for year, values in frame.iterrows():
            row = {"fiscal_year": year, "variable": var, "unit": "%"}
            row |= {f"p{q}": float(np.percentile(values, q)) for q in (5, 10, 25, 50, 75, 90, 95)}
            rows.append(row)
    folder = tmp_path_factory.mktemp("sweeps") / "test-sweep"
    folder.mkdir()
    pd.DataFrame(rows).to_csv(folder / "summary.csv", index=False)
    base = baseline_result.results.at[2055, "debt_to_gdp"]
    sens = pd.DataFrame(
        [
            {"input": "yield shift", "variable": "debt_to_gdp", "fiscal_year": 2055, "low": 0.0,
             "high": runs["rates-up-200bp"].at[2055, "debt_to_gdp"] - base},
            {"input": "growth shift", "variable": "debt_to_gdp", "fiscal_year": 2055, "low": 0.0,
             "high": runs["growth-down-1pt"].at[2055, "debt_to_gdp"] - base},
        ]
    )  # fmt: skip
    sens.to_csv(folder / "sensitivity.csv", index=False)
    return folder.parent


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("brief") / "briefing"
    empty = tmp_path_factory.mktemp("no-sweeps")
    write_brief(SCENARIOS, out, command=["snowball", "brief"], sweeps_dir=empty)
    return out


def _digest(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _png_size(path):
    head = path.read_bytes()[:24]
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def test_default_scenarios_are_the_sale_family():
    assert default_scenarios() == [
        "baseline",
        "japan-selloff",
        "japan-selloff-fed",
        "japan-gradual",
        "fiscal-reform",
    ]


def test_pack_contents(pack):
    names = set(_digest(pack))
    for stem in STEMS:
        assert {f"charts/{stem}.png", f"charts/{stem}.svg", f"charts/{stem}.pdf"} <= names
        width, _ = _png_size(pack / f"charts/{stem}.png")
        assert width == 1300  # 6.5 inches at 200 dpi
    assert {"briefing.html", "briefing.md", "manifest.json", "charts/charts.pdf"} <= names
    assert {"tables/headline.csv", "tables/loop_edges.csv", "tables/decomposition_baseline.csv"} <= names
    assert not any(n.startswith(("charts/fan_", "charts/tornado_")) for n in names)
    table = pd.read_csv(pack / "tables/headline.csv", index_col="scenario")
    assert table.loc["japan-selloff", "debt_to_gdp_2035_pct"] > table.loc["baseline", "debt_to_gdp_2035_pct"]
    book = (pack / "charts/charts.pdf").read_bytes()
    assert len(re.findall(rb"/Type /Page\b", book)) == len(STEMS)  # one chart a page


def test_files_carry_no_dates(pack):
    for path in (pack / "charts").iterdir():
        data = path.read_bytes()
        assert b"CreationDate" not in data and b"ModDate" not in data, path.name
        if path.suffix == ".svg":
            assert b"<dc:date>" not in data
        if path.suffix == ".png":
            assert b"Software" not in data


def test_manifest_records_provenance(pack, baseline_result):
    m = json.loads((pack / "manifest.json").read_text())
    assert list(m["scenarios"]) == SCENARIOS
    assert m["data_vintages"] == [baseline_result.inputs.vintage]
    assert m["model_sha256"] == model.model_hash()
    assert m["command"] == ["snowball", "brief"]
    for dep in ("pysd", "matplotlib", "numpy", "pandas", "xarray", "python", "snowball"):
        assert m["versions"][dep]
    assert m["selloff_scenario"] == "japan-selloff"
    assert m["files"]["tables/headline.csv"] == _digest(pack)["tables/headline.csv"]


def test_html_is_self_contained_and_matches_markdown(pack):
    page = (pack / "briefing.html").read_text()
    md = (pack / "briefing.md").read_text()
    assert page.count("data:image/png;base64,") == len(STEMS)
    assert not re.search(r'src="(?!data:)', page) and "http" not in page.replace("https://", "http")[:0]
    assert "@media print" in page
    summaries = [line for line in md.splitlines() if line.startswith("**japan-selloff**")]
    assert len(summaries) == 1
    for number in re.findall(r"\d[\d,.]*%|\$[\d,]+bn|FY\d{4}", summaries[0]):
        assert number in page
    assert "Debt held by the public reaches" in md and "## Methods" in md


def test_summary_states_headline_numbers(pack, baseline_result):
    md = (pack / "briefing.md").read_text()
    r, m = baseline_result.results, baseline_result.milestones
    line = next(x for x in md.splitlines() if x.startswith("**baseline**"))
    assert f"{r.at[2035, 'debt_to_gdp']:.0f}% of GDP in 2035" in line
    assert f"{r.at[2055, 'debt_to_gdp']:.0f}% of GDP in 2055" in line
    assert f"${r.at[2035, 'net_interest']:,.0f}bn in 2035" in line
    assert f"defense in FY{m['interest_exceeds_defense']}" in line
    assert f"Medicare in FY{m['interest_exceeds_medicare']}" in line
    assert f"20% of outlays in FY{m['interest_over_20pct_of_outlays']}" in line


def test_second_brief_is_byte_identical(pack, tmp_path):
    again = tmp_path / "briefing"
    write_brief(SCENARIOS, again, command=["snowball", "brief"], sweeps_dir=tmp_path / "none")
    assert _digest(again) == _digest(pack)


def test_failed_brief_keeps_the_finished_one(pack, tmp_path):
    before = _digest(pack)
    with pytest.raises(SnowballError):
        write_brief(["baseline", "no-such-scenario"], pack, sweeps_dir=tmp_path)
    assert _digest(pack) == before
    assert [p.name for p in pack.parent.iterdir() if p.name.startswith(".")] == []


def test_sweep_results_add_fan_and_tornado_charts(sweeps, tmp_path):
    out = tmp_path / "briefing"
    write_brief(["baseline"], out, sweeps_dir=sweeps)
    names = set(_digest(out))
    for stem in (
        "fan_test-sweep_debt_to_gdp",
        "fan_test-sweep_net_interest_share_of_outlays",
        "tornado_test-sweep",
    ):
        assert f"charts/{stem}.png" in names
    assert "test-sweep" in json.loads((out / "manifest.json").read_text())["sweeps"]


def test_fan_chart_draws_the_percentiles(sweeps):
    summary = pd.read_csv(sweeps / "test-sweep/summary.csv")
    data = charts.fan_data(summary, "debt_to_gdp")
    assert list(data.columns) == ["p5", "p10", "p25", "p50", "p75", "p90", "p95"]
    fig = charts.draw(charts.plot_fan, data, "Debt held by the public", "% of GDP", "test-sweep")
    ax = fig.axes[0]
    median = next(line for line in ax.get_lines() if line.get_label() == "Median")
    assert np.allclose(median.get_ydata(), data["p50"])
    assert ax.get_ylabel() == "Debt held by the public, % of GDP"
    assert len(ax.collections) == 3  # three bands


def test_tornado_ranks_by_range(sweeps):
    data = charts.tornado_data(pd.read_csv(sweeps / "test-sweep/sensitivity.csv"))
    fig = charts.draw(charts.plot_tornado, data, "test-sweep")
    widest = (data["high"] - data["low"]).abs().idxmax()
    assert data.index[-1] == widest  # drawn at the top
    assert fig._suptitle.get_text().startswith(f"'{widest}' matters most")


def test_debt_chart_draws_history_and_projection(baseline_result):
    data = charts.debt_data({"baseline": baseline_result.results}, read_history())
    assert data.index.min() == 1940 and data.index.max() == 2055
    assert data.at[1946, "history"] == pytest.approx(106.1, abs=0.1)
    fig = charts.draw(charts.plot_debt, data)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    proj = lines["baseline"]
    assert proj.get_xdata()[-1] == 2055
    assert proj.get_ydata()[-1] == pytest.approx(baseline_result.results.at[2055, "debt_to_gdp"])
    assert any(list(line.get_ydata()) == [charts.RECORD_1946] * 2 for line in ax.get_lines())
    assert ax.get_ylabel() == "Debt held by the public, % of GDP" and ax.get_xlabel() == "Fiscal year"
    assert fig._suptitle.get_text().startswith("Debt reaches 154% of GDP by 2055")
    texts = [t.get_text() for t in fig.texts] + [t.get_text() for t in ax.texts]
    assert any("Source: CBO (January 2025" in t for t in texts)
    assert any("1946 record: 106%" in t for t in texts)


def test_interest_chart_has_both_measures_and_the_twenty_percent_line(baseline_result):
    data = charts.interest_data({"baseline": baseline_result.results}, read_history())
    fig = charts.draw(charts.plot_interest, data)
    gdp_ax, share_ax = fig.axes
    assert gdp_ax.get_ylabel() == "Net interest, % of GDP"
    assert share_ax.get_ylabel() == "Net interest, % of outlays"
    assert any(list(line.get_ydata()) == [20, 20] for line in share_ax.get_lines())
    drawn = {line.get_label(): line for line in gdp_ax.get_lines()}["baseline"]
    assert drawn.get_ydata()[-1] == pytest.approx(baseline_result.results.at[2055, "net_interest_to_gdp"])
    # the year it passes 20% of outlays
    assert any("Over 20% of outlays: baseline 2054" in t.get_text() for t in fig.texts)


def test_crowding_chart(baseline_result):
    r = baseline_result.results
    fig = charts.draw(charts.plot_crowding, charts.crowding_data({"baseline": r}), "baseline")
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {
        "Defense",
        "Medicare",
        "Social Security",
        "Nondefense discretionary",
        "Net interest: baseline",
    }
    assert np.allclose(lines["Medicare"].get_ydata(), r["medicare"] / r["gdp"] * 100)
    assert np.allclose(lines["Net interest: baseline"].get_ydata(), r["net_interest_to_gdp"])
    assert ax.get_ylabel() == "% of GDP"
    m = baseline_result.milestones
    title = fig._suptitle.get_text()
    assert f"defense in {m['interest_exceeds_defense']}" in title
    assert f"Medicare in {m['interest_exceeds_medicare']}" in title


def test_rollover_chart(selloff_result):
    r = selloff_result.results
    fig = charts.draw(charts.plot_rollover, charts.rollover_data(r), "japan-selloff")
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert np.allclose(lines["Average interest rate on the debt"].get_ydata(), r["average_interest_rate"])
    assert np.allclose(lines["10-year note yield"].get_ydata(), r["ten_year_yield"])
    assert ax.get_ylabel() == "Percent a year"
    assert f"{r['ten_year_yield'].max():.1f}%" in fig._suptitle.get_text()


def test_selloff_chart_draws_monthly_yields_prices_and_holders(selloff_result):
    data = charts.selloff_data(selloff_result.monthly)
    assert data.index[0] == pytest.approx(2024.75) and len(data) == 7 * 12 + 1
    fig = charts.draw(charts.plot_selloff, data, "japan-selloff")
    yields, prices, holders = fig.axes
    ten = {line.get_label(): line for line in yields.get_lines()}["10-year"]
    assert max(ten.get_ydata()) == pytest.approx(selloff_result.monthly["ten year yield"].max())
    assert yields.get_ylabel() == "Yield, %" and holders.get_ylabel() == r"\$ trillions"
    assert prices.get_ylabel() == r"\$ per \$100 face"
    japan = {line.get_label(): line for line in holders.get_lines()}["Japan"]
    assert japan.get_ydata()[-1] < 0.05 * japan.get_ydata()[0]  # Japan sold almost everything
    assert any(isinstance(p, Rectangle) for p in yields.patches)  # the sale window is shaded


def test_decomposition_parts_sum_to_the_change(selloff_result):
    d = charts.decomposition_data(selloff_result.results)
    parts = d[["primary_deficit", "interest", "growth", "other_means_of_financing"]].sum(axis=1)
    assert np.allclose(parts, d["change"], atol=1e-9)
    assert d["residual"].abs().max() < 1e-9  # the debt rises by exactly deficit + other financing
    r = selloff_result.results
    assert d.at[2035, "change"] == pytest.approx(r.at[2035, "debt_to_gdp"] - r.at[2034, "debt_to_gdp"])
    fig = charts.draw(charts.plot_decomposition, {"japan-selloff": d})
    ax = fig.axes[0]
    total = {line.get_label(): line for line in ax.get_lines()}["Change in debt/GDP"]
    assert np.allclose(total.get_ydata(), d["change"])
    heights = [p.get_height() for p in ax.patches]
    assert np.allclose(sorted(heights), sorted(np.concatenate([d[c].to_numpy() for c in charts.DECOMP])))
    assert ax.get_ylabel() == "pp of GDP"


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


def test_every_label_fits_inside_its_figure(pack, baseline_result, selloff_result):
    # all the default scenarios, so the longest titles and legends are checked
    results = {"baseline": baseline_result, "japan-selloff": selloff_result}
    results |= {n: run(load_scenario(n)) for n in ("japan-selloff-fed", "japan-gradual", "fiscal-reform")}
    for chart in build_charts(results, selloff_result, read_history()):
        fig = chart.figure
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        box = fig.bbox
        for t in _drawn_texts(fig):
            ext = t.get_window_extent(renderer)
            assert ext.x0 >= box.x0 - 1 and ext.x1 <= box.x1 + 1, (chart.stem, t.get_text())
            assert ext.y0 >= box.y0 - 1 and ext.y1 <= box.y1 + 1, (chart.stem, t.get_text())
        own = [fig._suptitle] + [t for t in fig.texts if t is not fig._suptitle]
        figure_texts = [t.get_window_extent(renderer) for t in own if t is not None and t.get_text()]
        for i, a in enumerate(figure_texts):
            for b in figure_texts[i + 1 :]:
                assert not a.overlaps(b), chart.stem


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
    ]:
        assert edge in edges
    # no direct equation links these: the path runs through other key variables
    assert ("official_sales", "ten_year_yield") not in edges
    assert ("fiscal_adjustment", "gross_issuance") not in edges
    assert [loop.code for loop in loops.closed_loops(edges)] == ["R1", "R2", "R3", "B1", "B2", "B3"]


def test_loop_signs_match_their_kind():
    for loop in loops.LOOPS:
        assert loops.loop_polarity(loop) == (1 if loop.kind == "reinforcing" else -1), loop.code


def _without(deps, var, dropped):
    copy = {k: (dict(v) if isinstance(v, dict) else v) for k, v in deps.items()}
    copy[var] = {k: n for k, n in copy[var].items() if k != dropped}
    return copy


def test_edges_follow_the_structure():
    deps = model.load_model()._dependencies
    assert ("vicious_cycle_sales", "japan_sales") in loops.key_edges(deps)
    # cut the vicious-cycle term out of Japan's sales: the arrow and loop R3 disappear
    cut = _without(deps, "japan_sales", "vicious_cycle_sales")
    edges = loops.key_edges(cut)
    assert ("vicious_cycle_sales", "japan_sales") not in edges
    assert "R3" not in [loop.code for loop in loops.closed_loops(edges)]
    # make the fiscal rule read the dollar: a new arrow appears
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
    # c is a stock fed by a; b reads c; a reads b: with keys {a, c}: a -> c and c -> a (through b)
    assert loops.key_edges(deps, {"a", "c"}) == {("a", "c"), ("c", "a")}
    assert loops.key_edges(deps, {"a", "b", "c"}) == {("a", "c"), ("c", "b"), ("b", "a")}


def test_loop_diagram_draws_the_derived_arrows():
    data = loops.loop_data(loops.model_edges())
    fig = charts.draw(loops.plot_loops, data)
    ax = fig.axes[0]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(data["edges"]) > 20
    labels = {t.get_text() for t in ax.texts}
    assert {"R1\nsnowball", "R3\nseller's vicious cycle", "B1\nFed purchases"} <= labels
    assert "Debt/GDP" in labels
    cut = loops.loop_data(
        loops.key_edges(_without(model.load_model()._dependencies, "japan_sales", "vicious_cycle_sales"))
    )
    assert [loop.code for loop in cut["missing"]] == ["R3"]
    assert ("vicious_cycle_sales", "japan_sales", 1) not in cut["edges"]


def test_tornado_keeps_the_first_target_only():
    # sensitivity.csv holds one block per (variable, fiscal year); the tornado draws the first
    sens = pd.DataFrame(
        {
            "variable": ["debt_to_gdp"] * 2 + ["net_interest_share_of_outlays"] * 2,
            "fiscal_year": [2055] * 4,
            "input": ["yield shift", "growth shift"] * 2,
            "S1": [0.4, 0.2, 0.5, 0.1],
            "ST": [0.6, 0.3, 0.7, 0.2],
        }
    )
    data = charts.tornado_data(sens)
    assert list(data.index) == ["growth shift", "yield shift"]  # ascending, largest drawn on top
    assert data.loc["yield shift", "st"] == 0.6
    assert data.attrs["target"] == "debt held by the public, FY2055"
    ranges = pd.DataFrame(
        {"variable": ["debt_to_gdp"] * 2, "fiscal_year": [2030] * 2, "input": ["a", "b"],
         "low": [90.0, 100.0], "high": [120.0, 104.0]}
    )  # fmt: skip
    summary = pd.DataFrame({"variable": ["debt_to_gdp"], "fiscal_year": [2030], "p50": [105.0]})
    centred = charts.tornado_data(ranges, summary)
    # medians in each input's bottom/top decile less the sweep median 105: a -15/+15, b -5/-1
    assert centred.loc["a"].tolist() == [-15.0, 15.0] and centred.loc["b"].tolist() == [-5.0, -1.0]
    assert centred.attrs["unit"] == "% of GDP"
