"""Scenarios as TOML data: a header (title, description, references, baseline) and overrides.

Overrides are model constants (``[constants]``, by Vensim or Python name, checked against the
range the .mdl gives) and replacement points for input tables (``[tables]``, by fiscal year).
Everything is checked before anything runs; errors name the file, the line and what is allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import numbers
import os
import re
import stat
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from runners.core.errors import SnowballError
from runners.core.log import note
from runners.core.paths import data_dir
from runners.inputs.ranges import TABLE_RANGES
from runners.inputs.vintage import DEFAULT_VINTAGE, LAST_YEAR, available_vintages, vintage_meta
from runners.mdl import model

HEADER = {"title", "description", "references", "baseline"}
# short names for the input tables analysts reach for most: in a scenario's [tables], --path,
# the API's paths= and a sweep spec's path ``tables``
TABLE_SHORTCUTS = {
    "bill": "bill yield table",
    "ten-year": "ten year yield table",
    "10y": "ten year yield table",
}
SECTIONS = {"constants", "tables"}
MAX_INPUT_BYTES = 1_000_000  # a scenario or sweep file is a few kB; refuse anything over 1 MB
# A constant the .mdl leaves unbounded (the starting stocks, in $bn) still has a finite limit:
# a million of its units (a million $bn is over 30 times U.S. GDP) is a typo, and 1e300 overflowed
OPEN_BOUND = 1e6
# a number written as text (--set, the API's overrides): ASCII decimal only, as TOML writes numbers
# (float() also takes Arabic-Indic digits and other scripts'); nan and inf are parsed to be refused
NUMBER_TEXT = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)", re.I)
MAX_TOML_DEPTH = 16  # tables and arrays within each other: a scenario needs 3, a sweep spec 4

# holders whose starting holdings must together stay below the debt (domestic private is the rest)
HOLDINGS = [f"initial {h} holdings" for h in ("japan", "china", "other foreign official", "foreign private")]
HOLDINGS.append("initial fed holdings")
DEBT = "initial debt held by the public"
# how a scenario's checks fail: (the key whose line to name, the reason) -> the error to raise
Failure = Callable[[str, str], SnowballError]


def read_input_file(path: Path, what: str) -> str:
    """The text of a small regular UTF-8 file, or a one-line SnowballError.

    A FIFO, a device (a link to /dev/zero) or a file over MAX_INPUT_BYTES is refused before
    anything is read, so a bad path can neither hang nor exhaust memory.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise SnowballError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise SnowballError(f"{path}: {what} must be a regular file, not a pipe, device or folder")
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > MAX_INPUT_BYTES:
            raise SnowballError(
                f"{path}: {what} is {info.st_size:,} bytes; the limit is {MAX_INPUT_BYTES:,} bytes"
            )
        try:
            data = handle.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            raise SnowballError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
    if len(data) > MAX_INPUT_BYTES:
        raise SnowballError(f"{path}: {what} is over the limit of {MAX_INPUT_BYTES:,} bytes")
    try:
        return data.decode("utf-8-sig")  # a byte-order mark (Windows editors) is not TOML
    except UnicodeDecodeError as exc:
        raise SnowballError(f"{path}: {what} is not UTF-8 text (byte {exc.start})") from None


def parse_toml(text: str, path: Path | str) -> dict:
    """The TOML document in ``text`` (read from ``path``), or a one-line SnowballError naming the file.

    Tables and arrays nested more than MAX_TOML_DEPTH levels are refused: Python's TOML parser
    recurses once per level and ran out of stack at ~330 (an internal RecursionError).
    """
    too_deep = SnowballError(
        f"{path}: tables or arrays nested more than {MAX_TOML_DEPTH} levels deep; "
        "a scenario or sweep spec needs a few"
    )
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SnowballError(f"{path}: malformed TOML: {exc}") from None
    except RecursionError:  # the parser's own recursion, one level per nested table or array
        raise too_deep from None
    stack: list[tuple[object, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_TOML_DEPTH:
            raise too_deep
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((v, depth + 1) for v in children if isinstance(v, dict | list))
    return doc


def is_number(value: object) -> bool:
    """An int or float (numpy's too), not a bool and not text: in a TOML file a constant and a
    table value alike are TOML numbers; a quoted "1" is text, refused in both."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_table_value(name: str, year: object, value: object) -> float:
    """A finite number within the table's range (TABLE_RANGES), or a SnowballError."""
    if not is_number(value):
        raise SnowballError(f"'{name}': value for {year} must be a number (unquoted), got {value!r}")
    if not math.isfinite(value):  # type: ignore[arg-type]
        raise SnowballError(f"'{name}': value for {year} is not a finite number ({value})")
    low, high, units = TABLE_RANGES[name]
    if not low <= value <= high:
        raise SnowballError(
            f"'{name}' = {value:g} in {year} is out of range; allowed {low:g} to {high:g} ({units})"
        )
    return float(value)


# constants renamed when every start lever became a fiscal year (issue 27): the old names took
# model time, a year before the fiscal year (2025 = 1 Oct 2025 = the start of FY2026)
OLD_NAMES = {"japan sale start": "japan sale start year", "china sale start": "china sale start year"}


def old_name(name: object) -> str | None:
    """The fiscal-year constant an old start constant's name (:data:`OLD_NAMES`, Vensim or Python
    spelling, any case) became, or None."""
    return OLD_NAMES.get(" ".join(str(name).strip().lower().replace("_", " ").split()))


def translated(name: str, value: object, where: str) -> tuple[str, object]:
    """An old start constant (:data:`OLD_NAMES`, model time) as its fiscal-year successor, with a
    one-line note on stderr saying so; anything else unchanged."""
    new = old_name(name)
    if new is None or not is_number(value) or not math.isfinite(value):  # type: ignore[arg-type]
        return name, value
    year = float(value) + 1  # type: ignore[arg-type]
    note(
        f"snowball: note: {where}'{name}' = {value:g} is model time (the old name); read as '{new}' = "
        f"{year:g}, the fiscal year it starts in; write that instead"
    )
    return new, year


def check_overrides(overrides: dict[str, object] | None, what: str = "--set") -> dict[str, float]:
    """Constant overrides by Vensim or Python name -> checked values by Vensim name.

    The one validation path: the CLI's ``--set``, scenario files, sweeps and the Python API all
    call this (and :func:`check_combination` on the assembled inputs).
    """
    out: dict[str, float] = {}
    given: dict[str, str] = {}  # Vensim name -> the spelling that set it
    for spelling, value in (overrides or {}).items():
        old = old_name(spelling)
        param = resolve_parameter(old or str(spelling))
        check_once(given, param.name, str(spelling), what)
        if isinstance(value, str):  # --set's text (Python reads "1_0" as 10 and "١" as 1: refused)
            if not NUMBER_TEXT.fullmatch(value.strip()):
                low, high = bounds(param)
                raise SnowballError(
                    f"{what} {param.name}: '{value}' is not a number (ASCII digits, e.g. 1.5 or 2e-3); "
                    f"allowed {low:g} to {high:g} ({param.units})"
                )
            value = float(value)
        if old:
            _, value = translated(str(spelling), value, f"{what} ")
        out[param.name] = check_value(param, value)
    return out


def check_once(given: dict[str, str], name: str, spelling: str, what: str) -> None:
    """Refuse a constant or table set twice under two spellings (Vensim and Python names, or
    another case): the last would silently win. ``given`` maps each name seen to its spelling."""
    if name in given:
        raise SnowballError(
            f"{what} '{spelling}': '{name}' is already set (as '{given[name]}'); set each one once"
        )
    given[name] = spelling


def check_combination(params: dict[str, object], where: str) -> None:
    """Cross-field rules on a run's assembled inputs (vintage data + scenario + overrides).

    Every table in TABLE_RANGES stays within its range, and the starting holdings of the named
    holders stay below the debt (domestic private holdings, the rest, cannot be negative).
    """
    for name, (low, high, units) in TABLE_RANGES.items():
        table = params.get(name)
        if table is None or not hasattr(table, "items"):
            continue
        for year, value in table.items():
            if not (math.isfinite(float(value)) and low <= float(value) <= high):
                raise SnowballError(
                    f"{where}: '{name}' = {float(value):g} in {int(year)} is out of range; "
                    f"allowed {low:g} to {high:g} ({units})"
                )
    if DEBT in params and all(h in params for h in HOLDINGS):
        debt = float(params[DEBT])  # type: ignore[arg-type]
        total = sum(float(params[h]) for h in HOLDINGS)  # type: ignore[arg-type]
        if total >= debt:
            parts = ", ".join(
                f"{h.removeprefix('initial ').removesuffix(' holdings')} {float(params[h]):,.1f}"
                for h in HOLDINGS
            )  # type: ignore[arg-type]
            raise SnowballError(
                f"{where}: the starting holdings ({parts}) sum to {total:,.1f} $bn, not below the "
                f"'{DEBT}' ({debt:,.1f} $bn); domestic private holdings would be negative"
            )


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: constants by Vensim name, table points by Vensim name and year."""

    name: str
    title: str
    description: str
    references: tuple[str, ...]
    baseline: str
    constants: dict[str, float] = field(default_factory=dict)
    tables: dict[str, dict[int, float]] = field(default_factory=dict)
    path: Path | None = None
    paths: tuple[str, ...] = ()  # --path texts written into ``tables`` (runners.scenario.paths)

    def table_points(self) -> dict[str, dict[str, float]]:
        """The table points with the years as text (JSON keys): for manifests and resume keys."""
        return {name: {str(y): v for y, v in points.items()} for name, points in self.tables.items()}


def check_scenario(scenario: object) -> Scenario:
    """A Scenario built in Python, checked as a scenario file is: each constant a settable one (by
    Vensim or Python name, closest matches named) within its range, each table one a scenario may
    replace with whole fiscal years and values in range, the baseline a known vintage. Returns it
    with Vensim names (a file's scenario passes unchanged)."""
    if not isinstance(scenario, Scenario):
        raise SnowballError(
            f"scenario: give a name, a .toml path or a Scenario, got {type(scenario).__name__}"
        )
    where = f"scenario '{scenario.name}'"
    if scenario.baseline not in available_vintages():
        raise SnowballError(
            f"{where}: unknown baseline '{scenario.baseline}'; available: {', '.join(available_vintages())}"
        )
    if not isinstance(scenario.constants, dict) or not isinstance(scenario.tables, dict):
        raise SnowballError(
            f"{where}: constants and tables must be dicts (name -> value, name -> {{year: value}})"
        )
    constants = parse_constants(
        scenario.constants,
        lambda: SnowballError(f"{where}: constants must be a dict of name -> number"),
        lambda name, exc: SnowballError(f"{where}: constants: {exc}"),
    )

    def fail(key: str, reason: str) -> SnowballError:
        return SnowballError(f"{where}: {reason}")

    tables = _parse_tables(
        {
            name: {str(y): v for y, v in points.items()} if isinstance(points, dict) else points
            for name, points in scenario.tables.items()
        },
        scenario.baseline,
        fail,
        from_initial=True,  # a sweep's runs as scenarios hold the initial year's point too
    )
    if constants == scenario.constants and tables == scenario.tables:
        return scenario
    return dataclasses.replace(scenario, constants=constants, tables=tables)


def rebase(scenario: Scenario, vintage: str | None) -> Scenario:
    """``scenario`` on baseline ``vintage`` (``--baseline``; None keeps its own).

    Its table points were checked against its own vintage; one on or before the new vintage's
    initial-state year would never be read (the runs read the tables from the year after), so it
    is refused rather than dropped without a word.
    """
    if vintage is None or vintage == scenario.baseline:
        return scenario
    first = vintage_meta(vintage)["first_year"]
    for name, points in scenario.tables.items():
        early = [year for year in points if year <= first]
        if early:
            where = scenario.path or f"scenario '{scenario.name}'"
            raise SnowballError(
                f"{where}: [tables] '{name}': the point in {min(early)} would be ignored on baseline "
                f"'{vintage}', whose runs read the tables from FY{first + 1}; "
                f"allowed {first + 1} to {LAST_YEAR}"
            )
    return dataclasses.replace(scenario, baseline=vintage)


def check_distinct(scenarios: list[Scenario]) -> None:
    """Refuse two scenarios of one name: results, columns and files are labelled by the name, so
    the second would silently replace the first (two folders' ``reform.toml``, or one given twice)."""
    seen: dict[str, Scenario] = {}
    for s in scenarios:
        if s.name in seen:
            first = seen[s.name].path
            if first == s.path:
                raise SnowballError(f"scenario '{s.name}' is given twice; give each scenario once")
            raise SnowballError(
                f"scenario '{s.name}' names two files, {first} and {s.path}; results are labelled "
                "by the scenario's name (its file name), so rename one of the files"
            )
        seen[s.name] = s


def scenarios_dir() -> Path:
    """Where the built-in scenarios live."""
    return data_dir() / "scenarios"


def builtin_names() -> list[str]:
    """Names of the built-in scenarios (stems of the files in data/scenarios/; a folder named
    ``x.toml`` is not a scenario)."""
    folder = scenarios_dir()
    return sorted(p.stem for p in folder.glob("*.toml") if p.is_file()) if folder.is_dir() else []


def is_builtin_name(ref: str) -> bool:
    """Whether ``ref`` can name a built-in file: a bare name, no folder and no leading dot
    (``../../pyproject`` looked up data/scenarios/../../pyproject.toml, the project's own file)."""
    return bool(ref) and "/" not in ref and "\\" not in ref and not ref.startswith(".")


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        bare = line.strip()
        if bare.strip('"').startswith(key) or f'"{key}"' in line or bare.endswith(f".{key}]"):
            return number
    return 1


def close_matches(name: str, candidates: list[str]) -> str:
    """A short 'did you mean' list for an unknown name."""
    lowered = {c.lower(): c for c in candidates}
    found = difflib.get_close_matches(name.lower(), list(lowered), n=5, cutoff=0.5)
    return ", ".join(lowered[f] for f in found) if found else "none"


def resolve_parameter(name: str) -> model.Parameter:
    """Find a settable constant by its Vensim or Python name (case-insensitive)."""
    params = model.parameters()
    key = name.strip().lower()
    for p in params.values():
        if key in (p.name.lower(), p.py_name.lower()):
            return p
    names = sorted(params) + sorted(p.py_name for p in params.values())
    raise SnowballError(
        f"unknown model constant '{name}'; close matches: {close_matches(name, names)} "
        "(list them all with 'snowball parameters')"
    )


def bounds(param: model.Parameter) -> tuple[float, float]:
    """The range a constant may take: the .mdl's, with OPEN_BOUND where the .mdl gives none."""
    return (
        -OPEN_BOUND if param.low is None else param.low,
        OPEN_BOUND if param.high is None else param.high,
    )


def check_value(param: model.Parameter, value: object) -> float:
    """A number within the constant's range (:func:`bounds`), or a SnowballError saying what is
    allowed. Text is refused, as for a table value (a TOML number is written unquoted)."""
    if not is_number(value):
        raise SnowballError(f"'{param.name}' must be a number (unquoted), got {value!r}")
    value = float(value)  # type: ignore[arg-type]
    if not math.isfinite(value):
        raise SnowballError(f"'{param.name}' is not a finite number ({value})")
    low, high = bounds(param)
    if not low <= value <= high:
        raise SnowballError(
            f"'{param.name}' = {value:g} is out of range; allowed {low:g} to {high:g} ({param.units})"
        )
    return value


def parse_constants(
    raw: object,
    not_a_table: Callable[[], SnowballError],
    bad_entry: Callable[[str, SnowballError], SnowballError],
    required: bool = False,
    once: bool = True,
) -> dict[str, float]:
    """A ``[constants]`` table (of a scenario, a sweep spec or a supply-effect set), checked: each
    name a settable constant of the model (Vensim or Python name), each value in its range; by
    Vensim name. ``not_a_table()`` is raised for anything but a table (or, when ``required``, an
    empty one), ``bad_entry(name, error)`` for a bad entry; ``once``: a constant given under two
    spellings is refused (:func:`check_once`), else the last one given wins."""
    if not isinstance(raw, dict) or (required and not raw):
        raise not_a_table()
    constants: dict[str, float] = {}
    given: dict[str, str] = {}
    for name, value in raw.items():
        try:
            name, value = translated(name, value, "")
            param = resolve_parameter(name)
            if once:
                check_once(given, param.name, name, "constant")
            constants[param.name] = check_value(param, value)
        except SnowballError as exc:
            raise bad_entry(name, exc) from None
    return constants


def load_scenario(ref: str) -> Scenario:
    """Load a built-in scenario by name, or a scenario TOML file by path."""
    path = Path(ref)
    if path.suffix != ".toml" or not path.exists():
        builtin = scenarios_dir() / f"{ref}.toml"
        if is_builtin_name(ref) and builtin.is_file():
            path = builtin
        elif path.suffix == ".toml":
            raise SnowballError(f"{ref}: scenario file not found")
        elif path.exists():
            raise SnowballError(
                f"{ref}: not a scenario file (a scenario is a .toml file, or a built-in name: "
                f"{', '.join(builtin_names())})"
            )
        else:
            raise SnowballError(
                f"unknown scenario '{ref}'; built-in scenarios: {', '.join(builtin_names())} "
                "(or give the path of a .toml file)"
            )
    return parse_scenario(path)


def parse_scenario(path: Path) -> Scenario:
    """Parse and validate one scenario file."""
    text = read_input_file(path, "scenario file")
    doc = parse_toml(text, path)

    def fail(key: str, reason: str) -> SnowballError:
        return SnowballError(f"{path}: line {_line_of(text, key)}: {reason}")

    refs, baseline = _header(doc, fail)

    if doc.get("constants") or doc.get("tables"):
        model.parameters()  # the model's own failure (its file, the cache) is not this file's line
    constants = parse_constants(
        doc.get("constants", {}),
        lambda: fail("constants", "[constants] must be a table of name = number"),
        lambda name, exc: fail(name, f"[constants] {exc}"),
    )

    tables = _parse_tables(doc.get("tables", {}), baseline, fail)
    return Scenario(
        name=path.stem,
        title=doc["title"].strip(),
        description=doc["description"].strip(),
        references=tuple(refs),
        baseline=baseline,
        constants=constants,
        tables=tables,
        path=path.resolve(),
    )


def _header(doc: dict, fail: Failure) -> tuple[list[str], str]:
    """Check a scenario's fields and header (title, description, references, baseline); return its
    references and baseline vintage."""
    unknown = sorted(set(doc) - HEADER - SECTIONS)
    if unknown:
        allowed = ", ".join(sorted(HEADER | SECTIONS))
        raise fail(unknown[0], f"unknown field '{unknown[0]}'; allowed: {allowed}")
    for key in ("title", "description"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            raise fail(key, f"field '{key}' is required and must be a non-empty string")
    refs = doc.get("references", [])
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        raise fail("references", "field 'references' must be a list of strings")
    baseline = doc.get("baseline", DEFAULT_VINTAGE)
    if baseline not in available_vintages():
        raise fail(
            "baseline",
            f"unknown baseline '{baseline}'; available: {', '.join(available_vintages())}",
        )
    return refs, baseline


def _parse_tables(
    raw_tables: object, baseline: str, fail: Failure, from_initial: bool = False
) -> dict[str, dict[int, float]]:
    """A scenario's ``[tables]``: each an input table a scenario may replace, by Vensim name,
    mapping fiscal years after the baseline's initial state (``from_initial``: from its year, as
    the vintage's own tables and a sweep's paths hold a point there) to values within TABLE_RANGES."""
    tables: dict[str, dict[int, float]] = {}
    if not isinstance(raw_tables, dict):
        raise fail("tables", "[tables] must hold one table per input, year = value")
    known = {k: py for k, py in model.tables().items() if k in TABLE_RANGES}
    first_year = vintage_meta(baseline)["first_year"]
    for name, points in raw_tables.items():
        match = TABLE_SHORTCUTS.get(name.lower()) or next(
            (k for k, py in known.items() if name.lower() in (k.lower(), py)), None
        )
        if match is None:
            other = next((k for k, py in model.tables().items() if name.lower() in (k.lower(), py)), None)
            why = (
                f"'{other}' is not a fiscal-year input table a scenario may replace"
                if other
                else f"unknown table '{name}'; close matches: {close_matches(name, sorted(known))}"
            )
            raise fail(name, f"[tables] {why}; allowed: {', '.join(sorted(known))}")
        if match in tables:
            raise fail(name, f"[tables] '{name}': table '{match}' is already set; set each table once")
        if not isinstance(points, dict) or not points:
            raise fail(name, f'[tables."{name}"] must map fiscal years to numbers')
        tables[match] = _table_points(name, match, points, first_year, fail, from_initial)
    return tables


def _table_points(
    name: str, match: str, points: dict, first_year: int, fail: Failure, from_initial: bool = False
) -> dict[int, float]:
    """One ``[tables]`` entry's points (``name`` as written, ``match`` its Vensim name): whole
    fiscal years after ``first_year`` (``from_initial``: from it), each once, each value checked
    (:func:`check_table_value`)."""
    clean = {}
    earliest = first_year if from_initial else first_year + 1
    for year, value in points.items():
        if not (str(year).isascii() and str(year).isdigit()) or not earliest <= int(year) <= LAST_YEAR:
            why = (
                "the initial state's year or later"
                if from_initial
                else f"the run reads the tables from FY{first_year + 1}, after the initial state"
            )
            raise fail(
                name, f"[tables] '{name}': year {year!r} must be a fiscal year {earliest}-{LAST_YEAR} ({why})"
            )
        if int(year) in clean:  # "2030" and "02030": two keys for one year
            raise fail(name, f"[tables] '{name}': year {int(year)} is given twice; give each year once")
        try:
            clean[int(year)] = check_table_value(match, year, value)
        except SnowballError as exc:
            raise fail(name, f"[tables] {exc}") from None
    return clean
