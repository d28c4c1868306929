"""The briefing's words and headline table: each scenario's paragraph, the key findings, the
methods note with its numbers taken from the runs, and the headline numbers by scenario."""

from __future__ import annotations

import datetime
import math

import pandas as pd

from runners.analysis.loops import LOOPS
from runners.core.fiscal_years import first_peak_year
from runners.mdl import model
from runners.projection.milestones import MILESTONE_COMPARISONS, milestone_label
from runners.projection.run import RunResult
from runners.report import charts
from runners.report.brief_monte_carlo import Uncertainty, briefing_years
from runners.report.render import odds
from runners.scenario.scenarios import Scenario


def short_title(s: Scenario) -> str:
    """A scenario's title for legends and tables: the part before a colon, else the title."""
    head = s.title.split(":", 1)[0].strip()
    return head if head and ":" in s.title else s.title.rstrip(".")


# ------------------------------------------------------------------------------------ tables


def headline_frame(results: dict[str, RunResult]) -> pd.DataFrame:
    """Headline numbers by scenario (rows) in stated units (column suffixes)."""
    rows = {}
    for name, res in results.items():
        r = res.results
        row: dict[str, object] = {"title": res.scenario.title}
        for y in horizons(r):
            if y in r.index:
                row[f"debt_to_gdp_{y}_pct"] = r.at[y, "debt_to_gdp"]
                row[f"net_interest_{y}_bn"] = r.at[y, "net_interest"]
                row[f"net_interest_to_gdp_{y}_pct"] = r.at[y, "net_interest_to_gdp"]
                row[f"net_interest_share_of_outlays_{y}_pct"] = r.at[y, "net_interest_share_of_outlays"]
                row[f"average_interest_rate_{y}_pct"] = r.at[y, "average_interest_rate"]
        for col in ("bill_yield", "ten_year_yield", "thirty_year_yield"):
            row[f"peak_fy_average_{col}_pct"] = r[col].max()
            row[f"peak_fy_average_{col}_fiscal_year"] = first_peak_year(r[col])
        row["lowest_fy_average_bond_price_10y_per_100"] = r["bond_price_10y"].min()
        for key, year in res.milestones.items():
            row[f"first_year_{key}"] = year if year is not None else pd.NA
            if key.startswith("interest"):
                row[f"first_year_{key}_is_actual"] = year is not None and year < int(r.index[0])
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scenario")


# -------------------------------------------------------------------------------------- text

MILESTONES = {
    "interest_exceeds_defense": "defense",
    "interest_exceeds_medicare": "Medicare (net)",  # net of offsetting receipts, as CBO's table
    "interest_exceeds_social_security": "Social Security",
    "interest_over_20pct_of_outlays": "20% of outlays",
}


# a projected crossing won, in its first year, by less than this share (%) of what net interest
# passes is knife-edge: the phrase says "just" and gives the margin (20.009% of outlays, Social
# Security passed by $13bn); the one place the margin is defined
KNIFE_EDGE = 1.0

REPLICATION = "Snowball's replication of CBO current law"  # the baseline, where its numbers differ


def crossing_margin(key: str, year: int, r: pd.DataFrame) -> float | None:
    """How far net interest is past the milestone in ``year`` (a projected year): its lead as a
    % of what it passes (20.28% of outlays: 1.4%); None for an actual year (history)."""
    if year not in r.index:
        return None
    if key in MILESTONE_COMPARISONS:
        other = r.at[year, MILESTONE_COMPARISONS[key]]
        return (r.at[year, "net_interest"] - other) / other * 100
    if key == "interest_over_20pct_of_outlays":
        return (r.at[year, "net_interest_share_of_outlays"] - 20) / 20 * 100
    return None


def milestone_phrases(res: RunResult) -> list[str]:
    """'has exceeded defense since FY2024 (actual)', 'passes Medicare (net) in FY2028', and a
    knife-edge crossing 'just passes Social Security in FY2050 (by 0.61%, under 1%)', its lead as a
    % of what it passes (:data:`KNIFE_EDGE`)."""
    r, out = res.results, []
    for key, what in MILESTONES.items():
        year = res.milestones.get(key)
        label = milestone_label(year, r, res.until)
        if year is None:
            out.append(f"stays below {what} to FY{res.until}")
        elif year < int(r.index[0]):
            out.append(f"has exceeded {what} since {label}")
        else:
            margin = crossing_margin(key, year, r)
            if margin is not None and margin < KNIFE_EDGE:
                out.append(f"just passes {what} in {label} (by {margin:.2f}%, under {KNIFE_EDGE:g}%)")
            else:
                out.append(f"passes {what} in {label}")
    return out


MEASURES = (
    "Milestones compare net interest (budget function 900, net of interest income, as in CBO's "
    "tables) with defense (discretionary), Medicare net of offsetting receipts (premiums) and Social "
    'Security (OASDI) outlays, in $bn, and with 20% of total outlays; "(actual)" marks a crossing '
    "in the actual data, dated to the first year of the spell it began on that measure; "
    f'"just" marks a projected crossing won by less than {KNIFE_EDGE:g}% of what it passes.'
)


# ------------------------------------------------------------------------------- dating


def fiscal_year_of(day: datetime.date) -> int:
    """The federal fiscal year a date falls in (FY2027: 1 October 2026 to 30 September 2027)."""
    return day.year + (1 if day.month >= 10 else 0)


def departure_year(res: RunResult, base: RunResult) -> int | None:
    """The first fiscal year a scenario's results differ from the baseline's (None: never)."""
    r, b = res.results.select_dtypes("number"), base.results.select_dtypes("number")
    cols = [c for c in r.columns if c in b.columns]
    years = [y for y in r.index if y in b.index]
    diff = (r.loc[years, cols] - b.loc[years, cols]).abs() > 1e-9 * (1 + b.loc[years, cols].abs())
    hit = diff.any(axis=1)
    return int(hit[hit].index[0]) if hit.any() else None


def counterfactual_note(start: int | None, day: datetime.date, last_actual: int) -> str | None:
    """'A counterfactual: ...' for a scenario that departs from the baseline in a fiscal year that
    has ended by the pack's date ``day`` (labelled, not moved: its numbers stay those of the
    scenario file); None for one that starts in the current fiscal year or later."""
    if start is None or start >= fiscal_year_of(day):
        return None
    where = (
        "already in the actual data"
        if start <= last_actual
        else f"still projected in the data (last actual year FY{last_actual})"
    )
    return (
        f"A counterfactual: it starts in FY{start}, which ended before this pack's date "
        f"({day.day} {day:%B %Y}, FY{fiscal_year_of(day)}) and is {where}."
    )


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def horizons(r: pd.DataFrame) -> list[int]:
    """The headline years: 2035 and 2055 where the results reach them, and their last year where
    it falls short of 2055 (a briefing to FY2040 reports 2035 and 2040, one to FY2030 only 2030)."""
    return briefing_years(int(r.index[-1]))


def baseline_summary(res: RunResult, title: str) -> str:
    """The first scenario's paragraph: its headline numbers in full."""
    r = res.results
    debt = [f"{r.at[y, 'debt_to_gdp']:.0f}% of GDP in {y}" for y in horizons(r)]
    parts = [f"**{title}.** Debt held by the public reaches " + " and ".join(debt) + "."]
    y = horizons(r)[0]
    parts.append(
        f"Net interest is ${r.at[y, 'net_interest']:,.0f}bn in {y}, {r.at[y, 'net_interest_to_gdp']:.1f}% "
        f"of GDP and {r.at[y, 'net_interest_share_of_outlays']:.1f}% of outlays."
    )
    parts.append("Net interest " + _join(milestone_phrases(res)) + ".")
    if res.milestones.get("debt_explodes"):
        parts.append(f"Debt passes 300% of GDP in FY{res.milestones['debt_explodes']}, an explosive path.")
    return " ".join(parts)


def scenario_summary(
    res: RunResult, base: RunResult, title: str, base_title: str, selloff: dict | None = None
) -> str:
    """A scenario's paragraph saying only what differs from the first scenario."""
    r, b = res.results, base.results
    parts = [f"**{title}.**"]
    if res.inputs.vintage != base.inputs.vintage:
        parts.append(
            f"(Projected on the {res.inputs.vintage} baseline, {base_title} on {base.inputs.vintage}: "
            "the differences below mix vintages.)"
        )
    diffs = [
        f"{r.at[y, 'debt_to_gdp'] - b.at[y, 'debt_to_gdp']:+.1f} percentage points of GDP in {y} "
        f"({r.at[y, 'debt_to_gdp']:.0f}% of GDP)"
        for y in horizons(r)
        if y in b.index
    ]
    parts.append(f"Debt/GDP against {base_title}: " + "; ".join(diffs) + ".")
    y = horizons(r)[0]
    dni = r.at[y, "net_interest"] - b.at[y, "net_interest"]
    if abs(dni) >= 0.5:
        word = "higher" if dni > 0 else "lower"
        parts.append(
            f"Net interest is ${abs(dni):,.0f}bn {word} in {y} (${r.at[y, 'net_interest']:,.0f}bn a year)."
        )
    for col, label in (("ten_year_yield", "10-year yield"), ("bill_yield", "3-month bill yield")):
        gap = r[col] - b[col]
        if gap.abs().max() >= 0.05:
            # the first year the gap reaches its largest size (to float noise: a shift that is the
            # same every year is dated at its start), not the first whose value merely rounds to
            # the printed maximum (japan-gradual's bill gap prints 0.16 from FY2033, 0.157 pp, but
            # peaks at 0.163 pp in FY2035)
            yy = first_peak_year(gap.abs())
            word = "higher" if gap.loc[yy] > 0 else "lower"
            parts.append(
                f"The {label} (fiscal-year average) is up to {abs(gap.loc[yy]):.2f} pp {word} than in "
                f"{base_title} (FY{yy}: {r.at[yy, col]:.2f}%)."
            )
    if selloff:
        parts.append(
            f"Monthly, the 10-year peaks {selloff['peak_gap_bp']:.0f} bp above its baseline path in "
            f"{selloff['peak_month']}; the 10-year note's price falls up to ${selloff['price_drop']:.2f} "
            "per $100."
        )
    changed = [
        p
        for key, p in zip(MILESTONES, milestone_phrases(res), strict=True)
        if res.milestones.get(key) != base.milestones.get(key)
    ]
    if changed:
        parts.append("Net interest " + _join(changed) + ".")
    if res.milestones.get("debt_explodes"):
        parts.append(f"Debt passes 300% of GDP in FY{res.milestones['debt_explodes']}, an explosive path.")
    if len(parts) == 2 and not diffs:
        parts.append("No headline number differs.")
    return " ".join(parts)


def key_findings(
    results: dict[str, RunResult],
    titles: dict[str, str],
    unc: Uncertainty | None,
    drift: Uncertainty | None = None,
) -> str:
    """A short paragraph comparing the scenarios, with the Monte Carlo's odds: under current law
    (``unc``) and with CBO's historical error centre (``drift``, policy drift) where given."""
    names = list(results)
    first = results[names[0]]
    years = horizons(first.results)
    y, last = years[0], years[-1]
    debt = {n: results[n].results.at[y, "debt_to_gdp"] for n in names}
    debt_last = {n: results[n].results.at[last, "debt_to_gdp"] for n in names}
    hi, lo = max(debt_last, key=debt_last.get), min(debt_last, key=debt_last.get)
    reaches = " and ".join(
        f"{results[names[0]].results.at[yy, 'debt_to_gdp']:.0f}% of GDP in {yy}" for yy in years
    )
    parts = [
        f"In the {titles[names[0]]} scenario, debt held by the public reaches {reaches}; net interest "
        + _join(milestone_phrases(first)[:2])
        + "."
    ]
    if len(names) > 1:
        gaps = [debt[n] - debt[names[0]] for n in names[1:]]
        sit = (  # one alternative: one number, with its name (not "-14.0 to -14.0")
            f"{titles[names[1]]} sits {gaps[0]:+.1f}"
            if len(gaps) == 1
            else f"the scenarios sit {min(gaps):+.1f} to {max(gaps):+.1f}"
        )
        parts.append(
            f"Across the {len(names)} scenarios, debt/GDP in {last} runs from {debt_last[lo]:.0f}% "
            f"({titles[lo]}) to {debt_last[hi]:.0f}% ({titles[hi]})"
            + (f"; in {y} {sit} percentage points of GDP from {titles[names[0]]}." if y != last else ".")
        )
    if unc is not None and len(unc.probabilities):
        parts.append(_odds_sentence(unc, drift))
    return " ".join(parts)


def _odds_sentence(unc: Uncertainty, drift: Uncertainty | None) -> str:
    """The Monte Carlo's odds: under current law (the spread of CBO's errors, centred on the
    baseline), with policy drift (their centre too) where run, and how far the last year
    extrapolates CBO's record of errors (its longest horizon, from the first projected year)."""
    p = unc.probabilities
    cols = list(p.columns)
    text = (
        f"In {unc.n_runs:,} Monte Carlo draws around the {short_title(unc.spec.scenario)} scenario under "
        "current law, calibrated to the spread of CBO's own forecast errors (not their centre), the chance "
        f"that debt exceeds 150% of GDP is {odds(p.iloc[0][cols[0]])} in {p.index[0]} and "
        f"{odds(p.iloc[-1][cols[0]])} in {p.index[-1]}; 200%: {odds(p.iloc[0][cols[-1]])} and "
        f"{odds(p.iloc[-1][cols[-1]])}."
    )
    record = unc.record if unc.record is not None and len(unc.record) else None
    if drift is not None and len(drift.probabilities) and drift.record is not None and len(drift.record):
        d, r = drift.probabilities, drift.record.iloc[-1]
        text += (
            f" CBO's baselines have under-projected debt, by {r.cbo_mean:.0f} pp of GDP on average "
            f"{int(r.horizon_years)} years out, through laws enacted later and recessions that current "
            f"law leaves out; with a policy drift that reproduces that record ({drift.n_runs:,} draws, "
            f"mean error {r.snowball_mean:.0f} pp), the chance is {odds(d.iloc[0][cols[0]])} in "
            f"{d.index[0]} and {odds(d.iloc[-1][cols[0]])} in {d.index[-1]}; 200%: "
            f"{odds(d.iloc[0][cols[-1]])} and {odds(d.iloc[-1][cols[-1]])}."
        )
    if record is not None:
        reach = int(record["horizon_years"].max())
        out = int(p.index[-1]) - int(unc.summary["fiscal_year"].min())
        if out > reach:
            text += (
                f" CBO's record covers errors up to {reach} years out; the {p.index[-1]} odds, {out} "
                "years out, extrapolate it."
            )
    return text


def methods_text(base: RunResult, unc: Uncertainty | None, validation: pd.DataFrame) -> str:
    """The methods note, with its numbers taken from this run."""
    inputs = base.inputs
    v = validation
    last = int(v.index[-1])
    ni_gap = math.ceil((v["net_interest:gap"] / v["net_interest:cbo"]).abs().max() * 100)  # a bound: up
    debt_premium = model.default("debt premium sensitivity")
    text = [
        "**What the model is.** Snowball is a system-dynamics model of U.S. federal debt held by the "
        "public, written once as a Vensim file (`models/snowball.mdl`) and run with pysd at monthly "
        "steps. The debt is an aging chain of bills and maturity buckets of notes and bonds, each "
        "carrying its coupon, so a change in market yields reaches the budget only as debt matures and "
        "is refinanced (the rollover lag). Net interest feeds the deficit, the deficit the borrowing, "
        "and the borrowing the interest (the snowball, R1). Yields are CBO's paths plus premia for "
        f"supply (foreign official sales, Beltran et al. 2013), debt ({debt_premium * 100:.0f} bp per "
        "point of debt/GDP above the baseline path) and market confidence, less the effect of any Fed "
        "purchases (Gagnon et al. 2011).",
        f"**What it assumes.** The baseline is {inputs.title}. The model's baseline gives debt/GDP of "
        f"{v.at[last, 'debt_to_gdp:model']:.1f}% in {last} against CBO's "
        f"{v.at[last, 'debt_to_gdp:cbo']:.1f}% "
        f"(largest gap {v['debt_to_gdp:gap'].abs().max():.1f} pp over CBO's years); net interest stays "
        f"within {ni_gap}% of CBO's every year. Revenues and primary spending follow CBO's shares of GDP "
        f"(after FY{last}, the long-term anchors; each spending category's share of primary outlays "
        f"held at its FY{last} level, an assumption); holders keep their share of the debt unless a "
        "scenario makes them sell; domestic private investors absorb the rest. The sizes of the "
        "confidence, dollar, Fed-response and fiscal-rule effects are stated assumptions, not "
        "estimates (see `models/README.md`).",
    ]
    if unc is not None:
        cal = unc.calibration
        line = (
            f"**Uncertainty.** {unc.n_runs:,} Monte Carlo draws (seed {unc.spec.seed}) of a lasting "
            "yield shift, a decaying shock to productivity growth (real growth, through revenues' and "
            "each spending category's own drivers) and a decaying primary-outlays shock, sized so that "
            "the spread of simulated debt/GDP matches CBO's own forecast errors"
        )
        if cal is not None and len(cal):
            sd = cal[cal["statistic"] == "sd"]
            line += ": standard deviation " + ", ".join(
                f"{r.snowball:.1f} pp against CBO's {r.cbo:.1f} pp {int(r.horizon_years)} years out"
                for r in sd.itertuples()
            )
        text.append(
            line + ". The fan chart and probabilities are conditional on the model's structure; Sobol "
            "and grid sweeps (when named) show sensitivity over a design, not probabilities."
        )
    text.append(
        "**What it leaves out.** There is no full macroeconomy: GDP follows CBO except through an "
        "optional private crowding-out channel; there is no default, no change in tax law or in the "
        "composition of spending beyond the scenarios' stated rules. Results are projections under "
        "stated assumptions, not forecasts."
    )
    text.append(
        "**Snowball decomposition.** Each year's change in debt/GDP equals the primary deficit, net "
        "interest and other means of financing (each over GDP) less the erosion of last year's ratio by "
        "nominal GDP growth (debt/GDP x g/(1+g)); `tables/decomposition_*.csv` holds the residual "
        f"(at most {max(charts.decomposition_data(base.results)['residual'].abs().max(), 0):.1e} pp here)."
    )
    return "\n\n".join(text)


# ---------------------------------------------------------------------- measures and definitions

# the scenario switches that turn a named loop of the pack's diagram (runners.analysis.loops) on;
# the debt premium and the inflation read-back are channels, not loops of their own
SWITCH_LOOPS = {
    "confidence switch": "R2",
    "vicious cycle switch": "R3",
    "fed response switch": "B1",
    "fiscal rule switch": "B2",
    "policy rule switch": "R4",
    "rating switch": "R5",
    "private crowding switch": "R6",
}
SWITCH_CHANNELS = {
    "debt premium switch": "the debt premium",
    "inflation read back switch": "the inflation read-back of rising yields",
}
ALWAYS_ON = ("R1", "B3")  # structural: no switch turns them off


def loop_name(code: str) -> str:
    """A loop as the pack names it: 'R2 confidence'."""
    return next(f"{lp.code} {lp.title}" for lp in LOOPS if lp.code == code)


def feedbacks_on(s: Scenario) -> str:
    """Which feedback loops (and channels) a scenario's switches turn on, named as in the pack."""
    on = {k for k, v in s.constants.items() if k.endswith(" switch") and v == 1}
    loops = [loop_name(c) for c in ALWAYS_ON] + [loop_name(SWITCH_LOOPS[k]) for k in SWITCH_LOOPS if k in on]
    channels = [SWITCH_CHANNELS[k] for k in SWITCH_CHANNELS if k in on]
    off = [loop_name(SWITCH_LOOPS[k]) for k in SWITCH_LOOPS if k not in on]
    text = "Loops on: " + ", ".join(loops) + (" (always on)" if len(loops) == len(ALWAYS_ON) else "")
    if channels:
        text += "; channels on: " + _join(channels)
    return text + ("; off: " + ", ".join(off) if off else "") + "."


def definition(s: Scenario, note: str | None) -> str:
    """A scenario's one line: what it does and assumes (its file's description), its loops, and
    the counterfactual label where its start has passed."""
    does = " ".join(s.description.split())
    return " ".join(p for p in (does, feedbacks_on(s), note) if p)


def cbo_value(res: RunResult, variable: str, year: int) -> float | None:
    """CBO's own published figure for ``variable`` in ``year`` from the vintage's files (the
    ten-year projection, then the long-term targets), or None where CBO publishes none."""
    cbo, t = res.inputs.cbo, res.inputs.targets
    if variable in cbo.columns and year in cbo.index and pd.notna(cbo.at[year, variable]):
        return float(cbo.at[year, variable])
    hit = t[(t["variable"] == variable) & (t["fiscal_year"] == year)] if len(t) else t
    return float(hit["value"].iloc[0]) if len(hit) else None


CBO_BESIDE = (("debt_to_gdp", "Debt/GDP (%)", "{:.1f}"), ("net_interest", "Net interest ($bn)", "{:,.0f}"))


def cbo_beside(res: RunResult) -> tuple[list[str], list[list[str]]]:
    """The baseline's numbers beside CBO's where CBO publishes them (headline years)."""
    rows = []
    for var, label, fmt in CBO_BESIDE:
        for y in horizons(res.results):
            cbo = cbo_value(res, var, y)
            if cbo is not None and y in res.results.index:
                mine = float(res.results.at[y, var])
                rows.append([f"{label}, {y}", fmt.format(mine), fmt.format(cbo), fmt.format(mine - cbo)])
    return ["Measure", REPLICATION, "CBO", "Difference"], rows


def differs_from_cbo(res: RunResult) -> bool:
    """Whether any number of :func:`cbo_beside` prints differently from CBO's."""
    return any(row[1] != row[2] for row in cbo_beside(res)[1])
