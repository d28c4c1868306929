"""The range of every value of a fiscal-year input table, and the last fiscal year of any run.

The .mdl declares the tables but not the range of their values; this range is wide enough for any
stress a user may study and narrow enough to refuse typos (1e6) and impossible economics (a 150%
fall of nominal GDP in a year). A vintage's own tables (``runners.inputs.vintage``), a scenario's
``[tables]`` (``runners.scenario.scenarios``) and a sweep's path families are all held to it.
"""

from __future__ import annotations

LAST_YEAR = 2100  # the last fiscal year any run or table may reach (the first is the vintage's)
TABLE_RANGES: dict[str, tuple[float, float, str]] = {
    "nominal GDP growth table": (-30.0, 50.0, "percent a year"),
    "revenues share table": (1.0, 60.0, "percent of GDP"),  # the interest-to-revenue denominator
    "primary outlays share table": (0.0, 60.0, "percent of GDP"),
    "other means of financing share table": (-10.0, 10.0, "percent of GDP"),
    "bill yield table": (-5.0, 50.0, "percent"),
    "ten year yield table": (-5.0, 50.0, "percent"),
    "policy rate table": (-5.0, 50.0, "percent"),
    "baseline inflation table": (-20.0, 100.0, "percent"),
    "CPI inflation table": (-20.0, 100.0, "percent"),
    "GDP price growth table": (-20.0, 100.0, "percent a year"),
    "productivity shift table": (-10.0, 10.0, "percentage points of real GDP growth"),
    "bill share table": (0.0, 100.0, "percent of debt held by the public"),
    "defense share table": (0.0, 100.0, "percent of primary outlays"),
    "nondefense share table": (0.0, 100.0, "percent of primary outlays"),
    "social security share table": (0.0, 100.0, "percent of primary outlays"),
    "medicare share table": (0.0, 100.0, "percent of primary outlays"),
    "medicaid share table": (0.0, 100.0, "percent of primary outlays"),
}
