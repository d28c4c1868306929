"""The explorer: one self-contained HTML page that runs the whole .mdl in the browser.

:func:`explorer_html` wraps :func:`runners.projection.explorer.explorer_bundle` (the model as
JavaScript, its presets, levers and words) in a page: a form of the scenario's levers with their
.mdl ranges, units and comments, the built-in scenarios as presets, a results table
(``<table id="results">``) rounded as ``snowball run`` prints, the milestones in its words, seven
inline-SVG charts, a CSV download and the settings in the URL fragment. No network request of any
kind: the page carries everything it needs, and its Content-Security-Policy forbids the rest.
The page's script and style are :mod:`runners.report.explorer_assets`.
"""

from __future__ import annotations

import html
import json
import math

from runners import __version__
from runners.projection.explorer import DEFAULT_VINTAGE, bundle_data, bundle_text
from runners.projection.headline import EXPLOSIVE_FLAG
from runners.report.brief_text import SWITCH_CHANNELS, SWITCH_LOOPS, loop_name
from runners.report.explorer_assets import PAGE_CSS, PAGE_JS

# the levers the form shows, by group: (Vensim name, slider step); ranges and units from the .mdl
LEVER_GROUPS: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = (
    (
        "Stress test",
        (("yield shift", 0.1), ("growth shift", 0.1), ("primary balance shift", 0.1), ("shock start", 1)),
    ),
    (
        "Foreign official sales",
        (
            ("japan sale amount", 50),
            ("japan sale start year", 1),
            ("japan sale duration", 0.25),
            ("china sale amount", 50),
            ("china sale start year", 1),
            ("china sale duration", 0.25),
            ("reserve diversification rate", 0.01),
        ),
    ),
    ("The Fed", (("fed yield threshold", 0.05), ("fed purchase intensity", 100))),
    ("Fiscal rule", (("debt target", 1), ("fiscal rule strength", 0.01))),
)
# the feedback loops' switches, each a checkbox with its .mdl comment
SWITCHES = (
    "confidence switch",
    "vicious cycle switch",
    "rating switch",
    "private crowding switch",
    "debt premium switch",
    "inflation read back switch",
    "fed response switch",
    "fiscal rule switch",
    "policy rule switch",
)
# the results table: (column, heading, decimals), as snowball run's headline rounds them
RESULT_COLUMNS = (
    ("debt_to_gdp", "Debt/GDP, %", 1),
    ("net_interest", "Net interest, $bn", 0),
    ("net_interest_share_of_outlays", "Net interest, % of outlays", 1),
    ("net_interest_share_of_revenues", "Net interest, % of revenues", 1),
    ("ten_year_yield", "10-year yield, %", 2),
    ("average_interest_rate", "Average rate, %", 2),
    ("r_minus_g", "r \u2212 g, pp", 2),
)


def _page_data(data: dict) -> dict:
    """What the page adds to the bundle's data: the form's levers (with the years a start may
    take), the history of debt/GDP, the last actual GDP (r - g's first growth), the table's columns."""
    from runners.inputs.vintage import read_history

    first = data["first_year"]
    earliest = {k: first + after for k, after in data["year_constants"]}
    groups = []
    for title, levers in LEVER_GROUPS:
        rows = []
        for name, step in levers:
            lever = data["levers"][name]
            low = max(lever["min"], earliest.get(name, -math.inf))
            high = min(lever["max"], data["until"]) if name in earliest else lever["max"]
            rows.append({"name": name, "py_name": lever["py_name"], "min": low, "max": high, "step": step})
        groups.append({"title": title, "levers": rows})
    h = read_history()
    h = h[h.index <= first]
    return {
        "groups": groups,
        "switches": [{"name": s, "py_name": data["levers"][s]["py_name"]} for s in SWITCHES],
        "history": {
            "fiscal_year": [int(y) for y in h.index],
            "debt_to_gdp": [round(float(v), 6) for v in h["debt_to_gdp"]],
        },
        "last_gdp": float(h.at[first, "gdp"]),
        "results": [list(c) for c in RESULT_COLUMNS],
        "explosive_flag": EXPLOSIVE_FLAG,
        "version": __version__,
    }


def switch_loop(name: str) -> str:
    """What a switch turns on, named as in the briefing's loop diagram: 'loop R2 confidence', or
    the channel ('the debt premium') for the two switches that are channels, not loops."""
    if name in SWITCH_LOOPS:
        return "loop " + loop_name(SWITCH_LOOPS[name])
    return SWITCH_CHANNELS[name]


def _switch_html(name: str, py_name: str, comment: str) -> str:
    """A feedback switch: a checkbox labelled with its name and the loop it turns on, its .mdl
    comment below."""
    e = html.escape
    return (
        f'<div class="switch"><input type="checkbox" id="in-{py_name}" data-lever="{e(name)}" '
        f'aria-describedby="help-{py_name}"><label for="in-{py_name}">{e(name)} '
        f'<span class="unit">({e(switch_loop(name))})</span></label><p class="help" id="help-{py_name}">'
        f"{e(comment)}</p></div>"
    )


def _lever_html(row: dict, lever: dict) -> str:
    """A lever: a label, a range slider and a number input (the same value), unit and comment."""
    e = html.escape
    p = row["py_name"]
    attrs = f'min="{row["min"]:g}" max="{row["max"]:g}" step="{row["step"]:g}" data-lever="{e(row["name"])}"'
    return (
        f'<div class="lever"><label for="num-{p}">{e(row["name"])} <span class="unit">'
        f"({e(lever['units'])}; {row['min']:g} to {row['max']:g})</span></label>"
        f'<div class="pair"><input type="range" id="in-{p}" {attrs} aria-label="{e(row["name"])}" '
        f'aria-describedby="help-{p}"><input type="number" id="num-{p}" {attrs}></div>'
        f'<p class="help" id="help-{p}">{e(lever["comment"])}</p></div>'
    )


def _form_html(data: dict, page: dict) -> str:
    """The form: preset and supply-effect set selectors, reset, the lever groups and switches."""
    e = html.escape
    presets = "".join(
        f'<option value="{e(k)}">{e(k)}: {e(v["title"])}</option>' for k, v in sorted(data["presets"].items())
    )
    sets = "".join(
        f'<option value="{e(k)}"{" selected" if k == data["calibration"] else ""}>{e(k)}</option>'
        for k in ("low", "central", "high")
        if k in data["calibrations"]
    )
    parts = [
        '<form id="levers" onsubmit="return false">',
        '<div class="lever"><label for="preset">Built-in scenario</label>'
        f'<select id="preset">{presets}</select></div>',
        '<div class="lever"><label for="calibration">Supply-effect set</label>'
        f'<select id="calibration">{sets}</select></div>',
        '<button type="button" id="reset">Reset to baseline</button>',
    ]
    for group in page["groups"]:
        parts.append(f"<fieldset><legend>{e(group['title'])}</legend>")
        parts += [_lever_html(row, data["levers"][row["name"]]) for row in group["levers"]]
        parts.append("</fieldset>")
    parts.append("<fieldset><legend>Feedback loops</legend>")
    parts += [
        _switch_html(s["name"], s["py_name"], data["levers"][s["name"]]["comment"]) for s in page["switches"]
    ]
    parts.append("</fieldset></form>")
    return "\n".join(parts)


def explorer_html(vintage: str = DEFAULT_VINTAGE, calibration: str = "central", until: int = 2055) -> str:
    """The explorer for ``vintage`` under the supply-effect set ``calibration``: one self-contained
    HTML text (no network request; the same bytes each build)."""
    constants, tables, data = bundle_data(vintage, calibration, until)
    page = _page_data(data)
    bundle = bundle_text(constants, tables, data, until)  # the presets and data computed once
    page_json = json.dumps(page, allow_nan=False, separators=(",", ":"), sort_keys=True)
    e = html.escape
    title = f"Snowball explorer: U.S. federal debt, {vintage}"
    csp = (
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "img-src data:; form-action 'none'; base-uri 'none'"
    )
    heads = "".join(f'<th scope="col">{e(h)}</th>' for _, h, _ in RESULT_COLUMNS)
    body = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<style>{PAGE_CSS}</style></head>
<body><main>
<h1>{e(title)}</h1>
<p class="lede">The whole Snowball model runs in this page. Move a lever and the projection to
FY{until} follows; the address keeps the settings, so a copied link reproduces the view.</p>
<p id="status" role="status" aria-live="polite"></p>
<div class="layout"><div class="controls">
{_form_html(data, page)}
</div><div class="output">
<p id="settings"></p>
<section aria-labelledby="h-charts"><h2 id="h-charts">Charts</h2>
<figure><div id="chart-debt"></div><figcaption>Debt held by the public, % of GDP: this run,
the baseline (dashed) and history.</figcaption></figure>
<figure><div id="chart-spending"></div><figcaption>Net interest (interest on debt held by the
public less other interest income) beside defense discretionary, Medicare (net of offsetting
receipts) and Social Security outlays, $bn a fiscal year.</figcaption></figure>
<figure><div id="chart-shares"></div><figcaption>Net interest as a share of total outlays and
of revenues, %: this run solid, the baseline dashed.</figcaption></figure>
<figure><div id="chart-rates"></div><figcaption>The 10-year yield (fiscal-year average), the
baseline's 10-year yield (dotted) and the average interest rate on debt held by the public
(interest over the year / the average of the debt at its start and end), % a year.</figcaption>
</figure>
<figure><div id="chart-rg"></div><figcaption>r − g, percentage points: the average interest
rate on debt held by the public less nominal GDP growth (the fiscal year's GDP over the year
before), this run and the baseline (dashed). In the standard debt arithmetic, above zero
debt/GDP rises unless the primary surplus, as a share of GDP, is at least (r − g) / (1 + g) times
the debt ratio.</figcaption>
</figure>
<figure><div id="chart-holders"></div><figcaption>Debt held by the public by holder, $bn at the
fiscal-year end (30 September), this run, stacked: Japan at the bottom, domestic private
investors (who absorb sales and new issuance) at the top. The six holdings sum to debt held by
the public.</figcaption></figure>
<figure><div id="chart-holders-change"></div><figcaption>Each holder's Treasuries in this run
less the baseline's, $bn at the fiscal-year end: a sale by Japan or China shows as its
holdings falling below zero and the holders that take up what it sold rising above.
</figcaption></figure></section>
<section aria-labelledby="h-milestones"><h2 id="h-milestones">Milestones</h2>
<table id="milestones"><tbody></tbody></table></section>
<section aria-labelledby="h-results"><h2 id="h-results">Results by fiscal year</h2>
<p><a id="csv" href="#" download="snowball-explorer.csv">Download this run (CSV)</a></p>
<div class="scroll"><table id="results"><thead><tr><th scope="col">Fiscal year</th>{heads}</tr>
</thead><tbody></tbody></table></div></section>
</div></div></main>
<footer>Snowball {e(__version__)} &middot; baseline vintage {e(vintage)} &middot; model
models/snowball.mdl sha256 {e(data["model_sha256"])} &middot; supply-effect set by default
{e(calibration)}</footer>
<script>
{bundle}
const PAGE = {page_json};
{PAGE_JS}
</script>
</body></html>
"""
    return body
