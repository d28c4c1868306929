"""`snowball brief`: project scenarios and write a briefing pack.

The pack (written atomically, byte-identical on rerun): ``briefing.html`` (self-contained, charts
embedded), ``briefing.md`` (same text and tables), ``charts/`` (PNG at 200 dpi, SVG, PDF, and
``charts.pdf`` with one chart a page), ``tables/`` (headline numbers, decompositions, results and
the loop diagram's arrows as CSV) and ``manifest.json`` (scenarios, data vintages, model hash,
package and dependency versions, command line).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import platform
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import __version__, charts, loops, model
from .inputs import read_history
from .outputs import atomic_dir, check_target, write_csv, write_json
from .paths import REPORTS
from .publish import render_html, render_markdown
from .run import RunResult, display_path, run
from .scenario import Scenario, builtin_names, load_scenario

DEFAULT = ["baseline", "japan-selloff", "japan-selloff-fed", "japan-gradual", "fiscal-reform"]


def default_scenarios() -> list[str]:
    """The briefing's default scenarios: the listed ones that exist, baseline first."""
    names = builtin_names()
    return [n for n in DEFAULT if n in names] or names


@dataclass(frozen=True)
class Chart:
    """One chart of the pack: file stem, heading, a caption for the text, and its figure."""

    stem: str
    heading: str
    caption: str
    figure: object


def _year(value: int | None, until: int) -> str:
    return f"in FY{value}" if value else f"not by FY{until}"


def headline_frame(results: dict[str, RunResult]) -> pd.DataFrame:
    """Headline numbers by scenario (rows) in stated units (column suffixes)."""
    rows = {}
    for name, res in results.items():
        r = res.results
        row: dict[str, object] = {}
        for y in (2025, 2035, 2055):
            if y in r.index:
                row[f"debt_to_gdp_{y}_pct"] = r.at[y, "debt_to_gdp"]
                row[f"net_interest_{y}_bn"] = r.at[y, "net_interest"]
                row[f"net_interest_to_gdp_{y}_pct"] = r.at[y, "net_interest_to_gdp"]
                row[f"net_interest_share_of_outlays_{y}_pct"] = r.at[y, "net_interest_share_of_outlays"]
                row[f"average_interest_rate_{y}_pct"] = r.at[y, "average_interest_rate"]
        for col in ("bill_yield", "ten_year_yield", "thirty_year_yield"):
            row[f"peak_{col}_pct"] = r[col].max()
            row[f"peak_{col}_fiscal_year"] = int(r[col].idxmax())
        row["lowest_bond_price_10y_per_100"] = r["bond_price_10y"].min()
        for key, year in res.milestones.items():
            row[f"first_year_{key}"] = year if year is not None else pd.NA
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scenario")


def summary_text(res: RunResult, base: RunResult | None = None) -> str:
    """A plain-words paragraph of one scenario's headline numbers."""
    r, until, m = res.results, res.until, res.milestones
    s = res.scenario
    parts = [f"**{s.name}**: {s.title.rstrip('.')}."]
    debt = [f"{r.at[y, 'debt_to_gdp']:.0f}% of GDP in {y}" for y in (2035, 2055) if y in r.index]
    line = "Debt held by the public reaches " + " and ".join(debt)
    if base is not None and base is not res and 2035 in r.index:
        diff = r.at[2035, "debt_to_gdp"] - base.results.at[2035, "debt_to_gdp"]
        line += f" ({diff:+.1f} points against the {base.scenario.name} in 2035)"
    parts.append(line + ".")
    ten, bill = r["ten_year_yield"], r["bill_yield"]
    parts.append(
        f"The 10-year yield peaks at {ten.max():.1f}% (FY{int(ten.idxmax())} average) and the "
        f"3-month bill at {bill.max():.1f}% (FY{int(bill.idxmax())})."
    )
    if 2035 in r.index:
        parts.append(
            f"Net interest is ${r.at[2035, 'net_interest']:,.0f}bn in 2035, "
            f"{r.at[2035, 'net_interest_to_gdp']:.1f}% of GDP and "
            f"{r.at[2035, 'net_interest_share_of_outlays']:.1f}% of outlays."
        )
    passes = [
        f"defense {_year(m.get('interest_exceeds_defense'), until)}",
        f"Medicare {_year(m.get('interest_exceeds_medicare'), until)}",
        f"20% of outlays {_year(m.get('interest_over_20pct_of_outlays'), until)}",
    ]
    parts.append("Net interest first exceeds " + ", ".join(passes[:-1]) + " and " + passes[-1] + ".")
    if m.get("debt_explodes"):
        parts.append(f"Debt passes 300% of GDP in FY{m['debt_explodes']}, an explosive path.")
    return " ".join(parts)


METHODS = """\
**What the model is.** Snowball is a system-dynamics model of U.S. federal debt held by the
public, written once as a Vensim file (`models/snowball.mdl`) and run with pysd at monthly steps.
The debt is an aging chain of bills and eight maturity buckets of notes and bonds, each carrying
its coupon, so a change in market yields reaches the budget only as debt matures and is
refinanced (the rollover lag). Net interest feeds the deficit, the deficit the borrowing, and the
borrowing the interest (the snowball, R1). Yields are CBO's paths plus premia for supply
(foreign official sales, Beltran et al. 2013), debt (2 bp per point of debt/GDP above the
baseline, CBO) and market confidence, less the effect of any Fed purchases (Gagnon et al. 2011).

**What it assumes.** The baseline reproduces CBO's January 2025 ten-year projections and its
March 2025 long-term outlook (debt/GDP 117.8% in 2035 against CBO's 118.5%). Revenues and primary
spending follow CBO's shares of GDP; holders keep their share of the debt unless a scenario makes
them sell; domestic private investors absorb the rest. The sizes of the confidence, dollar,
Fed-response and fiscal-rule effects are stated assumptions, not estimates (see
`models/README.md`).

**What it leaves out.** There is no full macroeconomy: GDP follows CBO except through an optional
private crowding-out channel; there is no default, no change in tax law or in the composition of
spending beyond the scenarios' stated rules, and no market for other countries' debt. Results
are projections under stated assumptions, not forecasts; sweep results, when present, show how
the answers move with the inputs.

**Snowball decomposition.** Each year's change in debt/GDP equals the primary deficit, net
interest and other means of financing (each over GDP) less the erosion of last year's ratio by
nominal GDP growth (debt/GDP x g/(1+g)); the residual column in `tables/decomposition_*.csv`
shows what those flows do not explain (zero to rounding in the model).
"""


def _versions() -> dict[str, str]:
    """Installed versions of this package's dependencies (and their own declared ones, one level)."""
    out = {"python": platform.python_version(), "snowball": __version__}
    try:
        reqs = importlib.metadata.requires("snowball") or []
    except importlib.metadata.PackageNotFoundError:
        reqs = []
    names = [re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0] for r in reqs if "extra ==" not in r]
    for name in sorted({*names, "pysd", "matplotlib", "numpy", "pandas", "xarray"}):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def find_sweeps(folder: Path) -> dict[str, Path]:
    """Sweep result folders (each holding a summary.csv) under ``folder``, by name; {} if none."""
    if not folder.is_dir():
        return {}
    return {p.parent.name: p.parent for p in sorted(folder.glob("*/summary.csv"))}


FAN_VARIABLES = {
    "debt_to_gdp": ("Debt held by the public", "% of GDP"),
    "net_interest_share_of_outlays": ("Net interest", "% of outlays"),
}


def sweep_charts(sweeps: dict[str, Path]) -> tuple[list[Chart], list[str]]:
    """Fan charts (and a tornado where sensitivity.csv exists) from sweep outputs; notes on skips."""
    out: list[Chart] = []
    notes: list[str] = []
    for name, folder in sweeps.items():
        summary = pd.read_csv(folder / "summary.csv")
        for var, (label, unit) in FAN_VARIABLES.items():
            try:
                data = charts.fan_data(summary, var)
            except (StopIteration, KeyError, ValueError):
                notes.append(f"sweep {name}: summary.csv has no usable percentiles of {var}; no fan chart")
                continue
            if data.empty or data.shape[1] < 2:
                continue
            fig = charts.draw(charts.plot_fan, data, label, unit, name)
            out.append(
                Chart(
                    f"fan_{name}_{var}",
                    f"Fan chart: {label.lower()} ({name})",
                    f"Percentile bands of {label.lower()}, {unit}, across the sweep's runs.",
                    fig,
                )
            )
        sens = folder / "sensitivity.csv"
        if sens.is_file():
            try:
                summary = folder / "summary.csv"
                data = charts.tornado_data(
                    pd.read_csv(sens), pd.read_csv(summary) if summary.is_file() else None
                )
            except (StopIteration, KeyError, ValueError) as exc:
                notes.append(f"sweep {name}: sensitivity.csv not drawn ({exc})")
            else:
                fig = charts.draw(charts.plot_tornado, data, name)
                out.append(Chart(f"tornado_{name}", f"Tornado: what matters most ({name})", "", fig))
    return out, notes


def build_charts(
    results: dict[str, RunResult], selloff: RunResult | None, history: pd.DataFrame
) -> list[Chart]:
    """Every scenario chart of the pack, in reading order."""
    frames = {name: res.results for name, res in results.items()}
    first = next(iter(results))
    focus = selloff.scenario.name if selloff is not None else first
    out = [
        Chart(
            "debt_to_gdp",
            "Debt held by the public",
            "Debt held by the public as % of GDP: history since 1940 and the projections, with "
            "the 1946 record marked.",
            charts.draw(charts.plot_debt, charts.debt_data(frames, history)),
        ),
        Chart(
            "net_interest",
            "Net interest",
            "Net interest as % of GDP and as a share of total outlays, with the 20% line.",
            charts.draw(charts.plot_interest, charts.interest_data(frames, history)),
        ),
        Chart(
            "crowding_out",
            "Crowding-out",
            "Net interest in each scenario against the main spending lines (as % of GDP).",
            charts.draw(charts.plot_crowding, charts.crowding_data(frames), first),
        ),
        Chart(
            "rollover_lag",
            "The rollover lag",
            "The average rate on the debt follows market yields only as debt matures and is rolled over.",
            charts.draw(charts.plot_rollover, charts.rollover_data(frames[focus]), focus),
        ),
    ]
    if selloff is not None and selloff.monthly is not None:
        out.append(
            Chart(
                "selloff",
                "The sell-off",
                "Monthly yields by tenor, bond prices and holdings by holder through the sale.",
                charts.draw(charts.plot_selloff, charts.selloff_data(selloff.monthly), focus),
            )
        )
    panels = dict.fromkeys([first, focus])
    decomposition = {n: charts.decomposition_data(frames[n]) for n in panels}
    out.append(
        Chart(
            "decomposition",
            "The snowball decomposition",
            "Each year's change in debt/GDP split into the primary deficit, net interest, GDP "
            "growth and other means of financing.",
            charts.draw(charts.plot_decomposition, decomposition),
        )
    )
    data = loops.loop_data(loops.model_edges())
    out.append(
        Chart(
            "feedback_loops",
            "The feedback loops",
            "Causal-loop diagram of the named loops, derived from the model's own equations.",
            charts.draw(loops.plot_loops, data),
        )
    )
    return out


def _selloff_scenario(loaded: list[Scenario], results: dict[str, RunResult]) -> Scenario | None:
    for s in loaded:
        if results[s.name].results["official_sales"].sum() > 0:
            return s
    return None


def write_brief(
    scenarios: list[str] | None,
    out: Path,
    until: int = 2055,
    command: list[str] | None = None,
    sweeps_dir: Path | None = None,
    force: bool = False,
    log: Callable[[str], None] | None = None,
) -> Path:
    """Run each scenario and write the briefing pack atomically; return its path.

    ``out`` must be new, empty or a folder snowball wrote, unless ``force`` (see outputs.atomic_dir).
    ``log`` receives one line per stage (the CLI prints them).
    """
    say = log or (lambda text: None)
    check_target(out, force)
    names = scenarios or default_scenarios()
    loaded = [load_scenario(n) for n in names]
    say(f"running {len(loaded)} scenario(s) to FY{until}: {', '.join(s.name for s in loaded)}")
    results = {s.name: run(s, until=until) for s in loaded}
    sale = _selloff_scenario(loaded, results)
    if sale is not None:
        say(f"running {sale.name} month by month for the sell-off charts")
    selloff = run(sale, until=until, monthly=charts.SELLOFF_VARIABLES) if sale is not None else None
    history = read_history()
    sweeps = find_sweeps(REPORTS / "sweeps" if sweeps_dir is None else sweeps_dir)
    say("drawing the charts")
    figures = build_charts(results, selloff, history)
    extra, notes = sweep_charts(sweeps)
    figures += extra
    first = results[loaded[0].name]
    table = headline_frame(results)
    summaries = [summary_text(res, first) for res in results.values()]
    edges = loops.loop_data(loops.model_edges())
    say(f"writing the pack (HTML, Markdown, PDF, tables) to {out}")
    with atomic_dir(out, force) as tmp:
        (tmp / "charts").mkdir()
        (tmp / "tables").mkdir()
        charts.save_book([c.figure for c in figures], tmp / "charts" / "charts.pdf")
        for c in figures:
            charts.save(c.figure, tmp / "charts" / c.stem)
        write_csv(table, tmp / "tables" / "headline.csv")
        for name, res in results.items():
            write_csv(res.results, tmp / "tables" / f"results_{name}.csv")
            write_csv(charts.decomposition_data(res.results), tmp / "tables" / f"decomposition_{name}.csv")
        edge_table = pd.DataFrame(edges["edges"], columns=["from", "to", "sign"]).set_index("from")
        write_csv(edge_table, tmp / "tables" / "loop_edges.csv")
        doc = {
            "title": "Snowball briefing: U.S. federal debt under " + ", ".join(results),
            "summaries": summaries,
            "table": table,
            "charts": [(c.stem, c.heading, c.caption) for c in figures],
            "methods": METHODS,
            "notes": notes,
            "loops": [f"{lp.code} {lp.title} ({lp.kind})" for lp in edges["loops"]],
            "source": charts.SOURCE,
        }
        (tmp / "briefing.md").write_text(render_markdown(doc), encoding="utf-8")
        (tmp / "briefing.html").write_text(render_html(doc, tmp / "charts"), encoding="utf-8")
        manifest = first.manifest(command or ["snowball", "brief"])
        for key in ("scenario", "overrides", "data_files", "data_vintage"):
            manifest.pop(key, None)
        manifest["scenarios"] = {
            s.name: {
                "title": s.title,
                "path": display_path(s.path),
                "constants": s.constants,
                "data_vintage": results[s.name].inputs.vintage,
                "data_files": results[s.name].inputs.files,
            }
            for s in loaded
        }
        manifest["data_vintages"] = sorted({res.inputs.vintage for res in results.values()})
        manifest["model_sha256"] = model.model_hash()
        manifest["versions"] = _versions()
        manifest["selloff_scenario"] = sale.name if sale is not None else None
        manifest["sweeps"] = {
            name: {
                p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.glob("*.csv"))
                if p.name in ("summary.csv", "sensitivity.csv")
            }
            for name, folder in sweeps.items()
        }
        manifest["files"] = {
            p.relative_to(tmp).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(tmp.rglob("*"))
            if p.is_file()
        }
        write_json(manifest, tmp / "manifest.json")
    return out
