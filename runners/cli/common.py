"""What the commands share: the parser with one-line errors, the options several commands take
(--out, --force, --baseline, --calibration), the default output root and the ``wrote`` line."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from runners.core.errors import SnowballError, printable
from runners.core.paths import REPORTS

__all__ = [
    "REPORTS",
    "Parser",
    "add_baseline",
    "add_calibration",
    "add_changes",
    "add_force",
    "for_scenario",
    "one_line",
    "out_folder",
    "parse_set",
    "wrote",
]
# REPORTS: the commands read it here when they run (as common.REPORTS), so that pointing it
# elsewhere (the tests do) moves every command's default output folder at once


def wrote(out: Path) -> str:
    """``wrote OUT/: a, b and c``: every file a command wrote, from the folder itself."""
    names = sorted(p.name for p in Path(out).iterdir() if p.is_file() and not p.name.startswith("."))
    listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
    return f"wrote {out}/: {listed}"


def one_line(text: str) -> str:
    """``text`` on one line: a message quoting a file's text or a path with a line break in it
    would otherwise print several lines."""
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


class Parser(argparse.ArgumentParser):
    """argparse with the CLI's one-line errors (no three-line usage dump)."""

    def error(self, message: str):  # type: ignore[override]
        """Print one line naming the command and how to get help; exit 2."""
        self.exit(2, f"snowball: error: {printable(one_line(message))} (see '{self.prog} --help')\n")


FORCE_HELP = (
    "replace an --out folder snowball wrote even when its files were edited since (their sha256 "
    "differs from the one its marker records); nothing else: never a user's file, a file git "
    "tracks, a link, a folder snowball did not write, a file, '.', '/', the home folder, the "
    "repository, data/ or models/"
)


def out_folder(text: str) -> str:
    """An --out value: refused when empty (an unset shell variable would otherwise silently mean
    the default folder, replacing an earlier output there)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path; give a folder, e.g. --out reports/mine")
    return text


def add_force(p: argparse.ArgumentParser) -> None:
    """The --force option every command with --out shares (see runners.core.outputs)."""
    p.add_argument("--force", action="store_true", help=FORCE_HELP)


def add_baseline(p: argparse.ArgumentParser) -> None:
    """The --baseline option of the commands that run scenarios."""
    p.add_argument(
        "--baseline",
        metavar="VINTAGE",
        help="baseline vintage (default: the scenario's; see 'snowball vintages')",
    )


def add_calibration(p: argparse.ArgumentParser) -> None:
    """The --calibration option of run, compare, sweep, gap and brief (their last option)."""
    p.add_argument(
        "--calibration",
        default="central",
        metavar="NAME",
        help="supply-effect parameter set in data/calibration/supply-effects.toml: low, central "
        "(default) or high",
    )


SET_HELP = "set a model constant (see 'snowball parameters'), e.g. --set 'yield shift=1'; repeat for more"
PATH_HELP = (
    "an input table's path (see 'snowball tables'): TABLE=VALUE [from YEAR | YEAR-YEAR | in YEAR], "
    "a level or, with + or -, a shift, e.g. --path 'ten-year=5.5 from 2027' or --path 'bill=+1 2027-2030'"
)


def add_changes(p: argparse.ArgumentParser, per_scenario: bool = False) -> None:
    """The --set and --path options (one syntax on run, compare, sweep, gap and brief)."""
    prefix = " (prefix SCENARIO: to apply to one scenario only, e.g. 'japan-selloff:yield shift=1')"
    p.add_argument(
        "--set", action="append", metavar="NAME=VALUE", help=SET_HELP + (prefix if per_scenario else "")
    )
    p.add_argument(
        "--path",
        action="append",
        metavar="TABLE=VALUE [WHEN]",
        help=PATH_HELP + (prefix if per_scenario else ""),
    )


def parse_set(items: list[str]) -> dict[str, float]:
    """``--set NAME=VALUE`` items, checked by the same function as the Python API and scenarios."""
    from runners.scenario.scenarios import check_overrides

    raw: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise SnowballError(f"--set {item!r}: expected NAME=VALUE, e.g. --set 'yield shift=1'")
        name, value = (s.strip() for s in item.split("=", 1))
        if name in raw:
            raise SnowballError(f"--set '{name}' is given twice; set each constant once")
        raw[name] = value
    return check_overrides(raw, "--set")


def for_scenario(items: list[str] | None, names: list[str], option: str) -> dict[str | None, list[str]]:
    """``--set``/``--path`` items by the scenario they name (``SCENARIO:...``), None for all; a
    prefix that names no scenario given is refused (a typo would otherwise apply to none)."""
    out: dict[str | None, list[str]] = {}
    for item in items or []:
        head, sep, rest = item.partition(":")
        target = head.strip() if sep and "=" not in head else None
        if target is not None and target not in names:
            raise SnowballError(
                f"{option} {item!r}: '{target}' is not one of the scenarios given ({', '.join(names)})"
            )
        out.setdefault(target, []).append(rest if target is not None else item)
    return out
