"""CBO's rules of thumb for the reader (``snowball rules-of-thumb``): the printed table and the
output folder (``rules_of_thumb.csv`` and ``run.json``). The runs are
``runners.analysis.rules_of_thumb``'s."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from runners.analysis.rules_of_thumb import RulesResult, overrides
from runners.core.cache import sha256_of
from runners.core.outputs import atomic_dir, write_csv, write_json
from runners.core.paths import data_dir, recorded_path


def money_text(value: float) -> str:
    """$bn as printed: -$56bn, $1,234bn."""
    return f"{'-' if value < 0 else ''}${abs(value):,.0f}bn"


def format_rules(result: RulesResult) -> str:
    """The table as printed: the model's effect, CBO's figure and the range it is checked against."""
    lines = [
        f"Rules of thumb on {result.vintage}: change in the deficit (+ = larger), the model against CBO",
        f"{'rule':<66} {'change':>7} {'years':>10} {'model':>9} {'CBO':>7} {'checked range':>17}",
    ]
    for _, row in result.table.iterrows():
        money = row["unit"] == "$bn"
        fmt = money_text if money else (lambda v: f"{v:.3f}")
        cbo = "" if row["cbo"] is None or pd.isna(row["cbo"]) else fmt(float(row["cbo"]))
        rng = (
            ""
            if row["low"] is None or pd.isna(row["low"])
            else f"{fmt(float(row['low']))} to {fmt(float(row['high']))}"
        )
        what = row["description"] + ("" if money else " (debt/GDP ratio)")
        years = f"FY{row['first_year']}-{str(row['last_year'])[2:]}"
        lines.append(
            f"{what:<66} {row['change_pp']:>+6.1f}pp {years:>10} {fmt(row['model']):>9} {cbo:>7} {rng:>17}"
        )
    return "\n".join(lines)


def write_rules(
    result: RulesResult, out: Path, force: bool = False, command: list[str] | None = None
) -> None:
    """Write ``rules_of_thumb.csv`` and ``run.json`` (the baseline run's manifest, each rule's levers
    and the sha256 of the vintage's file of CBO's figures) into ``out``, all or nothing."""
    with atomic_dir(out, force) as tmp:
        write_csv(result.table.set_index("rule"), tmp / "rules_of_thumb.csv")
        manifest = result.baseline.manifest(command)
        manifest["rules_of_thumb"] = [
            {"rule": r["rule"], "change_pp": r["change_pp"], "measure": r["measure"]}
            | overrides(r["rule"], r["change_pp"], int(r["first_year"]) - 1)
            for _, r in result.table.iterrows()
        ]
        cbo_file = data_dir() / "baselines" / result.vintage / "rules_of_thumb.csv"
        if cbo_file.is_file():  # CBO's figures beside the model's: recorded as the vintage's files are
            manifest["rules_of_thumb_file"] = {recorded_path(cbo_file): sha256_of(cbo_file)}
        write_json(manifest, tmp / "run.json")
