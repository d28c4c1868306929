"""The explorer page (``snowball explore``, runners.report.explorer_page).

The file: no network request (no URL in a src or href, no stylesheet or script fetched, a
Content-Security-Policy of ``default-src 'none'``), under 3 MB, the same bytes on two builds (one
by the command in its own process, one here), its manifest's sha256 that of the file. In Debian's
chromium, headless, from ``file://`` with a fragment: the results table and the milestones equal
``api.run``'s for the same settings, rounded and worded as ``snowball run`` prints them; moving a
slider changes the table, the charts and the fragment; the charts' plotted values (their svgs'
``data-values``) equal ``api.run``'s columns recomputed here; a screenshot at 1280 px wide (the
phone's width, the network and the keyboard: test_explorer_devtools.py).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import CHROMIUM_FLAGS

from runners.core.paths import MODELS
from runners.projection.headline import EXPLOSIVE_FLAG, MILESTONE_LABELS, headline

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.is_file(),
    reason="no /usr/bin/chromium: apt-get install chromium to run the explorer's browser tests",
)
REPO = Path(__file__).resolve().parents[2]
YEARS = (2026, 2030, 2035, 2045, 2055)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    """``snowball explore`` run as a user runs it, in its own process."""
    out = tmp_path_factory.mktemp("explorer") / "out"
    subprocess.run(
        [sys.executable, "-m", "runners.cli", "explore", "--out", str(out)],
        cwd=REPO,
        check=True,
        capture_output=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(out.parent)},
    )
    return out / "explorer.html"


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the tables' cells by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table":
            self._table = a.get("id")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(text: str) -> _Tags:
    p = _Tags()
    p.feed(text)
    return p


def test_the_page_asks_the_network_for_nothing(page):
    text = page.read_text(encoding="utf-8")
    tags = parse(text).tags
    for tag, attrs in tags:
        for key in ("src", "href", "action", "srcset", "poster", "data"):
            value = (attrs.get(key) or "").strip().lower()
            assert not re.match(r"(https?:)?//|[a-z]+://", value), (tag, key, value)
        assert tag not in ("link", "iframe", "object", "embed", "img", "base"), tag
        if tag == "script":
            assert "src" not in attrs
    csp = [a["content"] for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0] and "connect-src" not in csp[0]
    # nothing in the script or style reaches out: no fetch, XHR, socket, import, url()
    for word in (
        "fetch(",
        "XMLHttpRequest",
        "WebSocket",
        "EventSource",
        "import(",
        "@import",
        "url(",
        "sendBeacon",
    ):
        assert word not in text, word
    assert text.count("<script") == 1  # one inline script, nothing else


def test_the_page_is_small_and_the_same_bytes_each_build(page):
    from runners.report.explorer_page import explorer_html

    data = page.read_bytes()
    assert len(data) < 3_000_000
    assert (
        explorer_html("cbo-2026-02", "central").encode("utf-8") == data
    )  # this process against the command's
    manifest = json.loads((page.parent / "manifest.json").read_text())
    assert manifest["files"]["explorer.html"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["model_sha256"] == hashlib.sha256((MODELS / "snowball.mdl").read_bytes()).hexdigest()
    assert manifest["data_vintage"] == "cbo-2026-02" and manifest["calibration"] == "central"
    assert manifest["snowball_version"] in data.decode("utf-8").split("<footer>")[1]


def chromium(*args: str, profile: Path) -> str:
    cmd = [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=5000", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=True)
    return done.stdout


def expected_rows(scenario: str, overrides: dict, calibration: str) -> tuple[dict, list[list[str]]]:
    """debt/GDP and net interest by fiscal year, and the milestone rows, as snowball run words them."""
    from runners import api

    result = api.run(scenario, overrides=overrides, calibration=calibration)
    r = result.results
    rows = {y: (f"{r.at[y, 'debt_to_gdp']:.1f}", f"{r.at[y, 'net_interest']:,.0f}") for y in YEARS}
    words = dict(headline(result))
    milestones = [[label, words[label]] for label in MILESTONE_LABELS.values()]
    return rows, [*milestones, [EXPLOSIVE_FLAG, words[EXPLOSIVE_FLAG]]]


@needs_chromium
@pytest.mark.parametrize(
    "fragment, scenario, overrides, calibration",
    [
        ("#yield_shift=1", "baseline", {"yield shift": 1.0}, "central"),
        ("", "baseline", {}, "central"),
        ("#scenario=japan-selloff&calibration=high&fed_response_switch=1", "japan-selloff",
         {"fed response switch": 1.0}, "high"),
    ],
)  # fmt: skip
def test_the_page_in_chromium_equals_snowball_run(page, tmp_path, fragment, scenario, overrides, calibration):
    dom = chromium("--dump-dom", page.as_uri() + fragment, profile=tmp_path / "profile")
    tables = parse(dom).tables
    results = {int(row[0]): row[1:] for row in tables["results"][1:]}
    assert sorted(results) == list(range(2026, 2056))
    rows, milestones = expected_rows(scenario, overrides, calibration)
    for year, (debt, interest) in rows.items():
        assert (results[year][0], results[year][1]) == (debt, interest), year
    assert tables["milestones"] == milestones
    assert re.search(r'<p id="status"[^>]*></p>', dom)  # no refusal shown


@needs_chromium
def test_moving_a_slider_changes_the_table_and_the_fragment(page, tmp_path):
    """A page beside the explorer frames it, moves the growth-shift slider as a user does (an
    input event) and writes what the explorer then shows into its own body."""
    probe = page.parent / "probe.html"
    probe.write_text(
        '<!DOCTYPE html><html><body><iframe id="f" src="explorer.html" style="width:900px;height:900px">'
        "</iframe><pre id=out></pre><script>"
        'document.getElementById("f").addEventListener("load", () => {'
        ' const w = document.getElementById("f").contentWindow, d = w.document;'
        ' const s = d.getElementById("in-growth_shift"); s.value = "-0.5";'
        ' s.dispatchEvent(new w.Event("input", {bubbles: true}));'
        ' const rg = () => JSON.parse(d.querySelector("#chart-rg svg").dataset.values)["This run"].y;'
        ' const width = () => Number(d.querySelector("#chart-holders svg").getAttribute("width"));'
        " const shown = {hash: w.location.hash, rg: rg().slice(-1)[0], wide: width(),"
        ' row: Array.from(d.querySelectorAll("#results tbody tr:last-child > *"))'
        "   .map((c) => c.textContent)};"
        ' document.getElementById("f").style.width = "420px";'  # a resize redraws the charts
        " setTimeout(() => { shown.narrow = width();"
        ' document.getElementById("out").textContent = JSON.stringify(shown); }, 500);'
        "});</script></body></html>",
        encoding="utf-8",
    )
    dom = chromium(
        "--allow-file-access-from-files", "--dump-dom", probe.as_uri(), profile=tmp_path / "profile"
    )
    shown = json.loads(re.search(r"<pre id=\"out\">(.*?)</pre>", dom, re.S).group(1).replace("&quot;", '"'))
    assert shown["hash"] == "#growth_shift=-0.5"
    from runners import api

    r = api.run("baseline", overrides={"growth shift": -0.5}).results
    assert shown["row"][:3] == [
        "2055",
        f"{r.at[2055, 'debt_to_gdp']:.1f}",
        f"{r.at[2055, 'net_interest']:,.0f}",
    ]
    base = api.run("baseline").results
    assert shown["row"][1] != f"{base.at[2055, 'debt_to_gdp']:.1f}"  # the table moved off the baseline
    # the charts followed the slider: r - g in FY2055 from the average rate and nominal GDP growth
    growth = (r.at[2055, "gdp"] / r.at[2054, "gdp"] - 1) * 100
    assert shown["rg"] == pytest.approx(r.at[2055, "average_interest_rate"] - growth, abs=2e-6)
    base_growth = (base.at[2055, "gdp"] / base.at[2054, "gdp"] - 1) * 100
    assert abs(shown["rg"] - (base.at[2055, "average_interest_rate"] - base_growth)) > 1e-3
    assert shown["narrow"] < shown["wide"]  # and were drawn again at the frame's new width


@needs_chromium
def test_screenshot_at_desktop_width(page, tmp_path):
    """Saved for a person to look at (tmp_path); the phone's 390 px viewport is opened, measured and
    saved by tests/report/test_explorer_devtools.py."""
    from PIL import Image

    wide = tmp_path / "explorer-1280.png"
    url = page.as_uri() + "#yield_shift=1"
    chromium(
        "--hide-scrollbars", "--window-size=1280,2200", f"--screenshot={wide}", url, profile=tmp_path / "p1"
    )
    with Image.open(wide) as im:
        assert im.size == (1280, 2200)
        assert im.convert("L").getextrema()[0] < 64  # drawn: dark text and lines on the page
    print(f"screenshot in {tmp_path}")


HOLDERS = {
    "Japan": "holdings_japan",
    "China": "holdings_china",
    "Other foreign official": "holdings_other_foreign_official",
    "Foreign private": "holdings_foreign_private",
    "Fed": "holdings_fed",
    "Domestic private": "holdings_domestic_private",
}


def plotted(dom: str) -> dict[str, dict[str, dict]]:
    """Each chart's plotted series ({label: {x, y}}) from its svg's data-values, by the chart's id."""
    return {
        a["data-chart"]: json.loads(a["data-values"])
        for tag, a in parse(dom).tags
        if tag == "svg" and "data-chart" in a
    }


def close(shown: list, expected, years: list) -> None:
    """Plotted values (rounded to 6 decimals) against a Series recomputed here, year by year."""
    assert len(shown) == len(years)
    for y, v in zip(years, shown, strict=True):
        assert v == pytest.approx(float(expected[y]), rel=1e-9, abs=2e-6), y


@needs_chromium
def test_the_charts_plot_the_run_and_the_baseline(page, tmp_path):
    """#yield_shift=1: the shares of outlays and revenues, r - g, the 10-year yield and the
    holders as plotted equal api.run's columns, recomputed here from their definitions (r - g from
    the average rate and nominal GDP growth; the shares from net interest, outlays and revenues);
    the holders sum to debt held by the public, as the chart's caption says."""
    from runners import api
    from runners.inputs.vintage import read_history

    dom = chromium("--dump-dom", page.as_uri() + "#yield_shift=1", profile=tmp_path / "profile")
    charts = plotted(dom)
    assert set(charts) >= {"chart-shares", "chart-rates", "chart-rg", "chart-holders", "chart-holders-change"}
    run = api.run("baseline", overrides={"yield shift": 1.0}).results
    base = api.run("baseline").results
    years = [int(y) for y in run.index]
    assert years[0] == 2026 and years[-1] == 2055
    for chart in charts.values():
        for series in chart.values():
            if series["x"][0] == years[0]:
                assert series["x"] == years

    shares = charts["chart-shares"]
    for label, r in (("this run", run), ("baseline", base)):
        close(shares[f"% of outlays, {label}"]["y"], r["net_interest"] / r["outlays"] * 100, years)
        close(shares[f"% of revenues, {label}"]["y"], r["net_interest"] / r["revenues"] * 100, years)

    last_gdp = read_history().at[years[0] - 1, "gdp"]
    for label, r in (("This run", run), ("Baseline", base)):
        gdp = r["gdp"]
        growth = (gdp / gdp.shift(1, fill_value=last_gdp) - 1) * 100
        close(charts["chart-rg"][label]["y"], r["average_interest_rate"] - growth, years)
    assert charts["chart-rg"]["This run"]["y"][-1] != charts["chart-rg"]["Baseline"]["y"][-1]
    rg_svg = dom[dom.index('data-chart="chart-rg"') :].split("</svg>")[0]
    assert 'data-series="zero"' in rg_svg  # r - g's zero rule

    close(charts["chart-rates"]["10-year yield"]["y"], run["ten_year_yield"], years)
    close(charts["chart-rates"]["10-year yield, baseline"]["y"], base["ten_year_yield"], years)
    close(charts["chart-rates"]["Average rate on the debt"]["y"], run["average_interest_rate"], years)

    stack, change = charts["chart-holders"], charts["chart-holders-change"]
    assert list(stack) == list(HOLDERS) and list(change) == list(HOLDERS)  # Japan at the bottom
    for label, column in HOLDERS.items():
        close(stack[label]["y"], run[column], years)
        close(change[label]["y"], run[column] - base[column], years)
    total = sum(run[c] for c in HOLDERS.values())
    assert ((total - run["debt_held_by_public"]).abs() / run["debt_held_by_public"]).max() < 1e-12
    figures = re.findall(r'<div id="chart-holders">.*?<figcaption>(.*?)</figcaption>', dom, re.S)
    assert "sum to debt held by the public" in " ".join(figures[0].split())


def test_each_loop_the_issue_names_has_its_labelled_switch(page):
    """R2-R6, B1 and B2, the debt premium and the inflation read-back: one checkbox each, its label
    naming the loop as the briefing's diagram does, its .mdl comment tied to it for screen readers."""
    text = page.read_text(encoding="utf-8")
    labels = dict(re.findall(r'<label for="in-([a-z_]+_switch)">(.*?)</label>', text))
    assert len(labels) == 9
    codes = sorted(c for v in labels.values() for c in re.findall(r"\bloop ([RB]\d)\b", v))
    assert codes == ["B1", "B2", "R2", "R3", "R4", "R5", "R6"]
    assert "(loop R2 confidence)" in labels["confidence_switch"]
    assert "(loop B1 Fed purchases)" in labels["fed_response_switch"]
    assert "(the debt premium)" in labels["debt_premium_switch"]
    assert "inflation read-back" in labels["inflation_read_back_switch"]
    for py in labels:
        assert f'id="in-{py}" data-lever' in text and f'aria-describedby="help-{py}"' in text
