"""Snowball's notes to the user through :mod:`logging` (the logger ``"snowball"``), not ``print``.

Library code says what a user should know but need not act on (a damaged cache entry rebuilt, the
chunks a resumed sweep kept, runs a sweep left out, an old constant name translated) with
:func:`note`, at level WARNING. By default the logger prints each note on the current
``sys.stderr`` as one line, as the command always has (a notebook shows it under the cell); route
them elsewhere as with any library: ``logging.getLogger("snowball").handlers.clear()`` and
``.propagate = True`` hand them to your own configuration, ``.setLevel(logging.ERROR)`` silences
them.
"""

from __future__ import annotations

import logging
import sys

LOGGER = logging.getLogger("snowball")


class StderrHandler(logging.Handler):
    """Writes each record on ``sys.stderr`` as it is when the record is emitted (so a redirected or
    captured stderr gets it), one line each."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write the formatted record and a newline."""
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # pragma: no cover - logging's own convention
            self.handleError(record)


if not LOGGER.handlers:
    _handler = StderrHandler()
    _handler.setFormatter(logging.Formatter("%(message)s"))
    LOGGER.addHandler(_handler)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False


def note(message: str) -> None:
    """Tell the user ``message`` (one line, WARNING level, on the ``snowball`` logger)."""
    LOGGER.warning(message)
