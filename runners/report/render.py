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
    """Header and rows of the Monte Carlo probabilities (horizon years as rows)."""
    if probs is None or probs.empty:
        return [], []
    pattern = re.compile(r"(\d+)pct")
    header = ["Fiscal year"] + [f"P(debt > {pattern.search(c).group(1)}% of GDP)" for c in probs.columns]
    rows = [[str(y)] + [odds(v) for v in probs.loc[y]] for y in probs.index]
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


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    return out + ["| " + " | ".join(r) + " |" for r in rows]


def render_markdown(doc: dict) -> str:
    """The briefing as Markdown, charts referenced as ``charts/STEM.png``."""
    header, rows = headline_rows(doc["table"], doc.get("titles"), doc.get("until"))
    lines = [f"# {doc['title']}", "", f"*{doc['header']}*", "", "## Key findings", "", doc["findings"], ""]
    lines += ["## Scenarios defined", "", *[f"- **{t}.** {d}" for t, d in doc.get("definitions", [])], ""]
    lines += ["## Scenarios", ""]
    for para in doc["summaries"]:
        lines += [para, ""]
    lines += ["## Headline numbers", "", *_md_table(header, rows), ""]
    lines += [
        '"(actual)": the crossing is in the actual data. Tables: `tables/`.',
        "",
    ]
    lines += [doc["measures"], ""] if doc.get("measures") else []
    if doc.get("cbo_beside"):
        lines += ["Beside CBO's own projection:", "", *_md_table(*doc["cbo_beside"]), ""]
    p_header, p_rows = probability_rows(doc.get("probabilities"))
    if p_rows:
        lines += ["Monte Carlo probabilities:", "", *_md_table(p_header, p_rows), ""]
    t_header, t_rows = take_rows(doc.get("take"), doc.get("titles"))
    if t_rows:
        lines += [
            "## What it would take",
            "",
            doc.get("take_note", TAKE_NOTE),
            "",
            *_md_table(t_header, t_rows),
            "",
        ]
    lines += ["## Charts", ""]
    loops = "Loops the model closes: " + "; ".join(doc["loops"]) + "." if doc["loops"] else ""
    for stem, heading, caption in doc["charts"]:
        lines += [f"### {heading}", "", f"![{heading}](charts/{stem}.png)", ""]
        if caption:
            lines += [caption, ""]
        if loops and stem == LOOP_CHART:  # the list goes with the diagram it names
            lines += [loops, ""]
    if loops and LOOP_CHART not in [c[0] for c in doc["charts"]]:
        lines += [loops, ""]
    lines += ["## Methods", "", doc["methods"].strip(), "", doc["source"], ""]
    return "\n".join(lines)


def _md_to_html(text: str) -> str:
    """The small Markdown subset the briefing's prose uses: paragraphs, **bold**, `code`."""
    out = []
    for para in re.split(r"\n\s*\n", text.strip()):
        p = html.escape(" ".join(para.split()))
        p = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", p)
        p = re.sub(r"`(.+?)`", r"<code>\1</code>", p)
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
th:first-child, td:first-child { text-align: left; }
th { background: #f3f3f3; }
figure { margin: 1rem 0 1.5rem; page-break-inside: avoid; break-inside: avoid; }
figure img { width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: #444; }
code { font-size: 0.9em; }
.source { font-size: 0.8rem; color: #555; }
@media print {
  @page { size: auto; margin: 12mm; }
  body { max-width: none; margin: 0; font-size: 10pt; }
  h2 { page-break-after: avoid; break-after: avoid; margin-top: 1rem; }
  figure { page-break-inside: avoid; break-inside: avoid; margin: 0.3rem 0; }
  figure img { width: auto; max-width: 100%; max-height: 118mm; display: block; margin: 0 auto; }
  figcaption { font-size: 8pt; }
  h3 { margin: 0.3rem 0 0.1rem; }
  table { page-break-inside: avoid; break-inside: avoid; }
}
"""


def _html_table(header: list[str], rows: list[list[str]]) -> list[str]:
    esc = html.escape
    parts = ["<table>", "<thead><tr>", *[f"<th>{esc(h)}</th>" for h in header], "</tr></thead>", "<tbody>"]
    parts += ["<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows]
    return parts + ["</tbody>", "</table>"]


def render_html(doc: dict, charts_dir: Path) -> str:
    """The briefing as one self-contained HTML page (PNG charts embedded as data URIs)."""
    header, rows = headline_rows(doc["table"], doc.get("titles"), doc.get("until"))
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
        f"<h1>{esc(doc['title'])}</h1>",
        f'<p class="dateline">{esc(doc["header"])}</p>',
        "<h2>Key findings</h2>",
        _md_to_html(doc["findings"]),
        "<h2>Scenarios defined</h2>",
        *[_md_to_html(f"**{t}.** {d}") for t, d in doc.get("definitions", [])],
        "<h2>Scenarios</h2>",
    ]
    parts += [_md_to_html(p) for p in doc["summaries"]]
    parts += ["<h2>Headline numbers</h2>", *_html_table(header, rows)]
    parts.append(
        '<p class="source">"(actual)": the crossing is in the actual data. '
        "All tables are in <code>tables/</code>.</p>"
    )
    parts += [f'<p class="source">{esc(doc["measures"])}</p>'] if doc.get("measures") else []
    if doc.get("cbo_beside"):
        parts += ["<p>Beside CBO's own projection:</p>", *_html_table(*doc["cbo_beside"])]
    p_header, p_rows = probability_rows(doc.get("probabilities"))
    if p_rows:
        parts += ["<p>Monte Carlo probabilities:</p>", *_html_table(p_header, p_rows)]
    t_header, t_rows = take_rows(doc.get("take"), doc.get("titles"))
    if t_rows:
        parts += [
            "<h2>What it would take</h2>",
            f"<p>{esc(doc.get('take_note', TAKE_NOTE))}</p>",
            *_html_table(t_header, t_rows),
        ]
    parts.append("<h2>Charts</h2>")
    loops = "Loops the model closes: " + "; ".join(doc["loops"]) + "." if doc["loops"] else ""
    for stem, heading, caption in doc["charts"]:
        data = base64.b64encode((charts_dir / f"{stem}.png").read_bytes()).decode("ascii")
        parts += [
            "<figure>",
            f"<h3>{esc(heading)}</h3>",
            f'<img src="data:image/png;base64,{data}" alt="{esc(heading)}">',
            f"<figcaption>{esc(caption)}</figcaption>" if caption else "",
            "</figure>",
        ]
        if loops and stem == LOOP_CHART:  # the list goes with the diagram it names
            parts.append(f"<p>{esc(loops)}</p>")
    if loops and LOOP_CHART not in [c[0] for c in doc["charts"]]:
        parts.append(f"<p>{esc(loops)}</p>")
    parts += ["<h2>Methods</h2>", _md_to_html(doc["methods"]), f'<p class="source">{esc(doc["source"])}</p>']
    parts += ["</body>", "</html>", ""]
    return "\n".join(p for p in parts if p)


# ------------------------------------------------------------------------------------------ PDF

PAGE = (8.5, 11.0)  # US Letter, inches
MARGIN = 0.6
PDF_METADATA = {"Title": None, "CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}


def _plain(text: str) -> str:
    """Markdown emphasis and code removed; dollar signs escaped (matplotlib would read maths)."""
    text = re.sub(r"\*\*(.+?)\*\*|`(.+?)`", lambda m: m.group(1) or m.group(2), text)
    return text.replace("$", r"\$")


class _TextPages:
    """Flowing text onto Letter pages with matplotlib (wrapped paragraphs and small tables)."""

    def __init__(self, pdf, style: Path):
        import matplotlib.pyplot as plt

        self.plt, self.pdf, self.style = plt, pdf, style
        self.fig = None
        self.y = 0.0

    def _new(self) -> None:
        self.flush()
        self.fig = self.plt.figure(figsize=PAGE)
        self.y = PAGE[1] - MARGIN

    def flush(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            self.plt.close(self.fig)
            self.fig = None

    def _room(self, inches: float) -> None:
        if self.fig is None or self.y - inches < MARGIN:
            self._new()

    def text(
        self,
        text: str,
        size: float = 9.5,
        bold: bool = False,
        width: int = 100,
        gap: float = 0.12,
        keep: float = 0,
    ) -> None:
        """A wrapped paragraph; ``keep`` inches must follow on the same page (for headings)."""
        plain = re.sub(r"\*\*(.+?)\*\*|`(.+?)`", lambda m: m.group(1) or m.group(2), text)
        lines = [_plain(line) for line in textwrap.wrap(plain, width)] or [""]
        step = size * 1.45 / 72
        self._room(step * len(lines) + gap + keep)
        for line in lines:
            self.fig.text(
                MARGIN / PAGE[0], self.y / PAGE[1], line, fontsize=size, va="top",
                fontweight="bold" if bold else "normal",
            )  # fmt: skip
            self.y -= step
        self.y -= gap

    def _width(self, text: str, size: float, bold: bool = False) -> float:
        """The width of a line of text, inches, with 10% to spare (hinted small text drawn at
        another resolution comes out a few percent wider than measured)."""
        t = self.fig.text(0, 0, text, fontsize=size, fontweight="bold" if bold else "normal")
        width = t.get_window_extent(self.fig.canvas.get_renderer()).width / self.fig.dpi
        t.remove()
        return width * 1.1

    def table(self, header: list[str], rows: list[list[str]], size: float = 7.0) -> None:
        """A table: the first column left-aligned (shortened to fit), the others right-aligned,
        each as wide as its widest header line or cell, so nothing overlaps."""
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
        self._room(step * (len(rows) + head_lines + 1))
        usable = PAGE[0] - 2 * MARGIN
        widths = [0.0] + [
            max(
                [self._width(_plain(line), size, bold=True) for line in head[k]]
                + [self._width(r[k], size) for r in cells]
            )
            for k in range(1, len(header))
        ]
        widths[0] = usable - sum(widths[1:]) - gap * (len(header) - 1)
        for r in cells:  # the first column shortened until it fits its width
            chars = len(r[0])
            while chars > 12 and self._width(r[0], size) > widths[0]:
                chars -= 2
                r[0] = textwrap.shorten(r[0], chars, placeholder=" [...]")
        x = [MARGIN + sum(widths[:k]) + gap * k for k in range(len(widths))]
        for k, lines in enumerate(head):
            for j, line in enumerate(lines):
                pos = x[k] if k == 0 else x[k] + widths[k]
                self.fig.text(pos / PAGE[0], (self.y - j * step) / PAGE[1], _plain(line), fontsize=size,
                              fontweight="bold", va="top", ha="left" if k == 0 else "right")  # fmt: skip
        self.y -= step * head_lines + 0.04
        for row in cells:
            for k, cell in enumerate(row):
                pos = x[k] if k == 0 else x[k] + widths[k]
                self.fig.text(pos / PAGE[0], self.y / PAGE[1], cell, fontsize=size, va="top",
                              ha="left" if k == 0 else "right")  # fmt: skip
            self.y -= step
        self.y -= 0.15


HEADING = 0.35  # inches above each chart for its heading
MIN_SCALE = 0.78  # the smallest a chart is drawn to share a page


def _pair(figures: list, usable: float) -> list[list]:
    """Charts in pages: two to a page where both fit at MIN_SCALE or more, else one."""
    pages, queue = [], list(figures)
    while queue:
        page = [queue.pop(0)]
        if queue:
            both = sum(c.figure.get_size_inches()[1] for c in (page[0], queue[0]))
            if (usable - 2 * HEADING) / both >= MIN_SCALE:
                page.append(queue.pop(0))
        pages.append(page)
    return pages


def write_pdf(doc: dict, figures: list, path: Path, charts_dir: Path) -> Path:
    """``briefing.pdf``: text and tables first, then the charts (their PNGs in ``charts_dir``),
    two a page where they fit."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from runners.report.style import STYLE

    meta = dict(PDF_METADATA, Title=doc["title"])
    with plt.style.context(STYLE), PdfPages(path, metadata=meta) as pdf:
        pages = _TextPages(pdf, STYLE)
        pages.text(doc["title"], size=15, bold=True, width=70, gap=0.05)
        pages.text(doc["header"], size=8, width=130, gap=0.2)
        pages.text("Key findings", size=11.5, bold=True, keep=0.6)
        pages.text(doc["findings"])
        pages.text("Headline numbers", size=11.5, bold=True, keep=0.6)
        pages.table(*headline_rows(doc["table"], doc.get("titles"), doc.get("until")))
        pages.text("* the crossing is in the actual data.", size=7.5)
        p_header, p_rows = probability_rows(doc.get("probabilities"))
        if p_rows:
            pages.table(p_header, p_rows)
        t_header, t_rows = take_rows(doc.get("take"), doc.get("titles"))
        if t_rows:
            pages.text("What it would take", size=11.5, bold=True, keep=0.6)
            pages.text(doc.get("take_note", TAKE_NOTE), size=8.5, width=112)
            pages.table(t_header, t_rows)
        pages.text("Scenarios", size=11.5, bold=True, keep=0.6)
        for para in doc["summaries"]:
            pages.text(para)
        pages.text("Methods", size=11.5, bold=True, keep=0.6)
        for para in re.split(r"\n\s*\n", doc["methods"].strip()):
            pages.text(" ".join(para.split()), size=8.5, width=112)
        pages.text(doc["source"], size=7.5, width=130)
        pages.flush()
        usable = PAGE[1] - 2 * MARGIN
        for page in _pair(figures, usable):
            fig = plt.figure(figsize=PAGE)
            heights = [c.figure.get_size_inches()[1] for c in page]
            scale = min(1.0, (usable - HEADING * len(page)) / sum(heights))
            y = PAGE[1] - MARGIN
            for chart in page:
                w, h = chart.figure.get_size_inches()
                w, h = w * scale, h * scale
                fig.text(
                    MARGIN / PAGE[0], y / PAGE[1], chart.heading, fontsize=11, fontweight="bold", va="top"
                )
                y -= HEADING
                ax = fig.add_axes([(PAGE[0] - w) / 2 / PAGE[0], (y - h) / PAGE[1], w / PAGE[0], h / PAGE[1]])
                ax.imshow(plt.imread(charts_dir / f"{chart.stem}.png"), interpolation="none")
                ax.set_axis_off()
                y -= h + 0.1
            pdf.savefig(fig)
            plt.close(fig)
    return path


# ----------------------------------------------------------------------------------------- XLSX


def write_xlsx(doc: dict, figures: list, path: Path) -> Path:
    """``figures.xlsx`` (see :mod:`runners.report.figures_xlsx`), the "what it would take" sheet
    with the note the brief gives it."""
    from runners.report.figures_xlsx import write_xlsx as write

    return write(doc, figures, path, doc.get("take_note", TAKE_NOTE))
