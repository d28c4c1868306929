"""Input-table paths without a file: ``--path "ten-year=5.5 from 2027"`` and the API's ``paths=``.

One syntax for every way in (the CLI's ``run``, ``compare``, ``sweep``, ``gap`` and ``brief``, and
``api.*``): ``TABLE=VALUE [WHEN]``, where

- ``TABLE`` is an input table a scenario may replace, by its Vensim or Python name as
  ``snowball tables`` lists it, or a shortcut (``bill``, ``ten-year``, ``10y``);
- ``VALUE`` is a level (``5.5``) or, written with a sign, a shift of the path the run would
  otherwise read (``+1``, ``-0.5``: the scenario's table points over the vintage's path);
- ``WHEN`` is ``from YEAR`` (to the end of the tables), ``YEAR-YEAR`` (a span, both included),
  ``in YEAR`` (one year), or nothing (every projected year). Years are fiscal years.

A path becomes table points at every fiscal year it covers, plus the unchanged path's value in
the year before and the year after a span, so the model's linear interpolation between points
(as for any table point) moves only the years the path names. Each point is checked against the
table's range (``TABLE_RANGES``), as a scenario file's ``[tables]`` are.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from runners.core.errors import SnowballError
from runners.inputs.ranges import LAST_YEAR, TABLE_RANGES
from runners.mdl import model
from runners.scenario.scenarios import (
    NUMBER_TEXT,
    TABLE_SHORTCUTS,
    Scenario,
    check_table_value,
    close_matches,
)

_WHEN = re.compile(
    r"^(?:from\s+(?P<from>\d{4})|in\s+(?P<in>\d{4})|(?P<a>\d{4})\s*(?:-|–|to)\s*(?P<b>\d{4}))$", re.I
)
EXAMPLES = '"ten-year=5.5 from 2027", "bill=+1 2027-2030", "primary outlays share table=-0.5 in 2028"'


@dataclass(frozen=True)
class PathEdit:
    """One path: a level or a shift of ``table`` over fiscal years ``start``..``end``."""

    table: str  # Vensim name
    shift: bool  # True: add ``value`` to the path the run would read; False: set it
    value: float
    start: int | None  # None: the first projected year
    end: int | None  # None: the last year of the tables

    def text(self) -> str:
        """The path in the ``--path`` syntax, canonical (manifests record it)."""
        value = f"{self.value:+g}" if self.shift else f"{self.value:g}"
        if self.start is None and self.end is None:
            when = ""
        elif self.end is None:
            when = f" from {self.start}"
        elif self.start == self.end:
            when = f" in {self.start}"
        else:
            when = f" {self.start}-{self.end}"
        return f"{self.table}={value}{when}"


def resolve_table(name: str, what: str) -> str:
    """The Vensim name of an input table a scenario may replace, from its Vensim or Python name
    (any case) or a shortcut; else a SnowballError with close matches."""
    key = name.strip().lower()
    if key in TABLE_SHORTCUTS:
        return TABLE_SHORTCUTS[key]
    known = {k: py for k, py in model.tables().items() if k in TABLE_RANGES}
    for vensim, py in known.items():
        if key in (vensim.lower(), py.lower()):
            return vensim
    candidates = sorted(known) + sorted(TABLE_SHORTCUTS)
    raise SnowballError(
        f"{what} '{name}': unknown input table; close matches: {close_matches(name, candidates)} "
        "(list them with 'snowball tables')"
    )


def parse_path(text: str, what: str = "--path") -> PathEdit:
    """One ``TABLE=VALUE [WHEN]`` text (module docstring), checked; a one-line error otherwise."""
    if not isinstance(text, str) or "=" not in text:
        raise SnowballError(
            f"{what} {text!r}: expected TABLE=VALUE [from YEAR | YEAR-YEAR | in YEAR], e.g. {EXAMPLES}"
        )
    name, rest = text.split("=", 1)
    table = resolve_table(name, what)
    return parse_spec(table, rest, f"{what} '{text.strip()}'")


def parse_spec(table: str, spec: str, where: str) -> PathEdit:
    """``VALUE [WHEN]`` for ``table`` (a Vensim name already resolved)."""
    parts = spec.strip().split(None, 1)
    if not parts:
        raise SnowballError(f"{where}: no value; give a level (5.5) or a shift (+1, -0.5)")
    value_text, when = parts[0], (parts[1].strip() if len(parts) > 1 else "")
    if not NUMBER_TEXT.fullmatch(value_text):
        raise SnowballError(
            f"{where}: '{value_text}' is not a number (ASCII digits, e.g. 5.5, or +1 for a shift)"
        )
    value = float(value_text)
    if not math.isfinite(value):
        raise SnowballError(f"{where}: '{value_text}' is not a finite number")
    start, end = _when(when, where)
    return PathEdit(table, value_text[0] in "+-", value, start, end)


def _when(text: str, where: str) -> tuple[int | None, int | None]:
    if not text:
        return None, None
    m = _WHEN.match(text)
    if m is None:
        raise SnowballError(f"{where}: '{text}' is not a time; allowed: 'from YEAR', 'YEAR-YEAR', 'in YEAR'")
    if m["from"]:
        return int(m["from"]), None
    if m["in"]:
        return int(m["in"]), int(m["in"])
    a, b = int(m["a"]), int(m["b"])
    if b < a:
        raise SnowballError(f"{where}: the span {a}-{b} ends before it starts")
    return a, b


def from_python(paths: object) -> list[PathEdit]:
    """The API's ``paths=``: a ``--path`` text or a list of them; a dict of table -> ``{year:
    value}`` (levels at those years, as a scenario file's ``[tables]``) or table -> ``"VALUE
    [WHEN]"``; or a tidy DataFrame with columns ``table``, ``fiscal_year`` and ``value``."""
    if paths is None:
        return []
    if isinstance(paths, str):
        return [parse_path(paths, "paths")]
    if isinstance(paths, pd.DataFrame):
        return _from_frame(paths)
    if isinstance(paths, Mapping):
        edits: list[PathEdit] = []
        for name, spec in paths.items():
            table = resolve_table(str(name), "paths")
            if isinstance(spec, str):
                edits.append(parse_spec(table, spec, f"paths['{name}']"))
            elif isinstance(spec, Mapping) and spec:
                edits += [_point(table, year, value, f"paths['{name}']") for year, value in spec.items()]
            else:
                raise SnowballError(
                    f"paths['{name}']: give {{year: value}} or a text such as '5.5 from 2027', got {spec!r}"
                )
        return edits
    if isinstance(paths, Iterable):
        return [parse_path(p, "paths") for p in paths]
    raise SnowballError(
        f"paths: give a text, a list of texts, a dict or a DataFrame, got {type(paths).__name__}"
    )


def _point(table: str, year: object, value: object, where: str) -> PathEdit:
    if (
        isinstance(year, bool)
        or not isinstance(year, int | np.integer | str)
        or not str(year).strip().isdigit()
    ):
        raise SnowballError(f"{where}: year {year!r} must be a fiscal year (a whole number)")
    y = int(str(year).strip())
    v = check_table_value(table, y, value)
    return PathEdit(table, False, v, y, y)


def _from_frame(frame: pd.DataFrame) -> list[PathEdit]:
    need = {"table", "fiscal_year", "value"}
    missing = sorted(need - set(frame.columns))
    if missing:
        raise SnowballError(
            f"paths: the DataFrame lacks column(s) {', '.join(missing)}; give table, fiscal_year, value"
        )
    return [
        _point(resolve_table(str(t), "paths"), y, v, f"paths (table '{t}')")
        for t, y, v in frame[["table", "fiscal_year", "value"]].itertuples(index=False)
    ]


def apply_paths(
    scenario: Scenario, edits: list[PathEdit], tables: Mapping[str, pd.Series], first_year: int
) -> Scenario:
    """``scenario`` with ``edits`` written into its table points, in order (a shift moves the path
    the run would read: the scenario's points over the vintage's ``tables``). Years run from
    ``first_year + 1`` (the first projected year) to LAST_YEAR; each point is range-checked."""
    if not edits:
        return scenario
    points = {name: dict(p) for name, p in scenario.tables.items()}
    for edit in edits:
        where = f"path '{edit.text()}'"
        start = first_year + 1 if edit.start is None else edit.start
        end = LAST_YEAR if edit.end is None else edit.end
        if not first_year < start <= LAST_YEAR or end > LAST_YEAR:
            raise SnowballError(
                f"{where}: years must be fiscal years {first_year + 1}-{LAST_YEAR} (the run reads the "
                f"tables from FY{first_year + 1}, after the initial state)"
            )
        base = tables[edit.table]
        merged = pd.Series(dict(base.items()) | points.get(edit.table, {}), dtype=float).sort_index()
        years = np.arange(start, end + 1)
        now = np.interp(years, merged.index.to_numpy(float), merged.to_numpy(float))
        new = now + edit.value if edit.shift else np.full(len(years), edit.value)
        table = points.setdefault(edit.table, {})
        # hold the unchanged path either side, so interpolation moves only the years named
        for edge in (start - 1, end + 1):
            if first_year < edge <= LAST_YEAR and edge not in table:
                table[edge] = float(np.interp(edge, merged.index.to_numpy(float), merged.to_numpy(float)))
        for y, v in zip(years.tolist(), new.tolist(), strict=True):
            try:
                table[y] = check_table_value(edit.table, y, round(v, 12))
            except SnowballError as exc:
                raise SnowballError(f"{where}: {exc}") from None
    done = tuple(e.text() for e in edits)
    return dataclasses.replace(
        scenario, tables={k: dict(sorted(v.items())) for k, v in points.items()}, paths=scenario.paths + done
    )
