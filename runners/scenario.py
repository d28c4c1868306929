"""Scenarios as TOML data: a header (title, description, references, baseline) and overrides.

Overrides are model constants (``[constants]``, by Vensim or Python name, checked against the
range the .mdl gives) and replacement points for input tables (``[tables]``, by fiscal year).
Everything is checked before anything runs; errors name the file, the line and what is allowed.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import model
from .errors import SnowballError
from .inputs import DEFAULT_VINTAGE, LAST_YEAR, available_vintages, vintage_meta
from .paths import data_dir

HEADER = {"title", "description", "references", "baseline"}
SECTIONS = {"constants", "tables"}


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


def scenarios_dir() -> Path:
    """Where the built-in scenarios live."""
    return data_dir() / "scenarios"


def builtin_names() -> list[str]:
    """Names of the built-in scenarios (file stems in data/scenarios/)."""
    folder = scenarios_dir()
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().strip('"').startswith(key) or f'"{key}"' in line:
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


def check_value(param: model.Parameter, value: object) -> float:
    """A number within the constant's range, or a SnowballError saying what is allowed."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(str(value))
        except ValueError:
            raise SnowballError(f"'{param.name}' must be a number, got {value!r}") from None
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise SnowballError(f"'{param.name}' must be a finite number, got {value}")
    low = "-inf" if param.low is None else f"{param.low:g}"
    high = "inf" if param.high is None else f"{param.high:g}"
    if (param.low is not None and value < param.low) or (param.high is not None and value > param.high):
        raise SnowballError(
            f"'{param.name}' = {value:g} is out of range; allowed {low} to {high} ({param.units})"
        )
    return value


def load_scenario(ref: str) -> Scenario:
    """Load a built-in scenario by name, or a scenario TOML file by path."""
    path = Path(ref)
    if path.suffix != ".toml" or not path.exists():
        builtin = scenarios_dir() / f"{ref}.toml"
        if builtin.is_file():
            path = builtin
        elif path.suffix == ".toml":
            raise SnowballError(f"{ref}: scenario file not found")
        else:
            raise SnowballError(
                f"unknown scenario '{ref}'; built-in scenarios: {', '.join(builtin_names())} "
                "(or give the path of a .toml file)"
            )
    return parse_scenario(path)


def parse_scenario(path: Path) -> Scenario:
    """Parse and validate one scenario file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SnowballError(f"{path}: cannot read scenario file ({exc})") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SnowballError(f"{path}: malformed TOML: {exc}") from None

    def fail(key: str, reason: str) -> SnowballError:
        return SnowballError(f"{path}: line {_line_of(text, key)}: {reason}")

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

    constants: dict[str, float] = {}
    raw = doc.get("constants", {})
    if not isinstance(raw, dict):
        raise fail("constants", "[constants] must be a table of name = number")
    for name, value in raw.items():
        try:
            param = resolve_parameter(name)
            constants[param.name] = check_value(param, value)
        except SnowballError as exc:
            raise fail(name, f"[constants] {exc}") from None

    tables: dict[str, dict[int, float]] = {}
    raw_tables = doc.get("tables", {})
    if not isinstance(raw_tables, dict):
        raise fail("tables", "[tables] must hold one table per input, year = value")
    known = model.tables()
    first_year = vintage_meta(baseline)["first_year"]
    for name, points in raw_tables.items():
        match = next((k for k, py in known.items() if name.lower() in (k.lower(), py)), None)
        if match is None:
            raise fail(
                name,
                f"[tables] unknown table '{name}'; close matches: {close_matches(name, sorted(known))}",
            )
        if not isinstance(points, dict) or not points:
            raise fail(name, f'[tables."{name}"] must map fiscal years to numbers')
        clean = {}
        for year, value in points.items():
            if not str(year).isdigit() or not first_year <= int(year) <= LAST_YEAR:
                raise fail(
                    name,
                    f"[tables] '{name}': year {year!r} must be a fiscal year {first_year}-{LAST_YEAR}",
                )
            if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
                raise fail(name, f"[tables] '{name}': value for {year} must be a number")
            clean[int(year)] = float(value)
        tables[match] = clean
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
