"""`snowball brief`: project scenarios and write a briefing pack.

The pack (written atomically, byte-identical on rerun): ``briefing.html`` (self-contained, charts
embedded), ``briefing.md`` (same text and tables), ``briefing.pdf`` (laid out for print, two charts
a page where they fit), ``charts/`` (PNG at 200 dpi, SVG with text kept as text, PDF),
``tables/`` (``figures.xlsx`` with one sheet per chart holding exactly the data drawn, headline
numbers, decompositions, results, Monte Carlo probabilities and the loop diagram's arrows as CSV)
and ``manifest.json`` (scenarios, data vintages, model hash, package versions, command line).

Every brief runs the calibrated Monte Carlo (``data/sweeps/monte-carlo.toml``) for the fan chart,
the probabilities and the tornado charts; sweeps in ``reports/sweeps/`` enter only when named.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import importlib.metadata
import math
import platform
import re
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from runners import __version__
from runners.analysis import loops
from runners.analysis.compare import ranges_file
from runners.analysis.gap import what_it_would_take
from runners.core.cache import sha256_of
from runners.core.environment import source_date_epoch
from runners.core.errors import SnowballError
from runners.core.fiscal_years import first_peak_year
from runners.core.outputs import atomic_dir, check_target, write_csv, write_json, written_files
from runners.core.paths import REPORTS, recorded_file
from runners.inputs.vintage import LAST_YEAR, data_dir, read_history, vintage_meta
from runners.mdl import model
from runners.projection.manifest import display_path, scenario_record
from runners.projection.milestones import milestone_label
from runners.projection.run import RunResult, run
from runners.projection.supply import selloff_range_table
from runners.report import charts
from runners.report.render import odds, render_html, render_markdown, write_pdf, write_xlsx
from runners.scenario.scenarios import Scenario, builtin_names, load_scenario
from runners.scenario.supply_effects import RANGE_YEAR, describe, sells
from runners.scenario.supply_effects import apply as apply_calibration
from runners.scenario.supply_effects import get_set as get_calibration_set
from runners.sweep.spec import usable_cores

SELLOFF_SPREAD = "selloff-uncertainty"  # data/sweeps/: the sell-off over the documented ranges
DEFAULT = ["baseline", "japan-selloff", "japan-selloff-fed", "japan-gradual", "fiscal-reform"]
MONTE_CARLO = "monte-carlo"
THRESHOLDS = (150.0, 200.0)  # debt/GDP, % of GDP: the probabilities the brief reports
HORIZONS = (2035, 2055)


def default_scenarios() -> list[str]:
    """The briefing's default scenarios: the listed ones that exist, baseline first."""
    names = builtin_names()
    return [n for n in DEFAULT if n in names] or names


def short_title(s: Scenario) -> str:
    """A scenario's title for legends and tables: the part before a colon, else the title."""
    head = s.title.split(":", 1)[0].strip()
    return head if head and ":" in s.title else s.title.rstrip(".")


@dataclass(frozen=True)
class Chart:
    """One chart of the pack: file stem, heading, caption, its figure and the data drawn."""

    stem: str
    heading: str
    caption: str
    figure: object
    data: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def title(self) -> str:
        """The chart's own title (its finding)."""
        sup = getattr(self.figure, "_suptitle", None)
        return sup.get_text() if sup is not None else self.heading


# ------------------------------------------------------------------------------- Monte Carlo


@dataclass(frozen=True)
class Uncertainty:
    """The calibrated Monte Carlo as the brief uses it."""

    spec: object
    n_runs: int
    summary: pd.DataFrame
    sensitivity: pd.DataFrame
    calibration: pd.DataFrame | None
    base: pd.Series
    probabilities: pd.DataFrame  # index: fiscal year; columns: threshold (% of GDP) -> probability %


def exceedance(
    values: np.ndarray, years: list[int], thresholds=THRESHOLDS, horizons=HORIZONS
) -> pd.DataFrame:
    """Share of draws (%) with debt/GDP above each threshold in each horizon year.

    ``values`` is (runs, years) of debt/GDP; a draw whose path is not finite counts as above.
    """
    rows = {}
    for y in horizons:
        if y not in years:
            continue
        v = values[:, years.index(y)]
        rows[y] = {t: float(np.mean(np.where(np.isfinite(v), v > t, True)) * 100) for t in thresholds}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "fiscal_year"
    frame.columns = [f"prob_debt_over_{t:.0f}pct_of_gdp_pct" for t in frame.columns]  # percent of draws
    return frame


def monte_carlo(
    name: str = MONTE_CARLO, baseline: str | None = None, until: int | None = None
) -> Uncertainty:
    """Run the calibrated Monte Carlo in this process (seconds) and summarise it as
    `snowball sweep` does (sweep.computed); ``baseline`` names a vintage that replaces its
    scenario's. ``until``: the briefing's last year; the fan, the tornado and the probabilities
    stop there (at the briefing's headline years), as the briefing's other charts and tables do."""
    from runners.sweep import runner as sweep
    from runners.sweep.spec import load_spec

    spec = load_spec(name, baseline=baseline)
    the_plan = sweep.plan(spec)
    with sweep.computed(the_plan) as chunks:
        summary = sweep.summary_frame(the_plan, chunks)
        sensitivity = sweep.sensitivity_frame(the_plan, chunks)
        calibration = sweep.calibration_frame(the_plan, chunks)
        debt = chunks.gather(slice(None), the_plan.columns.index("debt_to_gdp"))
    base = sweep.base_run(the_plan)["debt_to_gdp"]
    years = list(the_plan.years)
    last = years[-1] if until is None else min(until, years[-1])
    probs = exceedance(debt, years, horizons=[y for y in briefing_years(last) if y in years])
    summary = summary[summary["fiscal_year"] <= last]
    sensitivity = sensitivity[sensitivity["fiscal_year"] <= last]
    base = base[base.index <= last]
    return Uncertainty(spec, the_plan.n_runs, summary, sensitivity, calibration, base, probs)


def exceed_lines(probs: pd.DataFrame) -> list[str]:
    """'P(debt > 150% of GDP): 12% in 2035, 48% in 2055' lines from :func:`exceedance`."""
    out = []
    for col in probs.columns:
        t = re.search(r"(\d+)pct", col).group(1)
        out.append(
            f"P(debt > {t}% of GDP): " + ", ".join(f"{odds(probs.at[y, col])} in {y}" for y in probs.index)
        )
    return out


# ------------------------------------------------------------------------------------ sweeps


def check_sweep_results(names: list[str], folder: Path) -> None:
    """``--sweeps NAME``: a folder name in ``folder`` (reports/sweeps/), never a path, whose
    manifest reads and whose summary and sensitivity tables still have the sha256 it recorded."""
    import json

    from runners.core.outputs import output_name

    for name in names:
        if output_name(name, "") != name:
            raise SnowballError(
                f"--sweeps '{name}': give the name of a folder in {folder} (e.g. monte-carlo), not a path"
            )
        manifest = folder / name / "manifest.json"
        if not manifest.is_file():
            continue  # the briefing names what is missing
        try:
            doc = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SnowballError(
                f"{manifest}: not a readable sweep manifest ({exc}); rerun the sweep"
            ) from None
        if not isinstance(doc, dict):
            raise SnowballError(f"{manifest}: not a sweep manifest (a JSON table); rerun the sweep")
        recorded = doc.get("output_files_sha256")
        if not isinstance(recorded, dict):
            continue  # written before the sweeps recorded their files' hashes
        for table in ("summary.csv", "sensitivity.csv"):
            path = folder / name / table
            if table in recorded and path.is_file() and sha256_of(path) != recorded[table]:
                raise SnowballError(
                    f"{path}: not the file the sweep wrote (its sha256 differs from the one in "
                    "manifest.json: changed or truncated since); rerun the sweep"
                )


def find_sweeps(folder: Path, names: list[str]) -> dict[str, Path]:
    """The named sweep result folders under ``folder`` (each must hold summary.csv, and be intact:
    :func:`check_sweep_results`)."""
    check_sweep_results(names, folder)
    out = {}
    for name in names:
        path = folder / name
        if not (path / "summary.csv").is_file():
            have = sorted(p.parent.name for p in folder.glob("*/summary.csv")) if folder.is_dir() else []
            raise SnowballError(
                f"--sweeps: no sweep results '{name}' in {display_path(folder)} (no summary.csv); "
                f"available: {', '.join(have) or 'none'} (run 'snowball sweep SPEC' first)"
            )
        out[name] = path
    return out


def _sweep_spec(folder: Path):
    """The spec a sweep folder was run from (its manifest's spec_file)."""
    import json

    from runners.sweep.spec import load_spec

    manifest = folder / "manifest.json"
    if not manifest.is_file():
        raise SnowballError(f"{display_path(folder)}: no manifest.json; rerun the sweep")
    spec_file = json.loads(manifest.read_text()).get("spec_file")
    path = recorded_file(spec_file) if spec_file else None
    if path is None or not path.is_file():
        raise SnowballError(f"{display_path(folder)}: its spec file {spec_file!r} is missing")
    return load_spec(path)


def sweep_charts(sweeps: dict[str, Path], source: str) -> list[Chart]:
    """Fan and tornado charts of named sweeps (sensitivity, unless the sweep is a Monte Carlo)."""
    out: list[Chart] = []
    for name, folder in sweeps.items():
        spec = _sweep_spec(folder)
        summary = pd.read_csv(folder / "summary.csv")
        runs = int(summary["runs"].max()) if "runs" in summary else spec.n_runs
        fig = charts.sweep_fan_figure(summary, None, spec, runs, source=source)
        data = charts.fan_data(summary, "debt_to_gdp")
        kind = "Uncertainty" if spec.method == "monte-carlo" else "Sensitivity"
        out.append(Chart(f"fan_{name}", f"{kind}: {spec.title.split(':')[0]}", "", fig, data))
        sens = folder / "sensitivity.csv"
        if sens.is_file():
            table = pd.read_csv(sens)
            fig = charts.sweep_tornado_figure(table, summary, spec, source=source)
            if fig is not None:
                out.append(
                    Chart(f"tornado_{name}", f"What matters most: {spec.title.split(':')[0]}", "", fig, table)
                )
    return out


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
    "interest_exceeds_medicare": "Medicare",
    "interest_exceeds_social_security": "Social Security",
    "interest_over_20pct_of_outlays": "20% of outlays",
}


def milestone_phrases(res: RunResult) -> list[str]:
    """'has exceeded defense since FY2024 (actual)', 'passes Medicare in FY2029', ..."""
    r, out = res.results, []
    for key, what in MILESTONES.items():
        year = res.milestones.get(key)
        label = milestone_label(year, r, res.until)
        if year is None:
            out.append(f"stays below {what} to FY{res.until}")
        elif year < int(r.index[0]):
            out.append(f"has exceeded {what} since {label}")
        else:
            out.append(f"passes {what} in {label}")
    return out


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def horizons(r: pd.DataFrame) -> list[int]:
    """The headline years: 2035 and 2055 where the results reach them, and their last year where
    it falls short of 2055 (a briefing to FY2040 reports 2035 and 2040, one to FY2030 only 2030)."""
    return briefing_years(int(r.index[-1]))


def briefing_years(until: int) -> list[int]:
    """The headline years of a briefing that ends in FY ``until`` (see :func:`horizons`)."""
    years = [y for y in HORIZONS if y <= until]
    return years + [until] if until < HORIZONS[-1] and until not in years else years


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
            # the first year the gap reaches its largest size as printed (a shift that is the
            # same every year is dated at its start, not where rounding noise puts the maximum)
            printed = gap.abs().round(2)
            yy = int(printed.idxmax())
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


def key_findings(results: dict[str, RunResult], titles: dict[str, str], unc: Uncertainty | None) -> str:
    """A short paragraph comparing the scenarios, with the Monte Carlo's odds."""
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
        p = unc.probabilities
        cols = list(p.columns)
        parts.append(
            f"In {unc.n_runs:,} Monte Carlo draws around the {short_title(unc.spec.scenario)} scenario, "
            "calibrated to CBO's own forecast errors, the chance "
            f"that debt exceeds 150% of GDP is {odds(p.iloc[0][cols[0]])} in {p.index[0]} and "
            f"{odds(p.iloc[-1][cols[0]])} in {p.index[-1]}; 200%: {odds(p.iloc[0][cols[-1]])} and "
            f"{odds(p.iloc[-1][cols[-1]])}."
        )
    return " ".join(parts)


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


def _versions() -> dict[str, str]:
    """Installed versions of this package's dependencies (and their own declared ones, one level)."""
    out = {"python": platform.python_version(), "snowball": __version__}
    try:
        reqs = importlib.metadata.requires("snowball") or []
    except importlib.metadata.PackageNotFoundError:
        reqs = []
    names = [re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0] for r in reqs if "extra ==" not in r]
    for name in sorted({*names, "pysd", "matplotlib", "numpy", "pandas", "xarray", "openpyxl"}):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def brief_date() -> str:
    """The date on the brief: SOURCE_DATE_EPOCH when set (reproducible builds), else today (UTC).
    A value that is not whole seconds is an error (environment.source_date_epoch), not a silent
    fall back to today's date; an empty one means unset."""
    epoch = source_date_epoch()
    when = (
        datetime.datetime.fromtimestamp(epoch, datetime.UTC)
        if epoch is not None
        else datetime.datetime.now(datetime.UTC)
    )
    return when.strftime("%d %B %Y").lstrip("0")


def source_note(vintages: list[str], titles: dict[str, str]) -> str:
    """The source line for the charts, from the vintages' titles (see charts.source_note)."""
    return charts.source_note([titles[v] for v in vintages])


# ------------------------------------------------------------------------------------ charts


def _selloff_facts(data: pd.DataFrame) -> dict:
    ten = data["ten year yield"]
    return {
        "peak_gap_bp": float(ten.max() * 100),
        "peak_month": charts.month_label(float(ten.idxmax())),
        "price_drop": float(-data["bond price 10y"].min()),
    }


def build_charts(
    results: dict[str, RunResult],
    selloff: tuple[RunResult, pd.DataFrame] | None,
    history: pd.DataFrame,
    titles: dict[str, str] | None = None,
    uncertainty: Uncertainty | None = None,
    source: str = charts.SOURCE,
    spread: Uncertainty | None = None,
) -> list[Chart]:
    """Every chart of the pack, in reading order (each with the data it draws); ``spread`` is the
    sell-off over the documented ranges of its behavioural parameters (data/sweeps/)."""
    titles = titles or {n: n for n in results}
    frames = {titles[n]: res.results for n, res in results.items()}
    first = next(iter(results))
    base_res, base_title = results[first], titles[first]
    base = base_res.results
    kw = {"source": source}
    out = []

    def add(stem, heading, caption, fn, data, *args, flat=None):
        fig = charts.draw(fn, data, *args, **kw)
        out.append(Chart(stem, heading, caption, fig, flat if flat is not None else data))

    add(
        "debt_to_gdp",
        "Debt held by the public",
        "Debt held by the public as % of GDP: actuals since 1940 and each scenario, with the 1946 record.",
        charts.plot_debt,
        charts.debt_data(frames, history),
    )
    add(
        "budget",
        "Revenues, outlays and deficits",
        "Revenues, outlays, the total and the primary deficit as % of GDP: actuals and the projection.",
        charts.plot_budget,
        charts.budget_data(base, history),
        base_title,
    )
    window_end = int(base_res.inputs.cbo.dropna(how="all").index.max())
    phrases = milestone_phrases(base_res)[:2]
    add(
        "spending",
        "Spending by category and net interest",
        f"Outlays by category and net interest as % of GDP; after FY{window_end} the model extends "
        "CBO's ten-year projection.",
        charts.plot_spending,
        charts.spending_data(base, history),
        base_title,
        window_end,
        phrases,
    )
    interest = charts.interest_data(frames, history)
    add(
        "net_interest",
        "Net interest",
        "Net interest as % of GDP and as a share of total outlays, with the 20% line.",
        charts.plot_interest,
        interest,
        flat=pd.concat(interest, axis=1),
    )
    add(
        "interest_to_revenues",
        "Net interest as a share of revenues",
        "Net interest as % of federal revenues: actuals and each scenario.",
        charts.plot_revenue_share,
        charts.revenue_share_data(frames, history),
    )
    add(
        "r_minus_g",
        "r \u2212 g",
        "The average interest rate on the debt against nominal GDP growth, % a year (r \u2212 g in "
        "percentage points); when r exceeds g, interest alone raises debt/GDP.",
        charts.plot_r_g,
        charts.r_g_data(base, history),
        base_title,
    )
    if len(results) > 1:
        add(
            "change_from_baseline",
            "Change from the baseline",
            f"Each scenario less {base_title}: debt/GDP and net interest, percentage points of GDP.",
            charts.plot_change,
            charts.change_data(frames),
            base_title,
        )
    structure = selloff[0] if selloff else base_res
    add(
        "debt_structure",
        "Maturity and holders",
        "The share of bills and floating-rate notes (% of debt held by the public), the average "
        "maturity (months) and who holds the debt (% of debt held by the public).",
        charts.plot_structure,
        charts.structure_data(structure.results, history, structure.inputs.constants),
        titles[structure.scenario.name],
    )
    add(
        "rollover_lag",
        "The rollover lag",
        "The average rate on the debt follows market yields (% a year) only as debt matures and is "
        "rolled over.",
        charts.plot_rollover,
        charts.rollover_data(selloff[0].results if selloff else base),
        titles[selloff[0].scenario.name] if selloff else base_title,
    )
    if selloff is not None:
        sale, data = selloff
        add(
            "selloff",
            "The sell-off",
            "Monthly: yields (bp) and bond prices ($ per $100 face) as gaps from their baseline paths "
            "(so CBO's annual steps cancel out) and each holder's Treasuries against the baseline ($bn).",
            charts.plot_selloff,
            data,
            titles[sale.scenario.name],
            flat=charts.selloff_table(data),
        )
    decomposition = {titles[n]: charts.decomposition_data(res.results) for n, res in results.items()}
    add(
        "decomposition",
        "The snowball decomposition",
        "Each year's change in debt/GDP split into the primary deficit, net interest, GDP growth and "
        "other means of financing, percentage points of GDP.",
        charts.plot_decomposition,
        decomposition,
        flat=pd.concat({t: d.add_suffix("_pp_of_gdp") for t, d in decomposition.items()}, axis=1),
    )
    if uncertainty is not None:
        u = uncertainty
        # CBO's error ranges at the calibration's horizons (FY2031, FY2036) that the fan reaches
        errors = u.calibration
        if errors is not None:
            errors = errors[errors["fiscal_year"] <= u.base.index.max()]
        horizons_shown = sorted({int(h) for h in errors["horizon_years"]}) if errors is not None else []
        fig = charts.sweep_fan_figure(
            u.summary, u.base, u.spec, u.n_runs, errors, exceed_lines(u.probabilities), source=source
        )
        out.append(
            Chart(
                "fan_monte_carlo",
                "Uncertainty: debt/GDP",
                "Percentile bands of debt/GDP (% of GDP) across the calibrated Monte Carlo draws"
                + (
                    ", with CBO's own historical 10th-90th error range at "
                    + " and ".join(str(h) for h in horizons_shown)
                    + " years."
                    if horizons_shown
                    else "."
                ),
                fig,
                charts.fan_data(u.summary, "debt_to_gdp", u.base),
            )
        )
        years = [y for y in HORIZONS if y in set(u.sensitivity["fiscal_year"])] or sorted(
            set(u.sensitivity["fiscal_year"])
        )[-1:]
        tornado = charts.sweep_tornado_data(u.sensitivity, u.summary, u.spec, years)
        if tornado:
            out.append(
                Chart(
                    "tornado_monte_carlo",
                    "What drives the uncertainty",
                    "Median debt/GDP among draws with each input in its bottom or top decile, less the "
                    "median of all draws, percentage points of GDP.",
                    charts.sweep_tornado_figure(u.sensitivity, u.summary, u.spec, years, source=source),
                    pd.concat(tornado, names=["fiscal_year"]),
                )
            )
    validation = charts.validation_data(base, base_res.inputs.cbo)
    add(
        "validation",
        "The model against CBO",
        "The model's baseline (line) against CBO's own projection (dots): debt/GDP (% of GDP), net "
        "interest ($bn) and the average interest rate on the debt (%).",
        charts.plot_validation,
        validation,
        base_res.inputs.vintage,
    )
    data = loops.loop_data(loops.model_edges(), loops.model_signs())
    fig = charts.draw(loops.plot_loops, data)
    rows = [
        (a, b, sign, " ".join(lp.code for lp in data["loops"] if (a, b) in loops.loop_edges(lp)))
        for a, b, sign in data["edges"]
    ]
    edges = pd.DataFrame(rows, columns=["from", "to", "sign", "loops"]).set_index("from")
    out.append(
        Chart(
            "feedback_loops",
            "The feedback loops",
            "Causal-loop diagram of the named loops; arrows from the model's equations, signs from "
            "perturbing the model.",
            fig,
            edges,
        )
    )
    if spread is not None:
        out.append(
            Chart(
                "fan_selloff",
                "The sell-off's spread over the evidence",
                "Debt/GDP (% of GDP) under Japan's $1,200bn sale with every behavioural parameter drawn "
                "over its documented range (supply effects between the low and high sets, the debt "
                "premium, confidence): a sensitivity range, not a probability.",
                charts.sweep_fan_figure(
                    spread.summary, spread.base, spread.spec, spread.n_runs, source=source
                ),
                charts.fan_data(spread.summary, "debt_to_gdp", spread.base),
            )
        )
    return out


def _selloff_scenario(loaded: list[Scenario], results: dict[str, RunResult]) -> Scenario | None:
    for s in loaded:
        if results[s.name].results["official_sales"].sum() > 0:
            return s
    return None


@contextlib.contextmanager
def _worker_death_is_an_error(out: Path) -> Iterator[None]:
    """A chart-writing worker process that dies (killed by the system, e.g. for lack of memory) is
    a one-line error, not "internal error: BrokenProcessPool" (nothing is written either way)."""
    try:
        yield
    except BrokenExecutor:
        raise SnowballError(
            f"brief: a worker process writing the charts died (killed by the system, e.g. for lack of "
            f"memory); nothing was written to {out}"
        ) from None


def write_brief(
    scenarios: list[str] | None,
    out: Path,
    until: int = 2055,
    command: list[str] | None = None,
    sweeps: list[str] | None = None,
    sweeps_dir: Path | None = None,
    uncertainty: bool = True,
    baseline: str | None = None,
    calibration: str = "central",
    force: bool = False,
    log: Callable[[str], None] | None = None,
) -> Path:
    """Run each scenario (and the calibrated Monte Carlo) and write the briefing pack atomically;
    return its path.

    ``baseline`` names a vintage that replaces every scenario's (and the Monte Carlo's);
    ``calibration`` the supply-effect set the runs use (the sell-off scenarios are also reported
    with the low-high range of data/calibration/supply-effects.toml). ``out``
    must be new, empty or a folder holding only what snowball wrote (edited since, only with
    ``force``: see outputs.atomic_dir).
    ``log`` receives one line per stage (the CLI prints them).
    """
    say = log or (lambda text: None)
    check_target(out, force)
    date = brief_date()  # a malformed SOURCE_DATE_EPOCH fails before anything runs
    get_calibration_set(calibration)  # an unknown name fails before anything runs
    names = scenarios or default_scenarios()
    loaded = [load_scenario(n) for n in names]
    named_sweeps = find_sweeps(REPORTS / "sweeps" if sweeps_dir is None else sweeps_dir, list(sweeps or []))
    if baseline is not None:
        loaded = [dataclasses.replace(s, baseline=baseline) for s in loaded]
    first = max(vintage_meta(s.baseline)["first_year"] for s in loaded)
    if not first + 2 <= until <= LAST_YEAR:  # one projected year left the charts' panels empty
        raise SnowballError(
            f"--until must be a fiscal year from {first + 2} to {LAST_YEAR} for a briefing (its charts "
            f"need two projected years), got {until}"
        )
    say(f"running {len(loaded)} scenario(s) to FY{until}: {', '.join(s.name for s in loaded)}")
    results = {s.name: run(s, until=until, calibration=calibration) for s in loaded}
    titles = {s.name: short_title(s) for s in loaded}
    if len(set(titles.values())) < len(titles):
        titles = {s.name: s.title.rstrip(".") for s in loaded}
    sale = _selloff_scenario(loaded, results)
    selloff = None
    if sale is not None:
        say(f"running {sale.name} and its baseline month by month for the sell-off chart")
        sale_run = run(sale, until=until, monthly=charts.SELLOFF_VARIABLES, calibration=calibration)
        reference = dataclasses.replace(load_scenario("baseline"), baseline=sale.baseline)
        ref_run = run(reference, until=until, monthly=charts.SELLOFF_VARIABLES, calibration=calibration)
        selloff = (sale_run, charts.selloff_data(sale_run.monthly, ref_run.monthly))
    history = read_history()
    vintage_titles = {res.inputs.vintage: res.inputs.title for res in results.values()}
    vintages = sorted(vintage_titles)
    source = source_note(vintages, vintage_titles)
    if uncertainty:
        say("running the calibrated Monte Carlo (data/sweeps/monte-carlo.toml)")
    unc = monte_carlo(baseline=baseline, until=until) if uncertainty else None
    ranges = pd.DataFrame()
    if sale is not None:
        say("running the sell-off under the low and high supply-effect calibrations")
        range_year = min(RANGE_YEAR, until)  # within the briefing's horizon
        ranges = selloff_range_table(loaded, range_year, baseline=baseline)
    spread = None
    if sale is not None and uncertainty:
        say(f"running the sell-off's spread over the evidence (data/sweeps/{SELLOFF_SPREAD}.toml)")
        spread = monte_carlo(SELLOFF_SPREAD, baseline=baseline, until=until)
    take_for = [loaded[0], *[s for s in loaded[1:] if sells(s)]]
    say(f"solving what it would take for {', '.join(s.name for s in take_for)} (snowball gap)")
    by = briefing_years(until)[-1]  # FY2055, or the last year of a briefing that stops before it
    take = what_it_would_take([apply_calibration(s, calibration) for s in take_for], by=by)
    say("drawing the charts")
    figures = build_charts(results, selloff, history, titles, unc, source, spread)
    figures += sweep_charts(named_sweeps, source)
    first = results[loaded[0].name]
    table = headline_frame(results)
    validation = next(c.data for c in figures if c.stem == "validation")
    summaries = [baseline_summary(first, titles[loaded[0].name])]
    for s in loaded[1:]:
        facts = _selloff_facts(selloff[1]) if selloff is not None and s.name == sale.name else None
        text = scenario_summary(results[s.name], first, titles[s.name], titles[loaded[0].name], facts)
        if s.name in ranges.index:
            text += (
                f" Across the studies' range of supply effects (calibration {calibration}, low-high, "
                f"data/calibration/supply-effects.toml): {describe(ranges.loc[s.name], range_year)}."
            )
        summaries.append(text)
    loop_data = loops.loop_data(loops.model_edges(), loops.model_signs())
    mc_name = unc.spec.name if unc is not None else None
    header = (
        f"{date} · Snowball {__version__} · baseline: "
        + "; ".join(vintage_titles[v] for v in vintages)
        + f" · supply-effect calibration: {calibration}"
        + (
            f" · uncertainty: data/sweeps/{mc_name}.toml ({unc.n_runs:,} draws, seed {unc.spec.seed}, "
            "calibrated to CBO's forecast errors)"
            if unc is not None
            else ""
        )
        + " · years are federal fiscal years (FY2035: October 2034 to September 2035); dollars are nominal"
    )
    doc = {
        "title": f"U.S. federal debt: {titles[loaded[0].name]}"
        + (
            f" and {len(loaded) - 1} alternative scenario{'s' if len(loaded) > 2 else ''}"
            if len(loaded) > 1
            else ""
        ),
        "header": header,
        "findings": key_findings(results, titles, unc),
        "summaries": summaries,
        "table": table,
        "until": until,  # a milestone not reached reads 'not by FY{until}', as in snowball run
        "titles": titles,
        "probabilities": unc.probabilities if unc is not None else None,
        "take": take,
        "charts": [(c.stem, c.heading, c.caption) for c in figures],
        "methods": methods_text(first, unc, validation),
        "loops": [f"{lp.code} {lp.title} ({lp.kind})" for lp in loop_data["loops"]],
        "source": source,
    }
    say(f"writing the pack (HTML, Markdown, PDF, xlsx, tables) to {out}")
    # the charts' SVG and PDF files are written by worker processes (the PDFs' font subsetting is
    # a third of a briefing's time), one core left to this process, which writes the PNGs (that
    # briefing.pdf reads) and then everything else; one core: all here
    workers = min(len(figures), usable_cores() - 1)
    with _worker_death_is_an_error(out), atomic_dir(out, force) as tmp, charts.ChartFiles(workers) as files:
        (tmp / "charts").mkdir()
        (tmp / "tables").mkdir()
        for c in figures:
            files.submit(c.figure, tmp / "charts" / c.stem, (".svg", ".pdf"))
            charts.save(c.figure, tmp / "charts" / c.stem, formats=(".png",))
        write_pdf(doc, figures, tmp / "briefing.pdf", tmp / "charts")
        write_xlsx(doc, figures, tmp / "tables" / "figures.xlsx")
        write_csv(table, tmp / "tables" / "headline.csv")
        if len(ranges):
            write_csv(ranges_file(ranges, range_year), tmp / "tables" / "selloff_ranges.csv")
        write_csv(take.set_index("scenario"), tmp / "tables" / "what_it_would_take.csv")
        if unc is not None:
            write_csv(unc.probabilities, tmp / "tables" / "monte_carlo_probabilities.csv")
        for name, res in results.items():
            write_csv(res.results, tmp / "tables" / f"results_{name}.csv")
            write_csv(charts.decomposition_table(res.results), tmp / "tables" / f"decomposition_{name}.csv")
        every = pd.DataFrame(loop_data["all_edges"], columns=["from", "to", "sign"]).set_index("from")
        write_csv(every, tmp / "tables" / "loop_edges.csv")
        (tmp / "briefing.md").write_text(render_markdown(doc), encoding="utf-8")
        (tmp / "briefing.html").write_text(render_html(doc, tmp / "charts"), encoding="utf-8")
        manifest = first.manifest(command)  # None from Python, as run.json records
        for key in ("scenario", "overrides", "data_files", "data_vintage"):
            manifest.pop(key, None)
        manifest["date"] = date
        manifest["scenarios"] = {
            s.name: {k: v for k, v in scenario_record(s).items() if k != "name"}
            | {"data_vintage": results[s.name].inputs.vintage, "data_files": results[s.name].inputs.files}
            for s in loaded
        }
        manifest["data_vintages"] = vintages
        manifest["history_sha256"] = sha256_of(data_dir() / "history" / "historical_fy.csv")
        manifest["model_sha256"] = model.model_hash()
        manifest["versions"] = _versions()
        manifest["selloff_scenario"] = sale.name if sale is not None else None
        manifest["calibration"] = calibration
        if unc is not None and unc.spec.compare_with_cbo:  # the fan's CBO error ranges were read
            from runners.inputs.cbo_errors import errors_path

            manifest["other_data_files"][display_path(errors_path())] = sha256_of(errors_path())
        for key, sweep_run in (("uncertainty", unc), ("selloff_spread", spread)):  # both sweeps run here
            manifest[key] = (
                {
                    "spec_file": display_path(sweep_run.spec.path),
                    "spec_sha256": sweep_run.spec.sha256,
                    "seed": sweep_run.spec.seed,
                    "runs": sweep_run.n_runs,
                }
                if sweep_run is not None
                else None
            )
        manifest["sweeps"] = {
            name: {
                p.name: sha256_of(p)
                for p in sorted(folder.glob("*.csv"))
                if p.name in ("summary.csv", "sensitivity.csv")
            }
            for name, folder in named_sweeps.items()
        }
        files.wait()
        manifest["files"] = {name: sha256_of(tmp / name) for name in written_files(tmp)}
        write_json(manifest, tmp / "manifest.json")
    return out
