"""`snowball parameters` and `snowball tables`: defaults, units, ranges and descriptions."""

from __future__ import annotations

import csv
import io

import pytest

from runners import cli
from runners.mdl import model
from runners.projection import run

VINTAGE = "cbo-2025-01"  # pinned: data-fed defaults depend on the vintage


def csv_rows(capsys, argv: list[str]) -> list[dict[str, str]]:
    assert cli.main(argv) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_parameters_csv_has_every_constant_with_its_default(capsys):
    rows = csv_rows(capsys, ["parameters", "--format", "csv", "--baseline", VINTAGE])
    params = model.parameters()
    assert [r["name"] for r in rows] == sorted(params, key=str.lower)
    by = {r["name"]: r for r in rows}
    # a constant the .mdl sets: yield shift = 0 percent in [-5, 20], with the .mdl's comment
    ys = by["yield shift"]
    assert (float(ys["default"]), ys["unit"], float(ys["low"]), float(ys["high"])) == (
        0.0,
        "percent",
        -5.0,
        20.0,
    )
    assert ys["description"] == params["yield shift"].comment and ys["description"].startswith("Stress test")
    assert ys["source"] == "models/snowball.mdl"
    # a constant the vintage's data set: the value the run uses, not the .mdl's placeholder
    inputs = run.cached_inputs(VINTAGE)
    bills = by["initial bills"]
    assert float(bills["default"]) == inputs.constants["initial bills"] > 0
    assert bills["source"] == f"data/ ({VINTAGE})"
    # set by runners for every scenario run
    assert float(by["baseline path on"]["default"]) == 1.0


def test_parameters_markdown_and_text(capsys):
    assert cli.main(["parameters", "--format", "markdown", "--baseline", VINTAGE]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| name | python_name | default | unit | range | source | description |"
    assert len(lines) == 2 + len(model.parameters())
    assert (
        "| yield shift | yield_shift | 0 | percent | [-5, 20] | models/snowball.mdl | Stress test"
        in "\n".join(lines)
    )
    assert cli.main(["parameters", "--baseline", VINTAGE]) == 0
    text = capsys.readouterr().out
    assert (
        "yield shift (yield_shift)\n    default 0, unit percent, range [-5, 20], source models/snowball.mdl."
        in text
    )


def test_tables_lists_what_a_scenario_may_change(capsys):
    rows = csv_rows(capsys, ["tables", "--format", "csv", "--baseline", VINTAGE])
    inputs = run.cached_inputs(VINTAGE)
    assert sorted(r["name"] for r in rows) == sorted(inputs.tables)
    ten = next(r for r in rows if r["name"] == "ten year yield table")
    # the years a scenario may set: from the year after the initial state (a point for the
    # initial state's own year is refused, as the run never reads it; the list showed it)
    series = inputs.tables["ten year yield table"].loc[inputs.first_year + 1 :]
    assert (float(ten["min"]), float(ten["max"])) == (series.min(), series.max())
    assert (int(ten["first_year"]), int(ten["last_year"])) == (inputs.first_year + 1, series.index.max())
    assert ten["unit"] == "percent" and ten["python_name"] == "ten_year_yield_table"
    assert ten["description"]
    # the bill share table has two points (the initial state's year and 2100), but a scenario may
    # set any year between: it listed first_year 2100. The points column says where the vintage's
    # points are, which decides what a scenario's point does to the years around it
    share = next(r for r in rows if r["name"] == "bill share table")
    assert (int(share["first_year"]), int(share["last_year"])) == (inputs.first_year + 1, 2100)
    assert share["points"] == f"{inputs.first_year}; 2100"
    assert ten["points"].startswith(f"{inputs.first_year}-") and ten["points"].endswith("; 2100")


def test_year_spans():
    from runners.report.listings import year_spans

    assert year_spans([2100, 2025, 2026, 2027, 2056]) == "2025-2027; 2056; 2100"
    assert year_spans(range(2024, 2036)) == "2024-2035"


def test_unknown_vintage_is_a_one_line_error(capsys):
    assert cli.main(["tables", "--baseline", "cbo-1999-01"]) == 2
    assert "unknown baseline vintage 'cbo-1999-01'" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["parameters", "tables"])
def test_bad_format_is_refused_by_the_parser(command, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main([command, "--format", "xml"])
    assert exc.value.code == 2
