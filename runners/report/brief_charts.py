"""The briefing's charts, in reading order, each with the data it draws (the pack's figures.xlsx
holds exactly that data): the projection charts, the Monte Carlo's fan and tornado, the validation
against CBO, the feedback loops, and the fan and tornado of any sweep the briefing names."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from runners.analysis import loops
from runners.core.errors import SnowballError
from runners.core.paths import recorded_file
from runners.inputs.vintage import vintage_meta
from runners.projection.manifest import display_path
from runners.projection.run import RunResult
from runners.report import charts, loops_chart, selloff_charts, style
from runners.report.brief_monte_carlo import HORIZONS, Uncertainty, exceed_lines
from runners.report.brief_text import milestone_phrases
from runners.report.sweep_charts import (
    fan_data,
    sweep_fan_figure,
    sweep_tornado_data,
    sweep_tornado_figure,
)
from runners.scenario.scenarios import load_scenario

DEBT_GDP = ("Debt held by the public", "% of GDP")  # a fan's variable and unit on its sheet


@dataclass(frozen=True)
class Chart:
    """One chart of the pack: file stem, heading, caption, its figure and the data drawn; for its
    figures.xlsx sheet, the scenario(s) it shows (titles; none: every briefed scenario), the
    quantity it draws (``variable``: words, for columns that name only a scenario or a percentile)
    and the unit of all its values (``unit``; none: each results column's own)."""

    stem: str
    heading: str
    caption: str
    figure: object
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    scenarios: tuple[str, ...] = ()
    variable: str = ""
    unit: str = ""

    @property
    def title(self) -> str:
        """The chart's own title (its finding)."""
        sup = getattr(self.figure, "_suptitle", None)
        return sup.get_text() if sup is not None else self.heading


# ------------------------------------------------------------------------------------ sweeps


def sweep_spec(folder: Path):
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
        spec = sweep_spec(folder)
        summary = pd.read_csv(folder / "summary.csv")
        runs = int(summary["runs"].max()) if "runs" in summary else spec.n_runs
        fig = sweep_fan_figure(summary, None, spec, runs, source=source)
        data = fan_data(summary, "debt_to_gdp")
        kind = "Uncertainty" if spec.method == "monte-carlo" else "Sensitivity"
        on = (spec.scenario.title,)
        out.append(Chart(f"fan_{name}", f"{kind}: {spec.title.split(':')[0]}", "", fig, data, on, *DEBT_GDP))
        sens = folder / "sensitivity.csv"
        if sens.is_file():
            table = pd.read_csv(sens)
            fig = sweep_tornado_figure(table, summary, spec, source=source)
            if fig is not None:
                heading = f"What matters most: {spec.title.split(':')[0]}"
                out.append(Chart(f"tornado_{name}", heading, "", fig, table, on))
    return out


# ------------------------------------------------------------------------- the pack's charts


def _drawn(
    stem: str,
    heading: str,
    caption: str,
    fn,
    data,
    *args,
    source: str,
    flat=None,
    sheet=((), "", ""),
    **kw,
) -> Chart:
    """A chart drawn by ``fn`` (under the packaged style) with the data it draws (``flat``: the
    data as one table, where ``data`` is several); ``sheet``: its scenarios, variable and unit;
    ``kw``: more keywords for ``fn``."""
    fig = style.draw(fn, data, *args, source=source, **kw)
    return Chart(stem, heading, caption, fig, flat if flat is not None else data, *sheet)


def medicaid_sources(vintage: str) -> list[str]:
    """The source notes of the vintage's ``medicaid_chip_marketplace`` rows (its
    outlays_by_category.csv), which say what CBO's line holds in that vintage."""
    path = vintage_meta(vintage)["path"].parent / "outlays_by_category.csv"
    cats = pd.read_csv(path)
    return cats.loc[cats["variable"] == "medicaid_chip_marketplace", "source"].astype(str).tolist()


def _budget_charts(
    results: dict[str, RunResult], history: pd.DataFrame, titles: dict[str, str], source: str
) -> list[Chart]:
    """Debt, the budget, spending, net interest (of GDP, of outlays, of revenues) and r - g."""
    frames = {titles[n]: res.results for n, res in results.items()}
    first = next(iter(results))
    base_res, base_title = results[first], titles[first]
    base = base_res.results
    out = [
        _drawn(
            "debt_to_gdp",
            "Debt held by the public",
            "Debt held by the public as % of GDP: actuals since 1940 and each scenario, with the 1946 "
            "record.",
            charts.plot_debt,
            charts.debt_data(frames, history),
            source=source,
            sheet=((), *DEBT_GDP),
        ),
        _drawn(
            "budget",
            "Revenues, outlays and deficits",
            "Revenues, outlays, the total and the primary deficit as % of GDP: actuals and the projection.",
            charts.plot_budget,
            charts.budget_data(base, history),
            base_title,
            source=source,
            sheet=((base_title,), "", "% of GDP"),
        ),
    ]
    window_end = int(base_res.inputs.cbo.dropna(how="all").index.max())
    phrases = milestone_phrases(base_res)[:2]
    out.append(
        _drawn(
            "spending",
            "Spending by category and net interest",
            f"Outlays by category and net interest as % of GDP; after FY{window_end} the model extends "
            "CBO's ten-year projection.",
            charts.plot_spending,
            charts.spending_data(base, history),
            base_title,
            window_end,
            phrases,
            source=source,
            medicaid=charts.medicaid_label(medicaid_sources(base_res.inputs.vintage)),
            sheet=((base_title,), "", "% of GDP"),
        )
    )
    interest = charts.interest_data(frames, history)
    out.append(
        _drawn(
            "net_interest",
            "Net interest",
            "Net interest as % of GDP and as a share of total outlays, with the 20% line.",
            charts.plot_interest,
            interest,
            source=source,
            flat=pd.concat(interest, axis=1),
        )
    )
    out.append(
        _drawn(
            "interest_to_revenues",
            "Net interest as a share of revenues",
            "Net interest as % of federal revenues: actuals and each scenario.",
            charts.plot_revenue_share,
            charts.revenue_share_data(frames, history),
            source=source,
            sheet=((), "Net interest", "% of revenues"),
        )
    )
    out.append(_r_g_chart(base, history, base_title, source))
    return out


def _r_g_chart(base: pd.DataFrame, history: pd.DataFrame, base_title: str, source: str) -> Chart:
    """r - g of the first scenario: the average rate on the debt against nominal GDP growth."""
    return _drawn(
        "r_minus_g",
        "r \u2212 g",
        "The average interest rate on the debt against nominal GDP growth, % a year (r \u2212 g in "
        "percentage points); when r exceeds g, interest alone raises debt/GDP.",
        charts.plot_r_g,
        charts.r_g_data(base, history),
        base_title,
        source=source,
        sheet=((base_title,), "", ""),
    )


def _structure_charts(
    results: dict[str, RunResult],
    selloff: tuple[RunResult, pd.DataFrame] | None,
    history: pd.DataFrame,
    titles: dict[str, str],
    source: str,
) -> list[Chart]:
    """Changes from the baseline, maturity and holders, the rollover lag and the sell-off."""
    first = next(iter(results))
    base_res, base_title = results[first], titles[first]
    out = []
    if len(results) > 1:
        out.append(
            _drawn(
                "change_from_baseline",
                "Change from the baseline",
                f"Each scenario less {base_title}: debt/GDP and net interest, percentage points of GDP.",
                charts.plot_change,
                charts.change_data({titles[n]: res.results for n, res in results.items()}),
                base_title,
                source=source,
                sheet=((), "", f"percentage points of GDP from {base_title}"),
            )
        )
    structure = selloff[0] if selloff else base_res
    out.append(
        _drawn(
            "debt_structure",
            "Maturity and holders",
            "The share of bills and floating-rate notes (% of debt held by the public), the average "
            "maturity (months) and who holds the debt (% of debt held by the public).",
            charts.plot_structure,
            charts.structure_data(structure.results, history, structure.inputs.constants),
            titles[structure.scenario.name],
            source=source,
            sheet=((titles[structure.scenario.name],), "", ""),
        )
    )
    out.append(
        _drawn(
            "rollover_lag",
            "The rollover lag",
            "The average rate on the debt follows market yields (% a year) only as debt matures and is "
            "rolled over.",
            charts.plot_rollover,
            charts.rollover_data(selloff[0].results if selloff else base_res.results),
            titles[selloff[0].scenario.name] if selloff else base_title,
            source=source,
            sheet=((titles[selloff[0].scenario.name] if selloff else base_title,), "", ""),
        )
    )
    if selloff is not None:
        sale, data = selloff
        out.append(
            _drawn(
                "selloff",
                "The sell-off",
                "Monthly: yields (bp) and bond prices ($ per $100 face) as gaps from their baseline paths "
                "(so CBO's annual steps cancel out) and each holder's Treasuries against the baseline ($bn).",
                selloff_charts.plot_selloff,
                data,
                titles[sale.scenario.name],
                source=source,
                flat=selloff_charts.selloff_table(data),
                sheet=((titles[sale.scenario.name], "its baseline"), "", ""),
            )
        )
    return out


def _decomposition_chart(results: dict[str, RunResult], titles: dict[str, str], source: str) -> Chart:
    """The snowball decomposition of each scenario's yearly change in debt/GDP."""
    decomposition = {titles[n]: charts.decomposition_data(res.results) for n, res in results.items()}
    return _drawn(
        "decomposition",
        "The snowball decomposition",
        "Each year's change in debt/GDP split into the primary deficit, net interest, GDP growth and "
        "other means of financing, percentage points of GDP.",
        charts.plot_decomposition,
        decomposition,
        source=source,
        flat=pd.concat({t: d.add_suffix("_pp_of_gdp") for t, d in decomposition.items()}, axis=1),
    )


def _fan_chart(u: Uncertainty, source: str) -> Chart:
    """One Monte Carlo fan of debt/GDP with CBO's 10th-90th error range at 5 and 10 years: under
    current law centred on the base path and named as its spread only; with drift where CBO's
    record puts it (base + CBO's 10th to 90th percentile errors)."""
    band = u.cbo_band()
    horizons = " and ".join(str(int(h)) for h in u.record["horizon_years"]) if u.record is not None else ""
    if u.drift:
        label = "CBO's record: 10th\u201390th of its past errors"
        where = f", with CBO's record: the 10th-90th percentile of its past errors at {horizons} years, " \
            "added to the base path."  # fmt: skip
    else:
        label = "Width of CBO's 10th\u201390th error range (spread only, centred on the base)"
        where = f", with the width of CBO's historical 10th-90th error range at {horizons} years, centred " \
            "on the base path: these draws carry the spread of CBO's errors, not their centre."  # fmt: skip
    fig = sweep_fan_figure(
        u.summary, u.base, u.spec, u.n_runs, None, exceed_lines(u.probabilities), source=source,
        band=band, band_label=label,
    )  # fmt: skip
    return Chart(
        "fan_monte_carlo_drift" if u.drift else "fan_monte_carlo",
        f"Uncertainty: debt/GDP, {u.label}",
        "Percentile bands of debt/GDP (% of GDP) across the calibrated Monte Carlo draws, "
        + u.label
        + (where if len(band) else "."),
        fig,
        fan_data(u.summary, "debt_to_gdp", u.base).join(band),
        (u.spec.scenario.title,),
        *DEBT_GDP,
    )


def _uncertainty_charts(u: Uncertainty, source: str, drift: Uncertainty | None = None) -> list[Chart]:
    """The calibrated Monte Carlo's fan chart under current law (CBO's error spread, its band
    centred on the base path), the drift fan (CBO's error centre too, its band where CBO's record
    puts it) where given, each with its sheet holding CBO's range as drawn, and, where it ranks
    inputs, the tornado."""
    out = [_fan_chart(u, source)]
    if drift is not None:
        out.append(_fan_chart(drift, source))
    years = [y for y in HORIZONS if y in set(u.sensitivity["fiscal_year"])] or sorted(
        set(u.sensitivity["fiscal_year"])
    )[-1:]
    tornado = sweep_tornado_data(u.sensitivity, u.summary, u.spec, years)
    if tornado:
        out.append(
            Chart(
                "tornado_monte_carlo",
                "What drives the uncertainty",
                "Median debt/GDP among draws with each input in its bottom or top decile, less the "
                "median of all draws, percentage points of GDP.",
                sweep_tornado_figure(u.sensitivity, u.summary, u.spec, years, source=source),
                pd.concat(tornado, names=["fiscal_year"]),
                (u.spec.scenario.title,),
                "Median debt/GDP less the median of all draws",
                "percentage points of GDP",
            )
        )
    return out


def _loops_chart() -> Chart:
    """The causal-loop diagram, with its arrows (and the loops each is on) as the data."""
    data = loops.loop_data(loops.model_edges(), loops.model_signs())
    fig = style.draw(loops_chart.plot_loops, data)
    rows = [
        (a, b, sign, " ".join(lp.code for lp in data["loops"] if (a, b) in loops.loop_edges(lp)))
        for a, b, sign in data["edges"]
    ]
    edges = pd.DataFrame(rows, columns=["from_variable", "to_variable", "sign", "loops"])
    edges = edges.set_index("from_variable")
    return Chart(
        "feedback_loops",
        "The feedback loops",
        "Causal-loop diagram of the named loops; arrows from the model's equations, signs from "
        "perturbing the model.",
        fig,
        edges,
        (f"none (the model's equations); signs measured on {load_scenario(loops.SIGN_SCENARIO).title}",),
    )


def _spread_chart(spread: Uncertainty, source: str) -> Chart:
    """The sell-off's fan over the documented ranges of its behavioural parameters."""
    return Chart(
        "fan_selloff",
        "The sell-off's spread over the evidence",
        "Debt/GDP (% of GDP) under Japan's $1,200bn sale with every behavioural parameter drawn "
        "over its documented range (supply effects between the low and high sets, the debt "
        "premium, confidence): a sensitivity range, not a probability.",
        sweep_fan_figure(spread.summary, spread.base, spread.spec, spread.n_runs, source=source),
        fan_data(spread.summary, "debt_to_gdp", spread.base),
        (spread.spec.scenario.title,),
        *DEBT_GDP,
    )


def build_charts(
    results: dict[str, RunResult],
    selloff: tuple[RunResult, pd.DataFrame] | None,
    history: pd.DataFrame,
    titles: dict[str, str] | None = None,
    uncertainty: Uncertainty | None = None,
    source: str = style.SOURCE,
    spread: Uncertainty | None = None,
    drift: Uncertainty | None = None,
) -> list[Chart]:
    """Every chart of the pack, in reading order (each with the data it draws); ``spread`` is the
    sell-off over the documented ranges of its behavioural parameters (data/sweeps/); ``drift``
    the Monte Carlo with CBO's historical error centre (policy drift)."""
    titles = titles or {n: n for n in results}
    base_res = results[next(iter(results))]
    out = _budget_charts(results, history, titles, source)
    out += _structure_charts(results, selloff, history, titles, source)
    out.append(_decomposition_chart(results, titles, source))
    if uncertainty is not None:
        out += _uncertainty_charts(uncertainty, source, drift)
    out.append(
        _drawn(
            "validation",
            "The model against CBO",
            "The model's baseline (line) against CBO's own projection (dots): debt/GDP (% of GDP), net "
            "interest ($bn) and the average interest rate on the debt (%).",
            charts.plot_validation,
            charts.validation_data(base_res.results, base_res.inputs.cbo),
            base_res.inputs.vintage,
            source=source,
            sheet=((titles[base_res.scenario.name], f"CBO's projection ({base_res.inputs.title})"), "", ""),
        )
    )
    out.append(_loops_chart())
    if spread is not None:
        out.append(_spread_chart(spread, source))
    return out
