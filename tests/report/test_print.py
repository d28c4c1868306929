"""Print that holds (issue 25 item 8): the briefing's PDF has numbered pages, numbered figures and
tables with their captions, vector charts and no page under two-thirds full but a section's last;
Markdown, HTML and PDF print the same blocks in the same order; the HTML renders in a real browser
(Debian's chromium, headless) without horizontal overflow, and its print PDF holds the same rules.

The PDFs are read with pypdf (the test extra); positions are measured from the pages' own drawing
operators (text matrices and image placements), not from the layout code."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from browser import CHROMIUM_FLAGS as BROWSER_FLAGS

pypdf = pytest.importorskip("pypdf", reason="pypdf is in the test extra: pip install -e '.[test]'")

LETTER_HEIGHT = 11 * 72  # points
PDF_MARGIN = 0.6 * 72  # the pack PDF's margins (render.MARGIN)
PRINT_MARGIN = 12 / 25.4 * 72  # the HTML's @page margin, 12 mm
FILL = 2 / 3


def _mul(a, b):
    """The product of two PDF matrices [a b c d e f]."""
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def _page_items(page) -> list[tuple[str, float, float, float]]:
    """What a page draws: (text or "<image>", x, y bottom, y top) in points, from the operators."""
    items: list[tuple[str, float, float, float]] = []

    def on_text(text, cm, tm, font, size):
        if text.strip():
            m = _mul(tm, cm)
            items.append((text, m[4], m[5], m[5] + abs(m[3]) * (size or 1)))

    def on_op(op, args, cm, tm):
        if op == b"Do":
            name = args[0]
            xobjects = page["/Resources"].get("/XObject", {})
            if name in xobjects and xobjects[name].get_object().get("/Subtype") == "/Image":
                items.append(("<image>", cm[4], cm[5], cm[5] + cm[3]))

    page.extract_text(visitor_text=on_text, visitor_operand_before=on_op)
    return items


def _fills(reader, margin: float) -> list[tuple[float, list]]:
    """Each page's fill (the height between its highest and lowest drawing inside the margins,
    over the height inside the margins) and what it draws inside them, top first."""
    out = []
    for page in reader.pages:
        height = float(page.mediabox.height)
        inside = [i for i in _page_items(page) if i[2] > margin * 0.8 and i[3] < height - margin * 0.5]
        inside.sort(key=lambda i: -i[3])
        span = (max(i[3] for i in inside) - min(i[2] for i in inside)) if inside else 0
        out.append((span / (height - 2 * margin), inside))
    return out


def _sections(md: str) -> list[str]:
    return re.findall(r"^## (.+)$", md, flags=re.M)


def _underfilled(reader, margin: float, sections: list[str]) -> list[tuple[int, float]]:
    """Pages under FILL that are not a section's last (the next page begins with a section)."""
    fills = _fills(reader, margin)
    bad = []
    for n, (fill, _) in enumerate(fills[:-1]):
        nxt = fills[n + 1][1]
        first_line = " ".join(t for t, _, y0, y1 in nxt if nxt and y1 >= nxt[0][3] - 2).strip()
        if fill < FILL and first_line not in sections:
            bad.append((n + 1, round(fill, 2)))
    return bad


def _norm(text: str) -> str:
    text = re.sub(r"\*\*(.+?)\*\*|`(.+?)`", lambda m: m.group(1) or m.group(2), text)
    return " ".join(text.replace("−", "-").split())


def _md_labels(md: str) -> list[str]:
    """The numbered figures' and tables' labels, in the Markdown's order."""
    return [
        m.group(1) or m.group(2)
        for m in re.finditer(r"^### (Figure \d+\. .+)$|^\*\*(Table \d+\. .+)\*\*$", md, flags=re.M)
    ]


@pytest.fixture(scope="module")
def pack(briefing_pack):
    return briefing_pack


@pytest.fixture(scope="module")
def book(pack):
    return pypdf.PdfReader(pack / "briefing.pdf")


@pytest.fixture(scope="module")
def book_text(book) -> list[str]:
    return [_norm(p.extract_text()) for p in book.pages]


@pytest.mark.slow
def test_pdf_numbers_every_page(book, book_text):
    n = len(book.pages)
    assert n > 5
    for k, text in enumerate(book_text, start=1):
        assert f"Page {k} of {n}" in text, k


@pytest.mark.slow
def test_pdf_prints_every_figure_and_table_with_its_caption_in_the_markdowns_order(pack, book_text):
    md = (pack / "briefing.md").read_text()
    whole = " ".join(book_text)
    labels = _md_labels(md)
    stems = sorted(p.stem for p in (pack / "charts").glob("*.png"))
    assert sum(x.startswith("Figure") for x in labels) == len(stems)  # every chart numbered
    tables = [int(x.split()[1].rstrip(".")) for x in labels if x.startswith("Table")]
    assert tables == list(range(1, len(tables) + 1)) and len(tables) >= 4  # headline, CBO, odds, take
    positions = [whole.find(_norm(x)) for x in labels]
    assert -1 not in positions, [x for x, p in zip(labels, positions, strict=True) if p < 0]
    assert positions == sorted(positions)  # the same order as the Markdown
    # each chart's caption (the paragraph under its image in the Markdown) and the loops paragraph
    captions = re.findall(r"!\[[^\]]*\]\(charts/\w+\.png\)\n\n([^\n]+)", md)
    assert len(captions) == len(stems)
    loops = next(line for line in md.splitlines() if line.startswith("Loops the model closes"))
    for text in [*captions, loops, *_sections(md)]:
        assert _norm(text) in whole, text[:60]


@pytest.mark.slow
def test_pdf_charts_are_vectors(pack, book):
    """No raster image in the PDF: each chart is drawn from its own figure (its text is text)."""
    for n, page in enumerate(book.pages, start=1):
        assert not [i for i in _page_items(page) if i[0] == "<image>"], n
    data = (pack / "briefing.pdf").read_bytes()
    assert b"/Subtype /Image" not in data
    # every chart's own words (its SVG's text: title, axes, legend) are in the PDF as text
    whole = " ".join(_norm(p.extract_text()) for p in book.pages)
    for svg in (pack / "charts").glob("*.svg"):
        words = [
            _norm(html.unescape(w)) for w in re.findall(r"<text[^>]*>([^<]{12,})</text>", svg.read_text())
        ]
        missing = [w for w in words if w.replace(" ", "") not in whole.replace(" ", "")]
        assert len(missing) <= len(words) // 5, (svg.stem, missing)


@pytest.mark.slow
def test_pdf_pages_are_two_thirds_full_but_a_sections_last(pack, book):
    sections = _sections((pack / "briefing.md").read_text())
    assert _underfilled(book, PDF_MARGIN, sections) == []


@pytest.mark.slow
def test_headline_rows_print_distinct_whole_titles(pack, book_text):
    """Two sell-offs' titles begin alike; the PDF's headline table printed both shortened to the
    same "Japan sells $1,200bn of [...]"; each row prints its whole title."""
    md = (pack / "briefing.md").read_text()
    table = md.split("**Table 1.")[1].split("\n\n")[1]
    titles = [row.split("|")[1].strip() for row in table.splitlines()[2:]]
    assert len(titles) == len(set(titles)) >= 2
    page = next(t for t in book_text if "Table 1." in t)
    for title in titles:
        assert _norm(title) in page, title
    assert "[...]" not in page


def test_pdf_is_byte_reproducible(tmp_path):
    """The same document twice: the same bytes (no dates, ids or memory addresses)."""
    import matplotlib

    matplotlib.use("Agg")
    from runners.report import render, style

    doc, figures = _small_doc()
    a = render.write_pdf(doc, figures, tmp_path / "a.pdf").read_bytes()
    b = render.write_pdf(doc, figures, tmp_path / "b.pdf").read_bytes()
    assert a == b
    assert b"CreationDate" not in a and b"/Subtype /Image" not in a
    del style


def test_headline_titles_that_begin_alike_stay_distinct(tmp_path):
    """The headline table's first column: two titles alike for 50 characters print whole (they
    were shortened alike, "Japan sells $1,200bn of [...]", in the default pack)."""
    from runners.report import render

    doc, figures = _small_doc()
    pdf = pypdf.PdfReader(render.write_pdf(doc, figures, tmp_path / "b.pdf"))
    page = next(_norm(p.extract_text()) for p in pdf.pages if "Table 1." in p.extract_text())
    labels = list(doc["titles"].values())
    assert len(set(labels)) == len(labels)
    for title in labels:
        assert _norm(title) in page, page[:400]
    assert "[...]" not in page


def _small_doc():
    """A document with three charts, its headline table of two titles that begin alike."""
    import pandas as pd
    from matplotlib.figure import Figure

    from runners.report.brief_charts import Chart

    figures = []
    for k, h in enumerate((4.0, 5.0, 4.0)):
        fig = Figure(figsize=(6.5, h))
        fig.add_subplot().plot([2025, 2035], [100, 100 + 10 * k])
        fig.suptitle(f"Chart title {k}")
        figures.append(Chart(f"c{k}", f"Heading {k}", f"Caption {k}, % of GDP.", fig))
    table = pd.DataFrame(
        {"debt_to_gdp_2035_pct": [120.0, 125.0]},
        index=pd.Index(["a", "b"], name="scenario"),
    )
    long = "Japan sells $1,200bn of Treasuries over 12 months"
    doc = {
        "title": "T",
        "header": "1 January 2026",
        "findings": "Findings.",
        "summaries": ["A.", "B."],
        "table": table,
        "titles": {"a": f"{long}, no policy response", "b": f"{long}; the Fed buys"},
        "until": 2055,
        "charts": [(c.stem, c.heading, c.caption) for c in figures],
        "methods": "Methods one.\n\nMethods two.",
        "loops": ["R1 snowball (reinforcing)"],
        "source": "Source: CBO.",
    }
    return doc, figures


def test_markdown_html_and_pdf_print_the_same_blocks_in_order(tmp_path):
    from runners.report import render

    doc, figures = _small_doc()
    md = render.render_markdown(doc)
    (tmp_path / "charts").mkdir()
    for c in figures:
        c.figure.savefig(tmp_path / "charts" / f"{c.stem}.png", dpi=20)
    page = render.render_html(doc, tmp_path / "charts")
    text = " ".join(
        _norm(p.extract_text())
        for p in pypdf.PdfReader(render.write_pdf(doc, figures, tmp_path / "b.pdf")).pages
    )
    labels = _md_labels(md)
    assert labels == ["Table 1. Headline numbers by scenario"] + [
        f"Figure {k + 1}. Heading {k}" for k in range(3)
    ]
    html_labels = [
        _norm(re.sub(r"<[^>]+>", "", m))
        for m in re.findall(r"<h3>(Figure .+?)</h3>|<figcaption>(<strong>Table .+?)</figcaption>", page)
        for m in m
        if m
    ]
    assert html_labels == labels
    assert [text.find(x) for x in labels] == sorted(text.find(x) for x in labels) and text.find(
        labels[0]
    ) >= 0
    for words in (
        "Loops the model closes: R1 snowball (reinforcing).",
        "Caption 2, % of GDP.",
        "Methods two.",
    ):
        assert words in md and words in page and words in text


# ---------------------------------------------------------------------------------------- chromium

CHROMIUM_FLAGS = [*BROWSER_FLAGS, "--hide-scrollbars"]

OVERFLOW_SCRIPT = """<script>
window.addEventListener('load', () => {
  const root = document.documentElement, width = root.clientWidth;
  const over = [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5)
    .map(e => e.tagName + '.' + (e.className || '') + ':' + (e.textContent || '').slice(0, 40));
  document.body.setAttribute('data-scroll', root.scrollWidth + ' ' + width);
  document.body.setAttribute('data-overflow', JSON.stringify(over.slice(0, 5)));
});
</script>"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium is not installed: apt-get install -y chromium (.ci/run does this in CI)")
    return found


def _browse(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    exe = _chromium()
    profile = tmp_path / "profile"
    cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=True)


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 500])  # 500: headless chromium's narrowest window
def test_chromium_renders_the_html_without_horizontal_overflow(pack, tmp_path, width):
    page = (pack / "briefing.html").read_text().replace("</body>", OVERFLOW_SCRIPT + "</body>")
    probe = tmp_path / "probe.html"
    probe.write_text(page)
    shot = tmp_path / f"briefing-{width}.png"
    _browse(tmp_path, f"--screenshot={shot}", f"--window-size={width},2000", probe.as_uri())
    assert shot.stat().st_size > 10_000  # something was drawn (tmp_path keeps it to look at)
    dom = _browse(
        tmp_path, "--dump-dom", f"--window-size={width},2000", "--virtual-time-budget=5000", probe.as_uri()
    )
    scroll, client = map(int, re.search(r'data-scroll="(\d+) (\d+)"', dom.stdout).groups())
    over = re.search(r'data-overflow="([^"]*)"', dom.stdout).group(1)
    assert scroll <= client, over
    assert over == "[]"


@pytest.mark.slow
def test_chromium_prints_numbered_pages_two_thirds_full_but_a_sections_last(pack, tmp_path):
    out = tmp_path / "print.pdf"
    _browse(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={out}", (pack / "briefing.html").as_uri())
    reader = pypdf.PdfReader(out)
    md = (pack / "briefing.md").read_text()
    assert _underfilled(reader, PRINT_MARGIN, _sections(md)) == []
    n = len(reader.pages)
    for k, page in enumerate(reader.pages, start=1):
        width = float(page.mediabox.width)
        assert all(x <= width for _, x, _, _ in _page_items(page)), k  # nothing runs off the page
        assert f"Page {k} of {n}" in _norm(page.extract_text()), k  # @page margin boxes
    if shutil.which("pdftoppm"):  # the pages as pictures beside the PDF, to look at
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "print")], check=True)
