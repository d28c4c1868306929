"""What ``snowball gap`` prints and writes: the answer as text, the chart of debt/GDP without and
with the adjustment, and the output folder (gap.csv, path.csv, results.csv, gap.png, manifest.json).

The solving is :mod:`runners.analysis.gap`; this module only draws and writes its result.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from runners.analysis.gap import (
    GRID_STEP,
    INSTRUMENT_WORDS,
    PROB_XTOL,
    SANE_RANGE,
    XTOL,
    GapResult,
    current_debt_to_gdp,
    gap_table,
    path_table,
    wilson_of,
)
from runners.core.cache import sha256_of
from runners.report import style

# ------------------------------------------------------------------------------------ the text


def format_gap(result: GapResult) -> str:
    """The answer as printed by ``snowball gap``."""
    q = result.question
    s = q.scenario
    first, last = q.period
    sells = result.baseline.results["official_sales"].sum() > 0  # where the set matters, as snowball run
    named = f", supply-effect set {q.calibration}" if sells or q.calibration != "central" else ""
    lines = [
        f"{s.title} (baseline data {s.baseline}{named})",
        f"Goal: {q.goal()}; adjustment {q.how()}.",
        "",
    ]
    needed = (
        f"{result.size:.2f}% of GDP a year once phased in over {q.phase_in:g} years from FY{first} "
        f"({result.first_year_pct:.2f}% of GDP, ${result.first_year_bn:,.0f}bn, in FY{first})"
        if q.phase_in > 1
        else f"{result.size:.2f}% of GDP a year from FY{first} (${result.first_year_bn:,.0f}bn in FY{first})"
    )
    rows = [
        ("Adjustment needed", needed),
        (
            "Equivalent to",
            f"revenues {result.revenue_rise_pct:.1f}% higher or noninterest spending "
            f"{result.spending_cut_pct:.1f}% lower (FY{first}-{last})",
        ),
    ]
    if q.instrument == "both":
        rows.append(
            (
                "Half and half",
                f"revenues +{result.revenue_rise_pct / 2:.1f}% and noninterest spending "
                f"-{result.spending_cut_pct / 2:.1f}%",
            )
        )
    p = result.probabilistic
    if p is not None:
        from runners.sweep.runner import draws_interval, draws_share, share_pct

        met, met_det = round(p.share_met * p.draws), round(p.share_met_deterministic * p.draws)
        finest = (
            f"; {p.draws:,} draws resolve no probability above {share_pct(1 - 1 / p.draws, p.draws)}: "
            "this is the size at which all of them meet the goal"
            if p.probability > 1 - 1 / p.draws
            else ""
        )
        rows.append(
            (
                f"With {p.probability * 100:g}% probability",
                f"{p.size:.2f}% of GDP ({share_pct(p.share_met, p.draws)} of {p.draws:,} draws of "
                f"'{p.spec}', applied to this scenario to FY{q.until}, meet the goal "
                f"[{draws_interval(met, p.draws)}]; the deterministic {result.size:.2f}% meets it in "
                f"{draws_share(met_det, p.draws)}{finest})",
            )
        )
    width = max(len(k) for k, _ in rows)
    lines += [f"{k:<{width}}  {v}" for k, v in rows]
    path = path_table(result)
    shown = sorted({first, q.by, q.until, *[y for y in path.index if y % 5 == 0 and y >= first]})
    shown = [y for y in shown if y in path.index]
    lines += [
        "",
        f"{'Fiscal year':<12}{'Debt/GDP (%)':>22}{'Net interest ($bn)':>24}",
        f"{'':<12}{'without':>11}{'with':>11}{'without':>12}{'with':>12}",
    ]
    for y in shown:
        r = path.loc[y]
        lines.append(
            f"{y:<12}{r['debt_to_gdp_without']:>11.1f}{r['debt_to_gdp_with']:>11.1f}"
            f"{r['net_interest_without']:>12,.0f}{r['net_interest_with']:>12,.0f}"
        )
    return "\n".join(lines)


# ----------------------------------------------------------------------------------- the chart


def chart_data(result: GapResult) -> pd.DataFrame:
    """Debt/GDP (% of GDP) by fiscal year without and with the adjustment, from the initial state."""
    q = result.question
    start = pd.Series({q.first_year: current_debt_to_gdp(q)})
    frame = pd.DataFrame(
        {
            "without": pd.concat([start, result.baseline.results["debt_to_gdp"]]),
            "with": pd.concat([start, result.adjusted.results["debt_to_gdp"]]),
        }
    )
    frame.index.name = "fiscal_year"
    return frame


def chart_title(result: GapResult) -> str:
    """The chart's title: the finding (asserted against the data in the tests)."""
    q = result.question
    size = f"{result.size:.2f}% of GDP a year from FY{q.start}"
    if q.stabilise:
        return f"{size} stops debt/GDP rising after FY{q.by}"
    return f"{size} brings debt to {q.target:.0f}% of GDP in FY{q.by}"


def plot_gap(data: pd.DataFrame, ax, result: GapResult):
    """Baseline and adjusted debt/GDP with the goal marked, on ``ax``; returns the figure."""
    from runners.projection.run import cached_inputs

    q = result.question
    fig = ax.figure
    ax.plot(data.index, data["without"], color="#000000", label=f"{q.scenario.name}, no adjustment")
    ramp = f", phased in over {q.phase_in:g} years" if q.phase_in > 1 else ""
    ax.plot(
        data.index,
        data["with"],
        color="#0072B2",
        linestyle="--",
        label=f"with {result.size:.2f}% of GDP a year from FY{q.start}{ramp}",
    )
    if q.stabilise:
        level = float(data.loc[q.by, "with"])
        ax.hlines(level, q.by, q.until, color="#D55E00", linestyle=":", linewidth=1)
        ax.plot(
            [q.by],
            [level],
            "o",
            color="#D55E00",
            markersize=4,
            label=f"FY{q.by} level, not exceeded to FY{q.until}",
        )
    else:
        ax.axhline(q.target, color="#D55E00", linestyle=":", linewidth=1)
        ax.plot(
            [q.by], [q.target], "o", color="#D55E00", markersize=4, label=f"goal: {q.target:.0f}% in FY{q.by}"
        )
    ax.axvline(q.start - 0.5, color="#999999", linewidth=0.8, label=f"adjustment starts (FY{q.start})")
    ax.set_xlabel("Fiscal year")
    ax.set_ylabel("Debt held by the public, % of GDP")
    ax.set_xlim(data.index.min() - 1, data.index.max() + 1)
    ax.set_ylim(0, float(np.nanmax(data.to_numpy(dtype=float))) * 1.1)
    fig.suptitle(chart_title(result), x=0.01, y=0.985, ha="left", va="top", fontsize=10, fontweight="bold")
    without = data["without"]
    sub = (
        f"{q.scenario.title}. Without the adjustment debt reaches {without.iloc[-1]:.0f}% of GDP in "
        f"FY{int(without.index[-1])}; the adjustment is {INSTRUMENT_WORDS[q.instrument]}."
    )
    fig.text(
        0.01, 0.925, "\n".join(textwrap.wrap(sub, 110)), ha="left", va="top", fontsize=7.5, color="#333333"
    )
    # the legend under the axes: inside, at the upper left, it sat on the "adjustment starts" line
    vintage = cached_inputs(q.scenario.baseline)
    source = f"Source: {vintage.title.split(', extended')[0]}; Snowball projections (snowball gap)."
    fig.text(0.01, 0.012, "\n".join(textwrap.wrap(source, 130)), fontsize=6.5, color="#444444", va="bottom")
    bottom = style.legend_room(fig, ax.get_legend_handles_labels()[1], 2)
    fig.subplots_adjust(top=0.83, bottom=bottom, left=0.1, right=0.98)
    style.legend_below(fig, ax, ncol=2)
    return fig


def save_chart(result: GapResult, path: Path) -> Path:
    """Write the chart as a byte-stable PNG (200 dpi, no software metadata)."""
    import matplotlib.pyplot as plt

    with plt.style.context(style.STYLE):
        fig, ax = plt.subplots(figsize=(6.5, 4.4))  # the style's 4 in, plus the legend's rows below
        plot_gap(chart_data(result), ax, result)
        fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return path


def manifest(result: GapResult, files: dict[str, str], command: list[str] | None) -> dict:
    """What produced the answer: the run's manifest plus the question and the solver's settings."""
    q = result.question
    out = result.adjusted.manifest(command)
    out["gap"] = {
        "goal": "stabilise" if q.stabilise else "target",
        "target_pct_gdp": q.target,
        "by": q.by,
        "from": q.start,
        "until": q.until,
        "instrument": q.instrument,
        "phase_in_years": q.phase_in,
        "adjustment_pct_gdp": round(result.size, 9),
        "search_range_pct_gdp": list(SANE_RANGE),
        "solver": f"grid every {GRID_STEP} then scipy.optimize.brentq (xtol {XTOL})",
        "landed_pp": round(result.landed, 9),
    }
    p = result.probabilistic
    if p is not None:
        out["gap"]["probabilistic"] = {
            "probability": p.probability,
            "sweep": p.spec,
            "sweep_file": p.spec_file,
            "sweep_sha256": p.spec_sha256,
            "seed": p.seed,
            "draws": p.draws,
            "adjustment_pct_gdp": round(p.size, 6),
            "share_of_draws_met": p.share_met,
            "share_of_draws_met_95pct_interval": list(wilson_of(p)),
            "solver": f"order statistic k = ceil(P n), scipy.optimize.brentq (xtol {PROB_XTOL})",
        }
    out["output_files_sha256"] = files
    return out


def write_gap(result: GapResult, out: Path, command: list[str] | None = None, force: bool = False) -> Path:
    """Write gap.csv, path.csv, results.csv (adjusted run), gap.png and manifest.json atomically
    (``force`` as ``--force``: see runners.core.outputs)."""
    from runners.core.outputs import atomic_dir, column_table, write_csv, write_json, written_files

    with atomic_dir(out, force) as tmp:
        gap_table(result).to_csv(tmp / "gap.csv", float_format="%.6f", lineterminator="\n")
        write_csv(path_table(result), tmp / "path.csv")
        write_csv(result.adjusted.results, tmp / "results.csv")
        write_csv(column_table(), tmp / "columns.csv")
        save_chart(result, tmp / "gap.png")
        files = {name: sha256_of(tmp / name) for name in written_files(tmp)}
        write_json(manifest(result, files, command), tmp / "manifest.json")
    return out
