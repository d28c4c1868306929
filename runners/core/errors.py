"""One exception type for every user-facing failure, so the CLI prints one line and exits 2."""

import re

# C0 and C1 control characters (ANSI escapes, BEL, NUL, line breaks) and the bidirectional
# overrides that reorder what a terminal shows
_CONTROL = re.compile("[\\x00-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]")


class SnowballError(Exception):
    """A bad input or a failed run, with a message that names the file, the field and the fix."""


def printable(text: str, keep: str = "") -> str:
    """``text`` with control characters but those in ``keep`` escaped (``\\x1b``, ``\\x07``,
    ``\\x00``): text from a file or the environment, printed as it is, could drive the terminal
    (colours, a bell, a window title)."""

    def escape(match: re.Match[str]) -> str:
        c = match.group()
        return c if c in keep else c.encode("unicode_escape").decode("ascii")

    return _CONTROL.sub(escape, text)


def raised_by_import(exc: BaseException) -> bool:
    """Whether ``exc`` was raised while a module was being imported (its traceback passes through
    Python's import machinery): numpy's f2py raised ValueError on a malformed SOURCE_DATE_EPOCH
    when scipy was first imported, and a handler meant for a failed computation read it as one."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        tb = tb.tb_next
    return False
