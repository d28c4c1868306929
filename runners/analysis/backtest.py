"""Backtest: start from the debt at 30 Sep of a past year, drive the model with what happened, compare.

The model runs from the initial state ``treasury-(START-1)-09-30`` with the actual monthly yield
curve (3-month to 30-year), actual fiscal-year GDP, revenues, primary outlays, other means of
financing, CPI-U and PCE inflation, the actual bill share of the debt, the TIPS stock and the rate
at which Treasury booked its inflation compensation, and other interest income
(``data/history/``); nothing is fitted to the years it is compared on. Net interest, the average
interest rate on the debt and debt held by the public are then compared with the actuals each
fiscal year.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from runners.core.cache import sha256_of
from runners.core.errors import SnowballError
from runners.core.fiscal_years import BY_NAME
from runners.core.paths import data_dir, recorded_path
from runners.inputs.read import numeric, positive, read_csv, read_holders, read_tidy, relative
from runners.inputs.vintage import (
    DEFAULT_VINTAGE,
    LAST_YEAR,
    ModelInputs,
    budget_tables,
    load_initial_state,
    start_constants,
)

ACTUAL_UNITS = {
    "nominal_gdp": "$bn",
    "revenues": "$bn",
    "outlays": "$bn",
    "primary_outlays": "$bn",
    "net_interest": "$bn",
    "other_means_of_financing": "$bn",
    "debt_held_by_public": "$bn",
    "average_interest_rate": "%",
    "bill_yield": "%",
    "ten_year_yield": "%",
    "cpiu_inflation": "%",
    "cpiu_inflation_sep": "%",
    "pce_inflation": "%",
    "bill_share": "%",
    "average_rate_on_public_issues": "%",
    "cbo_average_interest_rate": "%",
    "tips_stock": "$bn",
    "tips_accrual_rate": "%",
    "tips_inflation_compensation": "$bn",
    "other_interest": "$bn",
}
OPTIONAL = (
    "average_rate_on_public_issues",
    "cbo_average_interest_rate",
    "tips_inflation_compensation",
    "other_interest",
)
COMPARED = {
    "net_interest": "Net interest ($bn)",
    "average_interest_rate": "Average interest rate on the debt (%)",
    "debt_held_by_public": "Debt held by the public ($bn, end of FY)",
}


def read_actuals() -> pd.DataFrame:
    """Actual fiscal-year figures (wide, by fiscal year) from ``data/history/actuals_fy.csv``."""
    path = data_dir() / "history" / "actuals_fy.csv"
    df = read_tidy(path, ACTUAL_UNITS, contiguous=True, optional=OPTIONAL, lenient=True)
    positive(df, path, ("nominal_gdp", "revenues", "outlays", "debt_held_by_public"))
    wide = df.pivot(index="fiscal_year", columns="variable", values="value").sort_index()
    # the average rate as CBO defines it (interest on the debt / average debt): Treasury's interest
    # expense on public issues where published (to FY2024), CBO's own figure after
    rate = wide.get("average_rate_on_public_issues", pd.Series(dtype=float))
    wide["rate_on_debt"] = rate.combine_first(wide.get("cbo_average_interest_rate", pd.Series(dtype=float)))
    return wide


def _by_month_start(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """``df`` indexed by the model time at which each ``month`` (YYYY-MM) starts, after checking
    that each row's ``fiscal_year`` is the month's (fiscal years run October-September)."""
    month = pd.to_datetime(df["month"], format="%Y-%m", errors="coerce")
    if month.isna().any():
        row = int(np.flatnonzero(month.isna().to_numpy())[0])
        raise SnowballError(
            f"{relative(path)}: month {df['month'].iloc[row]!r} on data row {row + 1} is not YYYY-MM"
        )
    fy = month.dt.year + (month.dt.month >= 10).astype(int)
    if (fy != df["fiscal_year"]).any():
        raise SnowballError(
            f"{relative(path)}: fiscal_year disagrees with month (fiscal years run October-September)"
        )
    df["time"] = fy - 1 + ((month.dt.month - 10) % 12) / 12
    return df.set_index("time").sort_index()


def read_monthly_yields() -> pd.DataFrame:
    """Monthly 3-month and 10-year yields with the model time at which each month starts.

    Month m of fiscal year Y (October = 1) starts at model time Y - 1 + (m - 1) / 12, the step
    whose flows cover that month.
    """
    path = data_dir() / "history" / "yields_monthly.csv"
    df = read_csv(path, ["month", "fiscal_year", "bill_yield", "ten_year_yield", "unit", "source"])
    for col in ("fiscal_year", "bill_yield", "ten_year_yield"):
        numeric(df, path, col)
    return _by_month_start(df, path)


CURVE = {
    "two_year_yield": "two year yield table",
    "three_year_yield": "three year yield table",
    "five_year_yield": "five year yield table",
    "seven_year_yield": "seven year yield table",
    "twenty_year_yield": "twenty year yield table",
    "thirty_year_yield": "thirty year yield table",
}


def read_monthly_curve() -> pd.DataFrame:
    """Monthly 2- to 30-year constant-maturity yields (%), indexed by the model time at which each
    month starts, from ``data/history/curve_monthly.csv``."""
    path = data_dir() / "history" / "curve_monthly.csv"
    df = read_csv(path, ["month", "fiscal_year", *CURVE, "unit", "source"])
    for col in ("fiscal_year", *CURVE):
        numeric(df, path, col)
    if (df["unit"] != "%").any():
        raise SnowballError(f"{relative(path)}: every yield's unit must be '%'")
    return _by_month_start(df, path)


def available_starts() -> list[int]:
    """Start years with an initial state at 30 Sep of the year before."""
    root = data_dir() / "initial"
    years = [int(p.name[9:13]) for p in root.glob("treasury-*-09-30") if p.is_dir()] if root.is_dir() else []
    return sorted(y + 1 for y in years)


def history_inputs(start: int, until: int) -> ModelInputs:
    """Model inputs for a backtest from FY``start`` to FY``until``, built from actuals only."""
    actual = read_actuals()
    yields = read_monthly_yields()
    first = start - 1
    _check_start(actual, start, until)
    _check_actuals(actual, yields, start, until)
    tables = _history_tables(actual, yields, start, until)
    # spending categories are not compared in a backtest: the default vintage's shares stand in
    from runners.projection.params import cached_inputs

    default = cached_inputs(DEFAULT_VINTAGE)
    for name, series in default.tables.items():
        tables.setdefault(name, series)

    _check_history_ranges(tables, default.tables)
    state_name = f"treasury-{first}-09-30"
    hist = data_dir() / "history"
    state, state_paths, _ = load_initial_state(state_name)
    holders = read_holders(
        state_paths["holders"], float(actual.loc[first, "debt_held_by_public"]), hist / "actuals_fy.csv"
    )
    constants = start_constants(actual, first, state, holders) | {
        "monthly yields switch": 1.0,
        "Treasury actuals switch": 1.0,
    }
    files = {
        recorded_path(p): sha256_of(p)
        for p in [
            hist / "actuals_fy.csv",
            hist / "yields_monthly.csv",
            hist / "curve_monthly.csv",
            *state_paths.values(),
        ]
    }
    # the default vintage's tables stand in for the spending categories: its files are inputs too
    files |= default.files
    cbo = actual.loc[list(range(first, until + 1))].copy()
    meta = {"title": f"Backtest from the end of FY{first} with actual data", "initial_state": state_name}
    return ModelInputs(
        f"actual-{start}",
        meta["title"],
        constants,
        tables,
        cbo,
        pd.DataFrame(columns=["variable", "fiscal_year", "value", "unit", "source"]),
        files,
        first_year=first,
        meta=meta,
    )


def _check_start(actual: pd.DataFrame, start: int, until: int) -> None:
    """A start with an initial state and actuals after it, and an end within the actuals."""
    first = start - 1
    starts = available_starts()
    last_actual = int(actual.dropna(subset=["net_interest"]).index.max())
    usable = ", ".join(str(y) for y in starts if y <= last_actual) or "none"  # an actual to compare
    state_dir = data_dir() / "initial" / f"treasury-{first}-09-30"
    if start not in starts and start <= last_actual and first in actual.index and not state_dir.is_dir():
        raise SnowballError(  # a year the actuals cover: the folder, not the year, is what is wrong
            f"{recorded_path(state_dir)}: initial state folder is missing (the backtest from FY{start} "
            f"starts there); available starts: {usable}"
        )
    if start not in starts:
        raise SnowballError(
            f"--start {start}: no initial state data/initial/treasury-{first}-09-30; "
            f"available starts: {usable}"
        )
    if start > last_actual:
        raise SnowballError(
            f"--start {start}: there are no actuals after FY{last_actual} to compare with; "
            f"available starts: {usable}"
        )
    if not start <= until <= last_actual:
        raise SnowballError(
            f"--until must be a fiscal year from {start} to {last_actual} (the last actual), got {until}"
        )


def _check_actuals(actual: pd.DataFrame, yields: pd.DataFrame, start: int, until: int) -> None:
    """Every figure the backtest reads, in every fiscal year from the start's to ``until``."""
    first = start - 1
    need = range(first, until + 1)
    required = [v for v in ACTUAL_UNITS if v not in OPTIONAL]
    missing = [y for y in need if y not in actual.index or actual.loc[y, required].isna().any()]
    if pd.isna(actual.loc[first, "average_rate_on_public_issues"]) if first in actual.index else True:
        raise SnowballError(
            f"data/history/actuals_fy.csv: needs average_rate_on_public_issues for FY{first} (the start)"
        )
    if missing:
        raise SnowballError(f"data/history/actuals_fy.csv: FY{missing[0]} lacks a figure the backtest needs")
    if first - 1 not in actual.index or pd.isna(actual.loc[first - 1, "debt_held_by_public"]):
        raise SnowballError(f"data/history/actuals_fy.csv: needs debt_held_by_public for FY{first - 1}")
    covered = yields[(yields["fiscal_year"] >= start) & (yields["fiscal_year"] <= until)]
    if len(covered) != 12 * (until - start + 1):
        raise SnowballError(f"data/history/yields_monthly.csv: needs every month of FY{start}-FY{until}")


def _held(series: pd.Series) -> pd.Series:
    """A fiscal-year table held at its last value to 2100."""
    out = series.astype(float).copy()
    out.loc[LAST_YEAR] = out.iloc[-1]
    return out.rename_axis("fiscal_year")


def _history_tables(
    actual: pd.DataFrame, yields: pd.DataFrame, start: int, until: int
) -> dict[str, pd.Series]:
    """The input tables the actuals give: budget, monthly yields and the whole curve, inflation,
    TIPS, other interest income and the bill share, each held at its last value to 2100."""
    a = actual.loc[list(range(start - 1, until + 1))]
    fy_yields = yields.groupby("fiscal_year")[["bill_yield", "ten_year_yield"]].mean()
    monthly = yields[yields["fiscal_year"] >= start]
    # the whole curve: the collection ends in June 2025, so a backtest to FY2025 holds June's
    # 2- to 30-year yields for July-September 2025 (a lookup holds its last point)
    curve = read_monthly_curve()
    curve = curve[(curve["fiscal_year"] >= start) & (curve["fiscal_year"] <= until)]
    if curve["fiscal_year"].nunique() != until - start + 1:
        raise SnowballError(
            f"data/history/curve_monthly.csv: needs the yield curve in every year FY{start}-FY{until}"
        )
    tips_change = (actual["tips_stock"] - actual["tips_stock"].shift(1)).loc[start:until]
    # other interest income: Treasury's interest on public issues less net interest where Treasury's
    # figure exists (to FY2024), after it CBO's average rate x average debt less net interest
    debt = actual["debt_held_by_public"]
    implied = actual["rate_on_debt"] / 100 * (debt.shift(1) + debt) / 2 - actual["net_interest"]
    other_interest = actual["other_interest"].combine_first(implied)
    return {
        **{name: _held(t) for name, t in budget_tables(a, a["primary_outlays"]).items()},
        "bill yield table": _held(monthly["bill_yield"]),
        "ten year yield table": _held(monthly["ten_year_yield"]),
        "policy rate table": _held(fy_yields.loc[start:until, "bill_yield"]),
        "baseline inflation table": _held(a["pce_inflation"]),
        "CPI inflation table": _held(a["cpiu_inflation"]),
        # TIPS on Treasury's path: the MSPD stock each 30 September and the rate at which Treasury
        # booked inflation compensation (CPI-U on the three-month index lag; FY2022 8.2%)
        "TIPS stock change table": _held(tips_change),
        "TIPS accrual rate table": _held(a.loc[start:, "tips_accrual_rate"]),
        "other interest income table": _held(other_interest.loc[start:until]),
        **{table: _held(curve[col]) for col, table in CURVE.items()},
        "bill share table": _held(a["bill_share"]),
    }


def _check_history_ranges(tables: dict[str, pd.Series], default: dict[str, pd.Series]) -> None:
    """The tables built from the history files within the ranges a scenario may give them
    (runners.inputs.ranges), or a SnowballError naming the file (the run would blame a scenario)."""
    from runners.inputs.ranges import TABLE_RANGES

    hist = data_dir() / "history"
    for name, series in tables.items():
        if name not in TABLE_RANGES or series is default.get(name):
            continue
        low, high, units = TABLE_RANGES[name]
        bad = series[~series.between(low, high)]  # NaN is out of range too
        if len(bad):
            monthly = name in ("bill yield table", "ten year yield table", "policy rate table")
            source = hist / ("yields_monthly.csv" if monthly else "actuals_fy.csv")
            raise SnowballError(
                f"{recorded_path(source)}: gives '{name}' = {float(bad.iloc[0]):g} at "
                f"{float(bad.index[0]):g} (the backtest's input), out of range; allowed {low:g} to "
                f"{high:g} ({units})"
            )


@dataclass(frozen=True)
class Backtest:
    """A backtest's comparison table and the run behind it."""

    start: int
    until: int
    table: pd.DataFrame  # fiscal_year, variable, actual, model, error, error_pct, unit
    result: object  # runners.projection.run.RunResult

    def summary(self) -> pd.DataFrame:
        """Mean absolute and worst percentage error by variable."""
        rows = []
        for var, group in self.table.groupby("variable", sort=False):
            worst = group.loc[group["error_pct"].abs().idxmax()]
            rows.append(
                {
                    "variable": var,
                    "mean_abs_error_pct": float(group["error_pct"].abs().mean()),
                    "worst_error_pct": float(worst["error_pct"]),
                    "worst_year": int(worst["fiscal_year"]),
                }
            )
        return pd.DataFrame(rows).set_index("variable")


def backtest(start: int, until: int | None = None) -> Backtest:
    """Run the model over history from FY``start`` and compare it with the actuals."""
    from runners.projection import run as runmod
    from runners.scenario.scenarios import load_scenario

    if isinstance(start, bool) or not isinstance(start, int):
        raise SnowballError(f"--start must be a fiscal year, got {start!r}")
    actual = read_actuals()
    last = int(actual.dropna(subset=["net_interest"]).index.max())
    until = last if until is None else until
    inputs = history_inputs(start, until)
    scenario = dataclasses.replace(load_scenario("baseline"), name=f"backtest-{start}", title=inputs.title)
    result = runmod.run(scenario, until=until, inputs=inputs)
    rows = []
    for year in range(start, until + 1):
        for var in COMPARED:
            act = float(actual.loc[year, "rate_on_debt" if var == "average_interest_rate" else var])
            mod = float(result.results.at[year, var])
            rows.append((year, var, act, mod, mod - act, (mod - act) / act * 100, BY_NAME[var].unit))
    # unit: that of actual, model and error (the variables differ: $bn, % a year)
    columns = ["fiscal_year", "variable", "actual", "model", "error", "error_pct", "unit"]
    table = pd.DataFrame(rows, columns=columns)
    return Backtest(start, until, table, result)


def format_backtest(bt: Backtest) -> str:
    """The comparison table and the error summary, as printed by ``snowball backtest``."""
    wide = bt.table.pivot(index="fiscal_year", columns="variable", values=["actual", "model", "error_pct"])
    lines = [
        f"Backtest from the end of FY{bt.start - 1} to FY{bt.until}: actual yield curve, GDP, revenues, "
        "primary outlays, other means of financing, inflation, TIPS, other interest income and bill share",
        "",
        f"{'FY':<6}{'net interest $bn':>26}{'average rate %':>26}{'debt $bn':>28}",
        f"{'':<6}{'actual  model   err%':>26}{'actual  model   err%':>26}{'actual    model   err%':>28}",
    ]
    for year in wide.index:
        cells = []
        for var, fmt, w in (
            ("net_interest", ",.0f", 7),
            ("average_interest_rate", ".2f", 7),
            ("debt_held_by_public", ",.0f", 9),
        ):
            a, m, e = (wide.at[year, (k, var)] for k in ("actual", "model", "error_pct"))
            cells.append(f"{a:>{w}{fmt}}{m:>{w}{fmt}}{e:>+7.1f}")
        lines.append(f"{year:<6}" + "  ".join(f"{c:>24}" for c in cells))
    lines.append("")
    for var, row in bt.summary().iterrows():
        lines.append(
            f"{COMPARED[var]}: mean absolute error {row['mean_abs_error_pct']:.1f}%, "
            f"worst {row['worst_error_pct']:+.1f}% (FY{int(row['worst_year'])})"
        )
    return "\n".join(lines)
