"""The briefing includes the explorer: ``explorer.html`` in the pack (the page ``snowball explore``
writes for the pack's vintage and supply-effect set), recorded in the manifest, and a section that
lists each briefed scenario's address in it; the address opens the scenario the pack reports.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re

import pandas as pd
import pytest

from runners.projection.params import with_changes
from runners.report.brief_explorer import explorer_link
from runners.report.browser import Chromium, find_chromium
from runners.scenario.scenarios import load_scenario


def test_the_pack_holds_the_explorer_and_its_manifest_records_it(briefing_pack):
    from runners.report.explorer_page import explorer_html

    page = (briefing_pack / "explorer.html").read_bytes()
    assert page == explorer_html("cbo-2026-02", "central", 2055).encode("utf-8")
    manifest = json.loads((briefing_pack / "manifest.json").read_text())
    assert manifest["files"]["explorer.html"] == hashlib.sha256(page).hexdigest()


def test_the_briefing_lists_each_scenario_s_address(briefing_pack):
    md = (briefing_pack / "briefing.md").read_text()
    section = md.split("## Explore it yourself", 1)[1].split("\n## ", 1)[0]
    assert "[explorer.html](explorer.html), in this folder, runs the whole model" in section
    assert "with the cbo-2026-02 data and the central supply-effect set" in section
    assert (
        "- **Baseline (Snowball's replication of CBO current law):** [explorer.html](explorer.html)"
        in section
    )
    assert re.search(
        r"- \*\*[^*]+:\*\* \[explorer\.html#scenario=japan-selloff\]"
        r"\(explorer\.html#scenario=japan-selloff\)",
        section,
    )
    html = (briefing_pack / "briefing.html").read_text()
    assert '<a href="explorer.html#scenario=japan-selloff">explorer.html#scenario=japan-selloff</a>' in html
    assert '<a href="explorer.html">explorer.html</a>' in html


@pytest.mark.parametrize(
    "changes, address",
    [
        ({}, "explorer.html#scenario=japan-selloff"),
        ({"fed response switch": 1}, "explorer.html#scenario=japan-selloff&fed_response_switch=1"),
        (
            {"japan sale amount": 600, "yield shift": -0.25},
            "explorer.html#scenario=japan-selloff&japan_sale_amount=600&yield_shift=-0.25",
        ),
    ],
)
def test_a_built_in_scenario_with_levers_moved_has_an_address(changes, address):
    scenario = with_changes(load_scenario("japan-selloff"), changes)
    assert explorer_link(scenario, "cbo-2026-02").address == address


def test_what_the_page_cannot_show_is_named_with_the_reason(tmp_path):
    base = load_scenario("baseline")
    assert explorer_link(base, "cbo-2026-02").address == "explorer.html"
    path = with_changes(base, paths="ten-year=5.5 from 2027")
    assert "input paths differ" in explorer_link(path, "cbo-2026-02").reason
    assert explorer_link(path, "cbo-2026-02").address is None
    own = dataclasses.replace(base, name="my-scenario")
    assert "not a built-in scenario" in explorer_link(own, "cbo-2026-02").reason
    other = dataclasses.replace(base, baseline="cbo-2025-01")
    assert "on the vintage cbo-2025-01" in explorer_link(other, "cbo-2026-02").reason
    off_form = with_changes(base, {"bill share adjustment time": 2})
    link = explorer_link(off_form, "cbo-2026-02")
    assert link.address is None and "bill share adjustment time" in link.reason


@pytest.mark.skipif(find_chromium() is None, reason="no chromium: apt-get install chromium to run this")
def test_the_address_opens_what_the_pack_reports(briefing_pack):
    """The sell-off's address, opened from the pack in chromium, shows the pack's own results for it
    (tables/results_japan-selloff.csv): debt/GDP and net interest in every fiscal year."""
    results = pd.read_csv(briefing_pack / "tables" / "results_japan-selloff.csv", index_col="fiscal_year")
    md = (briefing_pack / "briefing.md").read_text()
    address = re.search(r"\]\((explorer\.html#scenario=japan-selloff[^)]*)\)", md).group(1)
    with Chromium() as browser:
        tab = browser.open((briefing_pack / address.split("#")[0]).as_uri() + "#" + address.split("#")[1])
        rows = tab.evaluate(
            'Array.from(document.querySelectorAll("#results tbody tr"))'
            ".map((tr) => Array.from(tr.children).map((c) => c.textContent))"
        )
    shown = {int(r[0]): r[1:3] for r in rows}
    assert sorted(shown) == sorted(results.index)
    for year, row in results.iterrows():
        assert shown[year] == [f"{row['debt_to_gdp']:.1f}", f"{row['net_interest']:,.0f}"], year
