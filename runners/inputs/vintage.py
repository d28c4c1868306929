"""Load and validate the cited input data and turn a baseline vintage into model inputs.

A baseline is data keyed by its vintage (``data/baselines/<vintage>/``) plus the initial state it
names (``data/initial/<state>/``). Adding CBO's next baseline means adding those files, not code.
Every file is checked (columns, units, years, gaps, NaN) and a failure names the file and problem.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from runners.core.cache import sha256_of
from runners.core.errors import SnowballError
from runners.core.paths import data_dir, recorded_path
from runners.inputs.ranges import LAST_YEAR, TABLE_RANGES
from runners.inputs.read import (
    fail,
    numeric,
    positive,
    read_csv,
    read_holders,
    read_tidy,
    read_toml,
    relative,
)

DEFAULT_VINTAGE = "cbo-2026-02"  # the vintage of scenarios that name none, and of the built-in ones

# variable -> unit, for the tidy (fiscal_year, variable, value, unit, source) files
PROJECTION_UNITS = {
    "nominal_gdp": "$bn",
    "revenues": "$bn",
    "outlays": "$bn",
    "net_interest": "$bn",
    "other_means_of_financing": "$bn",
    "debt_held_by_public": "$bn",
    "debt_to_gdp": "%",
    "average_interest_rate": "%",
    "bill_yield": "%",
    "ten_year_yield": "%",
    "gdp_price_index_growth": "%",
    "fed_funds_rate": "%",
    "pce_inflation": "%",
}
CATEGORY_UNITS = {
    "social_security": "$bn",
    "medicare": "$bn",
    "medicaid_chip_marketplace": "$bn",
    "defense": "$bn",
    "nondefense": "$bn",
    "net_interest": "$bn",
    "outlays_timing_adjusted": "$bn",
}
LONG_TERM_UNITS = {
    "revenues_pct_gdp": "% of GDP",
    "primary_outlays_pct_gdp": "% of GDP",
    "nominal_gdp_growth": "%",
    "bill_yield": "%",
    "ten_year_yield": "%",
    "other_means_of_financing_pct_gdp": "% of GDP",
    "fed_funds_rate": "%",
    "pce_inflation": "%",
}
BUCKETS = [
    "bills",
    "under 1y",
    "1 to 2y",
    "2 to 3y",
    "3 to 5y",
    "5 to 7y",
    "7 to 10y",
    "10 to 20y",
    "20 to 30y",
]
ISSUANCE_UNITS = {
    "two_year_issuance_share": "share of coupon issuance",
    "three_year_issuance_share": "share of coupon issuance",
    "five_year_issuance_share": "share of coupon issuance",
    "seven_year_issuance_share": "share of coupon issuance",
    "ten_year_issuance_share": "share of coupon issuance",
    "twenty_year_issuance_share": "share of coupon issuance",
    "thirty_year_issuance_share": "share of coupon issuance",
    "bill_average_maturity": "months",
    "bill_mean_remaining_maturity": "months",
}
TIPS_UNITS = {
    "tips_principal": ("$bn", 0.0, 1e5),
    "tips_real_coupon": ("%", -2.0, 10.0),
    "tips_average_maturity": ("years", 0.5, 30.0),
    "tips_issuance_share": ("share of coupon issuance", 0.0, 0.5),
}
CATEGORY_TABLES = {
    "defense share table": "defense",
    "nondefense share table": "nondefense",
    "social security share table": "social_security",
    "medicare share table": "medicare",
    "medicaid share table": "medicaid_chip_marketplace",
}


@dataclass(frozen=True)
class ModelInputs:
    """Everything the model needs from data for one baseline vintage.

    ``constants`` and ``tables`` are keyed by Vensim name; tables are indexed by fiscal year.
    ``cbo`` is CBO's own projection (wide, by fiscal year) for comparison; ``targets`` its
    headline figures; ``files`` maps each file read to its sha256 (the data vintage record);
    ``first_year`` is the fiscal year of the initial state (the run starts at its end, 30 Sep).
    """

    vintage: str
    title: str
    constants: dict[str, float]
    tables: dict[str, pd.Series]
    cbo: pd.DataFrame
    targets: pd.DataFrame
    files: dict[str, str]
    first_year: int
    meta: dict = field(default_factory=dict)


def _wide(df: pd.DataFrame) -> pd.DataFrame:
    return df.pivot(index="fiscal_year", columns="variable", values="value").sort_index()


def available_vintages() -> list[str]:
    """Vintage keys that have a folder under data/baselines/."""
    root = data_dir() / "baselines"
    return sorted(p.name for p in root.iterdir() if (p / "vintage.toml").is_file()) if root.is_dir() else []


STATE_NAME = re.compile(r"^treasury-(\d{4})-09-30$")


def initial_state_year(state: str, where: Path) -> int:
    """The fiscal year an initial state closes, from its name ``treasury-YYYY-09-30``."""
    match = STATE_NAME.match(state)
    if not match or not 1990 <= int(match.group(1)) < LAST_YEAR:
        raise fail(where, f"initial_state '{state}' must be named treasury-YYYY-09-30 (a fiscal year end)")
    return int(match.group(1))


def vintage_meta(vintage: str) -> dict:
    """A vintage's ``vintage.toml``, validated, with ``first_year`` (its initial state's year) added."""
    base = data_dir() / "baselines" / vintage
    if vintage not in available_vintages():  # a name, never a path ("/x", "../baselines/y")
        known = ", ".join(available_vintages()) or "none"
        raise SnowballError(f"unknown baseline vintage '{vintage}'; available: {known}")
    meta_path = base / "vintage.toml"
    meta = read_toml(meta_path)
    for key, kind in [("title", str), ("initial_state", str), ("last_projection_year", int)]:
        if not isinstance(meta.get(key), kind) or isinstance(meta.get(key), bool):
            raise fail(meta_path, f"field '{key}' must be a {kind.__name__}")
    first = initial_state_year(meta["initial_state"], meta_path)
    if not first < meta["last_projection_year"] <= LAST_YEAR:
        raise fail(meta_path, f"last_projection_year must be after {first} and at most {LAST_YEAR}")
    wedge = meta.get("cpi_minus_pce", 0.0)
    if isinstance(wedge, bool) or not isinstance(wedge, int | float) or not -2 <= wedge <= 2:
        raise fail(meta_path, "field 'cpi_minus_pce' must be a number from -2 to 2 (percentage points)")
    if "published" in meta:  # text in every record (a TOML date would not go into JSON)
        meta["published"] = _check_published(meta["published"], first, meta_path).isoformat()
    for key in ANCHOR_FIELDS.values():
        years = meta.get(key)
        if years is not None and not (
            isinstance(years, list)
            and years
            and all(isinstance(y, int) and not isinstance(y, bool) for y in years)
            and years == sorted(set(years))
        ):
            raise fail(meta_path, f"field '{key}' must be a list of fiscal years in increasing order")
    return {**meta, "first_year": first, "path": meta_path}


def _check_published(value: object, first: int, meta_path: Path) -> datetime.date:
    """``published``: a date (YYYY-MM-DD, quoted or a TOML date) after the initial state's 30 Sep."""

    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        day = value
    else:
        try:
            day = datetime.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
        except ValueError:
            day = None
    if day is None:
        raise fail(meta_path, f"field 'published' must be a date YYYY-MM-DD, got {value!r}")
    if day <= datetime.date(first, 9, 30):
        raise fail(
            meta_path,
            f"field 'published' ({day}) must be after the initial state's date ({first}-09-30): "
            "a baseline is published after the year it starts from",
        )
    return day


# the vintage files a vintage.toml may declare sparse: file -> field listing the years they give
ANCHOR_FIELDS = {"categories": "category_years", "long_term": "long_term_years"}


def _check_years(df: pd.DataFrame, path: Path, want: list[int], field: str, meta_path: Path) -> None:
    """Every variable of the tidy ``df`` gives exactly the fiscal years ``want``: a removed row
    would otherwise be interpolated silently. ``field``: the vintage.toml field that may list other
    years (a file that gives only some years, the run interpolating between them)."""
    for var, group in df.groupby("variable", sort=False):
        have = set(group["fiscal_year"])
        missing = sorted(set(want) - have)
        if missing:
            raise fail(
                path,
                f"variable '{var}' has no row for fiscal year {missing[0]} (needed: {_span(want)}; "
                f"a file that gives only some years lists them in {relative(meta_path)} '{field}')",
            )
        extra = sorted(have - set(want))
        if extra:
            raise fail(
                path,
                f"variable '{var}' gives fiscal year {extra[0]}, outside the years it may give "
                f"({_span(want)})",
            )


def _span(years: list[int]) -> str:
    """``2025-2036`` for a run of years, else the years listed."""
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 2:
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(y) for y in years)


def load_initial_state(state: str) -> tuple[dict[str, float], dict[str, Path], float]:
    """The model constants an initial state sets (aging chain, TIPS, issuance, holders), the files
    read, and the bill (and FRN) share of the marketable debt in percent."""
    init_dir = data_dir() / "initial" / state
    if not init_dir.is_dir():
        raise SnowballError(f"{relative(init_dir)}: initial state folder is missing")
    paths = {
        "profile": init_dir / "maturity_profile.csv",
        "tips": init_dir / "tips.csv",
        "issuance": init_dir / "issuance.csv",
        "holders": init_dir / "holders.csv",
    }
    profile = _read_profile(paths["profile"])
    tips = _read_parameters(paths["tips"], TIPS_UNITS)
    issuance = _read_issuance(paths["issuance"])
    constants: dict[str, float] = {
        "initial bills": float(profile.loc["bills", "amount_bn"]),
        "initial bill rate": float(profile.loc["bills", "coupon_pct"]),
        "bill average maturity": issuance["bill_average_maturity"],
        "bill mean remaining maturity": issuance["bill_mean_remaining_maturity"],
        "initial TIPS principal": tips["tips_principal"],
        "initial TIPS real coupon": tips["tips_real_coupon"],
        "TIPS average maturity": tips["tips_average_maturity"],
        "TIPS issuance share": tips["tips_issuance_share"],
    }
    for bucket in BUCKETS[1:]:
        constants[f"initial debt {bucket}"] = float(profile.loc[bucket, "amount_bn"])
        constants[f"initial coupon {bucket}"] = float(profile.loc[bucket, "coupon_pct"])
    for key, value in issuance.items():
        if key.endswith("_issuance_share"):
            constants[key.replace("_", " ")] = value
    marketable = float(profile["amount_bn"].sum()) + tips["tips_principal"]
    bill_share = constants["initial bills"] / marketable * 100
    return constants, paths, bill_share


def _read_parameters(path: Path, units: dict[str, tuple[str, float, float]]) -> dict[str, float]:
    """A (parameter, value, unit, source) file holding exactly ``units``' parameters, in range."""
    df = read_csv(path, ["parameter", "value", "unit", "source"])
    numeric(df, path, "value")
    got = dict(zip(df["parameter"], df["value"], strict=True))
    if sorted(got) != sorted(units) or len(got) != len(df):
        raise fail(path, f"parameters must be exactly {', '.join(units)}, once each")
    for _, row in df.iterrows():
        unit, low, high = units[row["parameter"]]
        if row["unit"] != unit:
            raise fail(path, f"'{row['parameter']}' has unit '{row['unit']}', expected '{unit}'")
        if not low <= row["value"] <= high:
            raise fail(
                path, f"'{row['parameter']}' = {row['value']:g} is out of range; allowed {low:g} to {high:g}"
            )
    return {k: float(v) for k, v in got.items()}


def load_inputs(vintage: str) -> ModelInputs:
    """Read, validate and assemble the model inputs for baseline ``vintage`` (e.g. 'cbo-2026-02')."""
    meta = vintage_meta(vintage)
    meta_path, first, last = meta["path"], meta["first_year"], meta["last_projection_year"]
    paths = _vintage_paths(meta_path.parent)
    proj, cats, lt, targets = _read_vintage_files(paths, meta)
    cbo = _wide(proj)
    _check_projection_years(cbo, paths["projections"], first, last)
    _check_anchor_years(lt, cats, paths, meta)
    cw = _wide(cats)
    for y in (first, last):
        if y not in cw.index:
            raise fail(paths["categories"], f"needs figures for FY{y}")
    state, state_paths, bill_share = load_initial_state(meta["initial_state"])
    holders = read_holders(
        state_paths["holders"], float(cbo.loc[first, "debt_held_by_public"]), paths["projections"]
    )
    tables = _vintage_tables(cbo, _wide(lt), cw, meta, bill_share)
    _check_table_ranges(tables, last, paths, state_paths["profile"])
    constants = start_constants(cbo, first, state, holders)
    files = {recorded_path(p): sha256_of(p) for p in [meta_path, *paths.values(), *state_paths.values()]}
    return ModelInputs(
        vintage, meta["title"], constants, tables, cbo, targets, files, first_year=first, meta=_public(meta)
    )


def _vintage_paths(base: Path) -> dict[str, Path]:
    """The data files of the vintage folder ``base``, by role."""
    return {
        "projections": base / "budget_projections.csv",
        "categories": base / "outlays_by_category.csv",
        "long_term": base / "long_term.csv",
        "targets": base / "targets.csv",
    }


def _read_vintage_files(
    paths: dict[str, Path], meta: dict
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The vintage's tidy projections, categories, long-term anchors and targets, each checked on
    its own (units, positive levels, no year after ``last_projection_year``)."""
    last = meta["last_projection_year"]
    units = PROJECTION_UNITS | {"cpiu_inflation": "%"}
    proj = read_tidy(paths["projections"], units, contiguous=True, optional=("cpiu_inflation",))
    cats = read_tidy(paths["categories"], CATEGORY_UNITS, contiguous=False)
    lt = read_tidy(paths["long_term"], LONG_TERM_UNITS, contiguous=False, extra=("basis",))
    positive(proj, paths["projections"], ("nominal_gdp", "revenues", "outlays", "debt_held_by_public"))
    after = sorted(set(proj["fiscal_year"][proj["fiscal_year"] > last]))
    if after:
        raise fail(
            paths["projections"],
            f"gives fiscal year {after[0]}, after last_projection_year {last} ({relative(meta['path'])}); "
            "raise last_projection_year or remove the rows (they would be dropped)",
        )
    targets = read_csv(paths["targets"], ["variable", "fiscal_year", "value", "unit", "source"])
    numeric(targets, paths["targets"], "value")
    return proj, cats, lt, targets


def _check_projection_years(cbo: pd.DataFrame, path: Path, first: int, last: int) -> None:
    """CBO's projection (wide) covers FY``first``-``last`` whole, and the debt of the year before."""
    years = list(range(first, last + 1))
    core = [c for c in cbo.columns if c not in ("debt_to_gdp", "cpiu_inflation")]
    absent = [y for y in years if y not in cbo.index or cbo.loc[y, core].isna().any()]
    if absent:
        raise fail(path, f"fiscal year {absent[0]} is missing (need {first}-{last})")
    for var in ("debt_to_gdp", "cpiu_inflation"):  # optional, but whole when given (CPI-U fell back)
        gaps = [y for y in years if var in cbo and pd.isna(cbo[var].get(y))]
        if var in cbo and gaps:
            raise fail(path, f"variable '{var}' has no row for fiscal year {gaps[0]} (need {first}-{last})")
    if first - 1 not in cbo.index or pd.isna(cbo.loc[first - 1, "debt_held_by_public"]):
        raise fail(path, f"needs debt_held_by_public for FY{first - 1}")


def _check_anchor_years(lt: pd.DataFrame, cats: pd.DataFrame, paths: dict[str, Path], meta: dict) -> None:
    """The long-term anchors come after the projection and the categories give the years the
    vintage.toml says they give (every year, unless it lists them)."""
    meta_path, first, last = meta["path"], meta["first_year"], meta["last_projection_year"]
    if (lt["fiscal_year"] <= last).any():
        raise fail(paths["long_term"], f"long-term anchors must come after FY{last}")
    lt_years = meta.get("long_term_years") or list(range(last + 1, int(lt["fiscal_year"].max()) + 1))
    _check_years(lt, paths["long_term"], lt_years, "long_term_years", meta_path)
    cat_years = meta.get("category_years") or list(range(first, last + 1))
    if cat_years[0] > first or cat_years[-1] != last:
        raise fail(meta_path, f"field 'category_years' must run from FY{first} or before to FY{last}")
    _check_years(cats, paths["categories"], cat_years, "category_years", meta_path)


# the tables that continue beyond the vintage along the long-term file's anchors: table -> variable
LONG_TERM_TABLES = {
    "nominal GDP growth table": "nominal_gdp_growth",
    "revenues share table": "revenues_pct_gdp",
    "primary outlays share table": "primary_outlays_pct_gdp",
    "other means of financing share table": "other_means_of_financing_pct_gdp",
    "bill yield table": "bill_yield",
    "ten year yield table": "ten_year_yield",
    "policy rate table": "fed_funds_rate",
    "baseline inflation table": "pce_inflation",
}


def _vintage_tables(
    cbo: pd.DataFrame, ltw: pd.DataFrame, cw: pd.DataFrame, meta: dict, bill_share: float
) -> dict[str, pd.Series]:
    """The model's fiscal-year input tables to 2100: CBO's projection (``cbo``, wide), continued
    along the long-term anchors (``ltw``), the initial state's bill share and the categories' shares
    of primary outlays (``cw``)."""
    first, last = meta["first_year"], meta["last_projection_year"]
    p = cbo.loc[list(range(first, last + 1))]
    if "cpiu_inflation" in p and p["cpiu_inflation"].notna().all():
        cpi = p["cpiu_inflation"]
    else:  # a vintage without CPI-U: PCE plus the stated wedge (vintage.toml cpi_minus_pce)
        cpi = p["pce_inflation"] + float(meta.get("cpi_minus_pce", 0.0))
    tables: dict[str, pd.Series] = {
        **budget_tables(p, p["outlays"] - p["net_interest"]),
        "bill yield table": p["bill_yield"],
        "ten year yield table": p["ten_year_yield"],
        "policy rate table": p["fed_funds_rate"],
        "baseline inflation table": p["pce_inflation"],
        "CPI inflation table": cpi,
        "GDP price growth table": p["gdp_price_index_growth"],
    }
    for table, var in LONG_TERM_TABLES.items():
        anchors = ltw[var].dropna()
        series = pd.concat([tables[table], anchors])
        if LAST_YEAR not in series.index:
            series.loc[LAST_YEAR] = anchors.iloc[-1]
        tables[table] = series.sort_index().astype(float)
    # CPI-U beyond the vintage: PCE's long-term path plus the wedge of the last projection year
    wedge = float(cpi.iloc[-1] - p["pce_inflation"].iloc[-1])
    later = tables["baseline inflation table"].loc[last + 1 :] + wedge
    tables["CPI inflation table"] = pd.concat([cpi, later]).sort_index().astype(float)
    price = tables["GDP price growth table"].copy()  # held beyond the vintage (no long-term file has it)
    price.loc[LAST_YEAR] = price.loc[last]
    tables["GDP price growth table"] = price.sort_index().astype(float)
    tables["bill share table"] = pd.Series({first: bill_share, LAST_YEAR: bill_share}, dtype=float)
    # no shift on the vintage's own path: a sweep's path family adds one (the Monte Carlo's growth draw)
    tables["productivity shift table"] = pd.Series({first: 0.0, LAST_YEAR: 0.0}, dtype=float)
    tables["other interest income table"] = other_interest_income(cbo, first, last)
    tables |= _category_shares(cbo, cw, last)
    return {k: v.rename_axis("fiscal_year") for k, v in tables.items()}


def _category_shares(cbo: pd.DataFrame, cw: pd.DataFrame, last: int) -> dict[str, pd.Series]:
    """The spending categories' tables, as percentages of primary outlays, held beyond FY``last``.

    Each category is CBO's own dollars (timing-adjusted; Medicare net of offsetting receipts) over
    primary outlays as CBO reports them (not timing-adjusted), the model's primary outlays, so the
    share times them gives CBO's dollars and the timing shifts fall in other outlays; beyond the
    last year, the last year's share of timing-adjusted primary outlays is held.
    """
    primary = (cbo["outlays"] - cbo["net_interest"]).reindex(cw.index)
    primary_ta = cw["outlays_timing_adjusted"] - cw["net_interest"]
    out = {}
    for table, var in CATEGORY_TABLES.items():
        share = (cw[var] / primary * 100).dropna()
        share.loc[last + 1] = share.loc[LAST_YEAR] = cw.at[last, var] / primary_ta.loc[last] * 100
        out[table] = share.sort_index().astype(float)
    return out


def _check_table_ranges(
    tables: dict[str, pd.Series], last: int, paths: dict[str, Path], profile: Path
) -> None:
    """The vintage's tables within the ranges a scenario may give them (runners.inputs.ranges),
    or a SnowballError naming the data file the out-of-range year comes from."""
    for name, series in tables.items():
        if name not in TABLE_RANGES:
            continue
        low, high, units = TABLE_RANGES[name]
        bad = series[~series.between(low, high)]  # NaN is out of range too
        if len(bad):
            year, value = int(bad.index[0]), float(bad.iloc[0])
            if name in CATEGORY_TABLES:
                source = paths["categories"]
            elif name == "bill share table":
                source = profile
            else:
                source = paths["projections"] if year <= last else paths["long_term"]
            raise fail(
                source,
                f"gives '{name}' = {value:g} in {year}, out of range; allowed {low:g} to {high:g} ({units})",
            )


def budget_tables(years: pd.DataFrame, primary: pd.Series) -> dict[str, pd.Series]:
    """The budget's input tables from fiscal-year levels ($bn): nominal GDP growth (%) and
    revenues, primary outlays (``primary``) and other means of financing as % of GDP."""
    gdp = years["nominal_gdp"]
    return {
        "nominal GDP growth table": (gdp / gdp.shift(1) - 1).iloc[1:] * 100,
        "revenues share table": years["revenues"] / gdp * 100,
        "primary outlays share table": primary / gdp * 100,
        "other means of financing share table": years["other_means_of_financing"] / gdp * 100,
    }


def other_interest_income(years: pd.DataFrame, first: int, last: int) -> pd.Series:
    """Other interest income ($bn) FY``first``-``last`` as CBO's figures imply it: the average
    interest rate on the debt (%) x the average of start- and end-of-year debt less net interest,
    held at FY``last``'s level to 2100."""
    debt = years["debt_held_by_public"]
    implied = years["average_interest_rate"] / 100 * (debt.shift(1) + debt) / 2 - years["net_interest"]
    out = implied.loc[first:last].astype(float).copy()
    out.loc[LAST_YEAR] = out.iloc[-1]
    return out


def start_constants(
    years: pd.DataFrame, first: int, state: dict[str, float], holders: dict[str, float]
) -> dict[str, float]:
    """The constants a run's start sets: the first fiscal year's GDP and debt from ``years`` (by
    fiscal year), then the initial state's aging chain and TIPS (``state``) and its holders ($bn)."""
    constants: dict[str, float] = {
        "initial fiscal year GDP": float(years.loc[first, "nominal_gdp"]),
        "initial debt held by the public": float(years.loc[first, "debt_held_by_public"]),
        **state,
    }
    for holder, amount in holders.items():
        constants[f"initial {holder.replace('_', ' ')} holdings"] = amount
    return constants


def _public(meta: dict) -> dict:
    """The vintage's descriptive fields (for listings and manifests)."""
    return {k: v for k, v in meta.items() if k != "path"}


def _read_profile(path: Path) -> pd.DataFrame:
    df = read_csv(path, ["bucket", "years_from", "years_to", "amount_bn", "coupon_pct", "source"])
    for col in ("years_from", "years_to", "amount_bn", "coupon_pct"):
        numeric(df, path, col)
    if list(df["bucket"]) != BUCKETS:
        raise fail(path, f"buckets must be, in order: {', '.join(BUCKETS)}")
    if (df["amount_bn"] < 0).any():
        raise fail(path, "amount_bn must not be negative")
    if not df["coupon_pct"].between(0, 30).all():
        raise fail(path, "coupon_pct must be between 0 and 30")
    return df.set_index("bucket")


def _read_issuance(path: Path) -> dict[str, float]:
    df = read_csv(path, ["parameter", "value", "unit", "source"])
    numeric(df, path, "value")
    got = dict(zip(df["parameter"], df["value"], strict=True))
    unknown = sorted(set(got) - set(ISSUANCE_UNITS))
    missing = sorted(set(ISSUANCE_UNITS) - set(got))
    if unknown or missing or len(got) != len(df):
        raise fail(path, f"parameters must be exactly {', '.join(ISSUANCE_UNITS)}, once each")
    for _, row in df.iterrows():
        if row["unit"] != ISSUANCE_UNITS[row["parameter"]]:
            raise fail(
                path,
                f"'{row['parameter']}' has unit '{row['unit']}', "
                f"expected '{ISSUANCE_UNITS[row['parameter']]}'",
            )
    shares = [v for k, v in got.items() if k.endswith("_issuance_share")]
    if min(shares) < 0 or abs(sum(shares) - 1) > 1e-3:
        raise fail(
            path,
            f"issuance shares must be non-negative and sum to 1 (they sum to {sum(shares):.4f})",
        )
    return got


def read_history() -> pd.DataFrame:
    """Historical fiscal-year series (OMB/CBO), 1940 onward, for charts."""
    path = data_dir() / "history" / "historical_fy.csv"
    cols = [
        "fiscal_year",
        "debt_held_by_public",
        "gdp",
        "debt_to_gdp",
        "net_interest",
        "outlays",
        "net_interest_share_of_outlays",
        "net_interest_to_gdp",
        "source",
    ]
    df = read_csv(path, cols)
    for c in cols[:-1]:
        numeric(df, path, c)
    repeated = df["fiscal_year"][df["fiscal_year"].duplicated()]
    if len(repeated):
        raise fail(path, f"fiscal year {int(repeated.iloc[0])} appears twice; give each year once")
    return df.set_index(df["fiscal_year"].astype(int))
