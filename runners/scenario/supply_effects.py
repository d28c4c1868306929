"""Named parameter sets for the supply effect (data/calibration/supply-effects.toml) and the
documented ranges of the other behavioural parameters (data/calibration/behaviour-ranges.toml).

A set is data: which studies it reproduces, the arithmetic and the model constants it sets. This
module validates the files (every constant through the same check as a scenario's), applies a set
to a scenario and words a sell-off's central value with its low-high range (the runs behind them:
``runners.projection.supply``). The equations stay in the .mdl (view 2 Yields: supply flow
effect, supply stock effect, QE effect).

(``runners.inputs.cbo_errors`` is a different thing: the Monte Carlo sweep's check against CBO's errors.)
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from runners.core.errors import SnowballError
from runners.core.paths import data_dir
from runners.scenario.scenarios import (
    Scenario,
    check_value,
    close_matches,
    parse_constants,
    parse_toml,
    resolve_parameter,
)

DEFAULT = "central"
REQUIRED_SETS = ("low", "central", "high")
SET_FIELDS = {"title", "studies", "arithmetic", "constants"}
RANGE_FIELDS = {"loop", "low", "central", "high", "pinned", "evidence"}
RANGE_YEAR = 2035


@dataclass(frozen=True)
class CalibrationSet:
    """One named set: the studies it reproduces, how, and the constants it sets (Vensim names)."""

    name: str
    title: str
    studies: tuple[str, ...]
    arithmetic: str
    constants: dict[str, float]


@dataclass(frozen=True)
class ParameterRange:
    """A behavioural constant's documented range; ``pinned`` when a study bounds it."""

    name: str
    loop: str
    low: float
    central: float
    high: float
    pinned: bool
    evidence: str


def calibration_dir() -> Path:
    """Where the parameter sets live."""
    return data_dir() / "calibration"


def _read(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8-sig")  # a leading BOM is dropped
    except (OSError, UnicodeDecodeError) as exc:
        raise SnowballError(f"{path}: cannot read ({exc})") from None
    return parse_toml(text, path)


def _text(value: object, path: Path, fld: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SnowballError(f"{path}: field '{fld}' is required and must be a non-empty string")
    return value.strip()


def _constant(name: str, value: object, path: Path, fld: str) -> tuple[str, float]:
    try:
        param = resolve_parameter(name)
        return param.name, check_value(param, value)
    except SnowballError as exc:
        raise SnowballError(f"{path}: field '{fld}': {exc}") from None


def parse_sets(path: Path) -> dict[str, CalibrationSet]:
    """Parse and validate a parameter-set file; errors name the file and the field."""
    doc = _read(path)
    extra = sorted(set(doc) - {"title", "default", "sets"})
    if extra:
        raise SnowballError(f"{path}: unknown field '{extra[0]}'; allowed: default, sets, title")
    raw = doc.get("sets")
    if not isinstance(raw, dict) or not raw:
        raise SnowballError(f"{path}: field 'sets' must hold one table per set, e.g. [sets.central]")
    sets: dict[str, CalibrationSet] = {}
    for name, body in raw.items():
        fld = f"sets.{name}"
        if not name.replace("-", "").isalnum() or name != name.lower():
            raise SnowballError(f"{path}: field '{fld}': set names are lower-case letters, digits and '-'")
        if not isinstance(body, dict):
            raise SnowballError(f"{path}: field '{fld}' must be a table with {', '.join(sorted(SET_FIELDS))}")
        extra = sorted(set(body) - SET_FIELDS)
        if extra:
            raise SnowballError(
                f"{path}: field '{fld}.{extra[0]}' is unknown; allowed: {', '.join(sorted(SET_FIELDS))}"
            )
        studies = body.get("studies")
        if not isinstance(studies, list) or not studies or not all(isinstance(s, str) and s for s in studies):
            raise SnowballError(f"{path}: field '{fld}.studies' must be a non-empty list of citations")
        where = f"{path}: field '{fld}.constants"  # bound per set (the lambdas run in this loop)
        constants = parse_constants(
            body.get("constants"),
            lambda where=where: SnowballError(f"{where}' must be a table of name = number"),
            lambda k, exc, where=where: SnowballError(f"{where}.{k}': {exc}"),
            required=True,
            once=False,
        )
        sets[name] = CalibrationSet(
            name,
            _text(body.get("title"), path, f"{fld}.title"),
            tuple(studies),
            _text(body.get("arithmetic"), path, f"{fld}.arithmetic"),
            constants,
        )
    missing = [n for n in REQUIRED_SETS if n not in sets]
    if missing:
        raise SnowballError(f"{path}: field 'sets' lacks the required set '{missing[0]}'")
    keys = {k for s in sets.values() for k in s.constants}
    for s in sets.values():
        if set(s.constants) != keys:
            gap = sorted(keys - set(s.constants))[0]
            raise SnowballError(f"{path}: field 'sets.{s.name}.constants' must also set '{gap}'")
    default = doc.get("default", DEFAULT)
    if default not in sets:
        raise SnowballError(f"{path}: field 'default': unknown set '{default}'; sets: {', '.join(sets)}")
    return sets


def load_sets() -> dict[str, CalibrationSet]:
    """The built-in sets, validated once per process and data folder."""
    return _sets_in(calibration_dir())


@cache
def _sets_in(folder: Path) -> dict[str, CalibrationSet]:
    return parse_sets(folder / "supply-effects.toml")


def get_set(name: str) -> CalibrationSet:
    """One built-in set by name, or a one-line error listing the sets."""
    sets = load_sets()
    if name not in sets:
        raise SnowballError(
            f"unknown calibration '{name}'; sets in data/calibration/supply-effects.toml: "
            f"{', '.join(sets)} (close matches: {close_matches(name, list(sets))})"
        )
    return sets[name]


def apply(scenario: Scenario, name: str = DEFAULT) -> Scenario:
    """``scenario`` with the set's constants beneath its own (a scenario's constants still win)."""
    cal = get_set(name)
    return dataclasses.replace(scenario, constants=cal.constants | scenario.constants)


def parse_ranges(path: Path) -> dict[str, ParameterRange]:
    """Parse and validate a behavioural-ranges file; errors name the file and the field."""
    doc = _read(path)
    extra = sorted(set(doc) - {"title", "ranges"})
    if extra:
        raise SnowballError(f"{path}: unknown field '{extra[0]}'; allowed: ranges, title")
    raw = doc.get("ranges")
    if not isinstance(raw, dict) or not raw:
        raise SnowballError(f"{path}: field 'ranges' must hold one table per model constant")
    out: dict[str, ParameterRange] = {}
    for key, body in raw.items():
        fld = f"ranges.{key}"
        if not isinstance(body, dict):
            raise SnowballError(f"{path}: field '{fld}' must be a table")
        extra = sorted(set(body) - RANGE_FIELDS)
        if extra:
            raise SnowballError(
                f"{path}: field '{fld}.{extra[0]}' is unknown; allowed: {', '.join(sorted(RANGE_FIELDS))}"
            )
        values = {}
        name = key
        for level in ("low", "central", "high"):
            name, values[level] = _constant(key, body.get(level), path, f"{fld}.{level}")
        if not values["low"] <= values["central"] <= values["high"] or values["low"] == values["high"]:
            raise SnowballError(f"{path}: field '{fld}': needs low <= central <= high and low < high")
        if not isinstance(body.get("pinned"), bool):
            raise SnowballError(f"{path}: field '{fld}.pinned' must be true or false")
        out[name] = ParameterRange(
            name,
            _text(body.get("loop"), path, f"{fld}.loop"),
            values["low"],
            values["central"],
            values["high"],
            body["pinned"],
            _text(body.get("evidence"), path, f"{fld}.evidence"),
        )
    return out


def load_ranges() -> dict[str, ParameterRange]:
    """The built-in behavioural ranges, validated once per process and data folder."""
    return _ranges_in(calibration_dir())


@cache
def _ranges_in(folder: Path) -> dict[str, ParameterRange]:
    return parse_ranges(folder / "behaviour-ranges.toml")


def sells(scenario: Scenario) -> bool:
    """Whether a scenario has foreign official sales, scheduled or from the seller's vicious cycle
    (R3): the supply effect, and so the calibration, acts only then."""
    from runners.mdl import model

    def value(name: str) -> float:
        return float(scenario.constants.get(name, model.default(name)))

    names = ("japan sale amount", "china sale amount", "reserve diversification rate", "vicious cycle switch")
    return any(value(n) > 0 for n in names)


def range_table(ranges: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario: central values with low and high (NaN where the scenario has no sales)."""
    wide = ranges.pivot(index="scenario", columns="calibration")
    wide = wide.reindex(list(dict.fromkeys(ranges["scenario"])))
    out = pd.DataFrame(index=wide.index)
    for var in ("ten_year_peak_bp", "debt_to_gdp", "net_interest"):
        for level in ("central", "low", "high"):
            out[f"{var}_{level}"] = wide[var].get(level, math.nan)
    return out


def describe(row: pd.Series, year: int = RANGE_YEAR) -> str:
    """'10-year peak +135 bp (80-185); debt/GDP FY2035 121.1% (119.3-122.2); net interest ...'."""

    def part(var: str, fmt: str, before: str, after: str) -> str:
        c, lo, hi = (row[f"{var}_{k}"] for k in ("central", "low", "high"))
        text = f"{before}{fmt.format(c)}{after}"
        if pd.isna(lo) or pd.isna(hi):
            return text
        return f"{text} ({fmt.format(lo)}-{fmt.format(hi)})"

    return (
        f"10-year peak {part('ten_year_peak_bp', '{:.0f}', '+', ' bp')}; debt/GDP FY{year} "
        f"{part('debt_to_gdp', '{:.1f}', '', '%')}; net interest FY{year} "
        f"{part('net_interest', '{:,.0f}', '$', 'bn')}"
    )


def apply_to_spec(spec, name: str = DEFAULT):
    """A sweep spec whose base scenario carries the set ``name`` (recorded as ``spec.calibration``)."""
    return dataclasses.replace(spec, scenario=apply(spec.scenario, name), calibration=name)
