"""Charts that read in print (issue 25 item 7): every series distinct in grey-scale, no series
hidden under another, one style per scenario across the pack, the last actual year marked, and
titles that state true, scenario-specific findings, each recomputed here from the runs and CBO's
own files in data/."""

import dataclasses
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D
from matplotlib.text import Text

from runners.inputs.vintage import read_history
from runners.projection.run import run
from runners.report import brief, charts, selloff_charts, style
from runners.report.brief import build_charts, default_scenarios
from runners.scenario.scenarios import load_scenario

GREY_MARGIN = 0.15  # luminance (0-1): two solid lines of the same dash and marker must differ this much
WIDTH_MARGIN = 1.0  # points: or in line width by this much (net interest's heavy line)
KNIFE = 0.25  # pp: an r - g closer to zero than this is no sign


def luminance(color) -> float:
    """Grey level (0 black, 1 white) as a grey-scale print or PIL's 'L' conversion makes it
    (ITU-R 601-2 luma)."""
    r, g, b = to_rgb(color)
    return 0.299 * r + 0.587 * g + 0.114 * b


def dash(line: Line2D) -> tuple:
    """A line's dash pattern as drawn (none for markers alone)."""
    if line.get_linestyle() in ("None", "", " ", "none"):
        return ("none",)
    offset, seq = line._unscaled_dash_pattern
    return ("solid",) if seq is None else tuple(round(x, 3) for x in seq)


def series(ax) -> list[Line2D]:
    """The legend-named data series of an axes (reference rules and unnamed actuals aside)."""
    return [
        line
        for line in ax.get_lines()
        if not line.get_label().startswith("_") and len(np.atleast_1d(line.get_xdata())) > 1
    ]


def marker(line: Line2D) -> str:
    m = line.get_marker()
    return "none" if m in (None, "None", "", " ", "none") else str(m)


def tell_apart(a: Line2D, b: Line2D) -> bool:
    """Whether two series differ in grey-scale print: dash, marker, grey level or width."""
    return (
        dash(a) != dash(b)
        or marker(a) != marker(b)
        or abs(luminance(a.get_color()) - luminance(b.get_color())) >= GREY_MARGIN
        or abs(a.get_linewidth() - b.get_linewidth()) >= WIDTH_MARGIN
    )


@pytest.fixture(scope="module")
def results():
    return {n: run(load_scenario(n)) for n in default_scenarios()}


@pytest.fixture(scope="module")
def titles():
    return {n: brief.short_title(load_scenario(n)) for n in default_scenarios()}


@pytest.fixture(scope="module")
def selloff():
    sale = run(load_scenario("japan-selloff"), monthly=selloff_charts.SELLOFF_VARIABLES)
    base = dataclasses.replace(load_scenario("baseline"), baseline=sale.scenario.baseline)
    base_run = run(base, monthly=selloff_charts.SELLOFF_VARIABLES)
    return sale, selloff_charts.selloff_data(sale.monthly, base_run.monthly)


@pytest.fixture(scope="module")
def pack(results, titles, selloff):
    """The pack's charts for every default scenario, as the brief builds them (the Monte Carlo's
    fans and tornado aside: sweep_charts draws them)."""
    built = build_charts(results, selloff, read_history(), titles)
    yield {c.stem: c for c in built}
    import matplotlib.pyplot as plt

    plt.close("all")


def _title(chart) -> str:
    return chart.figure._suptitle.get_text().replace("\n", " ").replace("\\$", "$")


def _sub(chart) -> str:
    return " ".join(t.get_text().replace("\n", " ") for t in chart.figure.texts)


# ------------------------------------------------------------------------------- grey-scale


def test_every_series_is_distinct_in_grey(pack):
    """The spending chart's Social Security and defense were both solid mid-dark greys, r and g
    both solid (0.38 and 0.42), revenues and outlays too."""
    clashes = []
    for stem, chart in pack.items():
        for k, ax in enumerate(chart.figure.axes):
            for a, b in combinations(series(ax), 2):
                if not tell_apart(a, b):
                    clashes.append((stem, k, a.get_label(), b.get_label()))
    assert clashes == []


def test_no_series_hides_under_another(pack):
    """The sell-off's 10-year gap lay exactly under the 30-year's: two series that coincide must
    differ in marker, so the one below still shows."""
    hidden = []
    for stem, chart in pack.items():
        for ax in chart.figure.axes:
            for a, b in combinations(series(ax), 2):
                ya, yb = np.asarray(a.get_ydata(), float), np.asarray(b.get_ydata(), float)
                span = np.nanmax(np.abs(np.concatenate([ya, yb]))) or 1.0
                same = ya.shape == yb.shape and np.nanmax(np.abs(ya - yb)) < 0.005 * span
                if same and marker(a) == marker(b):
                    hidden.append((stem, a.get_label(), b.get_label()))
    assert hidden == []


def test_the_coinciding_yields_are_said_to_coincide(pack, selloff):
    _, data = selloff
    gap = (data["ten year yield"] - data["thirty year yield"]).abs().max() * 100
    assert gap < 0.5  # the model's 30-year is the 10-year plus a fixed spread
    assert "The 10-year and 30-year gaps coincide" in _sub(pack["selloff"])


def test_each_scenario_keeps_one_style_and_each_style_one_scenario(pack, titles):
    styles: dict[str, set] = {}
    for chart in pack.values():
        for ax in chart.figure.axes:
            for line in series(ax):
                if line.get_label() in titles.values():
                    key = (to_rgb(line.get_color()), dash(line), marker(line))
                    styles.setdefault(line.get_label(), set()).add(key)
    assert set(styles) == set(titles.values())
    assert all(len(s) == 1 for s in styles.values()), styles
    used = [next(iter(s)) for s in styles.values()]
    assert len({u[0] for u in used}) == len(used)  # one colour, one scenario
    # and the scenarios stay apart in grey: any two differ in dash or marker
    assert len({u[1:] for u in used}) == len(used)


# ------------------------------------------------------------------------- projection markers


@pytest.mark.parametrize(
    "stem", ["debt_to_gdp", "budget", "spending", "net_interest", "interest_to_revenues", "r_minus_g"]
)
def test_charts_with_history_mark_the_last_actual_year(pack, results, stem):
    first = int(next(iter(results.values())).results.index[0])
    last_actual = int(read_history().index.max())
    assert first == last_actual + 1  # the projection starts the year after data/history ends
    fig = pack[stem].figure
    rules = [
        line
        for ax in fig.axes
        for line in ax.get_lines()
        if np.allclose(np.atleast_1d(line.get_xdata()).astype(float), first - 0.5)
    ]
    assert rules, stem
    words = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert f"actual to FY{last_actual} | projection" in words, stem


# ----------------------------------------------------------------------------------- titles


def _r_minus_g(res) -> pd.Series:
    """r - g recomputed: the average rate on the debt less nominal GDP growth, the first year's
    growth from data/history's last actual GDP."""
    r = res.results
    hist = read_history()
    gdp = pd.concat([hist["gdp"].loc[hist.index < r.index[0]], r["gdp"]])
    g = (gdp / gdp.shift(1) - 1).loc[r.index] * 100
    return r["average_interest_rate"] - g


def test_r_minus_g_title_makes_no_knife_edge_claim(pack, results):
    """It said 'r - g turns positive in 2032: the debt starts to snowball'; r - g is +0.02 pp
    then, within rounding of zero, and debt/GDP rises from primary deficits."""
    res = results["baseline"]
    rg = _r_minus_g(res)
    title, sub = _title(pack["r_minus_g"]), _sub(pack["r_minus_g"])
    assert "snowball" not in title
    near = rg[rg.abs() < KNIFE]
    a, b = int(near.index.min()), int(near.index.max())
    assert (rg.loc[a:b].abs() < KNIFE).all() and (rg.loc[b + 1 :] > KNIFE).all()
    assert title == (
        f"r \u2212 g is within \u00b1{KNIFE:.2f} pp of zero in FY{a}\u2013{b}, then rises to "
        f"{rg.iloc[-1]:+.1f} pp by FY{int(rg.index[-1])} (Baseline)"
    )
    # what drives debt: the primary deficit against net interest less growth's erosion
    r = res.results
    hist = read_history()
    debt = pd.concat([hist["debt_held_by_public"].loc[hist.index < r.index[0]], r["debt_held_by_public"]])
    gdp = pd.concat([hist["gdp"].loc[hist.index < r.index[0]], r["gdp"]])
    d, g = debt / gdp * 100, gdp.pct_change()
    snow = (r["net_interest"] / r["gdp"] * 100 - (d.shift(1) * g / (1 + g)).loc[r.index]).mean()
    primary = (r["primary_deficit"] / r["gdp"] * 100).mean()
    assert primary > 2 * snow > 0  # the deficits, not r - g, drive the rise
    assert f"primary deficits {primary:+.1f}, net interest less growth's erosion {snow:+.1f}" in sub


def test_r_minus_g_claims_each_case():
    years = range(2026, 2036)
    assert charts.r_g_claim(pd.Series([0.5] * 10, years)).startswith("r exceeds g by more than")
    assert charts.r_g_claim(pd.Series([-1.0] * 10, years)).startswith("r stays more than")
    assert charts.r_g_claim(pd.Series([-1.0] * 5 + [0.1] * 5, years)) == (
        "r \u2212 g is within \u00b10.25 pp of zero in FY2031\u20132035"
    )
    assert charts.r_g_claim(pd.Series([-1, 1, -1, 0.1, 0.1, 1, 1, 1, 1, 1.0], years)) == (
        "r \u2212 g exceeds +0.25 pp in 6 of 10 projected years"
    )


def test_decomposition_title_compares_like_with_like(pack, results):
    """It compared gross interest (6.8 pp) with the primary deficit (2.2 pp); growth takes 5.7 pp
    of that interest back, so the comparable term is net interest less growth's erosion."""
    r = results["baseline"].results
    last = int(r.index[-1])
    d = r["debt_held_by_public"] / r["gdp"] * 100
    g = r["gdp"] / r["gdp"].shift(1) - 1
    primary = r.at[last, "primary_deficit"] / r.at[last, "gdp"] * 100
    net = r.at[last, "net_interest"] / r.at[last, "gdp"] * 100 - d.loc[last - 1] * g.loc[last] / (
        1 + g.loc[last]
    )
    word = "more than" if primary > net + 0.1 else "less than" if primary < net - 0.1 else "about as much as"
    assert _title(pack["decomposition"]) == (
        f"In {last} (Baseline), the primary deficit adds {primary:.1f} pp of GDP to debt/GDP, {word} "
        f"net interest less growth ({net:+.1f} pp)"
    )


def test_structure_title_names_its_scenario_and_calls_the_bill_share_an_input(pack, selloff):
    """It said 'Bills are 24% of the debt in 2055' as a finding: the issuance mix is held flat."""
    sale, _ = selloff
    r, c = sale.results, sale.inputs.constants
    title, sub = _title(pack["debt_structure"]), _sub(pack["debt_structure"])
    name = brief.short_title(sale.scenario)
    assert title.startswith(f"{name}: ")
    assert not title.startswith("Bills")
    bills = r["bill_share"]
    assert bills.max() - bills.min() < 0.5
    assert f"Bills and FRNs stay at {bills.mean():.0f}% of the debt in every projected year" in sub
    assert "input held flat" in sub
    # foreign holders at the initial state (the .mdl's constants) and at the end
    foreign = ["japan", "china", "other foreign official", "foreign private"]
    f0 = sum(c[f"initial {h} holdings"] for h in foreign) / c["initial debt held by the public"] * 100
    cols = ["holdings_japan", "holdings_china", "holdings_other_foreign_official", "holdings_foreign_private"]
    everyone = cols + ["holdings_fed", "holdings_domestic_private"]
    last = int(r.index[-1])
    f1 = r.loc[last, cols].sum() / r.loc[last, everyone].sum() * 100
    first = int(r.index[0]) - 1
    assert f"hold {f0:.0f}% of the debt in {first}, {f1:.0f}% in {last}" in title


def test_rollover_title_names_its_scenario(pack, selloff):
    sale, _ = selloff
    assert _title(pack["rollover_lag"]).startswith(
        f"{brief.short_title(sale.scenario)}: the rate on the debt"
    )


def test_medicaid_is_labelled_by_the_vintage_s_own_definition(pack):
    """CBO's February 2026 open data has Medicaid alone (no CHIP, no marketplace subsidies); the
    January 2025 line under the same name held all three."""
    from runners.core.paths import data_dir
    from runners.report.brief_charts import medicaid_sources

    def says_medicaid_only(vintage: str) -> bool:
        cats = pd.read_csv(data_dir() / "baselines" / vintage / "outlays_by_category.csv")
        notes = cats.loc[cats["variable"] == "medicaid_chip_marketplace", "source"]
        return bool(notes.str.contains("Medicaid ONLY").all())

    assert says_medicaid_only("cbo-2026-02") and not says_medicaid_only("cbo-2025-01")
    labels = [line.get_label() for line in series(pack["spending"].figure.axes[0])]
    assert "Medicaid" in labels and "Medicaid, CHIP, marketplace" not in labels
    assert charts.medicaid_label(medicaid_sources("cbo-2025-01")) == "Medicaid, CHIP, marketplace"
    # and the chart draws the label it is given
    fig = style.draw(
        charts.plot_spending,
        pack["spending"].data,
        "x",
        2036,
        medicaid=charts.medicaid_label(medicaid_sources("cbo-2025-01")),
    )
    assert "Medicaid, CHIP, marketplace" in [x.get_label() for x in fig.axes[0].get_lines()]


# ---------------------------------------------------------------------------- direct labels

SCENARIO_CHARTS = {  # the charts that draw every scenario, and the axes whose line ends are labelled
    "debt_to_gdp": 0,
    "net_interest": 1,
    "interest_to_revenues": 0,
    "change_from_baseline": 1,
}


def _direct_labels(ax):
    return [t for t in ax.texts if t.get_gid() == style.DIRECT_LABEL]


@pytest.mark.parametrize("stem", list(SCENARIO_CHARTS))
def test_scenario_lines_are_labelled_at_their_ends_without_overlap(pack, titles, stem):
    """The three Japan sell-offs end within 2 points of GDP of each other: only their markers
    told them apart, in a legend of two-line names below the chart. Each scenario line now ends in
    a short name of its own colour, the labels nudged apart so that none overlaps another and a
    leader line runs from each label to its line's last point."""
    fig = pack[stem].figure
    ax = fig.axes[SCENARIO_CHARTS[stem]]
    lines = [line for line in series(ax) if line.get_label() in titles.values()]
    labels = _direct_labels(ax)
    assert len(lines) >= 4 and len(labels) == len(lines)
    by_colour = {to_rgb(t.get_color()): t for t in labels}
    for line in lines:
        label = by_colour[to_rgb(line.get_color())]
        x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
        assert label.xy == pytest.approx((x[-1], y[-1]))  # the leader ends at the line's end
        assert label.arrow_patch is not None
        assert len(label.get_text()) <= style.SHORT_LEN
    names = [t.get_text() for t in labels]
    assert len(set(names)) == len(names)
    japan = {"Japan sale", "Japan + Fed", "Japan gradual"}
    assert japan <= set(names)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [Text.get_window_extent(t, renderer) for t in labels]  # the words, not the leader
    for a, b in combinations(boxes, 2):
        assert not a.overlaps(b), (stem, a, b)
    page = fig.bbox
    assert all(page.x0 <= b.x0 and b.x1 <= page.x1 and page.y0 <= b.y0 and b.y1 <= page.y1 for b in boxes)
    # nothing drawn in the data area: the labels sit right of the axes
    assert all(b.x0 >= ax.get_window_extent(renderer).x1 for b in boxes)


def test_labels_spread_out_keep_order_gap_and_bounds():
    targets = [184.0, 185.0, 183.5, 171.0, 125.0, 199.0]
    placed = style.spread_out(targets, 5.0, 0.0, 200.0)
    order = np.argsort(targets)
    assert list(np.argsort(placed)) == list(order)
    gaps = np.diff(np.sort(placed))
    assert (gaps >= 5.0 - 1e-9).all()
    assert min(placed) >= 2.5 and max(placed) <= 197.5
    assert placed[4] == 125.0  # a label with room stays level with its line


# ------------------------------------------------------------------------ one meaning per colour


def _labelled(fig):
    """(label, colour) of every named series of a figure: lines, filled areas and bars."""
    out = []
    for ax in fig.axes:
        for line in ax.get_lines():
            if not line.get_label().startswith("_"):
                out.append((line.get_label(), to_rgb(line.get_color())))
        for coll in ax.collections:
            if not coll.get_label().startswith("_"):
                out.append((coll.get_label(), to_rgb(coll.get_facecolor()[0])))
        for cont in ax.containers:
            if not cont.get_label().startswith("_") and len(cont.patches):
                out.append((cont.get_label(), to_rgb(cont.patches[0].get_facecolor())))
    return out


def _near_scenario_colour(rgb) -> bool:
    return min(np.linalg.norm(np.subtract(rgb, to_rgb(p))) for p in style.PALETTE) < style.SERIES_DISTANCE


def test_scenario_colours_mean_scenarios_only(pack, titles):
    """Orange was the 10-year yield in the rollover chart and Japan's sale in every scenario chart;
    vermilion was net interest, outlays, r and the 1946 record as well as Fiscal reform. Every named
    series in a colour near a scenario's is that scenario; in each chart a colour means one thing."""
    assert all(not _near_scenario_colour(to_rgb(c)) for c in style.SERIES)
    assert not _near_scenario_colour(to_rgb(style.HISTORY_COLOR))
    scenario_colour = {
        label: rgb
        for chart in pack.values()
        for label, rgb in _labelled(chart.figure)
        if label in titles.values()
    }
    misused = []
    for stem, chart in pack.items():
        meanings: dict[tuple, set] = {}
        for label, rgb in _labelled(chart.figure):
            meanings.setdefault(rgb, set()).add(label)
            if _near_scenario_colour(rgb) and scenario_colour.get(label) != rgb:
                misused.append((stem, label))
        misused += [(stem, tuple(sorted(m))) for m in meanings.values() if len(m) > 1]
        # a direct label wears its scenario's colour
        for ax in chart.figure.axes:
            for t in _direct_labels(ax):
                assert _near_scenario_colour(to_rgb(t.get_color()))
    assert misused == []


def test_loop_diagram_signs_are_not_scenario_colours():
    from runners.report import loops_chart

    colours = [*loops_chart.SIGN_COLORS.values(), loops_chart.BALANCING]
    assert not any(_near_scenario_colour(to_rgb(c)) for c in colours)


# -------------------------------------------------------------------- the sell-off's holders


def test_selloff_holders_panel_draws_the_movers_and_groups_the_rest(pack, selloff):
    """Four holders' gaps stayed within a few per cent of the panel's scale and ran together on
    the zero line: the holders that move are drawn one by one, the rest as their sum, and the
    subtitle says which and how near zero they stay."""
    _, data = selloff
    names = selloff_charts.SELLOFF_HOLDERS
    size = {v: float(data[v].abs().max()) for v in names}
    top = max(size.values())
    movers = [v for v in names if size[v] >= 0.1 * top]
    rest = [v for v in names if v not in movers]
    assert [names[v] for v in movers] == ["Japan", "Domestic private"] and len(rest) == 4
    fig = pack["selloff"].figure
    ax = fig.axes[2]
    lines = {line.get_label(): line for line in series(ax)}
    assert set(lines) == {"Japan", "Domestic private", "Other holders (sum)"}
    assert np.allclose(lines["Other holders (sum)"].get_ydata(), data[rest].sum(axis=1).to_numpy())
    for v in movers:
        assert np.allclose(lines[names[v]].get_ydata(), data[v].to_numpy())
    near = max(size[v] for v in rest)
    assert near < 0.1 * top
    assert (
        "Holders: Japan and domestic private move; China, other foreign official, foreign private and "
        f"the Federal Reserve, each within ${near:,.0f}bn of baseline, are drawn as one line"
    ) in _sub(pack["selloff"]).replace("\\$", "$")


def test_the_fans_and_the_tornado_keep_scenario_colours_for_scenarios(results, titles):
    """The fan's bands and median were the blue of a scenario, CBO's error bars and the tornado's
    top-decile bars the vermilion of another: only the base scenario's line may wear a scenario
    colour (black, the base's own: the Monte Carlo runs around the baseline)."""
    from runners.report.brief_monte_carlo import monte_carlo

    unc = monte_carlo(until=2040)
    built = {c.stem: c for c in build_charts(results, None, read_history(), titles, unc)}
    sweep_stems = [s for s in built if s.startswith(("fan_", "tornado_"))]
    assert sweep_stems
    misused = [
        (stem, label)
        for stem in sweep_stems
        for label, rgb in _labelled(built[stem].figure)
        if _near_scenario_colour(rgb) and not (label == "Base scenario" and rgb == to_rgb(style.PALETTE[0]))
    ]
    assert misused == []
