"""`snowball brief`: project the built-in scenarios and write charts, tables and a manifest."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import charts
from .inputs import read_history
from .outputs import atomic_dir, write_csv, write_json
from .run import RunResult, format_table, headline, run
from .scenario import builtin_names, load_scenario

DEFAULT = ["baseline", "rates-up-200bp", "growth-down-1pt", "combined-stress"]


def default_scenarios() -> list[str]:
    """The briefing's default scenarios: the listed ones that exist, baseline first."""
    names = builtin_names()
    return [n for n in DEFAULT if n in names] or names


def headline_frame(results: dict[str, RunResult]) -> pd.DataFrame:
    """Headline numbers by scenario (rows) in stated units."""
    rows = {}
    for name, res in results.items():
        r = res.results
        row = {}
        for y in (2025, 2035, 2055):
            if y in r.index:
                row[f"debt_to_gdp_{y}_pct"] = r.at[y, "debt_to_gdp"]
                row[f"net_interest_{y}_bn"] = r.at[y, "net_interest"]
                row[f"net_interest_share_of_outlays_{y}_pct"] = r.at[y, "net_interest_share_of_outlays"]
                row[f"average_interest_rate_{y}_pct"] = r.at[y, "average_interest_rate"]
        row["peak_ten_year_yield_pct"] = r["ten_year_yield"].max()
        for key, year in res.milestones.items():
            row[f"first_year_{key}"] = year if year is not None else pd.NA
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scenario")


def write_brief(
    scenarios: list[str] | None, out: Path, until: int = 2055, command: list[str] | None = None
) -> Path:
    """Run each scenario and write the briefing folder atomically; return its path."""
    names = scenarios or default_scenarios()
    loaded = [load_scenario(n) for n in names]
    results = {s.name: run(s, until=until) for s in loaded}
    history = read_history()
    frames = {name: res.results for name, res in results.items()}
    first = loaded[0].name
    with atomic_dir(out) as tmp:
        (tmp / "charts").mkdir()
        (tmp / "tables").mkdir()
        figures = {
            "debt_to_gdp": charts.draw(charts.plot_debt, charts.debt_data(frames, history)),
            "net_interest_share_of_outlays": charts.draw(
                charts.plot_interest, charts.interest_data(frames, history)
            ),
            "rollover_lag": charts.draw(charts.plot_rollover, charts.rollover_data(frames[first]), first),
            "crowding_out": charts.draw(charts.plot_crowding, charts.crowding_data(frames[first]), first),
        }
        for stem, fig in figures.items():
            charts.save(fig, tmp / "charts" / stem)
        table = headline_frame(results)
        write_csv(table, tmp / "tables" / "headline.csv")
        for name, res in results.items():
            write_csv(res.results, tmp / "tables" / f"results_{name}.csv")
        lines = ["# Snowball briefing: headline numbers", ""]
        for s in loaded:
            lines += [
                f"## {s.title}",
                "",
                "```",
                format_table(headline(results[s.name])),
                "```",
                "",
            ]
        lines += [
            "Source: CBO (January 2025; LTBO March 2025), OMB, Treasury; Snowball projections.",
            "",
        ]
        (tmp / "briefing.md").write_text("\n".join(lines), encoding="utf-8")
        first_res = results[first]
        manifest = first_res.manifest(command or ["snowball", "brief"])
        manifest.pop("scenario")
        manifest.pop("overrides")
        manifest["scenarios"] = {
            s.name: {"title": s.title, "path": str(s.path), "constants": s.constants} for s in loaded
        }
        write_json(manifest, tmp / "manifest.json")
    return out
