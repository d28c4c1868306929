"""Readers of the cited data files, shared by the vintages and the backtest's history.

Each reader refuses a missing file, a missing column, an empty or non-finite cell, a wrong unit or
a year out of place, and names the file (as manifests record it, ``data/...``) and the problem.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from runners.core.errors import SnowballError
from runners.core.paths import recorded_path
from runners.inputs.ranges import LAST_YEAR

HOLDERS = ["japan", "china", "other_foreign_official", "foreign_private", "fed"]


def fail(path: Path, problem: str) -> SnowballError:
    """A one-line error naming the data file ``path`` and its ``problem``."""
    return SnowballError(f"{relative(path)}: {problem}")


def relative(path: Path) -> str:
    """A data file as manifests name it (``data/...``, wherever ``$SNOWBALL_DATA_DIR`` puts it)."""
    return recorded_path(path)


def read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    """Read a data CSV, refusing a missing file, missing columns, empty or NaN cells."""
    if not path.is_file():
        raise fail(path, "data file is missing")
    try:
        df = pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise fail(path, f"not a readable CSV ({str(exc).splitlines()[0]})") from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise fail(path, f"missing column(s) {', '.join(missing)}; expected {', '.join(columns)}")
    if df.empty:
        raise fail(path, "has no rows")
    nan = df[columns].isna()
    if nan.to_numpy().any():
        row, col = np.argwhere(nan.to_numpy())[0]
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)[columns[col]].iloc[row].strip()
        what = f"a value that is not a finite number ({raw!r})" if raw else "an empty value"
        raise fail(path, f"{what} in column '{columns[col]}' on data row {row + 1}")
    return df


def numeric(df: pd.DataFrame, path: Path, column: str) -> None:
    """Make ``df[column]`` floats in place, refusing a value that is not a finite number."""
    values = pd.to_numeric(df[column], errors="coerce")
    bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise fail(
            path,
            f"column '{column}' has a value that is not a finite number ({str(df[column].iloc[row])!r}) "
            f"on data row {row + 1}",
        )
    df[column] = values.astype(float)


def read_tidy(
    path: Path,
    units: dict[str, str],
    contiguous: bool,
    extra: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    lenient: bool = False,
) -> pd.DataFrame:
    """Read a tidy (fiscal_year, variable, value, unit, source) file and check units and years."""
    df = read_csv(path, ["fiscal_year", "variable", "value", "unit", "source", *extra])
    numeric(df, path, "value")
    numeric(df, path, "fiscal_year")
    if (df["fiscal_year"] % 1 != 0).any() or not df["fiscal_year"].between(1900, LAST_YEAR).all():
        raise fail(path, f"fiscal_year must be whole years from 1900 to {LAST_YEAR}")
    df["fiscal_year"] = df["fiscal_year"].astype(int)
    unknown = sorted(set(df["variable"]) - set(units))
    if lenient:  # a shared file may carry more variables than this reader needs
        df = df[df["variable"].isin(list(units))].copy()
        unknown = []
    if unknown:
        raise fail(path, f"unknown variable(s) {', '.join(unknown)}; allowed: {', '.join(units)}")
    missing = sorted(set(units) - set(df["variable"]) - set(optional))
    if missing:
        raise fail(path, f"missing variable(s) {', '.join(missing)}")
    for var, group in df.groupby("variable", sort=False):
        bad_unit = group.loc[group["unit"] != units[var], "unit"]
        if not bad_unit.empty:
            raise fail(path, f"variable '{var}' has unit '{bad_unit.iloc[0]}', expected '{units[var]}'")
        years = group["fiscal_year"].to_numpy()
        if len(set(years)) != len(years):
            raise fail(path, f"variable '{var}' repeats a fiscal year")
        if contiguous:
            expected = set(range(years.min(), years.max() + 1))
            gaps = sorted(expected - set(years))
            if gaps:
                raise fail(path, f"variable '{var}' has a gap: fiscal year {gaps[0]} is missing")
    return df


def positive(df: pd.DataFrame, path: Path, variables: tuple[str, ...]) -> None:
    """Levels that cannot be zero or negative (GDP, revenues, outlays, debt) in a tidy file."""
    bad = df[df["variable"].isin(variables) & ~(df["value"] > 0)]
    if len(bad):
        row = bad.iloc[0]
        raise fail(
            path,
            f"variable '{row['variable']}' = {row['value']:g} in fiscal year {int(row['fiscal_year'])}; "
            "it must be positive ($bn)",
        )


def read_toml(path: Path) -> dict:
    """A data TOML file (a leading BOM dropped), or a one-line error naming the file."""
    if not path.is_file():
        raise fail(path, "data file is missing")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))  # a leading BOM is dropped
    except tomllib.TOMLDecodeError as exc:
        raise fail(path, f"malformed TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise fail(path, f"not UTF-8 text (byte {exc.start})") from None


def read_holders(path: Path, debt: float, debt_file: Path) -> dict[str, float]:
    """The initial state's holdings ($bn), which must stay below ``debt`` (from ``debt_file``)."""
    df = read_csv(path, ["holder", "amount_bn", "source"])
    numeric(df, path, "amount_bn")
    if sorted(df["holder"]) != sorted(HOLDERS):
        raise fail(path, f"holders must be exactly {', '.join(HOLDERS)} (domestic private is the rest)")
    if (df["amount_bn"] < 0).any():
        raise fail(path, "amount_bn must not be negative")
    if df["amount_bn"].sum() >= debt:
        raise fail(
            path,
            f"holdings sum to {df['amount_bn'].sum():,.1f}, more than the debt held by the public "
            f"({debt:,.1f}, {relative(debt_file)})",
        )
    return dict(zip(df["holder"], df["amount_bn"], strict=True))
