"""The explorer page in Debian's chromium, driven over the DevTools protocol
(runners.report.browser): what a user on a desk, a phone and a keyboard sees, and what the page
asks the network for.

- The results table and milestones equal what ``snowball run baseline --set "yield shift=1"``
  prints and writes (its ``results.csv``, rounded as the page rounds; r - g recomputed here from
  the CSV's GDP and average rate).
- The browser's own record of requests: the page asks for itself and nothing else, while a user
  moves sliders, switches loops and picks presets (and a page that does fetch is seen to).
- At a phone's 390 CSS px (a mobile viewport, not a crop): one column, nothing wider than the
  screen; a screenshot is saved.
- By keyboard alone: Tab reaches the levers; arrow keys move a slider, which rewrites the table
  and the address; Space toggles a loop.
- Printed (chromium's print to PDF, US Letter): no controls, every chart's caption, the results
  table starting under its heading with its header row on every page it spans, the footer.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from runners.projection.headline import EXPLOSIVE_FLAG, MILESTONE_LABELS
from runners.report.browser import Chromium, find_chromium

needs_chromium = pytest.mark.skipif(
    find_chromium() is None,
    reason="no chromium: apt-get install chromium to run the explorer's browser tests",
)
pytestmark = needs_chromium
REPO = Path(__file__).resolve().parents[2]
TABLE_JS = """Array.from(document.querySelectorAll("#results tbody tr"))
  .map((tr) => Array.from(tr.children).map((c) => c.textContent))"""
MILESTONES_JS = """Array.from(document.querySelectorAll("#milestones tbody tr"))
  .map((tr) => Array.from(tr.children).map((c) => c.textContent))"""
TAB, LEFT, RIGHT, SPACE = (
    ("Tab", "Tab", 9),
    ("ArrowLeft", "ArrowLeft", 37),
    ("ArrowRight", "ArrowRight", 39),
    (
        " ",
        "Space",
        32,
    ),
)


def snowball(*args: str, cwd: Path) -> str:
    """``snowball ARGS`` as a user runs it, in its own process; its stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "runners.cli", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
    )
    return done.stdout


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    """``snowball explore``'s page."""
    out = tmp_path_factory.mktemp("explorer-devtools")
    snowball("explore", "--out", str(out / "explorer"), cwd=out)
    return out / "explorer" / "explorer.html"


@pytest.fixture(scope="module")
def browser():
    with Chromium() as b:
        yield b


def _words(x: float, d: int) -> set[str]:
    """How ``x`` (from results.csv, six decimals) reads to ``d`` decimals: one text, or two where
    the CSV's own rounding leaves it on the edge between them (5.365000 may be 5.36499999...)."""
    return {f"{x + e:,.{d}f}" for e in (-6e-7, 0.0, 6e-7)}


def cli_rows(results_csv: Path, last_actual_gdp: float) -> dict[int, list[set[str]]]:
    """results.csv's rows as the page's table words them: debt/GDP, net interest, its shares of
    outlays and revenues, the 10-year yield, the average rate, and r - g (the average rate less
    nominal GDP growth; the first year's growth from the last actual year's GDP)."""
    with results_csv.open(newline="") as f:
        rows = list(csv.DictReader(f))
    out, prior = {}, last_actual_gdp
    for row in rows:
        v = {k: float(x) for k, x in row.items() if k not in ("fiscal_year", "credit_rating")}
        growth = (v["gdp"] / prior - 1) * 100
        prior = v["gdp"]
        out[int(row["fiscal_year"])] = [
            _words(v["debt_to_gdp"], 1),
            _words(v["net_interest"], 0),
            _words(v["net_interest_share_of_outlays"], 1),
            _words(v["net_interest_share_of_revenues"], 1),
            _words(v["ten_year_yield"], 2),
            _words(v["average_interest_rate"], 2),
            _words(v["average_interest_rate"] - growth, 2),
        ]
    return out


def printed(stdout: str) -> dict[str, str]:
    """``snowball run``'s headline lines: label -> words (two or more spaces between them)."""
    return dict(
        re.split(r"\s{2,}", line.strip(), maxsplit=1)
        for line in stdout.splitlines()
        if re.search(r"\S\s{2,}\S", line)
    )


def test_the_table_equals_snowball_run_set(page, browser, tmp_path):
    """``explorer.html#yield_shift=1`` against ``snowball run baseline --set "yield shift=1"``:
    every cell of every fiscal year, every milestone, and the headline's debt and interest lines."""
    from runners.inputs.vintage import read_history

    stdout = snowball(
        "run", "baseline", "--set", "yield shift=1", "--out", str(tmp_path / "run"), cwd=tmp_path
    )
    history = read_history()
    expected = cli_rows(tmp_path / "run" / "results.csv", float(history.at[2025, "gdp"]))
    tab = browser.open(page.as_uri() + "#yield_shift=1")
    shown = {int(r[0]): r[1:] for r in tab.evaluate(TABLE_JS)}
    assert sorted(shown) == list(range(2026, 2056))
    edges = 0
    for year, cells in expected.items():
        assert len(shown[year]) == len(cells), year
        for column, (text, words) in enumerate(zip(shown[year], cells, strict=True)):
            assert text in words, (year, column, text, words)
            edges += len(words) > 1
    assert edges <= 3  # the edge is rare: an exact match nearly everywhere
    words = printed(stdout)
    milestones = dict(tab.evaluate(MILESTONES_JS))
    assert set(milestones) == {*MILESTONE_LABELS.values(), EXPLOSIVE_FLAG}
    for label, value in milestones.items():
        assert words[label] == value, label
    for year in (2026, 2035, 2055):  # "Debt held by the public, FY2035   125.3% of GDP ($56,380bn)"
        debt = words[f"Debt held by the public, FY{year}"]
        interest = words[f"Net interest, FY{year}"]
        assert debt.startswith(shown[year][0] + "% of GDP"), (year, debt)
        assert interest.startswith(f"${shown[year][1]}bn ({shown[year][2]}% of outlays)"), (year, interest)
    assert tab.evaluate('document.getElementById("status").textContent') == ""


def test_the_page_asks_the_network_for_nothing_but_itself(page, browser):
    """Chromium's own record of every request while a user works the page: one, the file itself."""
    tab = browser.open(page.as_uri() + "#yield_shift=1&scenario=japan-selloff")
    tab.evaluate(
        """(() => {
      const s = document.getElementById("in-growth_shift");
      s.value = "-1"; s.dispatchEvent(new Event("input", {bubbles: true}));
      document.getElementById("in-fed_response_switch").click();
      const p = document.getElementById("preset"); p.value = "china-selloff";
      p.dispatchEvent(new Event("change", {bubbles: true}));
      const c = document.getElementById("calibration"); c.value = "high";
      c.dispatchEvent(new Event("change", {bubbles: true}));
      document.getElementById("reset").click();
      dispatchEvent(new Event("resize"));
    })()"""
    )
    tab.evaluate("new Promise((done) => setTimeout(done, 300))")  # anything deferred has had its turn
    assert tab.requests() == [page.as_uri()]
    assert tab.evaluate('document.getElementById("csv").href').startswith("data:text/csv")


def test_a_page_that_fetches_is_seen_to(page, browser, tmp_path):
    """The watch above can fail: the same page without its security policy and with one image
    from elsewhere is recorded asking for it."""
    text = page.read_text(encoding="utf-8")
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    text = text.replace("<main>", '<main><img alt="" src="http://127.0.0.1:9/pixel.png">', 1)
    leaky = tmp_path / "leaky.html"
    leaky.write_text(text, encoding="utf-8")
    tab = browser.open(leaky.as_uri())
    assert tab.requests()[:1] == [leaky.as_uri()]
    assert "http://127.0.0.1:9/pixel.png" in tab.requests()


def test_a_phone_sees_one_column_390_px_wide(page, browser, tmp_path):
    """A phone's viewport, 390 CSS px wide: nothing wider than the screen, the controls above the
    charts, every chart inside the width, the results table scrolling in its own box."""
    tab = browser.open(page.as_uri() + "#yield_shift=1", width=390, height=844, mobile=True)
    box = tab.evaluate(
        """(() => {
      const r = (id) => document.querySelector(id).getBoundingClientRect();
      const svgs = Array.from(document.querySelectorAll("svg")).map((s) => s.getBoundingClientRect().right);
      const scroll = document.querySelector(".scroll");
      return {page: document.documentElement.scrollWidth, inner: innerWidth,
        controls: [r(".controls").left, r(".controls").bottom], output: [r(".output").left, r(".output").top],
        svgs: svgs, table: [scroll.scrollWidth, scroll.clientWidth, r(".scroll").right]};
    })()"""
    )
    assert box["inner"] == 390 and box["page"] <= 390, box
    assert box["output"][1] >= box["controls"][1] and box["output"][0] == box["controls"][0], box
    assert box["svgs"] and max(box["svgs"]) <= 390, box
    assert box["table"][2] <= 390, box  # the table's box fits; its columns scroll inside it
    shot = tab.screenshot(tmp_path / "explorer-390.png")
    from PIL import Image

    with Image.open(shot) as im:
        assert im.size[0] == 390 and im.size[1] > 2000
    print(f"screenshot: {shot}")


def test_the_levers_work_from_the_keyboard(page, browser, tmp_path):
    """Tab from the top reaches the growth-shift slider; five presses of the left arrow move it
    -0.5 (its step is 0.1), and the table and address follow; Space on a loop's box switches it."""
    from runners import api

    tab = browser.open(page.as_uri())
    seen = []
    for _ in range(80):
        tab.press(*TAB)
        seen.append(tab.evaluate("document.activeElement.id"))
        if seen[-1] == "in-growth_shift":
            break
    assert seen[-1] == "in-growth_shift", seen
    assert seen[0] == "preset"  # the first stop is the first control, in reading order
    tab.press(*LEFT, times=5)
    assert tab.evaluate("location.hash") == "#growth_shift=-0.5"
    row = tab.evaluate(TABLE_JS)[-1]
    r = api.run("baseline", overrides={"growth shift": -0.5}).results
    assert row[:3] == ["2055", f"{r.at[2055, 'debt_to_gdp']:.1f}", f"{r.at[2055, 'net_interest']:,.0f}"]
    tab.press(*RIGHT, times=5)
    assert tab.evaluate("location.hash") == ""  # back on the baseline, nothing set
    while tab.evaluate("document.activeElement.id") != "in-fed_response_switch":
        tab.press(*TAB)
        assert len(seen) < 200
        seen.append(tab.evaluate("document.activeElement.id"))
    tab.press(*SPACE)
    assert tab.evaluate("location.hash") == "#fed_response_switch=1"
    fed = api.run("baseline", overrides={"fed response switch": 1}).results
    assert tab.evaluate(TABLE_JS)[-1][1] == f"{fed.at[2055, 'debt_to_gdp']:.1f}"


def test_the_page_prints_clean(page, browser, tmp_path):
    """Printed, the page keeps what a reader needs and drops the controls; the results table does
    not leave its heading alone at a page's foot, and repeats its header row on each page."""
    from pypdf import PdfReader

    tab = browser.open(page.as_uri() + "#yield_shift=1")
    captions = tab.evaluate('Array.from(document.querySelectorAll("figcaption")).map((f) => f.textContent)')
    pdf = PdfReader(tab.pdf(tmp_path / "explorer.pdf"))
    pages = [unicodedata.normalize("NFKC", p.extract_text()) for p in pdf.pages]  # ligatures: fi
    text = " ".join(" ".join(p.split()) for p in pages)
    for gone in ("Stress test", "Reset to baseline", "Download this run", "Feedback loops"):
        assert gone not in text, gone
    assert len(captions) == 7
    for caption in captions:
        assert " ".join(caption.split())[:60] in text, caption
    (first,) = [i for i, p in enumerate(pages) if "Results by fiscal year" in p]
    assert re.search(r"\b2026\b", pages[first].split("Results by fiscal year")[1])
    spans = [i for i, p in enumerate(pages) if re.search(r"^20[2-5]\d\b", p, re.M) and i >= first]
    years = sorted({int(y) for i in spans for y in re.findall(r"^(20[2-5]\d)\b", pages[i], re.M)})
    assert years == list(range(2026, 2056))
    for i in spans:  # the header row on every page the table spans
        assert "% of outlays" in pages[i], i
    assert "model models/snowball.mdl sha256" in " ".join(pages[-1].split())
