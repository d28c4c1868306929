"""Sell-off scenarios run under each supply-effect parameter set: a central value with a range.

The sets themselves, and how a range is worded, are data and text of the scenario layer
(``runners.scenario.supply_effects``); running a scenario under each set is this layer's.
"""

from __future__ import annotations

import pandas as pd

from runners.projection import run
from runners.scenario.scenarios import Scenario
from runners.scenario.supply_effects import DEFAULT, RANGE_YEAR, range_table, sells


def selloff_ranges(
    scenarios: list[Scenario],
    year: int = RANGE_YEAR,
    baseline: str | None = None,
    sets: tuple[str, ...] = ("low", DEFAULT, "high"),
) -> pd.DataFrame:
    """For each scenario and set: the 10-year peak (monthly gap from the baseline path, bp),
    debt/GDP (%) and net interest ($bn) in fiscal year ``year``. Tidy: one row per
    (scenario, calibration). Scenarios without official sales get the central set only."""
    rows = []
    for scenario in scenarios:
        for name in sets if sells(scenario) else (DEFAULT,):
            res = run.run(
                scenario, until=year, baseline=baseline, calibration=name, monthly=["ten year yield gap"]
            )
            gap = res.monthly["ten year yield gap"]  # type: ignore[index]
            rows.append(
                {
                    "scenario": scenario.name,
                    "calibration": name,
                    "ten_year_peak_bp": float(gap.max()) * 100,
                    "ten_year_peak_time": float(gap.idxmax()),
                    "debt_to_gdp": float(res.results.at[year, "debt_to_gdp"]),
                    "net_interest": float(res.results.at[year, "net_interest"]),
                }
            )
    return pd.DataFrame(rows)


def selloff_range_table(
    scenarios: list[Scenario], year: int = RANGE_YEAR, baseline: str | None = None
) -> pd.DataFrame:
    """The sell-off scenarios among ``scenarios`` as central values with low and high (see
    ``range_table``); empty when none sells. What ``snowball compare`` and the briefing report."""
    selling = [s for s in scenarios if sells(s)]
    if not selling:
        return pd.DataFrame()
    return range_table(selloff_ranges(selling, year, baseline))
