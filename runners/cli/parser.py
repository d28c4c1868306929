"""The ``snowball`` argument parser, built from each command group's ``add_*`` functions in the
order ``snowball --help`` lists the commands."""

from __future__ import annotations

import argparse

from runners import __version__
from runners.cli.brief import add_brief
from runners.cli.common import Parser
from runners.cli.explore import add_explore
from runners.cli.gap import add_gap
from runners.cli.history import add_backtest, add_rules_of_thumb, add_vintages
from runners.cli.model import add_check, add_diagram, add_model
from runners.cli.project import add_bond, add_compare, add_listings, add_run
from runners.cli.sweep import add_sweep

DESCRIPTION = "The `snowball` command line: run scenarios, list them, write briefings."


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = Parser(prog="snowball", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"snowball {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (
        add_run,
        add_listings,
        add_check,
        add_model,
        add_diagram,
        add_bond,
        add_compare,
        add_brief,
        add_sweep,
        add_vintages,
        add_backtest,
        add_rules_of_thumb,
        add_gap,
        add_explore,
    ):
        add(sub)
    return parser
