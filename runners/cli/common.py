"""What the commands share: the parser with one-line errors, the options several commands take
(--out, --force, --baseline, --calibration), the default output root and the ``wrote`` line."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from runners.core.errors import printable
from runners.core.paths import REPORTS

__all__ = [
    "REPORTS",
    "Parser",
    "add_baseline",
    "add_calibration",
    "add_force",
    "one_line",
    "out_folder",
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
    """The --calibration option of run, compare, sweep and brief (their last option)."""
    p.add_argument(
        "--calibration",
        default="central",
        metavar="NAME",
        help="supply-effect parameter set in data/calibration/supply-effects.toml: low, central "
        "(default) or high",
    )
