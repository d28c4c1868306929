"""Self-describing inputs: every settable constant and every input table, as a run uses them.

``snowball parameters`` and ``snowball tables`` print these; the defaults are the values a run of
the ``baseline`` scenario sets (the vintage's data where data sets them, else the ``.mdl``'s own),
the units, ranges and descriptions are the ``.mdl``'s.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from runners.core.errors import SnowballError

FORMATS = ("text", "csv", "markdown")


def _baseline(vintage: str | None):
    from runners.projection.params import cached_inputs, scenario_params
    from runners.scenario.scenarios import load_scenario

    scenario = load_scenario("baseline")
    if vintage is not None:
        import dataclasses

        scenario = dataclasses.replace(scenario, baseline=vintage)
    inputs = cached_inputs(scenario.baseline)
    return scenario.baseline, inputs, scenario_params(scenario, inputs)


def parameter_table(vintage: str | None = None) -> pd.DataFrame:
    """One row per settable constant: name, python_name, default, unit, low, high, source, description.

    ``default`` is the value the baseline scenario runs with under ``vintage`` (default: the
    baseline scenario's own vintage); ``source`` says whether the vintage's data or the .mdl sets it.
    """
    from runners.mdl.model import default, parameters
    from runners.scenario.scenarios import bounds

    vintage, inputs, params = _baseline(vintage)
    rows = []
    for p in sorted(parameters().values(), key=lambda p: p.name.lower()):
        fed = p.name in inputs.constants
        value = params[p.name] if p.name in params else default(p.name)
        rows.append(
            {
                "name": p.name,
                "python_name": p.py_name,
                "default": float(value),
                "unit": p.units,
                "low": bounds(p)[0],
                "high": bounds(p)[1],  # the .mdl's, or OPEN_BOUND where it gives none
                "source": f"data/ ({vintage})" if fed else "models/snowball.mdl",
                "description": p.comment,
            }
        )
    return pd.DataFrame(rows)


def input_table_table(vintage: str | None = None) -> pd.DataFrame:
    """One row per input table a scenario's ``[tables]`` may change (indexed by fiscal year).

    Columns: name, python_name, unit, first_year and last_year (the fiscal years a scenario may
    set: the run reads the tables from the year after the initial state), points (the years where
    the vintage's table has points: a scenario's points are added to these, and the table runs
    straight between neighbouring points), min, max (of the default values in the settable years,
    under ``vintage``), description (the .mdl's comment).
    """
    from runners.mdl.model import doc as model_doc

    vintage, inputs, _ = _baseline(vintage)
    doc = model_doc().set_index("Real Name")
    rows = []
    for name in sorted(inputs.tables, key=str.lower):
        series = inputs.tables[name]
        first, last = inputs.first_year + 1, int(series.index.max())  # the initial state's year is never read
        line = np.interp(np.arange(first, last + 1), series.index.to_numpy(float), series.to_numpy(float))
        rows.append(
            {
                "name": name,
                "python_name": doc.loc[name, "Py Name"],
                "unit": str(doc.loc[name, "Units"]),
                "first_year": first,
                "last_year": last,
                "points": year_spans(series.index),
                "min": float(line.min()),
                "max": float(line.max()),
                "description": str(doc.loc[name, "Comment"]),
            }
        )
    return pd.DataFrame(rows)


def year_spans(years) -> str:
    """Fiscal years as runs of consecutive years: [2025, 2026, ..., 2056, 2100] -> '2025-2056; 2100'."""
    spans: list[list[int]] = []
    for year in sorted(int(y) for y in years):
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return "; ".join(f"{a}-{b}" if b > a else str(a) for a, b in spans)


def _number(value) -> str:
    if value is None or value != value:
        return ""
    return f"{value:.6g}"


def format_table(df: pd.DataFrame, fmt: str) -> str:
    """``df`` as aligned text, CSV (full precision) or a Markdown table."""
    if fmt not in FORMATS:
        raise SnowballError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "csv":
        out = io.StringIO()
        df.to_csv(out, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        return out.getvalue().rstrip("\n")
    shown = df.copy()
    for col in shown.columns:
        if shown[col].dtype.kind in "fi" or col in ("low", "high"):
            shown[col] = [_number(v) for v in shown[col]]
    if "low" in shown:
        shown.insert(
            shown.columns.get_loc("low"),
            "range",
            [
                f"[{a or '-inf'}, {b or 'inf'}]"
                for a, b in zip(shown.pop("low"), shown.pop("high"), strict=True)
            ],
        )
    if fmt == "markdown":
        head = "| " + " | ".join(shown.columns) + " |"
        rule = "|" + "|".join("---" for _ in shown.columns) + "|"
        body = ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |" for row in shown.to_numpy()]
        return "\n".join([head, rule, *body])
    lines = []
    for row in shown.to_dict("records"):
        desc = row.pop("description")
        head = f"{row.pop('name')} ({row.pop('python_name')})"
        lines.append(head)
        lines.append("    " + ", ".join(f"{k} {v}" for k, v in row.items() if v != "") + f". {desc}")
    return "\n".join(lines)
