"""Render the briefing's text, tables and charts as Markdown and as one self-contained HTML file.

Both read the same document (a dict built by :mod:`runners.brief`), so they carry the same words
and numbers. The HTML embeds each chart's PNG as a data URI and has print styles (A4/Letter,
a chart never split across pages).
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pandas as pd

# headline table: (column suffix pattern, display label, format)
HEADLINE_COLUMNS = [
    ("debt_to_gdp_2035_pct", "Debt/GDP 2035", "{:.1f}%"),
    ("debt_to_gdp_2055_pct", "Debt/GDP 2055", "{:.1f}%"),
    ("net_interest_2035_bn", "Net interest 2035", "${:,.0f}bn"),
    ("net_interest_to_gdp_2035_pct", "Net interest/GDP 2035", "{:.1f}%"),
    ("peak_ten_year_yield_pct", "Peak 10-year yield", "{:.2f}%"),
    ("peak_bill_yield_pct", "Peak bill yield", "{:.2f}%"),
    ("first_year_interest_exceeds_defense", "Interest > defense", "FY{:.0f}"),
    ("first_year_interest_exceeds_medicare", "Interest > Medicare", "FY{:.0f}"),
    ("first_year_interest_over_20pct_of_outlays", "Interest > 20% of outlays", "FY{:.0f}"),
]


def headline_rows(table: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Header and formatted rows of the headline table (scenarios as rows)."""
    cols = [c for c in HEADLINE_COLUMNS if c[0] in table.columns]
    header = ["Scenario"] + [label for _, label, _ in cols]
    rows = []
    for name, row in table.iterrows():
        cells = [str(name)]
        for col, _, fmt in cols:
            value = row[col]
            cells.append("never" if pd.isna(value) else fmt.format(float(value)))
        rows.append(cells)
    return header, rows


def render_markdown(doc: dict) -> str:
    """The briefing as Markdown, charts referenced as ``charts/STEM.png``."""
    header, rows = headline_rows(doc["table"])
    lines = [f"# {doc['title']}", "", "## Summary", ""]
    for para in doc["summaries"]:
        lines += [para, ""]
    lines += ["## Headline numbers", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += ["", '"never" means not by the final projection year. All tables: `tables/`.', ""]
    lines += ["## Charts", ""]
    for stem, heading, caption in doc["charts"]:
        lines += [f"### {heading}", "", f"![{heading}](charts/{stem}.png)", ""]
        if caption:
            lines += [caption, ""]
    if doc["loops"]:
        lines += ["Loops the model closes: " + "; ".join(doc["loops"]) + ".", ""]
    for note in doc["notes"]:
        lines += [f"Note: {note}.", ""]
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
h1 { font-size: 1.6rem; line-height: 1.25; }
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
  @page { size: auto; margin: 15mm; }
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  h2 { page-break-after: avoid; break-after: avoid; }
  figure { page-break-inside: avoid; break-inside: avoid; }
  table { page-break-inside: avoid; break-inside: avoid; }
}
"""


def render_html(doc: dict, charts_dir: Path) -> str:
    """The briefing as one self-contained HTML page (PNG charts embedded as data URIs)."""
    header, rows = headline_rows(doc["table"])
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
        "<h2>Summary</h2>",
    ]
    parts += [_md_to_html(p) for p in doc["summaries"]]
    parts += ["<h2>Headline numbers</h2>", "<table>", "<thead><tr>"]
    parts += [f"<th>{esc(h)}</th>" for h in header]
    parts += ["</tr></thead>", "<tbody>"]
    for r in rows:
        parts.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>")
    parts += [
        "</tbody>",
        "</table>",
        '<p class="source">"never" means not by the final projection year. '
        "All tables are in <code>tables/</code>.</p>",
        "<h2>Charts</h2>",
    ]
    for stem, heading, caption in doc["charts"]:
        data = base64.b64encode((charts_dir / f"{stem}.png").read_bytes()).decode("ascii")
        parts += [
            "<figure>",
            f"<h3>{esc(heading)}</h3>",
            f'<img src="data:image/png;base64,{data}" alt="{esc(heading)}">',
            f"<figcaption>{esc(caption)}</figcaption>" if caption else "",
            "</figure>",
        ]
    if doc["loops"]:
        parts.append(f"<p>Loops the model closes: {esc('; '.join(doc['loops']))}.</p>")
    parts += [f"<p>Note: {esc(n)}.</p>" for n in doc["notes"]]
    parts += ["<h2>Methods</h2>", _md_to_html(doc["methods"]), f'<p class="source">{esc(doc["source"])}</p>']
    parts += ["</body>", "</html>", ""]
    return "\n".join(p for p in parts if p)
