"""Issue 25 (items 1, 2, 5, 6): every number, year, ranking and comparison in the briefing's key
findings, scenario paragraphs, headline table and notes, recomputed here from the run's results
(tables/results_*.csv), the actual years (data/history/historical_fy.csv) and CBO's own files
(data/baselines/cbo-2026-02/), and checked against the words; knife-edge crossings say so."""

from __future__ import annotations

import datetime
import re
import tomllib
from types import SimpleNamespace

import pandas as pd
import pytest

from runners.inputs.vintage import data_dir
from runners.report.brief_text import KNIFE_EDGE, counterfactual_note, departure_year

CBO = data_dir() / "baselines" / "cbo-2026-02"
WHAT = {  # the pack's words for each milestone: the column of the results it compares with
    "defense": "defense",
    "Medicare (net)": "medicare",
    "Social Security": "social_security",
    "20% of outlays": None,
}
PHRASE = re.compile(
    r"(just passes|passes|has exceeded|stays below) (defense|Medicare \(net\)|Social Security|20% of outlays)"
    r" (?:in|since|to) FY(\d{4})( \(actual\))?(?: \(by ([\d.]+)%, under ([\d.]+)%\))?"
)


@pytest.fixture(scope="module")
def pack(briefing_pack):
    md = (briefing_pack / "briefing.md").read_text(encoding="utf-8")
    results = {
        p.stem.removeprefix("results_"): pd.read_csv(p, index_col=0)
        for p in (briefing_pack / "tables").glob("results_*.csv")
    }
    history = pd.read_csv(data_dir() / "history" / "historical_fy.csv", index_col="fiscal_year")
    return SimpleNamespace(md=md, results=results, history=history)


def section(md: str, name: str) -> str:
    return md.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0].strip()


def table(text: str, first_header: str) -> list[list[str]]:
    """The rows (cells) of the Markdown table whose header starts with ``first_header``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return [rows[0], *rows[2:]]


def cbo_file(name: str) -> pd.DataFrame:
    return pd.read_csv(CBO / name)


def cbo_figure(variable: str, year: int) -> float:
    """CBO's published figure: the ten-year file, else the long-term targets."""
    for name in ("budget_projections.csv", "targets.csv"):
        df = cbo_file(name)
        hit = df[(df["variable"] == variable) & (df["fiscal_year"] == year)]
        if len(hit):
            return float(hit["value"].iloc[0])
    raise KeyError((variable, year))


def last_actual_year() -> int:
    """The last year CBO's file marks as actual (debt held by the public)."""
    df = cbo_file("budget_projections.csv")
    rows = df[(df["variable"] == "debt_to_gdp") & df["source"].str.startswith("actual")]
    return int(rows["fiscal_year"].max())


def crossing(r: pd.DataFrame, history: pd.DataFrame, what: str) -> tuple[int | None, float | None]:
    """The first year of the spell, in force in the first projected year (walking back through the
    actual years) or beginning later, in which net interest is above ``what``; and its lead that
    year as a % of what it passes (None for an actual year)."""
    first = int(r.index[0])
    col = WHAT[what]
    past = history[history.index < first]
    if col is None:
        ahead = (
            pd.concat([past["net_interest"] / past["outlays"] * 100, r["net_interest"] / r["outlays"] * 100])
            > 20
        )
    else:
        other = pd.concat([past[col], r[col]])
        ahead = (pd.concat([past["net_interest"], r["net_interest"]]) > other) & other.notna()
    if ahead.loc[first]:
        year = first
        while year - 1 in ahead.index and ahead.loc[year - 1]:
            year -= 1
    else:
        later = ahead[(ahead.index > first) & ahead]
        year = int(later.index[0]) if len(later) else None
    if year is None or year < first:
        return year, None
    passed = r.at[year, "outlays"] * 0.2 if col is None else r.at[year, col]
    return year, (r.at[year, "net_interest"] - passed) / passed * 100


def paragraphs(pack) -> dict[str, str]:
    """Each scenario's paragraph (and the key findings' first sentence, as the baseline's)."""
    names = {"Baseline (Snowball's replication of CBO current law)": "baseline"}
    out = {}
    for para in section(pack.md, "Scenarios").strip().split("\n\n"):
        title = re.match(r"\*\*(.+?)\.\*\*", para).group(1)
        out[names.get(title, "japan-selloff")] = para
    out["findings"] = section(pack.md, "Key findings")
    return out


# ----------------------------------------------------------------- milestones (items 1 and 2)


def test_every_milestone_phrase_is_its_measure_recomputed_and_knife_edges_say_so(pack):
    """Each 'passes / has exceeded / stays below X in FY' in the findings and the paragraphs:
    the year recomputed on its measure, '(actual)' exactly when it is in the actual data, and
    'just ... (by N%, under 1%)' exactly when the crossing is won by less than KNIFE_EDGE %
    (both sides seen: 'just' and a plain projected crossing)."""
    seen = {"just": 0, "plain": 0}
    for key, para in paragraphs(pack).items():
        r = pack.results["baseline" if key == "findings" else key]
        found = PHRASE.findall(para)
        assert found, para
        for verb, what, year, actual, margin_words, edge in found:
            want, lead = crossing(r, pack.history, what)
            if verb == "stays below":
                assert want is None, (key, what)
                continue
            assert int(year) == want, (key, what, year, want)
            assert bool(actual) == (want < int(r.index[0])), (key, what)
            if lead is None:
                assert verb == "has exceeded", (key, what)
                continue
            knife = lead < KNIFE_EDGE
            assert (verb == "just passes") == knife, (key, what, lead)
            seen["just" if knife else "plain"] += 1
            if knife:
                assert float(edge) == KNIFE_EDGE and margin_words == f"{lead:.2f}", (key, what)
    assert seen["just"] and seen["plain"], seen


def test_medicare_crossing_is_cbos_own_on_the_stated_measure(pack):
    """Net interest passes Medicare net of offsetting receipts in the year CBO's own February 2026
    table crosses (FY2028: $1,217.8bn against $1,202.9bn), in the table and the findings."""
    cats = cbo_file("outlays_by_category.csv").pivot(index="fiscal_year", columns="variable", values="value")
    cbo_year = int(cats.index[cats["net_interest"] > cats["medicare"]][0])
    rows = table(section(pack.md, "Headline numbers"), "Scenario")
    col = rows[0].index("Interest > Medicare (net)")
    assert rows[1][col] == f"FY{cbo_year}"
    assert f"Medicare (net) in FY{cbo_year}" in section(pack.md, "Key findings")
    assert "Medicare net of offsetting receipts" in section(pack.md, "Headline numbers")


def test_the_baseline_is_printed_beside_cbos_own_numbers(pack):
    """Debt/GDP in 2035 and 2055 and net interest in 2035: the replication's and CBO's (its
    ten-year and long-term files), and the difference."""
    rows = table(section(pack.md, "Headline numbers"), "Measure")
    assert rows[0][1:] == ["Snowball's replication of CBO current law", "CBO", "Difference"]
    got = {row[0]: row[1:] for row in rows[1:]}
    b = pack.results["baseline"]
    for label, var, year, fmt in (
        ("Debt/GDP (%), 2035", "debt_to_gdp", 2035, "{:.1f}"),
        ("Debt/GDP (%), 2055", "debt_to_gdp", 2055, "{:.1f}"),
        ("Net interest ($bn), 2035", "net_interest", 2035, "{:,.0f}"),
    ):
        mine, cbo = b.at[year, var], cbo_figure(var, year)
        assert got[label] == [fmt.format(mine), fmt.format(cbo), fmt.format(mine - cbo)], label


def test_the_baseline_is_called_snowballs_replication_where_it_differs(pack):
    """Its numbers differ from CBO's (2035 net interest $1,996bn against CBO's $2,019bn), so the
    headline row, the key findings, its paragraph and its definition call it Baseline (Snowball's
    replication of CBO current law), never "CBO current law" bare."""
    b = pack.results["baseline"]
    assert round(b.at[2035, "net_interest"]) != round(cbo_figure("net_interest", 2035))
    rows = table(section(pack.md, "Headline numbers"), "Scenario")
    assert rows[1][0] == "Baseline (Snowball's replication of CBO current law)"
    assert section(pack.md, "Key findings").startswith(
        "In the Baseline (Snowball's replication of CBO current law) scenario,"
    )
    assert section(pack.md, "Scenarios").startswith(
        "**Baseline (Snowball's replication of CBO current law).**"
    )
    assert section(pack.md, "Scenarios defined").startswith(
        "- **Baseline (Snowball's replication of CBO current law).**"
    )
    assert "Baseline: CBO current law" not in pack.md


# ------------------------------------------------------------------------ numbers (item 1)


def test_key_findings_numbers_and_ranking(pack):
    text = section(pack.md, "Key findings")
    b, j = pack.results["baseline"], pack.results["japan-selloff"]
    m = re.search(r"reaches (\d+)% of GDP in (\d{4}) and (\d+)% of GDP in (\d{4})", text)
    assert (int(m[2]), int(m[4])) == (2035, 2055)
    assert (m[1], m[3]) == (f"{b.at[2035, 'debt_to_gdp']:.0f}", f"{b.at[2055, 'debt_to_gdp']:.0f}")
    m = re.search(r"debt/GDP in 2055 runs from (\d+)% \((.+?)\) to (\d+)% \((.+?)\)", text)
    lo, hi = sorted([(b.at[2055, "debt_to_gdp"], "Baseline"), (j.at[2055, "debt_to_gdp"], "Japan")])
    assert (m[1], m[3]) == (f"{lo[0]:.0f}", f"{hi[0]:.0f}")
    assert m[2].startswith(lo[1]) and m[4].startswith(hi[1])
    gap = j.at[2035, "debt_to_gdp"] - b.at[2035, "debt_to_gdp"]
    assert (
        f"in 2035 Japan sells $1,200bn of Treasuries over 12 months, no policy response sits {gap:+.1f} "
        in text
    )


def test_paragraph_numbers(pack):
    paras = paragraphs(pack)
    b, j = pack.results["baseline"], pack.results["japan-selloff"]
    base = paras["baseline"]
    for y in (2035, 2055):
        assert f"{b.at[y, 'debt_to_gdp']:.0f}% of GDP in {y}" in base
    ni, gdp, outlays = (b.at[2035, c] for c in ("net_interest", "gdp", "outlays"))
    assert (
        f"Net interest is ${ni:,.0f}bn in 2035, {ni / gdp * 100:.1f}% of GDP and {ni / outlays * 100:.1f}% "
        "of outlays." in base
    )
    sale = paras["japan-selloff"]
    for y in (2035, 2055):
        d = j.at[y, "debt_to_gdp"] - b.at[y, "debt_to_gdp"]
        assert f"{d:+.1f} percentage points of GDP in {y} ({j.at[y, 'debt_to_gdp']:.0f}% of GDP)" in sale
    dni = j.at[2035, "net_interest"] - b.at[2035, "net_interest"]
    assert (
        f"Net interest is ${dni:,.0f}bn higher in 2035 (${j.at[2035, 'net_interest']:,.0f}bn a year)" in sale
    )
    for col, label in (("ten_year_yield", "10-year yield"), ("bill_yield", "3-month bill yield")):
        gap = j[col] - b[col]
        yy = int(gap.index[(gap - gap.max()).abs() < 1e-9][0])
        assert (
            f"The {label} (fiscal-year average) is up to {gap.max():.2f} pp higher than in Baseline "
            f"(FY{yy}: {j.at[yy, col]:.2f}%)" in sale
        )


def test_headline_table_cells(pack):
    rows = table(section(pack.md, "Headline numbers"), "Scenario")
    header = rows[0]
    for row, name in zip(rows[1:], ["baseline", "japan-selloff"], strict=True):
        r = pack.results[name]
        cell = dict(zip(header, row, strict=True))
        assert cell["Debt/GDP 2035"] == f"{r.at[2035, 'debt_to_gdp']:.1f}%"
        assert cell["Debt/GDP 2055"] == f"{r.at[2055, 'debt_to_gdp']:.1f}%"
        assert cell["Interest 2035"] == f"${r.at[2035, 'net_interest']:,.0f}bn"
        assert cell["Interest/GDP 2035"] == f"{r.at[2035, 'net_interest'] / r.at[2035, 'gdp'] * 100:.1f}%"
        assert cell["Peak 10y (FY avg)"] == f"{r['ten_year_yield'].max():.2f}%"
        for head, what in (
            ("Interest > defense", "defense"),
            ("Interest > Medicare (net)", "Medicare (net)"),
            ("Interest > 20% of outlays", "20% of outlays"),
        ):
            year, _ = crossing(r, pack.history, what)
            want = f"FY{year}" + (" (actual)" if year < int(r.index[0]) else "")
            assert cell[head] == want, (name, head)


# ------------------------------------------------------------------ dated to its data (item 5)


def test_the_cover_names_the_data_vintage_and_its_last_actual_year(pack):
    cover = pack.md.split("\n\n", 2)[1]
    assert "data: cbo-2026-02 (published 2026-02-11)" in cover
    assert f"last actual year FY{last_actual_year()}" in cover


def test_a_scenario_starting_in_a_passed_fiscal_year_is_labelled_a_counterfactual(pack):
    """The sale starts in FY2026 (its first sales, read from its results): on a pack dated
    7 December 2026 (FY2027) that year has ended but is still projected in the data (last actual
    year FY2025), so it is a counterfactual; dated 1 January 2026 (the fixture's, FY2026) or
    30 September 2026 it is not. Labelled, not moved."""
    j, b = pack.results["japan-selloff"], pack.results["baseline"]
    start = int(j.index[j["official_sales"] > 0][0])
    assert departure_year(SimpleNamespace(results=j), SimpleNamespace(results=b)) == start == 2026
    last = last_actual_year()
    for day in (datetime.date(2026, 1, 1), datetime.date(2026, 9, 30)):
        assert counterfactual_note(start, day, last) is None
    for day in (datetime.date(2026, 10, 1), datetime.date(2026, 12, 7)):
        note = counterfactual_note(start, day, last)
        assert note.startswith("A counterfactual:") and f"FY{start}" in note
        assert f"last actual year FY{last}" in note
    assert "already in the actual data" in counterfactual_note(start, datetime.date(2027, 12, 1), start)
    assert "counterfactual" not in pack.md  # the fixture is dated 1 January 2026


# ----------------------------------------------------------------- scenarios defined (item 6)


def test_each_scenario_is_defined_with_its_assumptions_and_loops(pack):
    lines = [x for x in section(pack.md, "Scenarios defined").splitlines() if x.startswith("- ")]
    assert len(lines) == 2
    closes = re.search(r"Loops the model closes: (.+)\.", pack.md)[1]
    named = {re.sub(r" \((reinforcing|balancing)\)$", "", x) for x in closes.split("; ")}
    for line, name in zip(lines, ["baseline", "japan-selloff"], strict=True):
        scenario = tomllib.loads((data_dir() / "scenarios" / f"{name}.toml").read_text(encoding="utf-8"))
        assert " ".join(scenario["description"].split()) in line
        on = re.search(r"Loops on: (.+?)(?: \(always on\))?[;.]", line)[1].split(", ")
        assert set(on) <= named, on  # named as the pack names its loops
        switches = {k for k, v in scenario.get("constants", {}).items() if k.endswith(" switch") and v == 1}
        assert ("R2 confidence" in on) == ("confidence switch" in switches)
        assert "B1 Fed purchases" not in on
    assert "$1,189.3bn in Sep 2025" in lines[1] and "TIC" in lines[1]
