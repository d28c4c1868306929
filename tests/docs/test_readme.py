"""The README and the documentation pages against the program: the commands and options they show
exist, the files they point at are in the repository, the results columns listed are the ones
written, and the figures quoted from a run are the run's (so a change to the numbers shows up here,
not in a reader's hands). The text moved from the README into docs/ (issue 26): each check reads the
page its text is on (tests/pages.py)."""

import re

import pytest
from pages import README, all_pages, generator, hand_written, page, section

from runners import cli
from runners.core.columns import COLUMNS
from runners.core.paths import REPO
from runners.inputs.vintage import read_history
from runners.mdl.units import check_units
from runners.projection.headline import headline
from runners.projection.run import run
from runners.scenario.scenarios import load_scenario

SCENARIOS = "howto/scenario"
SELLOFF = "model/selloff"
QUALITY = "quality"


def blocks(text: str) -> list[tuple[str, str]]:
    """The fenced code blocks of a text, as (language, body)."""
    out, lang, body = [], None, []
    for line in text.splitlines():
        if line.startswith("```"):
            if lang is None:
                lang, body = line[3:].strip(), []
            else:
                out.append((lang, "\n".join(body)))
                lang = None
        elif lang is not None:
            body.append(line)
    return out


def commands() -> list[str]:
    """Every `snowball ...` command line the README and the pages show: in code blocks (with their
    continuation lines) and in inline code."""
    found = []
    text = README + "\n" + all_pages()
    for _, body in blocks(text):
        for line in body.splitlines():
            line = line.split("  #", 1)[0].rstrip()
            if line.startswith("snowball "):
                found.append(line)
            elif found and line.startswith(" ") and line.strip().startswith("["):
                found[-1] += " " + line.strip()
    found += re.findall(r"`(snowball [^`]+)`", text)
    return found


def subparsers() -> dict:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return action.choices


def test_every_command_and_option_shown_exists():
    subs = subparsers()
    lines = commands()
    assert len(lines) > 30
    for line in lines:
        words = line.split()
        name = words[1]
        assert name in subs, line
        options = {o for a in subs[name]._actions for o in a.option_strings}
        for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", line):
            assert flag in options, f"{line}: {flag} is not an option of snowball {name}"


def test_command_table_lists_every_command():
    table = section("README", "## Two commands")
    listed = set(re.findall(r"^\| `snowball ([\w-]+)", table, flags=re.M))
    listed |= set(re.findall(r", `snowball ([\w-]+)`", table))
    assert listed == set(subparsers())


def test_links_and_images_point_at_files_in_the_repository():
    targets = re.findall(r"\]\(([^)#\s]+)\)", README)
    local = [t for t in targets if not t.startswith("http")]
    assert local, "the README shows its chart snapshot and links to the pages"
    for target in local:
        assert (REPO / target).is_file(), target
    generated = {f"{name}.md" for name in generator().PAGES}
    for path in hand_written():  # a page's links are relative to its folder
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)\)", text):
            if target.startswith("http"):
                continue
            file = (path.parent / target).resolve()
            if file.parent.name == "generated":  # written by the build: the generator makes it
                assert file.name in generated, (path.name, target)
            else:
                assert file.is_file(), (path.name, target)


def test_results_columns_table_is_what_results_csv_holds(baseline_result):
    table = generator().columns_page()  # the generated reference page
    rows = re.findall(r"^\| `([a-z_0-9]+)` \| (.*?) \| (.*?) \| (.*?) \|$", table, flags=re.M)
    # `snowball run` writes result.results with its index (fiscal_year) first
    frame = baseline_result.results
    assert [r[0] for r in rows] == [frame.index.name, *frame.columns]
    documented = {r[0]: r[1:] for r in rows}
    for col in COLUMNS:  # label, unit and definition as the registry (columns.csv) gives them
        assert documented[col.name] == (col.label, col.unit, col.definition), col.name


@pytest.mark.parametrize(
    ("name", "heading"),
    [("README", "## Your first run"), ("getting-started", "## A quick tour of `snowball run`")],
)
def test_quick_tour_headline_is_the_runs(baseline_result, name, heading):
    tour = section(name, heading)
    block = next(b for lang, b in blocks(tour) if not lang and "Debt held by the public" in b)
    shown = [re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in block.splitlines()[2:] if line.strip()]
    assert [tuple(row) for row in shown] == headline(baseline_result)


@pytest.mark.slow
def test_units_check_count_is_the_models():
    quoted = re.search(r"consistent in all (\d+) computed equations", section("model/index", "## Units"))
    assert quoted and int(quoted.group(1)) == check_units().checked


def test_actual_milestone_figures_are_the_history_files():
    hist = read_history()
    quoted = re.search(
        r"net interest \(\$([\d,]+)bn\) passed defense \(\$([\d,]+)bn\) in FY(\d{4})", page("howto/briefing")
    )
    year = int(quoted.group(3))
    assert quoted.group(1) == f"{hist.at[year, 'net_interest']:,.0f}"
    assert quoted.group(2) == f"{hist.at[year, 'defense']:,.0f}"
    assert hist.at[year, "net_interest"] > hist.at[year, "defense"]
    assert not (hist.loc[: year - 1, "net_interest"] > hist.loc[: year - 1, "defense"]).any()


VALIDATION = ["## 1. CBO's February 2026 baseline", "## 2. CBO's January 2025 baseline"]


def _vintage(heading: str) -> str:
    return "cbo-2025-01" if "January 2025" in heading else "cbo-2026-02"


@pytest.mark.parametrize("heading", VALIDATION)
def test_validation_tables_are_the_runs(heading):
    """Every cell of 'How good is it?' tables 1 and 2: the model's debt/GDP, net interest and
    average rate, CBO's (the vintage's budget_projections.csv), and the gaps (net interest:
    model / CBO - 1 in %, e.g. FY2028 1,207 / 1,218 - 1 = -0.9%; the rate: model - CBO in pp)."""
    from runners.inputs.vintage import load_inputs

    text = section(QUALITY, heading)
    rows = re.findall(
        r"^\| (\d{4}) \| ([\d.]+)% \| ([\d.]+)% \| \$([\d,]+)bn \| \$([\d,]+)bn \| ([+-][\d.]+)% "
        r"\| ([\d.]+)% \| ([\d.]+)% \| ([+-][\d.]+) \|$",
        text,
        flags=re.M,
    )
    assert len(rows) == 11
    vintage = _vintage(heading)
    cbo = load_inputs(vintage).cbo
    r = run(load_scenario("baseline"), baseline=vintage, until=int(rows[-1][0]))
    got = []
    for y in (int(row[0]) for row in rows):
        ni, ni_cbo = r.results.at[y, "net_interest"], cbo.at[y, "net_interest"]
        rate, rate_cbo = r.results.at[y, "average_interest_rate"], cbo.at[y, "average_interest_rate"]
        got.append(
            (
                str(y),
                f"{r.results.at[y, 'debt_to_gdp']:.1f}",
                f"{cbo.at[y, 'debt_to_gdp']:.1f}",
                f"{ni:,.0f}",
                f"{ni_cbo:,.0f}",
                f"{(ni / ni_cbo - 1) * 100:+.1f}",
                f"{rate:.3f}",
                f"{rate_cbo:.3f}",
                f"{rate - rate_cbo:+.3f}",
            )
        )
    assert [tuple(row) for row in rows] == got


def _target(vintage: str, variable: str, year: int) -> float:
    """CBO's figure from the vintage's targets.csv (the file the tolerances are asserted from)."""
    from runners.inputs.vintage import load_inputs

    t = load_inputs(vintage).targets
    return float(t[(t["variable"] == variable) & (t["fiscal_year"] == year)]["value"].iloc[0])


def test_validation_prose_february_2026_is_the_runs():
    """The sentences under table 1: debt/GDP in 2036, 2055 and 2056 against CBO's, net interest
    and the deficit in 2056 (% of GDP), the yields held after FY2036 and the model's rate."""
    text = " ".join(section(QUALITY, VALIDATION[0]).split())
    v = "cbo-2026-02"
    res = run(load_scenario("baseline"), until=2056).results
    deficit = res["deficit"] / res["gdp"] * 100
    from runners.inputs.vintage import load_inputs

    table = load_inputs(v).cbo
    m = re.search(r"Debt/GDP in 2036 is ([\d.]+)% \(CBO ([\d.]+)%", text)
    assert m.groups() == (f"{res.at[2036, 'debt_to_gdp']:.1f}", f"{table.at[2036, 'debt_to_gdp']:.1f}")
    m = re.search(
        r"debt reaches ([\d.]+)% of GDP in 2055 \(CBO ([\d.]+)%\) and ([\d.]+)% in 2056 \(CBO ([\d.]+)%, "
        r"±3 pp\), with net interest ([\d.]+)% of GDP \(CBO ([\d.]+)%, ±0.5 pp\) and a deficit of "
        r"([\d.]+)% \(CBO ([\d.]+)%\)",
        text,
    )
    assert m.groups() == (
        f"{res.at[2055, 'debt_to_gdp']:.1f}",
        f"{_target(v, 'debt_to_gdp', 2055):.1f}",
        f"{res.at[2056, 'debt_to_gdp']:.1f}",
        f"{_target(v, 'debt_to_gdp', 2056):.1f}",
        f"{res.at[2056, 'net_interest_to_gdp']:.2f}",
        f"{_target(v, 'net_interest_pct_gdp', 2056):.2f}",
        f"{deficit.at[2056]:.1f}",
        f"{_target(v, 'total_deficit_pct_gdp', 2056):.1f}",
    )
    # after CBO's last year the yields are held at FY2036's; the rollover then moves the rate
    m = re.search(
        r"FY2036 values \(([\d.]+)% and ([\d.]+)%\).*? from ([\d.]+)%\s+\(2036\) to ([\d.]+)% \(2056\)", text
    )
    assert m.groups() == (
        f"{res.at[2036, 'bill_yield']:.2f}",
        f"{res.at[2036, 'ten_year_yield']:.2f}",
        f"{res.at[2036, 'average_interest_rate']:.2f}",
        f"{res.at[2056, 'average_interest_rate']:.2f}",
    )
    for col in ("bill_yield", "ten_year_yield"):
        assert (res.loc[2037:, col] - res.at[2036, col]).abs().max() < 1e-9, col


def test_validation_prose_january_2025_is_the_runs():
    """The sentence under table 2: debt/GDP 2035 against CBO's, the largest net-interest and
    rate gaps over FY2025-2035, and the 2055 anchors (debt/GDP, deficit, net interest)."""
    from runners.inputs.vintage import load_inputs

    text = " ".join(section(QUALITY, VALIDATION[1]).split())
    v = "cbo-2025-01"
    res = run(load_scenario("baseline"), baseline=v, until=2055).results
    cbo = load_inputs(v).cbo
    years = range(2025, 2036)
    ni_gap = max(abs(res.at[y, "net_interest"] / cbo.at[y, "net_interest"] - 1) * 100 for y in years)
    rate_gap = max(
        abs(res.at[y, "average_interest_rate"] - cbo.at[y, "average_interest_rate"]) for y in years
    )
    m = re.search(
        r"Debt/GDP 2035 ([\d.]+)% \(CBO ([\d.]+)%, ±1.5 pp\); net interest within ([\d.]+)% of CBO's every "
        r"year \(±5%\); the average rate within ([\d.]+) pp every year \(±0.15 pp\); .*? ([\d.]+)% of GDP in "
        r"2055 \(CBO (\d+)%, ±5 pp\), deficit ([\d.]+)% of GDP \(CBO ([\d.]+)%\), net interest ([\d.]+)% "
        r"\(CBO ([\d.]+)%\)",
        text,
    )
    deficit = res.at[2055, "deficit"] / res.at[2055, "gdp"] * 100
    assert m.groups() == (
        f"{res.at[2035, 'debt_to_gdp']:.1f}",
        f"{cbo.at[2035, 'debt_to_gdp']:.1f}",
        f"{ni_gap:.1f}",
        f"{rate_gap:.3f}",
        f"{res.at[2055, 'debt_to_gdp']:.1f}",
        f"{_target(v, 'debt_to_gdp', 2055):.0f}",
        f"{deficit:.1f}",
        f"{_target(v, 'total_deficit_pct_gdp', 2055):.1f}",
        f"{res.at[2055, 'net_interest_to_gdp']:.1f}",
        f"{_target(v, 'net_interest_pct_gdp', 2055):.1f}",
    )


def test_no_step_a_user_runs_needs_the_shared_folder():
    """A user's clone has no ../shared: outside the developers' page (the engine's test suite) and
    the derivation of CBO's projection errors, the README and the pages point at nothing there."""
    sweep = page("howto/sweep")
    derivation = section("howto/sweep", "## Calibrated uncertainty")
    assert "../shared" in derivation  # what the exception is for
    user = [README, sweep.replace(derivation, "")]
    user += [p.read_text(encoding="utf-8") for p in hand_written() if p.stem not in ("development", "sweep")]
    for text in user:
        assert "../shared" not in text


@pytest.mark.slow
def test_gap_worked_example_is_the_commands_output():
    from runners.analysis.gap import gap, question
    from runners.report.gap import format_gap

    text = page("howto/gap")
    shown = next(b for lang, b in blocks(text) if lang == "text")
    result = gap(question(load_scenario("baseline"), 2055, target=100.0))
    assert [line.rstrip() for line in shown.splitlines()] == format_gap(result).splitlines()


@pytest.mark.slow
def test_gap_instrument_claim_is_the_models():
    """'the mix matters only through a loop that reads revenues: for japan-selloff, X% all from
    revenues against Y% all from spending' (4 decimals, the solver's tolerance is 1e-6 pp)."""
    from runners.analysis.gap import question, solve

    quoted = re.search(
        r"for `japan-selloff`, ([\d.]+)% of GDP all\s+from revenues against ([\d.]+)% all", page("howto/gap")
    )
    sale = load_scenario("japan-selloff")
    for value, instrument in zip(quoted.groups(), ("revenue", "spending"), strict=True):
        assert value == f"{solve(question(sale, 2055, target=100.0, instrument=instrument)):.4f}"


@pytest.mark.slow
def test_scenario_table_is_the_runs():
    """The Scenarios table: every built-in scenario, its title, and its central FY2035 debt/GDP and
    net interest, the year net interest first passes 20% of outlays and the year debt passes 300% of
    GDP, from `snowball run NAME --until 2100` (the low-high ranges are the calibration tests')."""
    from runners.scenario.scenarios import builtin_names

    text = section(SCENARIOS, "## The built-in scenarios")
    rows = re.findall(
        r"^\| `([a-z0-9-]+)` \| (.*?) \| .*? \| ([\d.]+)%.*? \| \$([\d,]+)bn.*? \| (.*?) \| (.*?) \|$",
        text,
        re.M,
    )
    assert sorted(r[0] for r in rows) == sorted(builtin_names())
    for name, title, debt, interest, over20, explodes in rows:
        res = run(load_scenario(name), until=2100)
        r, m = res.results, res.milestones
        assert title == res.scenario.title, name
        assert debt == f"{r.at[2035, 'debt_to_gdp']:.1f}", name
        assert interest == f"{r.at[2035, 'net_interest']:,.0f}", name
        passes = m.get("interest_over_20pct_of_outlays")
        # as snowball run words a milestone not reached (run.milestone_label): 'not by FY2100'
        assert over20 == (f"FY{passes}" if passes else "not by FY2100"), name
        assert explodes == (f"FY{m['debt_explodes']}" if m.get("debt_explodes") else "not by FY2100"), name


def test_make_readme_charts_redraws_every_snapshot_the_readme_shows():
    # the images in reports/readme/ (README and pages) are the ones `make readme-charts` copies there (a
    # snapshot nothing redraws goes stale: the debt chart showed a sell-off from before a
    # recalibration)
    text = README + "\n" + all_pages()
    shown = set(re.findall(r"\]\((?:\.\./)*reports/readme/([\w-]+)\.png\)", text))
    make = (REPO / "Makefile").read_text()
    charts = re.search(r"^README_CHARTS := (.*)$", make, flags=re.M).group(1).split()
    target = make[make.index("readme-charts: ") :].split("\n\n")[0]
    redrawn = set(charts) | set(re.findall(r"reports/readme/([\w-]+)\.png$", target, flags=re.M))
    assert shown == redrawn
    assert shown == {p.stem for p in (REPO / "reports" / "readme").glob("*.png")}


@pytest.mark.slow
def test_backtest_output_is_the_commands():
    """'How good is it?' 3: the printed table and summary of `snowball backtest --start 2015` are
    the command's own output, and the sentences after it quote the runs: from the 2020 start,
    each year's net-interest error and their mean absolute error; from 2015, the years FY2016-2025
    outside the ±5% target (FY2018 -6.2%, FY2022 -9.4%) and the count that meet it (8 of 10)."""
    from runners.analysis import backtest as bt

    shown = next(b for lang, b in blocks(page("howto/backtest")) if lang == "text")
    text = section(QUALITY, "## 3. Backtest against history")
    from2015 = bt.backtest(2015)
    assert shown.splitlines() == bt.format_backtest(from2015).splitlines()[: len(shown.splitlines())]
    flat = " ".join(text.split())

    def errors(b):
        t = b.table[b.table["variable"] == "net_interest"].set_index("fiscal_year")["error_pct"]
        return t

    e2020 = errors(bt.backtest(2020))
    quoted = re.search(
        r"From the end of FY2019 \(`--start 2020`\), net interest: (.*?) \(mean absolute error ([\d.]+)%\)",
        flat,
    )
    pairs = re.findall(r"FY(\d{4}) ([+−-][\d.]+)%", quoted.group(1))
    assert [int(y) for y, _ in pairs] == list(e2020.index)
    assert [v.replace("−", "-") for _, v in pairs] == [f"{e2020[int(y)]:+.1f}" for y, _ in pairs]
    assert quoted.group(2) == f"{e2020.abs().mean():.1f}"
    e2015 = errors(from2015).loc[2016:2025]
    missed = e2015[e2015.abs() > 5]
    m = re.search(
        r"It is met in (\d+) of those (\d+) years from the FY2015 start and \*\*missed\*\* in (\w+);", flat
    )
    assert (int(m.group(1)), int(m.group(2))) == (len(e2015) - len(missed), len(e2015))
    assert m.group(3) == "none" and missed.empty
    # the table from every start: mean absolute and worst net-interest error (FY2016-2025), worst debt error
    rows = re.findall(
        r"^\| (\d{4}) \| FY(\d{4})–2025 \| ([\d.]+)% \| ([+−-][\d.]+)% \(FY(\d{4})\) \| ([\d.]+)% \|$",
        text,
        flags=re.M,
    )
    assert [int(r[0]) for r in rows] == list(range(2015, 2023))
    for start, first, mean, worst, year, debt in rows:
        t = bt.backtest(int(start)).table
        t = t[t["fiscal_year"] >= 2016]
        ni = t[t["variable"] == "net_interest"].set_index("fiscal_year")["error_pct"]
        db = t[t["variable"] == "debt_held_by_public"]["error_pct"]
        assert int(first) == ni.index[0]
        assert (mean, worst.replace("−", "-"), int(year)) == (
            f"{ni.abs().mean():.1f}",
            f"{ni[ni.abs().idxmax()]:+.1f}",
            int(ni.abs().idxmax()),
        ), start
        assert debt == f"{db.abs().max():.2f}", start


@pytest.mark.slow
def test_bond_examples_are_the_commands(capsys):
    """The three `snowball bond` lines and the answers in their comments (the seed's bond:
    $3 coupon + $10 gain on $90 is $13 / $90 = 14.4%)."""
    text = section(SCENARIOS, "## Bond prices and the seed's arithmetic")
    shown = re.findall(r"^(snowball bond [^#\n]*?)\s+# (yield|price) ([\d.]+)", text, flags=re.M)
    assert len(shown) == 3
    for line, what, value in shown:
        assert cli.main(line.split()[1:]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"{what} {value}{'%' if what == 'yield' else ' '}"), (line, out)


@pytest.fixture(scope="module")
def selloff_ranges():
    """Every built-in sell-off scenario under the low, central and high supply-effect sets (what
    `snowball compare` and the briefing report), one row per scenario."""
    from runners.projection import supply
    from runners.scenario import supply_effects as cs
    from runners.scenario.scenarios import builtin_names

    selling = [s for s in (load_scenario(n) for n in builtin_names()) if cs.sells(s)]
    return supply.selloff_range_table(selling)


def _ranged(row, var: str, fmt: str, dash: str = "\u2013") -> str:
    c, lo, hi = (row[f"{var}_{k}"] for k in ("central", "low", "high"))
    return f"{fmt.format(c)} ({fmt.format(lo)}{dash}{fmt.format(hi)})"


@pytest.mark.slow
def test_selloff_tables_are_the_runs(selloff_ranges):
    """The sell-off scenarios' central values with their low-high ranges, wherever the pages
    quote them: the Scenarios table's brackets, the table of every sell-off scenario (10-year
    peak: the monthly gap from the baseline path) and the `describe(row)` example sentence."""
    from runners.scenario import supply_effects as cs

    ranges = selloff_ranges
    scenarios = section(SCENARIOS, "## The built-in scenarios")
    rows = re.findall(
        r"^\| `([a-z0-9-]+)` \| .*? \| .*? \| (.*?) \| (.*?) \| .*? \| .*? \|$", scenarios, re.M
    )
    ranged = {name: (debt, interest) for name, debt, interest in rows if "(" in debt}
    assert sorted(ranged) == sorted(ranges.index)
    for name, (debt, interest) in ranged.items():
        r = ranges.loc[name]
        assert debt == _ranged(r, "debt_to_gdp", "{:.1f}").replace(" (", "% ("), name
        assert interest == "$" + _ranged(r, "net_interest", "{:,.0f}").replace(" (", "bn ("), name
    every = page(SELLOFF).split("Every sell-off scenario, central")[1]
    table = re.findall(r"^\| `([a-z0-9-]+)` \| \+(.*?) \| (.*?) \| \$(.*?) \|$", every.split("\n\n")[1], re.M)
    assert sorted(n for n, *_ in table) == sorted(ranges.index)
    for name, peak, debt, interest in table:
        r = ranges.loc[name]
        assert peak == _ranged(r, "ten_year_peak_bp", "{:.0f}").replace(" (", " bp ("), name
        assert debt == _ranged(r, "debt_to_gdp", "{:.1f}").replace(" (", "% ("), name
        assert interest == _ranged(r, "net_interest", "{:,.0f}").replace(" (", "bn ("), name
    quoted = re.search(r'for the sentence\s+\("(.*?)"\)', page(SELLOFF), flags=re.S).group(1)
    assert " ".join(quoted.split()) == cs.describe(ranges.loc["japan-selloff"])


@pytest.mark.slow
def test_selloff_sets_table_is_the_runs(selloff_ranges, baseline_result):
    """`japan-selloff` under each set: the 10-year's monthly peak above its baseline path, the
    supply premium at that month (central: (61 + 22) / 0.859 = 96 bp in the worked example),
    debt/GDP and net interest in 2035, and the baseline's figures beside them."""
    text = page(SELLOFF)
    rows = re.findall(
        r"^\| `(low|central|high)` \| \+(\d+) bp \| (\d+) bp \| ([\d.]+)% \| \$([\d,]+)bn \|$", text, re.M
    )
    assert [r[0] for r in rows] == ["low", "central", "high"]
    sale = load_scenario("japan-selloff")
    for name, peak, supply, debt, interest in rows:
        monthly = run(
            sale, until=2035, calibration=name, monthly=["ten year yield gap", "supply premium"]
        ).monthly
        when = monthly["ten year yield gap"].idxmax()
        r = selloff_ranges.loc["japan-selloff"]
        assert peak == f"{monthly.at[when, 'ten year yield gap'] * 100:.0f}", name
        assert supply == f"{monthly.at[when, 'supply premium'] * 100:.0f}", name
        assert debt == f"{r[f'debt_to_gdp_{name}']:.1f}", name
        assert interest == f"{r[f'net_interest_{name}']:,.0f}", name
    central = next(r for r in rows if r[0] == "central")
    assert f"+{central[1]} bp above the baseline path" in " ".join(text.split())
    assert f"= {central[2]} bp on the 10-year" in " ".join(text.split())
    b = baseline_result.results
    assert f"(baseline: {b.at[2035, 'debt_to_gdp']:.1f}% and ${b.at[2035, 'net_interest']:,.0f}bn)" in text


@pytest.mark.slow
def test_selloff_uncertainty_percentiles_are_the_sweeps(tmp_path):
    """`snowball sweep selloff-uncertainty`'s 5th-50th-95th percentiles as the sell-off page quotes
    them (summary.csv: p5, p50, p95)."""
    from runners import api

    flat = " ".join(page(SELLOFF).split())
    m = re.search(
        r"10-year yield FY(\d{4}) ([\d.]+)-([\d.]+)-([\d.]+)%; "
        r"debt/GDP FY(\d{4}) ([\d.]+)-([\d.]+)-([\d.]+)%; "
        r"net interest FY(\d{4}) \$([\d,]+)-([\d,]+)-([\d,]+)bn",
        flat,
    )
    s = api.sweep("selloff-uncertainty", out=tmp_path / "su").summary
    got = []
    for var, fmt, group in (
        ("ten_year_yield", "{:.2f}", 1),
        ("debt_to_gdp", "{:.1f}", 5),
        ("net_interest", "{:,.0f}", 9),
    ):
        year = int(m.group(group))
        row = s[(s["variable"] == var) & (s["fiscal_year"] == year)].iloc[0]
        got += [str(year)] + [fmt.format(row[p]) for p in ("p5", "p50", "p95")]
    assert list(m.groups()) == got


@pytest.mark.slow
def test_sobol_ranking_is_the_sweeps(tmp_path):
    """'growth shift 0.69 (S1 0.55 ± 0.07), yield shift 0.35 (0.23 ± 0.05), ...': `snowball sweep
    sobol`'s total indices for debt/GDP in 2055 in rank order, the first three with S1 and its
    95% interval (sensitivity.csv: ST, S1, S1_conf)."""
    from runners import api

    flat = " ".join(page("howto/sweep").split())
    text = re.search(r"intervals in `sensitivity.csv`\): (.*?)\. Growth leads", flat).group(1)
    quoted = re.findall(r"([a-z ]+?) ([\d.]+)(?: \((?:S1 )?([\d.]+) ± ([\d.]+)\))?(?:, |$)", text)
    s = api.sweep("sobol", out=tmp_path / "sobol", workers=1).sensitivity
    s = s[(s["variable"] == "debt_to_gdp") & (s["fiscal_year"] == 2055)].sort_values("rank")
    got = []
    for i, row in enumerate(s.itertuples()):
        digits = "{:.2f}" if i < 3 else "{:.3f}"
        extra = (f"{row.S1:.2f}", f"{row.S1_conf:.2f}") if i < 3 else ("", "")
        got.append((row.input, digits.format(row.ST), *extra))
    assert [(name.strip(), *rest) for name, *rest in quoted] == got


@pytest.mark.slow
def test_calibrated_uncertainty_figures_are_the_spec_and_its_sweeps(tmp_path):
    """In "Calibrated uncertainty" the Monte Carlo's shock sizes are monte-carlo.toml's, and the
    simulated spread on February 2026 and January 2025 and the ten-year 10-90 range are its runs'."""
    import tomllib

    from runners import api
    from runners.sweep.spec import sweeps_dir

    flat = " ".join(section("howto/sweep", "## Calibrated uncertainty").split())
    doc = tomllib.loads((sweeps_dir() / "monte-carlo.toml").read_text(encoding="utf-8"))
    sds = {p["name"]: p.get("shift", p.get("size"))["sd"] for p in doc["paths"]}
    m = re.search(
        r"yield shift with sd ([\d.]+) pp; a decaying shock to productivity growth with sd ([\d.]+) pp.*?"
        r"primary-outlay shock with sd ([\d.]+)% of GDP",
        flat,
    )
    assert m.groups() == tuple(f"{sds[k]:.2f}" for k in ("rates", "growth", "primary"))
    m = re.search(
        r"simulated spread is ([\d.]+) and ([\d.]+) \(.*?where they give ([\d.]+) and ([\d.]+);"
        r".*?wider than CBO's, (\d+) vs (\d+) points",
        flat,
    )
    got = []
    for vintage in ("cbo-2026-02", "cbo-2025-01"):
        c = api.sweep("monte-carlo", baseline=vintage, out=tmp_path / vintage, workers=1).calibration
        c = c.set_index(["horizon_years", "statistic"])
        got += [f"{c.at[(h, 'sd'), 'snowball']:.1f}" for h in (5, 10)]
        if vintage == "cbo-2026-02":
            wide = (f"{c.at[(10, 'p10_to_p90'), 'snowball']:.0f}", f"{c.at[(10, 'p10_to_p90'), 'cbo']:.0f}")
    assert m.groups() == (*got, *wide)


GAP = "howto/gap"


@pytest.mark.slow
def test_gap_prose_figures_are_the_solvers():
    """The fiscal-gap section's sentences: the worked example restated (170% without, the size,
    $bn in the first year, the revenue and spending equivalents), the answer with CBO's debt
    premium switched on (`debt premium switch` = 1), phased in over 5 years, CBO's own fiscal gap
    (debt/GDP back to the initial state's, D0 = debt / GDP at the end of FY2025, by 2056) and
    `what_it_would_take`'s two goals for the three scenarios."""
    from conftest import variant

    from runners.analysis import gap

    flat = " ".join(page(GAP).split())
    base = load_scenario("baseline")
    worked = gap.gap(gap.question(base, 2055, target=100.0))
    without = worked.baseline.results.at[2055, "debt_to_gdp"]
    m = re.search(
        r"Without the adjustment debt reaches (\d+)% of GDP in 2055; ([\d.]+)% of GDP a year from FY(\d{4}) "
        r"\(\$([\d,]+)bn in the first year\) brings it to 100%\. Half of that from revenues is a ([\d.]+)% "
        r"rise in revenues; all of it from spending, a ([\d.]+)% cut",
        flat,
    )
    assert m.groups() == (
        f"{without:.0f}",
        f"{worked.size:.2f}",
        str(worked.question.start),
        f"{worked.first_year_bn:,.0f}",
        f"{worked.revenue_rise_pct / 2:.1f}",
        f"{worked.spending_cut_pct:.1f}",
    )
    premium = variant(base, "premium", debt_premium_switch=1)
    m = re.search(r"it takes ([\d.]+)% of GDP\. Phased in over (\d+) years it takes ([\d.]+)% of GDP", flat)
    assert m.group(1) == f"{gap.solve(gap.question(premium, 2055, target=100.0)):.2f}"
    phased = gap.solve(gap.question(base, 2055, target=100.0, phase_in=float(m.group(2))))
    assert m.group(3) == f"{phased:.2f}"
    q = gap.question(base, 2056, target=100.0)
    d0 = gap.current_debt_to_gdp(q)
    m = re.search(
        r"\(([\d.]+)% at the end of FY(\d{4}) for `cbo-2026-02`\).*?\(`--target ([\d.]+) --by (\d{4})`\), "
        r"([\d.]+)% of GDP \(\$([\d,]+)bn in FY(\d{4})\), revenues ([\d.]+)% higher or noninterest spending "
        r"([\d.]+)% lower over FY(\d{4})-(\d{4})",
        flat,
    )
    assert m.group(1) == m.group(3) == f"{d0:.2f}"
    assert int(m.group(2)) == q.first_year
    cbo_gap = gap.gap(gap.question(base, int(m.group(4)), target=float(m.group(3))))
    assert m.groups()[4:] == (
        f"{cbo_gap.size:.2f}",
        f"{cbo_gap.first_year_bn:,.0f}",
        str(cbo_gap.question.start),
        f"{cbo_gap.revenue_rise_pct:.1f}",
        f"{cbo_gap.spending_cut_pct:.1f}",
        str(cbo_gap.question.start),
        m.group(4),
    )
    m = re.search(
        r"For `cbo-2026-02`: baseline ([\d.]+) and ([\d.]+)% of GDP; `japan-selloff` ([\d.]+) and ([\d.]+)%; "
        r"`japan-selloff-fed` ([\d.]+) and ([\d.]+)%",
        flat,
    )
    names = ["baseline", "japan-selloff", "japan-selloff-fed"]
    table = gap.what_it_would_take([load_scenario(n) for n in names], by=2055, return_to=100)
    assert list(m.groups()) == [f"{v:.2f}" for v in table["adjustment_pct_gdp"]]


@pytest.mark.slow
def test_gap_probability_figures_are_the_solvers():
    """'3.73% of GDP at P = 0.9 against the deterministic 2.14%, which meets the goal in 50.4% of
    draws' (`snowball gap --target 100 --by 2055 --probability 0.9 --sweep monte-carlo`)."""
    from runners.analysis import gap
    from runners.sweep.spec import load_spec

    flat = " ".join(page(GAP).split())
    m = re.search(
        r"([\d.]+)% of GDP at P = ([\d.]+) against the deterministic ([\d.]+)%, which meets the goal in "
        r"([\d.]+)% of draws",
        flat,
    )
    result = gap.gap(
        gap.question(load_scenario("baseline"), 2055, target=100.0),
        float(m.group(2)),
        load_spec("monte-carlo"),
        workers=1,
    )
    p = result.probabilistic
    assert m.groups() == (
        f"{p.size:.2f}",
        m.group(2),
        f"{result.size:.2f}",
        f"{p.share_met_deterministic * 100:.1f}",
    )


@pytest.mark.slow
def test_scenarios_paragraph_agrees_with_the_table_and_runs():
    """The paragraph under the Scenarios table: CBO's long-term debt/GDP (targets.csv), the
    baseline's year past 300% of GDP, the earliest and latest stress scenario (from the table,
    itself checked against runs in test_scenario_table_is_the_runs), and debt/GDP in 2100 under
    the fiscal rule."""
    text = section(SCENARIOS, "## The built-in scenarios")
    flat = " ".join(text.split())
    rows = re.findall(r"^\| `([a-z0-9-]+)` \|.*\| (FY\d{4}|not by FY2100) \|$", text, re.M)
    explodes = {name: int(year[2:]) for name, year in rows if year.startswith("FY")}
    never = sorted(name for name, year in rows if year == "not by FY2100")
    m = re.search(
        r"\((\d+)% of GDP in (\d{4}) against (\d+)% in (\d{4})\).*?passes 300% of GDP in FY(\d{4})\. "
        r"Every stress scenario gets there sooner, "
        r"from FY(\d{4}) \(`([a-z-]+)`\) to FY(\d{4}) \(`([a-z-]+)`\); "
        r"only the fiscal rule \(`([a-z-]+)`, `([a-z-]+)`: (\d+)% in 2100\) stops it",
        flat,
    )
    assert m.group(1) == f"{_target('cbo-2026-02', 'debt_to_gdp', int(m.group(2))):.0f}"
    assert m.group(3) == f"{_target('cbo-2025-01', 'debt_to_gdp', int(m.group(4))):.0f}"
    assert int(m.group(5)) == explodes.pop("baseline")
    assert all(year < int(m.group(5)) for year in explodes.values())
    first, last = min(explodes, key=explodes.get), max(explodes, key=explodes.get)
    assert (m.group(6), m.group(7), m.group(8), m.group(9)) == (
        str(explodes[first]),
        first,
        str(explodes[last]),
        last,
    )
    assert sorted([m.group(10), m.group(11)]) == never
    for name in never:
        assert m.group(12) == f"{run(load_scenario(name), until=2100).results.at[2100, 'debt_to_gdp']:.0f}"


@pytest.mark.slow
def test_bill_share_and_view_counts_are_the_models():
    """'23.9% at 30 September 2025' (the initial state's bill share, also where the bill share
    table's line starts) and 'the model's eight views'."""
    from runners.inputs.vintage import load_inputs
    from runners.report.diagram import diagrams

    share = load_inputs("cbo-2026-02").tables["bill share table"]
    flat = " ".join(all_pages().split())
    quoted = set(re.findall(r"([\d.]+)% at 30 September 2025", flat)) | set(
        re.findall(r"a line up from ([\d.]+)% to 30% in 2030", flat)
    )
    assert quoted == {f"{float(share.iloc[0]):.1f}"}
    words = {"six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
    count = re.search(r"Each of the model's (\w+) views", flat).group(1)
    assert words[count] == len(diagrams())


def test_backtest_misses_quote_the_history_files():
    """'held at the start year's level ($26bn for FY2014); it was $13bn in FY2022 and $37bn in
    FY2021' and 'FY2022's $143bn' (TIPS inflation compensation): data/history/actuals_fy.csv."""
    import pandas as pd

    from runners.core.paths import data_dir

    actual = pd.read_csv(data_dir() / "history" / "actuals_fy.csv").set_index(["variable", "fiscal_year"])[
        "value"
    ]
    flat = " ".join(section(QUALITY, "## 3. Backtest against history").split())
    m = re.search(
        r"\(\$(\d+)bn for FY(\d{4})\); it was \$(\d+)bn in FY(\d{4}) and \$(\d+)bn in FY(\d{4})", flat
    )
    for value, year in zip(m.groups()[::2], m.groups()[1::2], strict=True):
        assert value == f"{actual['other_interest', int(year)]:.0f}", year
    m = re.search(r"FY(\d{4})'s \$(\d+)bn came from", flat)
    assert m.group(2) == f"{actual['tips_inflation_compensation', int(m.group(1))]:.0f}"


def test_other_interest_income_figures_are_the_vintages():
    """Interest on the debt less net interest (`other interest income`) follows the vintage's own
    path: CBO's average rate x average debt - net interest each year (February 2026: FY2026 $21bn
    to FY2036 $7.5bn), held in dollars after the last year; the getting-started page's figures are
    the runs', and the net_interest column's definition in the generated results columns page."""
    from runners.inputs.vintage import load_inputs

    flat = " ".join(section("getting-started", "## Results columns").split())
    for vintage, name, last in (
        ("cbo-2026-02", "February 2026", 2036),
        ("cbo-2025-01", "January 2025", 2035),
    ):
        cbo = load_inputs(vintage).cbo
        debt = cbo["debt_held_by_public"]
        implied = (
            cbo["average_interest_rate"] / 100 * (debt + debt.shift(1)) / 2 - cbo["net_interest"]
        ).dropna()
        r = run(load_scenario("baseline"), baseline=vintage, until=last + 3).results
        gap = r["interest_on_debt"] - r["net_interest"]
        years = list(range(int(r.index[0]), last + 1))
        assert (gap.loc[years] - implied.loc[years]).abs().max() < 1e-6, vintage  # the path, each year
        assert (gap.loc[last:] - implied.loc[last]).abs().max() < 1e-6, vintage  # held in dollars
        implied = implied.loc[years[0] :]
        m = re.search(rf"{name}'s \(FY(\d{{4}})-(\d{{4}})\): \$(\d+)-(\d+)bn", flat)
        assert m.groups() == (
            str(implied.index[0]),
            str(implied.index[-1]),
            f"{implied.min():.0f}",
            f"{implied.max():.0f}",
        ), vintage
        if vintage == "cbo-2026-02":
            cell = f"${gap[2026]:.0f}bn in FY2026 falling to ${gap[2036]:.1f}bn in FY2036"
            assert cell in generator().columns_page()


def test_holdings_start_dates_are_the_default_initial_states():
    """The holders' columns name the month their starting holdings come from: the default
    vintage's initial state (holders.csv's sources: TIC September 2025, H.4.1 24 Sep 2025); they
    said Sep 2024, January 2025's vintage's."""
    import pandas as pd

    from runners.core.paths import data_dir
    from runners.inputs.vintage import DEFAULT_VINTAGE, vintage_meta

    state = vintage_meta(DEFAULT_VINTAGE)["initial_state"]
    sources = pd.read_csv(data_dir() / "initial" / state / "holders.csv").set_index("holder")["source"]
    dated = {"holdings_japan": "japan", "holdings_china": "china", "holdings_fed": "fed"}
    for col in COLUMNS:
        if col.name in dated:
            when = re.search(r"\(default: (.*?)\)", col.definition)
            assert when and when.group(1) in sources[dated[col.name]], col.name


def test_api_table_shows_each_functions_signature():
    """The Python API table gives each function's parameters and defaults as runners.api has them."""
    import inspect

    from runners import api

    table = page("howto/python-api")
    shown = re.findall(r"`api\.(\w+)\((.*?)\)`", table)
    assert {name for name, _ in shown} == {
        n
        for n in dir(api)
        if not n.startswith("_")
        and inspect.isfunction(getattr(api, n))
        and getattr(api, n).__module__ == api.__name__
    }
    for name, args in shown:
        params = inspect.signature(getattr(api, name)).parameters.values()
        want = [p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}" for p in params]
        got = [a.strip() for a in args.split(",") if a.strip()]
        got = ["scenarios" if a == "[scenario" else a for a in got if a not in ("...]",)]
        assert got == want, name


def test_every_scheduled_sale_is_named_in_the_scenarios_title():
    """A scenario that schedules a sale by Japan or China says so in its title (the title is what
    the scenarios page's table, compare and the briefing show): reserve-diversification also sells
    Japan's $1.2tn over 12 months, so its 121.6% of GDP in 2035 read as diversification's alone."""
    from runners.scenario.scenarios import builtin_names

    sellers = {"japan sale amount": "Japan", "china sale amount": "China"}
    for name in builtin_names():
        s = load_scenario(name)
        for constant, seller in sellers.items():
            if s.constants.get(constant, 0) > 0:
                assert seller in s.title, (name, s.title)
        if s.constants.get("reserve diversification rate", 0) > 0:
            assert "other official holders" in s.title, (name, s.title)


def test_gap_solver_settings_are_the_codes():
    """'first for 41 sizes from −5 to +15% of GDP ... tolerance 1e-6 pp ... within 0.05 pp' and
    the probability's 'tolerance 1e-4 pp': 41 = (15 - (-5)) / 0.5 + 1 grid points."""
    from runners.analysis import gap

    flat = " ".join(page(GAP).split())
    m = re.search(r"first for (\d+) sizes from −(\d+) to \+(\d+)% of GDP", flat)
    low, high = gap.SANE_RANGE
    assert (int(m.group(1)), -int(m.group(2)), int(m.group(3))) == (
        int(round((high - low) / gap.GRID_STEP)) + 1,
        low,
        high,
    )
    for tol in (gap.XTOL, gap.PROB_XTOL):  # written 1e-6 as Python writes 1e-06
        assert f"tolerance {tol:.0e} pp".replace("e-0", "e-") in flat, tol
    assert f"land on the goal within {gap.LANDING_TOLERANCE:g} pp" in flat


def test_supply_sets_table_is_the_calibration_file():
    """The three sets' reference market ($bn), flow and stock sensitivities (bp per $bn: the
    file's percent per $bn x 100) and saturation ($bn), as data/calibration/supply-effects.toml
    holds them."""
    from runners.scenario import supply_effects as cs

    text = page(SELLOFF)
    rows = re.findall(
        r"^\| `(low|central|high)` \| .*? \| \$([\d,]+)bn.*? \| ([\d.]+) \| ([\d.]+), \$(\d+)bn \|",
        text,
        re.M,
    )
    assert [r[0] for r in rows] == ["low", "central", "high"]
    for name, market, flow, stock, saturation in rows:
        c = cs.get_set(name).constants
        assert market == f"{c['reference market size']:,.0f}", name
        assert flow == f"{c['short run supply sensitivity'] * 100:.2f}", name
        assert stock == f"{c['long run supply sensitivity'] * 100:.2f}", name
        assert saturation == f"{c['stock effect saturation']:.0f}", name


def test_central_peak_worked_example_is_the_runs():
    """'Why the central 10-year peak sits inside the range': every figure of the worked example
    read off `snowball run japan-selloff`'s monthly path at the 10-year's peak month (the block's
    own variables: displaced holdings, debt, depth, the stock and flow effects on the 5-year, the
    10-year's supply, confidence, inflation and debt premia)."""
    text = " ".join(page(SELLOFF).split())
    names = [
        "ten year yield gap", "Displaced official holdings", "debt held by the public", "market depth",
        "depth scaled net displacement", "supply stock effect", "supply flow effect", "supply premium",
        "confidence premium", "inflation expectations premium", "debt premium",
    ]  # fmt: skip
    monthly = run(load_scenario("japan-selloff"), until=2030, monthly=names).monthly
    m = monthly.loc[monthly["ten year yield gap"].idxmax()]
    bp = {k: m[k] * 100 for k in names if k.endswith(("effect", "premium", "gap"))}
    held, debt, d = m["Displaced official holdings"], m["debt held by the public"], m["market depth"]
    x = m["depth scaled net displacement"]
    stock, flow = bp["supply stock effect"], bp["supply flow effect"]
    expected = (
        f"+{bp['ten year yield gap']:.0f} bp above the baseline path. "
        f"Then ${held:,.0f}bn is displaced (after a year of fading), the debt is ${debt:,.0f}bn, "
        f"so depth d = 29,300 / {debt:,.0f} = {d:.3f} and x = {held:,.0f} x {d:.3f} = {x:,.0f}bn of "
        f"reference-market sales. Stock: 0.26 x {x:,.0f} / (1 + {x:,.0f}/300) = {stock:.0f} bp; "
        f"flow: 0.24 x 100 x {d:.3f} = {flow:.0f} bp; supply premium ({stock:.0f} + {flow:.0f}) / "
        f"0.859 = {bp['supply premium']:.0f} bp on the 10-year"
    )
    assert expected in text
    feedbacks = (
        f"add {bp['confidence premium']:.0f} bp of confidence premium (R2: selling 4% of the debt a year), "
        f"{bp['inflation expectations premium']:.0f} bp of inflation read-back and "
        f"{bp['debt premium']:.1f} bp of debt premium: +{bp['ten year yield gap']:.0f} bp"
    )
    assert feedbacks in text


@pytest.mark.slow
def test_backtest_fix_contributions_are_the_runs():
    """'Each fix's share of the change': each row is the net-interest error without that one fix
    less the error with all of them (points), recomputed from the same backtests with that input
    put back as it was (bills at the discount rate; other interest income at the year before the
    start; the accrual at CPI-U September over September; the 2-7-year yields on the log-maturity
    rule, 20/30-year at the 10-year + 0.3); the TIPS stock's row is the rest of the change."""
    import dataclasses

    import numpy as np
    import pandas as pd

    from runners.analysis import backtest as bt

    text = section(QUALITY, "## 3. Backtest against history")
    text = text[text.index("| fix |") :]
    cells = re.findall(r"^\| ([^|]+?) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", text, flags=re.M)
    table = {
        row[0]: [float(v.replace("−", "-").rstrip("%")) for v in row[1:]]
        for row in cells
        if row[0] not in ("fix", "---") and not row[1].startswith(("FY", "---"))
    }
    actual = bt.read_actuals()

    def no_bill(c, t, s):
        c |= {"bill discount days": 365.0, "bill tenor days": 0.0}

    def held_other(c, t, s):
        v = actual.at[s - 1, "other_interest"]
        t["other interest income table"] = pd.Series({2000: v, 2100: v})

    def sep_cpi(c, t, s):
        t["TIPS accrual rate table"] = actual.loc[s:2025, "cpiu_inflation_sep"]

    def rule(c, t, s):
        b, ten = t["bill yield table"], t["ten year yield table"]
        for name in bt.CURVE.values():
            months = {"two": 24, "three": 36, "five": 60, "seven": 84}.get(name.split()[0])
            t[name] = b + (ten - b) * np.log(months / 3) / np.log(40) if months else ten + 0.3

    def error(start, year, change=None):
        inputs = bt.history_inputs(start, 2025)
        constants, tables = dict(inputs.constants), dict(inputs.tables)
        if change:
            change(constants, tables, start)
        inputs = dataclasses.replace(inputs, constants=constants, tables=tables)
        scenario = dataclasses.replace(load_scenario("baseline"), name="fix", title="fix")
        ni = run(scenario, until=2025, inputs=inputs).results.at[year, "net_interest"]
        return (ni / actual.at[year, "net_interest"] - 1) * 100

    rows = {"bills": no_bill, "other interest": held_other, "TIPS accrual": sep_cpi, "observed 2–30": rule}
    for col, (start, year) in enumerate([(2015, 2018), (2015, 2022), (2020, 2020), (2020, 2021)]):
        now = error(start, year)
        assert table["the error now"][col] == pytest.approx(now, abs=0.051)
        shares = 0.0
        for key, change in rows.items():
            label = next(k for k in table if key in k)
            share = now - error(start, year, change)
            assert table[label][col] == pytest.approx(share, abs=0.051), (label, start, year)
            shares += table[label][col]
        stock = next(k for k in table if k.startswith("TIPS stock"))
        change = table["the error now"][col] - table["the error before"][col]
        assert table[stock][col] == pytest.approx(change - shares, abs=0.15), (start, year)


@pytest.mark.slow
def test_rules_of_thumb_table_is_the_commands():
    """'4. The economy in the budget': the March 2025 table's model column, the February 2026
    sentence and the long-term ratios are `snowball rules-of-thumb`'s own figures (they went stale
    when the interest side changed under them)."""
    from runners.analysis import rules_of_thumb as rules

    def money(x: float) -> str:
        sign = "+" if x >= 0 else "\u2212"
        return f"{sign}${abs(x):,.0f}bn"

    text = section(QUALITY, "## 4. The economy in the budget")
    jan = rules.rules_of_thumb("cbo-2025-01").table.set_index(["rule", "measure"])
    model = {r: jan.at[(r, "deficit_change"), "model"] for r in ("interest_rates", "productivity")}
    model |= {
        r: jan.at[(r, "deficit_change"), "model"] for r in ("labor_force", "inflation", "inflation_alone")
    }
    rows = dict(re.findall(r"^\| ([a-z -]+?(?:, rates \w+)?) \| ([+\u2212]\$[\d,]+bn) \|", text, flags=re.M))
    assert rows == {
        "interest rates higher": money(model["interest_rates"]),
        "productivity growth slower": money(model["productivity"]),
        "labour-force growth slower": money(model["labor_force"]),
        "inflation higher, rates following": money(model["inflation"]),
        "inflation higher, rates unchanged": money(model["inflation_alone"]),
    }
    feb = rules.rules_of_thumb("cbo-2026-02").table.set_index(["rule", "change_pp", "measure"])
    said = " ".join(text.split())
    quoted = [
        feb.at[(r, c, "deficit_change"), "model"]
        for r, c in [
            ("interest_rates", 0.1),
            ("productivity", -0.1),
            ("labor_force", -0.1),
            ("inflation", 0.1),
            ("inflation_alone", 0.1),
        ]
    ]
    assert (
        f"{money(quoted[0])} (rates), {money(quoted[1])} (productivity), {money(quoted[2])} (labour force), "
        f"{money(quoted[3])} (inflation with rates), {money(quoted[4])} (inflation alone)"
    ) in said
    ratios = [feb.at[("productivity", c, "debt_to_gdp_ratio"), "model"] for c in (0.5, -0.5)]
    assert f"{ratios[0]:.3f} and {ratios[1]:.3f} against CBO's 0.757 and 1.260" in said
    last = jan.at[("productivity", "deficit_change"), "last_year_deficit_change"]
    labour = jan.at[("labor_force", "deficit_change"), "last_year_deficit_change"]
    assert (
        f"productivity's 2035 effect is ${last:.0f}bn against CBO's $77bn, labour force's ${labour:.0f}bn"
        in said
    )
