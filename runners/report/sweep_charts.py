"""The sweep charts, one implementation for ``snowball sweep`` and ``snowball brief`` alike: the fan
chart (percentile bands of debt/GDP: a distribution for Monte Carlo, a range over a design
otherwise) and the tornado (inputs ranked by influence), as ``*_data`` -> ``plot_*`` -> files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from runners.core.columns import BY_NAME
from runners.report import style
from runners.report.chart_files import ChartFiles
from runners.report.style import SOURCE, STYLE

# ------------------------------------------------------------------ uncertainty and sensitivity

PERCENTILE_BANDS = [("p5", "p95", 0.18), ("p10", "p90", 0.3), ("p25", "p75", 0.45)]


def fan_data(summary: pd.DataFrame, variable: str, base: pd.Series | None = None) -> pd.DataFrame:
    """Percentiles (p5 ... p95) by fiscal year of one variable from a sweep summary, plus the
    base scenario's own path (``base``) when given."""
    s = summary[summary["variable"] == variable] if "variable" in summary.columns else summary
    year = next(c for c in ("fiscal_year", "year") if c in s.columns)
    cols = [c for c in ("p5", "p10", "p25", "p50", "p75", "p90", "p95") if c in s.columns]
    if not cols:
        raise ValueError(f"no percentile columns for {variable}")
    out = s.set_index(year)[cols].astype(float).sort_index()
    out.index = out.index.astype(int)
    if base is not None:
        out["base"] = base.reindex(out.index)
    return out


def fan_errors(calibration: pd.DataFrame | None) -> pd.DataFrame | None:
    """CBO's 10th-90th percentile error range (pp of GDP) at each horizon of a sweep's
    calibration (runners.inputs.cbo_errors.comparison), the rows the fan chart draws."""
    if calibration is None or not len(calibration):
        return None
    return calibration[calibration["statistic"] == "p10_to_p90"]


def cbo_error_range(base: pd.Series, errors: pd.DataFrame | None) -> pd.DataFrame:
    """The error bars the fan chart draws: CBO's 10th-90th error range (``errors``' ``cbo``
    column, pp of GDP) centred on the base path in each horizon's fiscal year, as its low and high
    ends (columns ``cbo_low``, ``cbo_high``; index: fiscal year)."""
    rows = {}
    if errors is not None:
        for _, r in errors.iterrows():
            year, half = int(r["fiscal_year"]), float(r["cbo"]) / 2
            y = float(base.at[year])
            rows[year] = {"cbo_low": y - half, "cbo_high": y + half}
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["cbo_low", "cbo_high"], dtype=float)
    out.index = out.index.astype(int)
    out.index.name = "fiscal_year"
    return out


def plot_fan(
    data: pd.DataFrame,
    ax: Axes,
    label: str,
    unit: str,
    note: str,
    probability: bool = True,
    errors: pd.DataFrame | None = None,
    exceed: Sequence[str] = (),
    source: str = SOURCE,
    band: pd.DataFrame | None = None,
    band_label: str = "CBO's own 10th\u201390th error range",
) -> Figure:
    """A fan chart: 5-95, 10-90 and 25-75 percentile bands, the median and the base path.

    ``probability`` False draws the bands grey and labels them as a range over a design (Sobol,
    grid), not a distribution. ``errors`` (horizon years with CBO's 10-90 error range, pp) adds
    CBO's historical error bars around the base path; ``band`` (columns ``cbo_low``, ``cbo_high``
    by fiscal year) draws those bars where given instead, named ``band_label`` in the legend;
    ``exceed`` lines go into the subtitle.
    """
    fig = ax.figure
    fig.set_size_inches(6.5, 4.6)
    color = style.SERIES[0] if probability else "#888888"  # scenario colours stay for scenarios
    shown = 0.0  # the opacity a band shows: it lies over every wider band (nested, translucent)
    for lo, hi, alpha in PERCENTILE_BANDS:
        if lo in data and hi in data:
            name = f"{lo[1:]}th\u2013{hi[1:]}th percentile" + ("" if probability else " of the design's runs")
            ax.fill_between(data.index, data[lo], data[hi], color=color, alpha=alpha, linewidth=0)
            shown = 1 - (1 - shown) * (1 - alpha)
            # the legend's swatch in the colour the band shows, not the colour of its own layer
            ax.fill_between([], [], [], color=color, alpha=shown, linewidth=0, label=name)
    if "p50" in data:
        # wider than the dashed base line drawn over it, and edged in white against the bands:
        # where the two coincide (mean-zero shocks) both stay visible
        from matplotlib import patheffects

        ax.plot(
            data.index,
            data["p50"],
            color=color,
            linewidth=2.0,
            path_effects=[patheffects.Stroke(linewidth=3.4, foreground="white"), patheffects.Normal()],
            label="Median" if probability else "Median of the design's runs",
        )
    if "base" in data:
        ax.plot(
            data.index, data["base"], color="#000000", linestyle="--", linewidth=1.2, label="Base scenario"
        )
    if band is None and errors is not None and len(errors) and "base" in data:
        band = cbo_error_range(data["base"], errors)
    if band is not None and len(band):
        for year, r in band.iterrows():
            # a capped bar from CBO's low to its high end, thick and haloed in white: it stands
            # out from the bands in grey too
            from matplotlib import patheffects

            halo = [patheffects.Stroke(linewidth=4.4, foreground="white"), patheffects.Normal()]
            mid, half = (r["cbo_low"] + r["cbo_high"]) / 2, (r["cbo_high"] - r["cbo_low"]) / 2
            bar = ax.errorbar(
                int(year),
                mid,
                yerr=half,
                color=style.SERIES[1],
                capsize=4,
                elinewidth=2.2,
                capthick=2.2,
                fmt="none",
            )
            for part in (*bar.lines[1], *bar.lines[2]):
                part.set_path_effects(halo)
                part.set_zorder(4)
        ax.plot([], [], color=style.SERIES[1], linewidth=2.2, label=band_label)
    ax.set_ylabel(f"{label}, {unit}")
    ax.set_xlabel("Fiscal year")
    last = int(data.index.max())
    lo, hi = ("p5", "p95") if "p5" in data else (data.columns[0], data.columns[-1])
    share = f"{int(hi[1:]) - int(lo[1:])}%" if lo[1:].isdigit() and hi[1:].isdigit() else "most"
    if probability:
        title = (
            f"{label} in {last}: {share} of draws between {data.at[last, lo]:.0f} and "
            f"{data.at[last, hi]:.0f}{'' if unit.startswith('%') else ' '}{unit}"
        )
    else:
        span = (
            f"{data.at[last, lo]:.0f}\u2013{data.at[last, hi]:.0f}{'' if unit.startswith('%') else ' '}{unit}"
        )
        runs = f"in {share} of the design's runs"
        title = f"Sensitivity, not probability: {label.lower()} in {last} is {span} {runs}"
    bottom = style.legend_room(fig, ax.get_legend_handles_labels()[1], 3)
    fig.subplots_adjust(top=0.83, bottom=bottom, left=0.1, right=0.98)
    style.title(fig, title, note + ("\n" + "; ".join(exceed) if exceed else ""))
    style.legend_below(fig, ax, ncol=3)
    style.source(fig, source)
    return fig


class NoSensitivity(ValueError):
    """A sensitivity table with nothing to rank for one target and year (e.g. every run of the
    year non-finite): the panel is left out. Any other ValueError is a real failure."""


def tornado_data(
    sensitivity: pd.DataFrame,
    variable: str,
    year: int,
    labels: dict[str, str] | None = None,
    centre: float | None = None,
) -> pd.DataFrame:
    """One target's inputs ranked by influence, the largest last (drawn on top).

    Decile tables (``low``/``high``: median output with the input in its bottom / top decile)
    are centred on ``centre`` (the sweep median); Sobol tables give ``s1``/``st``; Morris ``mu_star``.
    Index: the input's readable label (``labels``), else its name.
    """
    s = sensitivity[(sensitivity["variable"] == variable) & (sensitivity["fiscal_year"] == year)]
    if s.empty:
        raise NoSensitivity(f"no sensitivity rows for {variable} in FY{year}")
    s = s.set_index("input")
    if {"low", "high"} <= set(s.columns) and s["low"].notna().any():
        out = s[["low", "high"]].astype(float)
        if centre is not None:
            out = out - centre
        out = out.loc[(out["high"] - out["low"]).abs().sort_values(kind="stable").index]
    elif "ST" in s.columns and s["ST"].notna().any():
        keep = [c for c in ("S1", "ST", "S1_conf", "ST_conf") if c in s.columns]
        out = s[keep].astype(float).rename(columns=str.lower).sort_values("st")
    elif "mu_star" in s.columns and s["mu_star"].notna().any():
        keep = [c for c in ("mu_star", "mu_star_conf") if c in s.columns]
        out = s[keep].astype(float).sort_values("mu_star")
    else:
        raise NoSensitivity("sensitivity table has neither low/high, S1/ST nor mu_star columns")
    out.index = [(labels or {}).get(i, i) for i in out.index]
    out.index.name = "input"
    col = BY_NAME.get(variable)
    out.attrs |= {"variable": variable, "year": year, "unit": col.unit if col else ""}
    out.attrs["label"] = col.label if col else variable
    return out


def plot_tornado(data: dict[int, pd.DataFrame], ax: Axes, note: str, source: str = SOURCE) -> Figure:
    """Tornado panels side by side, one per horizon (``{year: tornado_data(...)}``)."""
    fig = ax.figure
    years = list(data)
    # each frame is ranked for its own year; only the first panel carries the input labels, so every
    # panel draws its rows in the first panel's order (a bar beside its own label), and the title
    # names each year's most influential input from that year's own ranking
    tops = [str(data[y].index[-1]) for y in years]
    order = list(dict.fromkeys([*data[years[0]].index, *(i for y in years for i in data[y].index)]))
    if any(list(data[y].index) != order for y in years[1:]):
        note += f" Rows in FY{years[0]}'s order."
    axes = [ax] + [fig.add_subplot(1, len(years), k + 1) for k in range(1, len(years))]
    width = (0.6 - 0.06 * (len(years) - 1)) / len(years)
    for k, (a, year) in enumerate(zip(axes, years, strict=True)):
        frame = data[year].reindex(order)
        a.set_position([0.36 + k * (width + 0.06), 0.3, width, 0.48])
        y = np.arange(len(frame))
        unit = frame.attrs.get("unit", "")
        if {"low", "high"} <= set(frame.columns):
            a.barh(y, frame["high"], color=style.SERIES[0], label="Input in its top decile")
            a.barh(y, frame["low"], color=style.SERIES[2], label="Input in its bottom decile")
            a.axvline(0, color="#333333", linewidth=0.8)
            a.set_xlabel(f"From the median, {unit.replace('% of', 'pp of')}")
        elif "st" in frame.columns:
            a.barh(
                y + 0.2,
                frame["st"],
                xerr=frame.get("st_conf"),
                height=0.4,
                color=style.SERIES[2],
                label="Total Sobol index",
            )
            a.barh(
                y - 0.2,
                frame["s1"],
                xerr=frame.get("s1_conf"),
                height=0.4,
                color=style.SERIES[0],
                label="First-order Sobol index",
            )
            a.set_xlabel("Share of variance (95% interval)")
        else:
            a.barh(
                y, frame["mu_star"], xerr=frame.get("mu_star_conf"), color=style.SERIES[0], label="Morris mu*"
            )
            a.set_xlabel(f"mu*, {unit}")
        names = [style.wrap_label(str(i), 30) for i in frame.index]
        a.set_yticks(y, names if k == 0 else [""] * len(frame), fontsize=7.5)
        a.set_title(f"FY{year}", loc="left", fontsize=9)
        a.grid(axis="y", visible=False)
    label = data[years[0]].attrs.get("label", "")
    label = {"Debt held by the public": "debt/GDP"}.get(label, label.lower())
    short = [t.split(" (")[0] for t in tops]
    if len(set(short)) == 1:
        title = f"{short[0]} moves {label} most in " + " and ".join(f"FY{y}" for y in years)
    else:  # years with the same top input together, in the order they first come
        first: dict[str, list[int]] = {}
        for t, y in zip(short, years, strict=True):
            first.setdefault(t, []).append(y)
        title = f"What moves {label} most: " + "; ".join(
            " and ".join(f"FY{y}" for y in ys) + f": {t.lower()}" for t, ys in first.items()
        )
    style.title(fig, title, note)
    style.legend_below(fig, ax, ncol=2)
    style.source(fig, source)
    # after the header's texts, which come first in fig.texts
    xlabels = {a.get_xlabel() for a in axes}
    if len(axes) > 1 and len(xlabels) == 1:  # one label under the panels, not one overlapping each
        for a in axes:
            a.set_xlabel("")
        first, last = axes[0].get_position(), axes[-1].get_position()
        fig.text(
            (first.x0 + last.x1) / 2,
            first.y0 - 0.065,
            xlabels.pop(),
            ha="center",
            va="top",
            fontsize=plt.rcParams["axes.labelsize"],
        )
    return fig


# ------------------------------------------------------------------------------ sweep outputs


TABLE_WORDS = {"productivity shift": "productivity growth"}  # what a path on the table moves


def _table_words(tables: Sequence[str]) -> tuple[str, str]:
    """Readable words and unit for the input tables a sweep path moves."""
    names = [t.removesuffix(" table") for t in tables]
    yields = {"bill yield": "bill", "ten year yield": "10-year"}
    if all(n in yields for n in names):
        words = " and ".join(yields[n] for n in names) + (" yields" if len(names) > 1 else " yield")
        return words, "pp"
    words = " and ".join(TABLE_WORDS.get(n, n.replace(" share", "")) for n in names)
    return words, "% of GDP" if any("share" in n for n in names) else "pp"


def input_labels(spec) -> dict[str, str]:
    """Readable labels with units for a sweep spec's varied inputs (``params.csv`` names):
    path parameters from their family and tables, constants from the model's own units."""
    from runners.mdl.model import parameters

    labels: dict[str, str] = {}
    for p in spec.paths:
        what, unit = _table_words(p.tables)
        half = p.params.get("half_life")
        forms = {
            "shift": f"Lasting shift in {what} ({unit})",
            "level": f"Ramp in {what}: level reached ({unit})",
            "years": f"Ramp in {what}: years to reach it",
            "size": f"Shock to {what}, first year ({unit}"
            + (f"; half-life {half:g} y)" if half is not None else ")"),
            "half_life": f"Shock to {what}: half-life (years)",
            "sd": f"Random walk in {what}: sd ({unit} a year)",
            "start": f"{what.capitalize()} shock: start year",
        }
        for param, factor in p.factors.items():
            labels[factor] = forms.get(param, factor)
    params = parameters()
    for f in spec.factors:
        if f.constant and f.constant in params:
            units = params[f.constant].units
            labels[f.name] = f.constant[:1].upper() + f.constant[1:] + (f" ({units})" if units else "")
    return labels


DESIGN_NAMES = {"grid": "grid", "latin-hypercube": "Latin hypercube", "sobol": "Sobol", "morris": "Morris"}


def sweep_fan_figure(
    summary: pd.DataFrame,
    base: pd.Series | None,
    spec,
    n_runs: int,
    calibration: pd.DataFrame | None = None,
    exceed: Sequence[str] = (),
    source: str = SOURCE,
    band: pd.DataFrame | None = None,
    band_label: str = "CBO's own 10th\u201390th error range",
) -> Figure:
    """The fan chart of debt/GDP for a sweep: a distribution for Monte Carlo, a sensitivity
    range for designs (Sobol, Morris, grid, Latin hypercube); ``band``/``band_label``: CBO's error
    range as drawn (:func:`plot_fan`)."""
    probability = spec.method == "monte-carlo"
    data = fan_data(summary, "debt_to_gdp", base)
    errors = fan_errors(calibration)
    design = DESIGN_NAMES.get(spec.method, spec.method)
    kind = "draws" if probability else f"runs of a {design} design (not a probability)"
    note = f"{spec.title.split(':')[0]}: {n_runs:,} {kind}, on {spec.scenario.title.split(':')[0]}."
    return style.draw(
        plot_fan,
        data,
        "Debt held by the public",
        "% of GDP",
        note,
        probability=probability,
        errors=errors,
        exceed=exceed,
        source=source,
        band=band,
        band_label=band_label,
    )


def sweep_tornado_data(
    sensitivity: pd.DataFrame, summary: pd.DataFrame, spec, years: Sequence[int] | None = None
) -> dict[int, pd.DataFrame]:
    """The tornado frames for the sweep's first sensitivity variable at ``years`` (default: the
    spec's sensitivity years, at most three), centred on the sweep's median; {} when the sweep
    ranks nothing."""
    if sensitivity.empty or "input" not in sensitivity:
        return {}
    variable = str(sensitivity["variable"].iloc[0])
    years = list(years or spec.sensitivity_years)[-3:]
    labels = input_labels(spec)
    data = {}
    for y in years:
        row = summary[(summary["variable"] == variable) & (summary["fiscal_year"] == y)]
        centre = float(row["p50"].iloc[0]) if len(row) else None
        try:
            data[y] = tornado_data(sensitivity, variable, y, labels, centre)
        except NoSensitivity:  # no indices for this year (e.g. non-finite runs): no panel
            continue
    return data


def sweep_tornado_figure(
    sensitivity: pd.DataFrame,
    summary: pd.DataFrame,
    spec,
    years: Sequence[int] | None = None,
    source: str = SOURCE,
) -> Figure | None:
    """Tornado panels (:func:`sweep_tornado_data`); None when the sweep ranks nothing."""
    data = sweep_tornado_data(sensitivity, summary, spec, years)
    if not data:
        return None
    kind = {"sobol": "first-order and total Sobol indices", "morris": "Morris screening (mu*)"}.get(
        spec.method, "median with the input in its bottom / top decile"
    )
    note = f"{spec.title.split(':')[0]}: {kind}." + (
        "" if spec.method == "monte-carlo" else " Sensitivity, not probability."
    )
    return style.draw(plot_tornado, data, note, source=source)


def save_sweep_fan(
    summary: pd.DataFrame,
    base: pd.DataFrame,
    the_plan,
    folder: Path,
    calibration: pd.DataFrame | None = None,
    files: ChartFiles | None = None,
) -> Path:
    """A sweep's ``fan.png`` (the briefing draws the same chart; a sweep draws it while its
    sensitivity tasks still run; ``files``: rendered there, e.g. in a worker process)."""
    source = style.source_note([the_plan.base.inputs.title])
    fan = sweep_fan_figure(
        summary, base["debt_to_gdp"], the_plan.spec, the_plan.n_runs, calibration, source=source
    )
    if files is not None:
        files.submit(fan, folder / "fan", (".png",))
        return (folder / "fan").with_suffix(".png")
    return style.save(fan, folder / "fan", formats=(".png",))[0]


def save_sweep_tornado(sensitivity: pd.DataFrame, summary: pd.DataFrame, the_plan, folder: Path) -> Path:
    """A sweep's ``tornado.png`` (a note in its place when no input was ranked)."""
    source = style.source_note([the_plan.base.inputs.title])
    tornado = sweep_tornado_figure(sensitivity, summary, the_plan.spec, source=source)
    if tornado is None:
        with plt.style.context(STYLE):
            tornado, ax = plt.subplots()
            ax.text(0.5, 0.5, "No inputs ranked (none varied, or no indices)", ha="center", va="center")
            ax.set_axis_off()
    return style.save(tornado, folder / "tornado", formats=(".png",))[0]
