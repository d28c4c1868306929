"""Render the briefing: Markdown, one self-contained HTML file, a print PDF and the figures' data.

All four read the same document (a dict built by :mod:`runners.report.brief`), so they carry the same
words and numbers. The HTML embeds each chart's PNG and has print styles; ``briefing.pdf`` is laid
out by matplotlib (text pages, then two charts a page where they fit); ``figures.xlsx`` holds one
sheet per chart with exactly the data drawn (headers in words with units, number formats, the
scenario(s), data vintage and source), plus the headline tables. Both
binary files are byte-stable (no dates in their metadata, fixed zip timestamps).
"""

from __future__ import annotations

import base64
import html
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

# headline table: (column, display label, format); debt/GDP in each headline year and interest in
# the first come first (headline_columns), in the years the briefing reaches
HEADLINE_COLUMNS = [
    ("peak_fy_average_ten_year_yield_pct", "Peak 10y (FY avg)", "{:.2f}%"),
    ("first_year_interest_exceeds_defense", "Interest > defense", "FY{:.0f}"),
    ("first_year_interest_exceeds_medicare", "Interest > Medicare (net)", "FY{:.0f}"),
    ("first_year_interest_over_20pct_of_outlays", "Interest > 20% of outlays", "FY{:.0f}"),
]
NEVER = "not by the final year"


def headline_rows(
    table: pd.DataFrame, titles: dict[str, str] | None = None, until: int | None = None
) -> tuple[list[str], list[list[str]]]:
    """Header and formatted rows of the headline table (scenario titles as rows); a milestone
    not reached reads 'not by FY``until``'."""
    from runners.projection.milestones import not_by

    cols = headline_columns(table)
    header = ["Scenario"] + [label for _, label, _ in cols]
    rows = []
    for name, row in table.iterrows():
        cells = [(titles or {}).get(name, str(name))]
        for col, _, fmt in cols:
            value = row[col]
            if pd.isna(value):
                cells.append(not_by(until) if until is not None else NEVER)
                continue
            cell = fmt.format(float(value))
            if bool(row.get(f"{col}_is_actual", False)):
                cell += " (actual)"
            cells.append(cell)
        rows.append(cells)
    return header, rows


def headline_columns(table: pd.DataFrame) -> list[tuple[str, str, str]]:
    """The headline table's columns that ``table`` has: debt/GDP in every headline year (2035 and
    2055; a briefing to FY2040 has 2035 and 2040), net interest in the first, then
    :data:`HEADLINE_COLUMNS`."""
    years = sorted(
        int(m.group(1)) for c in table.columns if (m := re.fullmatch(r"debt_to_gdp_(\d{4})_pct", c))
    )
    cols = [(f"debt_to_gdp_{y}_pct", f"Debt/GDP {y}", "{:.1f}%") for y in years]
    for y in years[:1]:
        cols += [
            (f"net_interest_{y}_bn", f"Interest {y}", "${:,.0f}bn"),
            (f"net_interest_to_gdp_{y}_pct", f"Interest/GDP {y}", "{:.1f}%"),
        ]
    return [c for c in cols + HEADLINE_COLUMNS if c[0] in table.columns]


def odds(p: float) -> str:
    """A probability in percent as the brief states it: whole percent, except that a chance which
    is not zero (or not certain) never reads as 0% (100%): 0.02 -> '<1%', 99.7 -> '>99%'."""
    whole = f"{p:.0f}"
    if whole == "0" and p > 0:
        return "<1%"
    if whole == "100" and p < 100:
        return ">99%"
    return f"{whole}%"


def probability_rows(probs: pd.DataFrame | None) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the Monte Carlo probabilities (horizon years as rows): one column per
    threshold, or, with both fans (runners.report.brief_monte_carlo.both_probabilities), the
    current-law fan's and the drift fan's for each; a year beyond the reach of CBO's record of
    errors (``attrs``: ``years_out`` > ``cbo_record_years``) is marked extrapolated."""
    if probs is None or probs.empty:
        return [], []
    pattern = re.compile(r"(\d+)pct")
    fans = {
        "current_law": ", current law (CBO's error spread)",
        "with_policy_drift": ", with policy drift (CBO's error centre too)",
    }

    def name(c: str) -> str:
        fan = c.split(":")[1] if ":" in c else ""
        return f"P(debt > {pattern.search(c).group(1)}% of GDP)" + fans.get(fan, "")

    out, reach = probs.attrs.get("years_out", {}), probs.attrs.get("cbo_record_years")

    def year(y) -> str:
        years = out.get(int(y))
        if reach is None or years is None or years <= reach:
            return str(y)
        return f"{y} ({years} years out: extrapolated; CBO's record reaches {reach})"

    header = ["Fiscal year"] + [name(c) for c in probs.columns]
    rows = [[year(y)] + [odds(v) for v in probs.loc[y]] for y in probs.index]
    return header, rows


def take_rows(
    take: pd.DataFrame | None, titles: dict[str, str] | None = None
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the "what it would take" table (runners.analysis.gap.what_it_would_take); scenarios
    by their ``titles`` (the brief's short titles) where given."""
    if take is None or take.empty:
        return [], []
    header = [
        "Scenario",
        "Goal",
        "Debt/GDP in the goal year without it (% of GDP)",
        "Adjustment (% of GDP a year)",
        "In the first year ($bn)",
    ]
    rows = []
    for _, r in take.iterrows():
        if pd.isna(r["adjustment_pct_gdp"]):  # no adjustment from -5 to 15% of GDP gets there
            size = first = "out of reach"
        else:
            size, first = f"{r['adjustment_pct_gdp']:.2f} from FY{r['from']}", f"{r['first_year_bn']:,.0f}"
        level = "" if "%" in str(r["goal"]) else f" ({r['target_pct_gdp']:.1f}% of GDP)"
        rows.append(
            [
                (titles or {}).get(r["scenario"], str(r["title"])),
                f"{r['goal']}{level} by FY{r['by']}",
                f"{r['debt_to_gdp_by_without']:.1f}",
                size,
                first,
            ]
        )
    return header, rows


LOOP_CHART = "feedback_loops"  # the chart whose loops the brief lists

TAKE_NOTE = (
    "The constant improvement in the primary balance (half revenues, half noninterest spending) that "
    "brings debt/GDP to the goal, solved on the model with each scenario's loops (snowball gap)."
)


def take_note(switches: list[str]) -> str:
    """The "what it would take" table's note: what is solved, the feedback switches every row is
    solved under (so the rows differ only by the scenario) and the measure of the level held."""
    if switches:
        names = [s.removesuffix(" switch") for s in switches]
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        alike = (
            f"Every row is solved with the same market feedbacks switched on, the {joined} switches "
            "(those every sell-off scenario switches on; the baseline's own projection has none), so "
            "the rows differ only by the scenario."
        )
    else:
        alike = "Every row is solved with no market feedback switched on."
    return (
        "The constant improvement in the primary balance (half revenues, half noninterest spending) that "
        f"brings debt/GDP to the goal, solved on the model (snowball gap). {alike} The current level is "
        "CBO's published debt/GDP for the last actual year (debt held by the public over the budget's "
        "fiscal-year GDP)."
    )


@dataclass(frozen=True)
class Block:
    """One piece of the briefing, in the order every rendering prints it: ``kind`` is "title",
    "dateline", "heading" (a section), "paragraph" (Markdown subset: **bold**, `code`,
    [text](link)), "item" (a paragraph in a list), "note" (small print), "table" (``number``,
    ``caption``, ``header``, ``rows``) or "figure" (``number``, ``text`` its heading, ``caption``,
    ``stem`` the chart's file stem)."""

    kind: str
    text: str = ""
    number: int = 0
    caption: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    stem: str = ""

    @property
    def label(self) -> str:
        """ "Figure 3. Heading" or "Table 2. Caption"."""
        if self.kind == "figure":
            return f"Figure {self.number}. {self.text}"
        return f"Table {self.number}. {self.caption}"


def _paragraphs(text: str) -> list[Block]:
    return [Block("paragraph", " ".join(p.split())) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def _table(number: int, caption: str, header: list[str], rows: list[list[str]]) -> Block:
    return Block("table", number=number, caption=caption, header=tuple(header), rows=tuple(map(tuple, rows)))


def blocks(doc: dict) -> list[Block]:
    """The briefing as one ordered list of blocks: Markdown, HTML and PDF all print exactly these,
    in this order (a new section is a line here)."""
    out = [Block("title", doc["title"]), Block("dateline", doc["header"])]
    out += [Block("heading", "Key findings"), *_paragraphs(doc["findings"])]
    if doc.get("definitions"):  # what each scenario does and assumes, which loops are on
        out += [Block("heading", "Scenarios defined")]
        out += [Block("item", f"**{title}.** {line}") for title, line in doc["definitions"]]
    out += [Block("heading", "Scenarios"), *[b for para in doc["summaries"] for b in _paragraphs(para)]]
    tables = 0
    out.append(Block("heading", "Headline numbers"))
    tables += 1
    out.append(
        _table(
            tables,
            "Headline numbers by scenario",
            *headline_rows(doc["table"], doc.get("titles"), doc.get("until")),
        )
    )
    out.append(Block("note", '"(actual)": the crossing is in the actual data. Tables: `tables/`.'))
    if doc.get("measures"):
        out.append(Block("note", doc["measures"]))
    if doc.get("cbo_beside"):
        tables += 1
        out.append(_table(tables, "Snowball's baseline beside CBO's own projection", *doc["cbo_beside"]))
    p_header, p_rows = probability_rows(doc.get("probabilities"))
    if p_rows:
        tables += 1
        out.append(_table(tables, "Monte Carlo probabilities", p_header, p_rows))
    t_header, t_rows = take_rows(doc.get("take"), doc.get("titles"))
    if t_rows:
        tables += 1
        out += [Block("heading", "What it would take"), Block("paragraph", doc.get("take_note", TAKE_NOTE))]
        out.append(_table(tables, "What it would take to hold or lower debt/GDP", t_header, t_rows))
    out.append(Block("heading", "Charts"))
    loops = "Loops the model closes: " + "; ".join(doc["loops"]) + "." if doc["loops"] else ""
    for number, (stem, heading, caption) in enumerate(doc["charts"], start=1):
        out.append(Block("figure", heading, number=number, caption=caption, stem=stem))
        if loops and stem == LOOP_CHART:  # the list goes with the diagram it names
            out.append(Block("paragraph", loops))
    if loops and LOOP_CHART not in [c[0] for c in doc["charts"]]:
        out.append(Block("paragraph", loops))
    if doc.get("explorer"):  # the page in the pack, and each scenario's address in it
        intro, *lines = doc["explorer"]
        out += [Block("heading", "Explore it yourself"), Block("paragraph", intro)]
        out += [Block("item", line) for line in lines]
    out += [Block("heading", "Methods"), *_paragraphs(doc["methods"]), Block("note", doc["source"])]
    return out


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    return out + ["| " + " | ".join(r) + " |" for r in rows]


def _md_block(b: Block) -> list[str]:
    if b.kind == "title":
        return [f"# {b.text}"]
    if b.kind == "dateline":
        return [f"*{b.text}*"]
    if b.kind == "heading":
        return [f"## {b.text}"]
    if b.kind == "table":
        return [f"**{b.label}**", "", *_md_table(list(b.header), [list(r) for r in b.rows])]
    if b.kind == "item":
        return [f"- {b.text}"]
    if b.kind == "figure":
        lines = [f"### {b.label}", "", f"![{b.text}](charts/{b.stem}.png)"]
        return lines + (["", b.caption] if b.caption else [])
    return [b.text]


def render_markdown(doc: dict) -> str:
    """The briefing as Markdown, charts referenced as ``charts/STEM.png``."""
    lines = []
    for b in blocks(doc):
        lines += [*_md_block(b), ""]
    return "\n".join(lines)


def _md_to_html(text: str) -> str:
    """The small Markdown subset the briefing's prose uses: paragraphs, **bold**, `code`, links."""
    out = []
    for para in re.split(r"\n\s*\n", text.strip()):
        p = html.escape(" ".join(para.split()))
        p = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", p)
        p = re.sub(r"`(.+?)`", r"<code>\1</code>", p)
        p = re.sub(r"\[(.+?)\]\((.+?)\)", r'<a href="\2">\1</a>', p)
        out.append(f"<p>{p}</p>")
    return "\n".join(out)


CSS = """
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #222;
       max-width: 46rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; font-size: 15px; }
h1 { font-size: 1.6rem; line-height: 1.25; margin-bottom: 0.2rem; }
.dateline { color: #555; font-size: 0.85rem; margin-top: 0; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.05rem; margin-bottom: 0.3rem; }
table { border-collapse: collapse; font-size: 0.8rem; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.4rem; text-align: right; }
th:first-child, td:first-child { text-align: left; overflow-wrap: normal; width: 28%; }
th { background: #f3f3f3; }
figure { margin: 1rem 0 1.5rem; page-break-inside: avoid; break-inside: avoid; }
figure img { width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: #444; }
figure.table figcaption { font-size: 0.9rem; color: #222; margin-bottom: 0.3rem; }
code { font-size: 0.9em; }
.source { font-size: 0.8rem; color: #555; }
@media (max-width: 640px) {
  body { font-size: 14px; padding: 0 0.5rem; }
  table { font-size: 0.62rem; }
  th, td { padding: 0.15rem 0.15rem; }
  td { overflow-wrap: anywhere; }
}
@media print {
  @page { size: letter; margin: 12mm;
          @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; } }
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; line-height: 1.4; }
  h2 { page-break-after: avoid; break-after: avoid; margin-top: 0.8rem; }
  figure { page-break-inside: avoid; break-inside: avoid; margin: 0.2rem 0 0.4rem; }
  figure img { width: auto; max-width: 100%; max-height: var(--print-height); display: block;
               margin: 0 auto; }
  figure.page, h2.charts { break-before: page; }
  figcaption { font-size: 8pt; line-height: 1.3; }
  h3 { margin: 0.2rem 0 0.1rem; font-size: 10.5pt; }
  figure.table, table { page-break-inside: auto; break-inside: auto; }  /* rows flow on; thead repeats */
  figure.table figcaption, thead { break-after: avoid; }
  tr { break-inside: avoid; }
}
"""


def _html_table(header: list[str], rows: list[list[str]]) -> list[str]:
    esc = html.escape
    parts = ["<table>", "<thead><tr>", *[f"<th>{esc(h)}</th>" for h in header], "</tr></thead>", "<tbody>"]
    parts += ["<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows]
    return parts + ["</tbody>", "</table>"]


PAGE_START = ' class="page"'  # a figure that begins a printed page
PRINT_PAGE = 10.0  # inches of a printed Letter page (12 mm margins) the HTML's charts may fill


def _png_size(path: Path) -> tuple[float, float]:
    """A chart's PNG's width and height, inches (its header's pixels at the PNG's resolution)."""
    from runners.report.style import PNG_DPI

    head = path.read_bytes()[16:24]
    return int.from_bytes(head[:4]) / PNG_DPI, int.from_bytes(head[4:]) / PNG_DPI


def _print_plan(items: list[Block], charts_dir: Path) -> dict[int, tuple[float, bool]]:
    """The HTML's print layout of its charts, as the PDF's (:func:`_groups`): for each figure
    (by its number), the height to print it at (inches) and whether it begins a page; the charts'
    section begins one."""
    plan: dict[int, tuple[float, bool]] = {}
    for run in _runs(items):
        if not any(b.kind == "figure" for b in run):
            continue
        sizes = []
        for b in run:
            if b.kind == "figure":
                lines = len(textwrap.wrap(b.caption, 140)) if b.caption else 0
                sizes.append((0.45 + lines * 0.16, _png_size(charts_dir / f"{b.stem}.png")[1]))
            else:
                sizes.append(
                    (0.5 if b.kind == "heading" else len(textwrap.wrap(b.text, 120)) * 0.2 + 0.2, 0.0)
                )
        for group, scale in _groups(sizes, PRINT_PAGE, PRINT_PAGE):
            for n, k in enumerate(group):
                if run[k].kind == "figure":
                    plan[run[k].number] = (scale * sizes[k][1], n == 0 and k > 0)
    return plan


def _html_block(b: Block, charts_dir: Path, plan: dict | None = None) -> list[str]:
    esc = html.escape
    if b.kind == "title":
        return [f"<h1>{esc(b.text)}</h1>"]
    if b.kind == "dateline":
        return [f'<p class="dateline">{esc(b.text)}</p>']
    if b.kind == "heading":
        return ['<h2 class="charts">Charts</h2>' if b.text == "Charts" else f"<h2>{esc(b.text)}</h2>"]
    if b.kind == "note":
        return [_md_to_html(b.text).replace("<p>", '<p class="source">', 1)]
    if b.kind == "table":
        return [
            '<figure class="table">',
            f"<figcaption><strong>Table {b.number}.</strong> {esc(b.caption)}</figcaption>",
            *_html_table(list(b.header), [list(r) for r in b.rows]),
            "</figure>",
        ]
    if b.kind == "figure":
        data = base64.b64encode((charts_dir / f"{b.stem}.png").read_bytes()).decode("ascii")
        height, starts = (plan or {}).get(b.number, (4.0, False))
        return [
            f'<figure{PAGE_START if starts else ""} style="--print-height: {height:.2f}in">',
            f"<h3>{esc(b.label)}</h3>",
            f'<img src="data:image/png;base64,{data}" alt="{esc(b.text)}">',
            f"<figcaption>{esc(b.caption)}</figcaption>" if b.caption else "",
            "</figure>",
        ]
    return [_md_to_html(b.text)]


def render_html(doc: dict, charts_dir: Path) -> str:
    """The briefing as one self-contained HTML page (PNG charts embedded as data URIs)."""
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(doc['title'])}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
    ]
    items = blocks(doc)
    plan = _print_plan(items, charts_dir)
    for b in items:
        parts += _html_block(b, charts_dir, plan)
    parts += ["</body>", "</html>", ""]
    return "\n".join(p for p in parts if p)


# ------------------------------------------------------------------------------------------ PDF

PAGE = (8.5, 11.0)  # US Letter, inches
MARGIN = 0.6
FULL = PAGE[1] - 2 * MARGIN  # the height a page holds, inches
PDF_METADATA = {"Title": None, "CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}
FILL = 2 / 3  # no page but a section's last is filled less than this
MIN_SCALE = 0.6  # the smallest a chart is drawn (to fill a page that would be under FILL)
LABEL = 0.3  # inches above each chart for "Figure N. heading"
HEADING = LABEL  # (the name the pairing rule's callers know)
CAPTION = (8.0, 125)  # caption font size and characters a line
TEXT = (9.5, 100)  # body text


MARKUP = re.compile(r"\*\*(.+?)\*\*|`(.+?)`|\[(.+?)\]\((.+?)\)")  # **bold**, `code`, [text](link)


def _unmarked(text: str) -> str:
    """The text a reader sees: emphasis and code marks dropped, a link's text kept."""
    return MARKUP.sub(lambda m: m.group(1) or m.group(2) or m.group(3), text)


def _plain(text: str) -> str:
    """Markdown emphasis, code and links removed; dollar signs escaped (matplotlib would read maths)."""
    return _unmarked(text).replace("$", r"\$")


def _wrap(text: str, width: int) -> list[str]:
    return [_plain(line) for line in textwrap.wrap(_unmarked(text), width)] or [""]


def _step(size: float) -> float:
    return size * 1.45 / 72


class _VectorChart:
    """Draws a chart's own Figure, as vectors, into a PDF page: its drawing commands go into the
    page's content stream inside a transformation (scale, lower-left corner at ``x``, ``y``
    inches), so the PDF holds the chart's paths and text, not its PNG."""

    def __init__(self, figure, x: float, y: float, scale: float):
        from matplotlib.artist import Artist

        self.artist = Artist()
        self.artist.draw = self.draw
        self.figure, self.x, self.y, self.scale = figure, x, y, scale

    def draw(self, renderer) -> None:
        from matplotlib.backends.backend_mixed import MixedModeRenderer
        from matplotlib.backends.backend_pdf import Op, RendererPdf

        pdf = getattr(renderer, "_renderer", renderer)
        if not isinstance(pdf, RendererPdf):  # drawn only into the PDF
            return
        fig, dpi = self.figure, self.figure.dpi
        w, h = fig.get_size_inches()
        pdf.file.output(Op.gsave, self.scale, 0, 0, self.scale, self.x * 72, self.y * 72, Op.concat_matrix)
        fig.dpi = 72  # PDF points, as matplotlib's own PDF writer draws it
        try:
            mixed = MixedModeRenderer(fig, w, h, dpi, RendererPdf(pdf.file, dpi, h, w))
            fig.draw(mixed)
            mixed.finalize()
        finally:
            fig.dpi = dpi
        pdf.file.output(Op.grestore)


def _item_height(block: Block, chart) -> tuple[float, float]:
    """(fixed, scalable) height of a block in a run of charts, inches: a chart's label and
    caption are fixed, the chart scales."""
    if block.kind == "figure":
        caption = len(_wrap(block.caption, CAPTION[1])) * _step(CAPTION[0]) + 0.15 if block.caption else 0.1
        return LABEL + caption, float(chart.figure.get_size_inches()[1])
    size = 11.5 if block.kind == "heading" else TEXT[0]
    return len(_wrap(block.text, TEXT[1])) * _step(size) + 0.2, 0.0


def _group_cost(
    sizes: list[tuple[float, float]], room: float, last: bool, full: float = FULL
) -> tuple[float, float] | None:
    """A page's cost and the charts' scale, laying ``sizes`` in ``room`` inches of a page holding
    ``full`` (None: they do not fit); a page filled less than FILL costs much unless it is the
    run's ``last``."""
    fixed, scalable = sum(f for f, _ in sizes), sum(s for _, s in sizes)
    scale = min(1.0, (room - fixed) / scalable) if scalable else 1.0
    if room - fixed < 0 or scale < MIN_SCALE:
        return None
    charts = sum(1 for _, s in sizes if s)
    under = full - room + fixed + scale * scalable < FILL * full and not last
    return charts * (1 - scale) ** 2 + 0.05 + (10.0 if under else 0.0), scale


def _groups(
    sizes: list[tuple[float, float]], first_room: float, full: float = FULL
) -> list[tuple[list[int], float]]:
    """Items (fixed, scalable heights) split into pages, in order, each page's items with one
    scale: the split that keeps charts largest with no page under FILL but the last (dynamic
    programming). The first page has ``first_room`` inches left; its group may be empty."""
    n = len(sizes)
    best: dict[int, tuple[float, list]] = {n: (0.0, [])}
    for i in range(n - 1, -1, -1):
        options = []
        for j in range(i + 1, n + 1):
            fit = _group_cost(sizes[i:j], full, j == n, full)
            if fit is None:
                break
            options.append((fit[0] + best[j][0], [(list(range(i, j)), fit[1])] + best[j][1]))
        best[i] = min(options, key=lambda o: o[0]) if options else (1e9, [([i], MIN_SCALE)] + best[i + 1][1])
    options = [best[0]]
    for j in range(1, n + 1):  # the first items on the page begun already
        fit = _group_cost(sizes[:j], first_room, j == n, full)
        if fit is None:
            break
        options.append((fit[0] - 0.05 + best[j][0], [(list(range(j)), fit[1])] + best[j][1]))
    return min(options, key=lambda o: o[0])[1]


def _pair(figures: list, usable: float) -> list[list]:
    """Charts in pages (see :func:`_groups`): two to a page where both fit, none under FILL but
    the last."""
    sizes = [(LABEL, float(c.figure.get_size_inches()[1])) for c in figures]
    return [[figures[k] for k in group] for group, _ in _groups(sizes, usable) if group]


class _TextPages:
    """Blocks laid onto numbered Letter pages with matplotlib: paragraphs flow line by line across
    pages, tables are kept whole, runs of charts are split into pages by :func:`_groups` (drawn
    as vectors); :meth:`finish` numbers the pages and writes them to ``pdf``."""

    def __init__(self, pdf, style: Path):
        import matplotlib.pyplot as plt

        self.plt, self.pdf, self.style = plt, pdf, style
        self.pages: list = []
        self.fig = None
        self.y = 0.0

    def _new(self) -> None:
        self.fig = self.plt.figure(figsize=PAGE)
        self.pages.append(self.fig)
        self.y = PAGE[1] - MARGIN

    def room(self) -> float:
        """Inches left on the current page."""
        return self.y - MARGIN if self.fig is not None else 0.0

    def _room(self, inches: float) -> None:
        if self.fig is None or self.y - inches < MARGIN:
            self._new()

    def _line(self, text: str, size: float, bold: bool = False, x: float = MARGIN, ha: str = "left") -> None:
        self.fig.text(x / PAGE[0], self.y / PAGE[1], text, fontsize=size, va="top", ha=ha,
                      fontweight="bold" if bold else "normal")  # fmt: skip

    def text(
        self,
        text: str,
        size: float = TEXT[0],
        bold: bool = False,
        width: int = TEXT[1],
        gap: float = 0.12,
        keep: float = 0,
    ) -> None:
        """A wrapped paragraph, flowing onto the next page line by line (two lines at least
        together); ``keep`` inches must follow it on the same page (for headings)."""
        lines, step = _wrap(text, width), _step(size)
        self._room(step * (len(lines) if keep else min(2, len(lines))) + keep)
        for line in lines:
            self._room(step)
            self._line(line, size, bold)
            self.y -= step
        self.y -= gap

    def _width(self, text: str, size: float, bold: bool = False) -> float:
        """The width of a line of text, inches, with 10% to spare (hinted small text drawn at
        another resolution comes out a few percent wider than measured)."""
        t = self.fig.text(0, 0, text, fontsize=size, fontweight="bold" if bold else "normal")
        width = t.get_window_extent(self.fig.canvas.get_renderer()).width / self.fig.dpi
        t.remove()
        return width * 1.1

    def _first_column(self, cells: list[str], width: float, size: float) -> list[list[str]]:
        """The first column's cells wrapped (never shortened: two titles that begin alike stay
        distinct) to ``width`` inches."""
        out = []
        for cell in cells:
            chars = len(cell)
            lines = [cell]
            while chars > 12 and max(self._width(x, size) for x in lines) > width:
                chars -= 2
                lines = textwrap.wrap(cell, chars)
            out.append(lines)
        return out

    def table(self, header: list[str], rows: list[list[str]], size: float = 7.0, label: str = "") -> None:
        """A table under its ``label``: the first column left-aligned (wrapped to fit), the others
        right-aligned, each as wide as its widest header line or cell, so nothing overlaps."""
        step, gap = size * 1.6 / 72, 0.1
        cells = [
            [_plain(c if k == 0 else c.replace(" (actual)", "*")) for k, c in enumerate(r)] for r in rows
        ]
        # headers wrap to their column's widest cell (10 characters at least), never within a word
        head = [
            textwrap.wrap(h, max([10] + [len(r[k]) for r in rows if k]), break_long_words=False)
            for k, h in enumerate(header)
        ]
        head_lines = max(len(h) for h in head)
        if self.fig is None:
            self._new()
        usable = PAGE[0] - 2 * MARGIN
        widths = [0.0] + [
            max(
                [self._width(_plain(line), size, bold=True) for line in head[k]]
                + [self._width(r[k], size) for r in cells]
            )
            for k in range(1, len(header))
        ]
        widths[0] = usable - sum(widths[1:]) - gap * (len(header) - 1)
        first = self._first_column([r[0] for r in cells], widths[0], size)
        label_step = _step(8.5) if label else 0
        self._room(label_step + step * (sum(len(f) for f in first) + head_lines + 1))
        if label:
            self._line(_plain(label), 8.5, bold=True)
            self.y -= label_step
        x = [MARGIN + sum(widths[:k]) + gap * k for k in range(len(widths))]
        for k, lines in enumerate(head):
            for j, line in enumerate(lines):
                pos = x[k] if k == 0 else x[k] + widths[k]
                self.fig.text(pos / PAGE[0], (self.y - j * step) / PAGE[1], _plain(line), fontsize=size,
                              fontweight="bold", va="top", ha="left" if k == 0 else "right")  # fmt: skip
        self.y -= step * head_lines + 0.04
        for row, lines in zip(cells, first, strict=True):
            for j, line in enumerate(lines):
                self.fig.text(x[0] / PAGE[0], (self.y - j * step) / PAGE[1], line, fontsize=size, va="top")
            for k, cell in enumerate(row[1:], start=1):
                self._line(cell, size, x=x[k] + widths[k], ha="right")
            self.y -= step * len(lines)
        self.y -= 0.15

    def charts(self, run: list[Block], by_stem: dict) -> None:
        """A run of charts (with the headings and paragraphs among them), split into pages so that
        none is under FILL but the run's last, each page's charts at one scale, drawn as vectors."""
        sizes = [_item_height(b, by_stem.get(b.stem)) for b in run]
        for n, (group, scale) in enumerate(_groups(sizes, self.room())):
            if n or self.fig is None:
                self._new()
            for k in group:
                self._chart_item(run[k], by_stem.get(run[k].stem), scale)

    def _chart_item(self, block: Block, chart, scale: float) -> None:
        if block.kind == "heading":
            self.text(block.text, size=11.5, bold=True)
            return
        if block.kind != "figure":
            self.text(block.text)
            return
        self._line(_plain(block.label), 10, bold=True)
        self.y -= LABEL
        w, h = (v * scale for v in chart.figure.get_size_inches())
        self.fig.add_artist(_VectorChart(chart.figure, (PAGE[0] - w) / 2, self.y - h, scale).artist)
        self.y -= h + 0.1
        for line in _wrap(block.caption, CAPTION[1]) if block.caption else []:
            self._line(line, CAPTION[0])
            self.y -= _step(CAPTION[0])
        self.y -= 0.05

    def finish(self) -> None:
        """Number the pages ("Page 3 of 14") and write them."""
        for n, fig in enumerate(self.pages, start=1):
            fig.text(0.5, 0.35 / PAGE[1], f"Page {n} of {len(self.pages)}", fontsize=8, ha="center")
            self.pdf.savefig(fig)
            self.plt.close(fig)
        self.pages, self.fig = [], None


def _runs(items: list[Block]) -> list[list[Block]]:
    """Blocks in runs: a run of charts (with the heading just before it and the paragraphs among
    and after its charts) is one run, every other block one of its own."""
    out, k = [], 0
    while k < len(items):
        lead = items[k].kind == "heading" and k + 1 < len(items) and items[k + 1].kind == "figure"
        if items[k].kind != "figure" and not lead:
            out.append([items[k]])
            k += 1
            continue
        j = k + 1
        while j < len(items) and items[j].kind in ("figure", "paragraph"):
            j += 1
        out.append(items[k:j])
        k = j
    return out


def write_pdf(doc: dict, figures: list, path: Path) -> Path:
    """``briefing.pdf``: the blocks in order, on numbered Letter pages; the charts drawn as vectors
    from their figures, with their numbers and captions, as many a page as fit."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from runners.report.style import STYLE

    by_stem = {c.stem: c for c in figures}
    meta = dict(PDF_METADATA, Title=doc["title"])
    with plt.style.context(STYLE), PdfPages(path, metadata=meta) as pdf:
        pages = _TextPages(pdf, STYLE)
        for run in _runs(blocks(doc)):
            b = run[0]
            if any(x.kind == "figure" for x in run):
                pages.charts(run, by_stem)
            elif b.kind == "title":
                pages.text(b.text, size=15, bold=True, width=70, gap=0.05)
            elif b.kind == "dateline":
                pages.text(b.text, size=8, width=130, gap=0.2)
            elif b.kind == "heading":
                pages.text(b.text, size=11.5, bold=True, keep=0.8)
            elif b.kind == "note":
                pages.text(b.text.replace('"(actual)"', "*"), size=7.5, width=130)
            elif b.kind == "table":
                pages.table(list(b.header), [list(r) for r in b.rows], label=b.label)
            else:
                pages.text(b.text)
        pages.finish()
    return path


# ----------------------------------------------------------------------------------------- XLSX


def write_xlsx(doc: dict, figures: list, path: Path) -> Path:
    """``figures.xlsx`` (see :mod:`runners.report.figures_xlsx`), the "what it would take" sheet
    with the note the brief gives it."""
    from runners.report.figures_xlsx import write_xlsx as write

    return write(doc, figures, path, doc.get("take_note", TAKE_NOTE))
