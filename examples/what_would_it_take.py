# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # What would it take?
#
# The constant improvement in the primary balance (half revenues, half noninterest spending), from
# the first projected year, that brings debt/GDP back to 100% by FY2055, on the model, for the
# baseline, a higher-rate path and Japan's sale.
#
# Solve every row under the same feedback switches, so that rows differ only by the scenario: the
# sell-off scenarios switch on the confidence loop, the debt premium and the inflation read-back,
# the baseline none. Solved as they come, the baseline would need more than Japan's sale (its debt
# premium stays off); solved alike, the sale needs more.

# %%
from pathlib import Path

import pandas as pd

from runners import api

OUT = Path("reports/examples/what_would_it_take")
OUT.mkdir(parents=True, exist_ok=True)

SWITCHES = {"confidence switch": 1, "debt premium switch": 1, "inflation read back switch": 1}
cases = {
    "Baseline": api.gap("baseline", target=100, by=2055, overrides=SWITCHES),
    "10-year a point higher from FY2027": api.gap(
        "baseline", target=100, by=2055, overrides=SWITCHES, paths="ten-year=+1 from 2027"
    ),
    "Japan sells $1,200bn": api.gap("japan-selloff", target=100, by=2055, overrides=SWITCHES),
}
table = pd.DataFrame(
    {
        "adjustment, % of GDP a year": {k: g.size for k, g in cases.items()},
        "in the first year, $bn": {k: g.first_year_bn for k, g in cases.items()},
        "debt/GDP 2055 without it, %": {
            k: g.baseline.results.loc[2055, "debt_to_gdp"] for k, g in cases.items()
        },
        "debt/GDP 2055 with it, %": {
            k: g.adjusted.results.loc[2055, "debt_to_gdp"] for k, g in cases.items()
        },
    }
)
print(table.round(2).to_string())
table.round(3).to_csv(OUT / "what_would_it_take.csv")

# %% [markdown]
# The paths with and without the adjustment.

# %%
from matplotlib.figure import Figure  # noqa: E402

fig = Figure(figsize=(6.5, 4))
ax = fig.add_subplot()
for (name, g), style in zip(cases.items(), ["-", "--", ":"], strict=True):
    ax.plot(g.baseline.results.index, g.baseline.results["debt_to_gdp"], style, color="#888888")
    ax.plot(g.adjusted.results.index, g.adjusted.results["debt_to_gdp"], style, color="#0072B2", label=name)
ax.axhline(100, color="#333333", linewidth=0.6)
ax.set_ylabel("Debt held by the public, % of GDP")
ax.set_xlabel("Fiscal year")
ax.set_title("Debt/GDP with the adjustment (blue) and without it (grey)", loc="left", fontsize=10)
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(OUT / "paths.png")
fig
