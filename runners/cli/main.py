"""The `snowball` command line: run scenarios, list them, write briefings.

Every user error is one line on stderr and exit status 2; nothing half-written is left behind.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import sys
from typing import TextIO

from runners.cli.common import one_line
from runners.cli.parser import build_parser
from runners.core.errors import SnowballError, printable


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, ``timeout``, a batch scheduler's limit), handled as Ctrl-C is: the
    temporary folders are removed and a sweep keeps its finished chunks for ``--resume``."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


class PrintableStream(io.TextIOBase):
    """The command's standard output with control characters escaped (line breaks and tabs kept):
    titles, names and notes from scenario, spec and data files reach the terminal as text, never
    as escape sequences (colours, a bell, a cleared screen)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` escaped; return its length as given, as ``print`` expects."""
        self.stream.write(printable(text, keep="\n\t"))
        return len(text)

    def flush(self) -> None:
        """Flush the stream underneath."""
        self.stream.flush()

    def fileno(self) -> int:
        """The stream underneath's file descriptor."""
        return self.stream.fileno()

    def isatty(self) -> bool:
        """Whether the stream underneath is a terminal."""
        return self.stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The stream underneath's encoding."""
        return self.stream.encoding


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `snowball` console script."""
    if argv is None:  # the command's own process (not a caller's): see model._xarray_without_dask
        os.environ["SNOWBALL_CLI_PROCESS"] = "1"
        signal.signal(signal.SIGTERM, _terminate)
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.command_line = ["snowball", *argv]
    stdout = sys.stdout
    sys.stdout = PrintableStream(stdout)
    try:
        return _main(args)
    finally:
        sys.stdout = stdout


def _main(args: argparse.Namespace) -> int:
    """Run the command: the environment checked first (before any library reads it), every
    failure one line on stderr, control characters from files escaped."""
    from runners.core.environment import check_environment

    try:
        check_environment()
        return args.func(args)
    except SnowballError as exc:
        print(f"snowball: error: {printable(one_line(str(exc)))}", file=sys.stderr)
        return 2
    except Terminated:
        print("snowball: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("snowball: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`snowball ... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:  # an I/O failure outside the checked paths: still one line
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"snowball: error: {printable(one_line(f'{where}{exc.strerror or exc}'))}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: one line, the traceback only on request
        if os.environ.get("SNOWBALL_DEBUG") == "1":
            raise
        print(
            f"snowball: internal error: {type(exc).__name__}: {printable(one_line(str(exc)))} "
            "(set SNOWBALL_DEBUG=1 for the traceback and please report it)",
            file=sys.stderr,
        )
        return 1
