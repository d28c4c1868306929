"""Issue 27 item 7: library code tells the user things through logging (the ``snowball`` logger),
printed on stderr by default as the command always printed them, and routable or silenced."""

from __future__ import annotations

import logging

from runners.cli.common import parse_set
from runners.core.log import LOGGER


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_note_is_a_warning_record_on_the_snowball_logger(capsys):
    mine = Records()
    LOGGER.addHandler(mine)
    try:
        assert parse_set(["japan sale start=2025"]) == {"japan sale start year": 2026.0}
    finally:
        LOGGER.removeHandler(mine)
    assert [r.levelno for r in mine.records] == [logging.WARNING]
    assert "'japan sale start' = 2025 is model time" in mine.records[0].getMessage()
    assert capsys.readouterr().err.count("is model time") == 1  # and on stderr, one line, by default


def test_a_user_can_silence_the_notes(capsys):
    level = LOGGER.level
    LOGGER.setLevel(logging.ERROR)
    try:
        parse_set(["china sale start=2026"])
    finally:
        LOGGER.setLevel(level)
    assert capsys.readouterr().err == ""
