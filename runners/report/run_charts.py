"""The charts for one run (``snowball run NAME --charts``, ``compare ... --charts``,
``RunResult.plot()``): the handful an analyst pastes into a note, drawn by the briefing's own chart
code and titled for that run (its scenario, its ``--set`` and ``--path``), against the baseline.

- ``debt_to_gdp``: debt/GDP with history since 1940, the run and its baseline;
- ``spending``: net interest beside defense, Medicare (net of premiums), Social Security and the
  other large categories, % of GDP, with the run's own milestones in the title;
- ``rates``: the average interest rate on the debt against the 10-year and bill yields;
- ``r_minus_g``: the average rate less nominal GDP growth, and what moves debt/GDP.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from runners.inputs.vintage import read_history
from runners.projection.run import PLOTTERS, RunResult
from runners.report import charts, snowball_charts, style
from runners.report.brief_charts import medicaid_sources
from runners.report.brief_text import milestone_phrases

RUN_CHARTS = ("debt_to_gdp", "spending", "rates", "r_minus_g")
BASELINE_LABEL = "Baseline (CBO current law, {vintage})"


def run_title(result: RunResult) -> str:
    """The run as its charts name it: the scenario's title (which says "(with ...)" for a
    ``--path`` or a ``--set`` written into it), then the run's own ``--set`` constants and paths."""
    title = result.scenario.title
    said = [f"{k} = {v:g}" for k, v in result.overrides.items()]
    said += [p for p in result.scenario.paths if p not in title]  # with_changes names its own
    return title + (" (with " + "; ".join(said) + ")" if said else "")


def run_charts(
    result: RunResult, baseline: RunResult | None = None, which: tuple[str, ...] = RUN_CHARTS
) -> dict[str, Figure]:
    """The charts ``which`` (of :data:`RUN_CHARTS`) for ``result``, each a matplotlib Figure (they
    render inline in Jupyter); ``baseline``: the run to draw beside it on the debt chart (None: the
    run alone)."""
    unknown = [w for w in which if w not in RUN_CHARTS]
    if unknown:
        from runners.core.errors import SnowballError

        raise SnowballError(f"charts: unknown chart '{unknown[0]}'; allowed: {', '.join(RUN_CHARTS)}")
    history = read_history()
    name = run_title(result)
    frame = result.results
    source = style.SOURCE
    out: dict[str, Figure] = {}
    if "debt_to_gdp" in which:
        frames = {name: frame}
        if baseline is not None and baseline is not result:
            frames[BASELINE_LABEL.format(vintage=baseline.inputs.vintage)] = baseline.results
        out["debt_to_gdp"] = style.draw(charts.plot_debt, charts.debt_data(frames, history), source=source)
    if "spending" in which:
        window_end = int(result.inputs.cbo.dropna(how="all").index.max())
        out["spending"] = style.draw(
            charts.plot_spending,
            charts.spending_data(frame, history),
            name,
            window_end,
            milestone_phrases(result)[:2],
            source=source,
            medicaid=charts.medicaid_label(medicaid_sources(result.inputs.vintage)),
        )
    if "rates" in which:
        out["rates"] = style.draw(charts.plot_rollover, charts.rollover_data(frame), name, source=source)
    if "r_minus_g" in which:
        data = snowball_charts.r_g_data(frame, history)
        out["r_minus_g"] = style.draw(snowball_charts.plot_r_g, data, name, source=source)
    return out


def write_run_charts(figures: dict[str, Figure], folder: Path) -> list[Path]:
    """Each figure as ``folder/STEM.png`` and ``.svg`` (no creation dates: byte-reproducible)."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for stem, fig in figures.items():
        written += style.save(fig, folder / stem, formats=(".png", ".svg"))
    return written


def plot_result(result: RunResult, which=None, baseline: bool = True) -> dict[str, Figure]:
    """``RunResult.plot``: :func:`run_charts` with the baseline of the run's vintage beside it."""
    from runners.projection import run as runmod
    from runners.scenario.scenarios import load_scenario

    base = None
    if baseline:
        base = runmod.run(load_scenario("baseline"), until=result.until, baseline=result.inputs.vintage)
    return run_charts(result, base, tuple(which) if which else RUN_CHARTS)


PLOTTERS["run"] = plot_result  # RunResult.plot draws with these charts


def compare_charts(results: list[RunResult]) -> dict[str, Figure]:
    """``snowball compare ... --charts``: debt/GDP of every run on one chart, then each run's
    other charts (``NAME_spending``, ``NAME_rates``, ``NAME_r_minus_g``)."""
    history = read_history()
    frames = {run_title(r): r.results for r in results}
    out = {
        "debt_to_gdp": style.draw(charts.plot_debt, charts.debt_data(frames, history), source=style.SOURCE)
    }
    for r in results:
        for stem, fig in run_charts(r, None, RUN_CHARTS[1:]).items():
            out[f"{r.scenario.name}_{stem}"] = fig
    return out
