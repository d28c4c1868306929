"""`snowball brief`: project scenarios and write a briefing pack.

The pack (written atomically, byte-identical on rerun): ``briefing.html`` (self-contained, charts
embedded), ``briefing.md`` (same text and tables), ``briefing.pdf`` (laid out for print, two charts
a page where they fit), ``charts/`` (PNG at 200 dpi, SVG with text kept as text, PDF),
``tables/`` (``figures.xlsx`` with one sheet per chart holding exactly the data drawn, headline
numbers, decompositions, results, Monte Carlo probabilities and the loop diagram's arrows as CSV),
``explorer.html`` (``snowball explore``'s page for the pack's vintage and supply-effect set, each
briefed scenario's address in it listed in the briefing) and ``manifest.json`` (scenarios, data
vintages, model hash, package versions, command line).

Every brief runs the calibrated Monte Carlo twice, under current law (``data/sweeps/monte-carlo.toml``:
the spread of CBO's errors) and with policy drift (``monte-carlo-drift.toml``: their centre too),
for the fan charts, the probabilities and the tornado chart; sweeps in ``reports/sweeps/`` enter
only when named.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import importlib.metadata
import platform
import re
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from runners import __version__
from runners.analysis import loops
from runners.analysis.compare import ranges_file
from runners.analysis.gap import what_it_would_take
from runners.core.cache import sha256_of
from runners.core.environment import source_date_epoch
from runners.core.errors import SnowballError
from runners.core.outputs import atomic_dir, check_target, write_csv, write_json, written_files
from runners.core.paths import REPORTS
from runners.inputs.vintage import LAST_YEAR, data_dir, read_history, vintage_meta
from runners.mdl import model
from runners.projection.manifest import display_path, scenario_record
from runners.projection.run import RunResult, run
from runners.projection.supply import selloff_range_table
from runners.report import charts, selloff_charts, style
from runners.report.brief_charts import Chart, build_charts, sweep_charts
from runners.report.brief_explorer import PAGE as EXPLORER_PAGE
from runners.report.brief_explorer import explorer_text
from runners.report.brief_monte_carlo import (
    MONTE_CARLO_DRIFT,
    Uncertainty,
    both_probabilities,
    briefing_years,
    monte_carlo,
)
from runners.report.brief_text import (
    MEASURES,
    REPLICATION,
    baseline_summary,
    cbo_beside,
    counterfactual_note,
    definition,
    departure_year,
    differs_from_cbo,
    headline_frame,
    key_findings,
    methods_text,
    scenario_summary,
    short_title,
)
from runners.report.chart_files import ChartFiles
from runners.report.explorer_page import explorer_html
from runners.report.render import render_html, render_markdown, take_note, write_pdf, write_xlsx
from runners.scenario.scenarios import Scenario, builtin_names, load_scenario
from runners.scenario.supply_effects import RANGE_YEAR, describe, sells
from runners.scenario.supply_effects import apply as apply_calibration
from runners.scenario.supply_effects import get_set as get_calibration_set
from runners.sweep.spec import usable_cores

SELLOFF_SPREAD = "selloff-uncertainty"  # data/sweeps/: the sell-off over the documented ranges
DEFAULT = ["baseline", "japan-selloff", "japan-selloff-fed", "japan-gradual", "fiscal-reform"]


def default_scenarios() -> list[str]:
    """The briefing's default scenarios: the listed ones that exist, baseline first."""
    names = builtin_names()
    return [n for n in DEFAULT if n in names] or names


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
    """The source line for the charts, from the vintages' titles (see style.source_note)."""
    return style.source_note([titles[v] for v in vintages])


# ------------------------------------------------------------------------------ the pack


def _selloff_facts(data: pd.DataFrame) -> dict:
    ten = data["ten year yield"]
    return {
        "peak_gap_bp": float(ten.max() * 100),
        "peak_month": selloff_charts.month_label(float(ten.idxmax())),
        "price_drop": float(-data["bond price 10y"].min()),
    }


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


@dataclass
class _Runs:
    """Everything a briefing computes before it draws and writes."""

    loaded: list[Scenario]
    until: int
    calibration: str
    results: dict[str, RunResult]
    titles: dict[str, str]
    sale: Scenario | None
    selloff: tuple[RunResult, pd.DataFrame] | None
    vintage_titles: dict[str, str]
    vintages: list[str]
    source: str
    unc: Uncertainty | None = None
    ranges: pd.DataFrame = field(default_factory=pd.DataFrame)
    range_year: int = RANGE_YEAR
    spread: Uncertainty | None = None
    drift: Uncertainty | None = None  # the Monte Carlo with CBO's historical error centre
    take: pd.DataFrame = field(default_factory=pd.DataFrame)
    take_switches: dict[str, float] = field(default_factory=dict)


def _checked_scenarios(scenarios: list[str] | None, calibration: str) -> list[Scenario]:
    """The scenarios to brief, loaded (an unknown calibration set fails before anything runs)."""
    get_calibration_set(calibration)  # an unknown name fails before anything runs
    names = scenarios or default_scenarios()
    return [load_scenario(n) for n in names]


def _check_until(loaded: list[Scenario], until: int) -> None:
    """``until`` must leave the charts two projected years (one left their panels empty)."""
    first = max(vintage_meta(s.baseline)["first_year"] for s in loaded)
    if not first + 2 <= until <= LAST_YEAR:  # one projected year left the charts' panels empty
        raise SnowballError(
            f"--until must be a fiscal year from {first + 2} to {LAST_YEAR} for a briefing (its charts "
            f"need two projected years), got {until}"
        )


def _run_scenarios(loaded: list[Scenario], until: int, calibration: str, say: Callable[[str], None]) -> _Runs:
    """Run each scenario yearly, and the sell-off and its baseline monthly for the sell-off chart."""
    say(f"running {len(loaded)} scenario(s) to FY{until}: {', '.join(s.name for s in loaded)}")
    results = {s.name: run(s, until=until, calibration=calibration) for s in loaded}
    titles = {s.name: short_title(s) for s in loaded}
    if len(set(titles.values())) < len(titles):
        titles = {s.name: s.title.rstrip(".") for s in loaded}
    sale = _selloff_scenario(loaded, results)
    selloff = None
    if sale is not None:
        say(f"running {sale.name} and its baseline month by month for the sell-off chart")
        monthly = selloff_charts.SELLOFF_VARIABLES
        sale_run = run(sale, until=until, monthly=monthly, calibration=calibration)
        reference = dataclasses.replace(load_scenario("baseline"), baseline=sale.baseline)
        ref_run = run(reference, until=until, monthly=monthly, calibration=calibration)
        selloff = (sale_run, selloff_charts.selloff_data(sale_run.monthly, ref_run.monthly))
    vintage_titles = {res.inputs.vintage: res.inputs.title for res in results.values()}
    vintages = sorted(vintage_titles)
    return _Runs(
        loaded, until, calibration, results, titles, sale, selloff, vintage_titles, vintages,
        source_note(vintages, vintage_titles),
    )  # fmt: skip


def _run_the_rest(runs: _Runs, uncertainty: bool, baseline: str | None, say: Callable[[str], None]) -> None:
    """The Monte Carlo, the sell-off's low-high range and spread, and what it would take (gap)."""
    loaded, until = runs.loaded, runs.until
    if uncertainty:
        say("running the calibrated Monte Carlo (data/sweeps/monte-carlo.toml), current law")
    runs.unc = monte_carlo(baseline=baseline, until=until) if uncertainty else None
    if uncertainty:
        say(f"running it with CBO's historical error centre (data/sweeps/{MONTE_CARLO_DRIFT}.toml)")
        runs.drift = monte_carlo(MONTE_CARLO_DRIFT, baseline=baseline, until=until, drift=True)
    if runs.sale is not None:
        say("running the sell-off under the low and high supply-effect calibrations")
        runs.range_year = min(RANGE_YEAR, until)  # within the briefing's horizon
        runs.ranges = selloff_range_table(loaded, runs.range_year, baseline=baseline)
    if runs.sale is not None and uncertainty:
        say(f"running the sell-off's spread over the evidence (data/sweeps/{SELLOFF_SPREAD}.toml)")
        runs.spread = monte_carlo(SELLOFF_SPREAD, baseline=baseline, until=until)
    take_for = [loaded[0], *[s for s in loaded[1:] if sells(s)]]
    say(f"solving what it would take for {', '.join(s.name for s in take_for)} (snowball gap)")
    by = briefing_years(until)[-1]  # FY2055, or the last year of a briefing that stops before it
    runs.take_switches = shared_switches(take_for[1:])
    runs.take = what_it_would_take(
        [apply_calibration(s, runs.calibration) for s in take_for],
        by=by,
        switches=runs.take_switches,
        published_level=True,
    )


def shared_switches(selloffs: list[Scenario]) -> dict[str, float]:
    """The switches (Vensim constants named '... switch') that every sell-off scenario turns on:
    "what it would take" solves every row, the baseline's too, with these on, so that its rows
    differ only by the scenario (the baseline itself switches no feedback on). None without a
    sell-off."""
    sets = [{k for k, v in s.constants.items() if k.endswith(" switch") and v == 1} for s in selloffs]
    return {k: 1.0 for k in sorted(set.intersection(*sets))} if sets else {}


def _current_law(runs: _Runs) -> str | None:
    """The scenario that replicates CBO current law (no constants), when one is briefed."""
    return next((s.name for s in runs.loaded if not s.constants), None)


def _doc_titles(runs: _Runs) -> dict[str, str]:
    """The titles the text and tables use: the current-law scenario is "Baseline (Snowball's
    replication of CBO current law)" wherever its numbers differ from CBO's own (its short title
    stays first, as in the charts' legends)."""
    name = _current_law(runs)
    if name is not None and differs_from_cbo(runs.results[name]):
        return {**runs.titles, name: f"{runs.titles[name]} ({REPLICATION})"}
    return dict(runs.titles)


def _pack_day(date: str) -> datetime.date:
    return datetime.datetime.strptime(date, "%d %B %Y").date()


def _notes(runs: _Runs, date: str) -> dict[str, str | None]:
    """Each scenario's counterfactual label, when it starts in a fiscal year the pack's date has
    passed (labelled, not moved), computed from the date and the data's last actual year."""
    first = runs.results[runs.loaded[0].name]
    return {
        s.name: counterfactual_note(
            departure_year(runs.results[s.name], first) if s is not runs.loaded[0] else None,
            _pack_day(date),
            runs.results[s.name].inputs.first_year,
        )
        for s in runs.loaded
    }


def _summaries(runs: _Runs, titles: dict[str, str], notes: dict[str, str | None]) -> list[str]:
    """The first scenario's paragraph, then each other's (with the sell-off's monthly facts, the
    studies' range of supply effects and the counterfactual label where they apply)."""
    loaded = runs.loaded
    first = runs.results[loaded[0].name]
    out = [baseline_summary(first, titles[loaded[0].name])]
    for s in loaded[1:]:
        facts = (
            _selloff_facts(runs.selloff[1]) if runs.selloff is not None and s.name == runs.sale.name else None
        )
        text = scenario_summary(
            runs.results[s.name], first, titles[s.name], runs.titles[loaded[0].name], facts
        )
        if s.name in runs.ranges.index:
            described = describe(runs.ranges.loc[s.name], runs.range_year)
            text += (
                f" Across the studies' range of supply effects (calibration {runs.calibration}, low-high, "
                f"data/calibration/supply-effects.toml): {described}."
            )
        if notes[s.name]:
            text += " " + notes[s.name]
        out.append(text)
    return out


def _cover_data(runs: _Runs) -> str:
    """The cover's data line: each vintage, its publication date and its last actual year."""
    seen = {res.inputs.vintage: res.inputs for res in runs.results.values()}
    return "; ".join(
        f"data: {v} (published {inp.meta.get('published')}), last actual year FY{inp.first_year}"
        for v, inp in sorted(seen.items())
    )


def _document(runs: _Runs, figures: list[Chart], date: str, loop_data: dict) -> dict:
    """The document every rendering reads (HTML, Markdown, PDF, xlsx)."""
    loaded, unc = runs.loaded, runs.unc
    titles, notes = _doc_titles(runs), _notes(runs, date)
    first = runs.results[loaded[0].name]
    validation = next(c.data for c in figures if c.stem == "validation")
    mc_name = unc.spec.name if unc is not None else None
    header = (
        f"{date} · Snowball {__version__} · baseline: "
        + "; ".join(runs.vintage_titles[v] for v in runs.vintages)
        + f" · {_cover_data(runs)}"
        + f" · supply-effect calibration: {runs.calibration}"
        + (
            f" · uncertainty: data/sweeps/{mc_name}.toml ({unc.n_runs:,} draws, seed {unc.spec.seed}, "
            "calibrated to the spread of CBO's forecast errors: current law)"
            + (
                f" and data/sweeps/{runs.drift.spec.name}.toml ({runs.drift.n_runs:,} draws, seed "
                f"{runs.drift.spec.seed}, adding a policy drift calibrated to the mean of CBO's errors)"
                if runs.drift is not None
                else ""
            )
            if unc is not None
            else ""
        )
        + " · years are federal fiscal years (FY2035: October 2034 to September 2035); dollars are nominal"
    )
    law = _current_law(runs)
    return {
        "title": f"U.S. federal debt: {runs.titles[loaded[0].name]}"
        + (
            f" and {len(loaded) - 1} alternative scenario{'s' if len(loaded) > 2 else ''}"
            if len(loaded) > 1
            else ""
        ),
        "header": header,
        "findings": key_findings(runs.results, titles, unc, runs.drift),
        "summaries": _summaries(runs, titles, notes),
        "table": headline_frame(runs.results),
        "until": runs.until,  # a milestone not reached reads 'not by FY{until}', as in snowball run
        "titles": titles,
        "measures": MEASURES,
        "cbo_beside": cbo_beside(runs.results[law]) if law is not None else None,
        "definitions": [(titles[s.name], definition(s, notes[s.name])) for s in loaded],
        "probabilities": both_probabilities(unc, runs.drift) if unc is not None else None,
        "take": runs.take,
        "take_note": take_note(list(runs.take_switches)),
        "charts": [(c.stem, c.heading, c.caption) for c in figures],
        "methods": methods_text(first, unc, validation),
        "loops": [f"{lp.code} {lp.title} ({lp.kind})" for lp in loop_data["loops"]],
        "source": runs.source,
        "vintage": "; ".join(runs.vintage_titles[v] for v in runs.vintages),
        "monte_carlo_scenario": unc.spec.scenario.title if unc is not None else None,
        "explorer": explorer_text(loaded, titles, _explorer_vintage(runs), runs.calibration),
    }


def _explorer_vintage(runs: _Runs) -> str:
    """The vintage of the pack's explorer page: the first scenario's."""
    return runs.loaded[0].baseline


def _write_tables(tmp: Path, runs: _Runs, doc: dict, figures: list[Chart], loop_data: dict) -> None:
    """The pack's tables/ (figures.xlsx and the CSV files) beside briefing.pdf."""
    write_pdf(doc, figures, tmp / "briefing.pdf")
    write_xlsx(doc, figures, tmp / "tables" / "figures.xlsx")
    write_csv(doc["table"], tmp / "tables" / "headline.csv")
    if len(runs.ranges):
        write_csv(ranges_file(runs.ranges, runs.range_year), tmp / "tables" / "selloff_ranges.csv")
    write_csv(runs.take.set_index("scenario"), tmp / "tables" / "what_it_would_take.csv")
    if runs.unc is not None:
        write_csv(runs.unc.probabilities, tmp / "tables" / "monte_carlo_probabilities.csv")
    if runs.drift is not None:
        write_csv(runs.drift.probabilities, tmp / "tables" / "monte_carlo_drift_probabilities.csv")
        write_csv(runs.drift.record, tmp / "tables" / "monte_carlo_drift_check.csv")
    for name, res in runs.results.items():
        write_csv(res.results, tmp / "tables" / f"results_{name}.csv")
        write_csv(charts.decomposition_table(res.results), tmp / "tables" / f"decomposition_{name}.csv")
    every = pd.DataFrame(loop_data["all_edges"], columns=["from", "to", "sign"]).set_index("from")
    write_csv(every, tmp / "tables" / "loop_edges.csv")


def _manifest(runs: _Runs, command: list[str] | None, date: str, named_sweeps: dict[str, Path]) -> dict:
    """manifest.json less the files' hashes: scenarios, vintages, model, versions, the sweeps."""
    unc, sale = runs.unc, runs.sale
    manifest = runs.results[runs.loaded[0].name].manifest(command)  # None from Python, as run.json records
    for key in ("scenario", "overrides", "data_files", "data_vintage"):
        manifest.pop(key, None)
    manifest["date"] = date
    manifest["scenarios"] = {
        s.name: {k: v for k, v in scenario_record(s).items() if k != "name"}
        | {
            "data_vintage": runs.results[s.name].inputs.vintage,
            "data_files": runs.results[s.name].inputs.files,
        }
        for s in runs.loaded
    }
    manifest["data_vintages"] = runs.vintages
    manifest["history_sha256"] = sha256_of(data_dir() / "history" / "historical_fy.csv")
    manifest["model_sha256"] = model.model_hash()
    manifest["versions"] = _versions()
    manifest["selloff_scenario"] = sale.name if sale is not None else None
    manifest["calibration"] = runs.calibration
    if unc is not None and unc.spec.compare_with_cbo:  # the fan's CBO error ranges were read
        from runners.inputs.cbo_errors import errors_path

        manifest["other_data_files"][display_path(errors_path())] = sha256_of(errors_path())
    for key, sweep_run in (
        ("uncertainty", unc),
        ("uncertainty_drift", runs.drift),
        ("selloff_spread", runs.spread),
    ):
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
    return manifest


def _write_pack(
    out: Path, force: bool, runs: _Runs, doc: dict, figures: list[Chart], loop_data: dict, manifest: dict
) -> None:
    """Write the pack atomically: the charts (SVG and PDF by worker processes, the PNGs here),
    the renderings, the tables and manifest.json with every file's hash."""
    # the charts' SVG and PDF files are written by worker processes (the PDFs' font subsetting is
    # a third of a briefing's time), one core left to this process, which writes the PNGs (that
    # briefing.pdf reads) and then everything else; one core: all here
    workers = min(len(figures), usable_cores() - 1)
    with _worker_death_is_an_error(out), atomic_dir(out, force) as tmp, ChartFiles(workers) as files:
        (tmp / "charts").mkdir()
        (tmp / "tables").mkdir()
        for c in figures:
            files.submit(c.figure, tmp / "charts" / c.stem, (".svg", ".pdf"))
            style.save(c.figure, tmp / "charts" / c.stem, formats=(".png",))
        _write_tables(tmp, runs, doc, figures, loop_data)
        (tmp / "briefing.md").write_text(render_markdown(doc), encoding="utf-8")
        page = explorer_html(_explorer_vintage(runs), runs.calibration, runs.until)
        (tmp / EXPLORER_PAGE).write_text(page, encoding="utf-8")
        (tmp / "briefing.html").write_text(render_html(doc, tmp / "charts"), encoding="utf-8")
        files.wait()
        manifest["files"] = {name: sha256_of(tmp / name) for name in written_files(tmp)}
        write_json(manifest, tmp / "manifest.json")


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
    overrides: dict[str, object] | None = None,
    paths: object = None,
) -> Path:
    """Run each scenario (and the calibrated Monte Carlo) and write the briefing pack atomically;
    return its path.

    ``overrides`` and ``paths`` (``--set``, ``--path``) change every briefed scenario (each one's
    title says "(with ...)"); the Monte Carlo keeps its own spec's scenario.

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
    loaded = _checked_scenarios(scenarios, calibration)
    named_sweeps = find_sweeps(REPORTS / "sweeps" if sweeps_dir is None else sweeps_dir, list(sweeps or []))
    if baseline is not None:
        loaded = [dataclasses.replace(s, baseline=baseline) for s in loaded]
    if overrides or paths is not None:
        from runners.projection.params import with_changes

        loaded = [with_changes(s, overrides, paths) for s in loaded]
    _check_until(loaded, until)
    runs = _run_scenarios(loaded, until, calibration, say)
    history = read_history()
    _run_the_rest(runs, uncertainty, baseline, say)
    say("drawing the charts")
    figures = build_charts(
        runs.results, runs.selloff, history, runs.titles, runs.unc, runs.source, runs.spread, runs.drift
    )
    figures += sweep_charts(named_sweeps, runs.source)
    loop_data = loops.loop_data(loops.model_edges(), loops.model_signs())
    doc = _document(runs, figures, date, loop_data)
    say(f"writing the pack (HTML, Markdown, PDF, xlsx, tables) to {out}")
    _write_pack(out, force, runs, doc, figures, loop_data, _manifest(runs, command, date, named_sweeps))
    return out
