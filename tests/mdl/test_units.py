"""`snowball check`: dimensional analysis of every equation from the .mdl's own units."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from runners import cli
from runners.mdl.units import Units, check_units, parse_units

CLOCK = (
    "FINAL TIME = 10\n\t~\tYear\n\t~\tend\n\t|\n\nINITIAL TIME = 0\n\t~\tYear\n\t~\tstart\n\t|\n\n"
    "SAVEPER = TIME STEP\n\t~\tYear\n\t~\tsave\n\t|\n\nTIME STEP = 0.25\n\t~\tYear\n\t~\tstep\n\t|\n\n"
    "\\\\\\---/// Sketch information - do not modify anything except names\n"
)


def mdl(tmp_path: Path, equations: dict[str, tuple[str, str]]) -> Path:
    """A model of ``name: (equation, units)`` and the standard clock."""
    body = "".join(f"{n} = {eq}\n\t~\t{u}\n\t~\ttest\n\t|\n\n" for n, (eq, u) in equations.items())
    path = tmp_path / "units.mdl"
    path.write_text("{UTF-8}\n" + body + CLOCK)
    return path


def test_unit_strings():
    assert parse_units("billion USD/Year/Year") == Units.of(
        {"billion": Fraction(1), "usd": Fraction(1), "year": Fraction(-2)}
    )
    assert parse_units("percent/percent") == parse_units("Dmnl") == parse_units("1") == Units()
    assert parse_units("Years") == parse_units("year") == Units.of({"year": Fraction(1)})
    assert parse_units("month/Year") == Units.of({"month": Fraction(1), "year": Fraction(-1)})
    assert parse_units("") is None


@pytest.mark.slow
def test_the_model_is_consistent():
    report = check_units()
    assert report.mismatches == []
    assert report.checked > 200  # every computed equation (not plain numbers, not tables)
    assert cli.main(["check"]) == 0


def test_the_issues_two_inconsistencies_are_found(tmp_path, capsys):
    # the .mdl's equations with the declarations they had before this fix
    path = mdl(
        tmp_path,
        {
            "investment elasticity": ("3", "1/percent"),
            "Smoothed real rate gap": ("0.5", "percent"),
            "private investment change": ("- investment elasticity * Smoothed real rate gap", "percent"),
            "investment share of GDP": ("18", "percent"),
            "crowding spread years": ("5", "Year"),
            "growth drag": (
                "MAX(0, -private investment change) / 100 * investment share of GDP / crowding spread years",
                "percent",
            ),
        },
    )
    found = {m.name: m for m in check_units(path).mismatches}
    # 1/percent x percent = Dmnl, declared percent
    assert found["private investment change"].problem == "its terms give: Dmnl against percent"
    # percent / 100 x percent / Year = percent/Year (scale converted by the 100), declared percent
    assert "/year" in found["growth drag"].problem and found["growth drag"].problem.endswith(
        "against percent"
    )
    assert found["growth drag"].equation.startswith("MAX(0, -private investment change)")
    assert cli.main(["check", "--model", str(path)]) == 1
    out = capsys.readouterr().out
    assert "2 unit mismatches in units.mdl" in out
    assert "    growth drag = MAX(0, -private investment change) / 100" in out


def test_stocks_sums_and_annual_rates(tmp_path):
    path = mdl(
        tmp_path,
        {
            "debt": ("INTEG(borrowing, 100)", "billion USD"),
            "borrowing": ("debt * rate / 100 + deficit", "billion USD/Year"),  # annual rate on money
            "deficit": ("2", "billion USD/Year"),
            "rate": ("3", "percent"),
            "wrong stock": ("INTEG(debt, 0)", "billion USD"),  # flow in billion USD, not per year
            "wrong sum": ("debt + deficit", "billion USD"),
            "growth": ("rate / crowding", "percent"),  # no money: Year is checked strictly
            "crowding": ("5", "Year"),
            "ratio": ("ZIDZ(debt, deficit) * 100", "percent"),  # debt over annual flow, in percent
        },
    )
    problems = {(m.name, m.problem) for m in check_units(path).mismatches}
    assert problems == {
        ("wrong stock", "the flow against the stock per time unit: billion*usd against billion*usd/year"),
        ("wrong sum", "'+' adds: billion*usd against billion*usd/year"),
        ("growth", "its terms give: percent/year against percent"),
    }


def test_missing_model_is_a_one_line_error(tmp_path, capsys):
    assert cli.main(["check", "--model", str(tmp_path / "nope.mdl")]) == 2
    assert "nope.mdl: model file is missing" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["USD^x", "USD^half"])
def test_unreadable_power_is_an_error(text):
    from runners.core.errors import SnowballError

    with pytest.raises(SnowballError, match="cannot read the power"):
        parse_units(text)


SUITE = Path(__file__).resolve().parents[2].parent / "shared" / "peers" / "sd-test-models" / "tests"


@pytest.mark.slow
@pytest.mark.skipif(not SUITE.is_dir(), reason="../shared/peers/sd-test-models is not present")
def test_checker_reads_every_community_model():
    # subscripts, macros, data: the checker reads all 144 Vensim files of the suite without failing,
    # and finds e.g. test_trend.mdl's TREND (1/Month) declared as fraction/Month
    import warnings

    from runners.core.errors import SnowballError

    models = sorted(p for p in SUITE.glob("*/*") if p.suffix.lower() == ".mdl")
    reports = {}
    for m in models:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                reports[m.name] = check_units(m)
            except SnowballError:  # pysd cannot parse it: reported as a one-line error
                continue
    assert len(reports) > 100
    (trend,) = reports["test_trend.mdl"].mismatches
    assert (
        trend.name == "TREND of input" and trend.problem == "its terms give: 1/month against fraction/month"
    )
