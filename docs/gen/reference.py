"""The generated reference pages: every import of ``runners`` the docs need is in this module.

``write_pages(folder)`` writes one Markdown page per entry of ``PAGES`` (the CLI from the argparse
parser, the results columns from the registry, the parameters, input tables and views from the
``.mdl``, the scenarios from ``data/scenarios/``); ``docs/conf.py`` calls it before each build.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from runners.cli import build_parser
from runners.core.outputs import column_table
from runners.mdl.views import view_groups
from runners.report.listings import format_table, input_table_table, parameter_table
from runners.scenario.scenarios import builtin_names, load_scenario, scenarios_dir

# results.csv's index, which the registry does not hold
FISCAL_YEAR_ROW = (
    "fiscal_year",
    "Fiscal year (October–September)",
    "year",
    "Row key; FY2025 ends 30 Sep 2025.",
)
USAGE_WIDTH = 100  # fixed, so the page does not depend on the terminal


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _subcommands() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser], dict[str, str]]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help or "" for a in action._choices_actions}
    return parser, dict(action.choices), helps


def _usage(parser: argparse.ArgumentParser) -> str:
    formatter = argparse.HelpFormatter(parser.prog, width=USAGE_WIDTH)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups)
    return formatter.format_help().strip()


def _argument_rows(parser: argparse.ArgumentParser) -> list[str]:
    rows = []
    for a in parser._actions:
        if isinstance(a, argparse._HelpAction):
            continue
        name = ", ".join(f"`{o}`" for o in a.option_strings) or f"`{a.dest}`"
        metavar = a.metavar or (a.dest.upper() if a.option_strings and a.nargs != 0 else "")
        default = "" if a.default in (None, False, argparse.SUPPRESS) else f"`{a.default}`"
        rows.append(f"| {name} | {_cell(metavar)} | {default} | {_cell(a.help or '')} |")
    return rows


def cli_page() -> str:
    """Every command of ``snowball``, its usage and its arguments, from ``runners.cli.build_parser()``."""
    parser, subs, helps = _subcommands()
    lines = [
        "# Command line (`snowball`)",
        "",
        "Generated from the argument parser (`runners.cli.build_parser()`); `snowball COMMAND --help`",
        "prints the same.",
        "",
        "| command | what it does |",
        "|---|---|",
        *(f"| [`snowball {n}`](#snowball-{n}) | {_cell(helps.get(n, ''))} |" for n in subs),
    ]
    for name, sub in subs.items():
        lines += ["", f"## snowball {name}", "", _cell(helps.get(name, ""))]
        lines += ["", "```text", _usage(sub), "```"]
        rows = _argument_rows(sub)
        if rows:
            lines += ["", "| argument | value | default | meaning |", "|---|---|---|---|", *rows]
    return "\n".join(lines) + "\n"


def columns_page() -> str:
    """The columns of ``results.csv`` as the registry (``columns.csv``) gives them."""
    table = column_table()
    lines = [
        "# Results columns",
        "",
        "Generated from the column registry, written beside every run as `columns.csv`. Money is in",
        "$ billions, rates in percent; `reported` says how a column is taken from the monthly run.",
        "",
        "| column | label | unit | definition |",
        "|---|---|---|---|",
        "| `{}` | {} | {} | {} |".format(*FISCAL_YEAR_ROW),
    ]
    for name, row in table.iterrows():
        cells = [_cell(row[k]) for k in ("label", "unit", "definition")]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def parameters_page() -> str:
    """Every constant a scenario or ``--set`` may change (``snowball parameters --format markdown``)."""
    return (
        "# Parameters\n\nGenerated from `models/snowball.mdl` and the default vintage's data, as "
        "`snowball parameters --format markdown` prints them: each constant's default in the baseline "
        "scenario, its unit, the range a value is checked against and the `.mdl`'s description.\n\n"
        + format_table(parameter_table(), "markdown")
        + "\n"
    )


def tables_page() -> str:
    """Every input table a scenario's ``[tables]`` may change (``snowball tables --format markdown``)."""
    return (
        "# Input tables\n\nGenerated as `snowball tables --format markdown` prints them: the years a "
        "scenario may set, the years where the default vintage has points, the range of the default "
        "values and the `.mdl`'s description.\n\n" + format_table(input_table_table(), "markdown") + "\n"
    )


def views_page() -> str:
    """The ``.mdl``'s views (equation groups) and the variables each defines."""
    lines = [
        "# Views of the model",
        "",
        "Generated from `models/snowball.mdl`: each view (equation group) and the variables it defines;",
        "`snowball diagram` draws each one as a stock-and-flow diagram.",
    ]
    for view, names in view_groups().items():
        lines += ["", f"## {view}", "", ", ".join(f"`{_cell(n)}`" for n in names)]
    return "\n".join(lines) + "\n"


def scenarios_page() -> str:
    """The built-in scenarios: title, vintage and each file as it is in ``data/scenarios/``."""
    names = builtin_names()
    lines = [
        "# Built-in scenarios",
        "",
        "Generated from `data/scenarios/*.toml`: each scenario's title, vintage and file.",
        "",
        "| scenario | title | vintage |",
        "|---|---|---|",
    ]
    scenarios = {n: load_scenario(n) for n in names}
    lines += [f"| [`{n}`](#{n}) | {_cell(s.title)} | `{s.baseline}` |" for n, s in scenarios.items()]
    for name in names:
        text = (scenarios_dir() / f"{name}.toml").read_text(encoding="utf-8").rstrip("\n")
        lines += ["", f"## {name}", "", _cell(scenarios[name].title), "", "```toml", text, "```"]
    return "\n".join(lines) + "\n"


PAGES = {
    "cli": cli_page,
    "columns": columns_page,
    "parameters": parameters_page,
    "tables": tables_page,
    "views": views_page,
    "scenarios": scenarios_page,
}


def write_pages(folder: Path) -> list[Path]:
    """Write every generated page into ``folder`` (only those whose text changed)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in PAGES.items():
        path = folder / f"{name}.md"
        text = make()
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
