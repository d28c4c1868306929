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
# # Your own rate path
#
# What if the 10-year Treasury yield is 5.5% from FY2027 and growth is 0.5 percentage points
# lower? No scenario file is needed: `paths=` sets an input table's path (the `--path` syntax of
# the command line) and `overrides=` a model constant (`--set`). Open this file in Jupyter with
# jupytext, or run it as a script: `python examples/your_own_rate_path.py`.

# %%
from pathlib import Path

from runners import api

OUT = Path("reports/examples/your_own_rate_path")
OUT.mkdir(parents=True, exist_ok=True)

base = api.run("baseline")
mine = api.run("baseline", overrides={"growth shift": -0.5}, paths="ten-year=5.5 from 2027")

# %% [markdown]
# The run's results are a DataFrame indexed by fiscal year; its manifest records the path as the
# run applied it.

# %%
print(mine.manifest()["scenario"]["paths"])
table = (
    mine.results[["debt_to_gdp", "net_interest", "ten_year_yield", "average_interest_rate"]]
    .join(base.results[["debt_to_gdp", "net_interest"]], rsuffix="_baseline")
    .loc[[2026, 2027, 2030, 2035, 2045, 2055]]
)
print(table.round(1).to_string())

# %%
extra = mine.results.loc[2035, "net_interest"] - base.results.loc[2035, "net_interest"]
ni = mine.results.loc[2035, "net_interest"]
print(f"FY2035 net interest: ${ni:,.0f}bn, ${extra:,.0f}bn above the baseline")
print(
    "Milestones (fiscal years):",
    api.milestones(["baseline"], overrides={"growth shift": -0.5}, paths="ten-year=5.5 from 2027")
    .iloc[0]
    .to_dict(),
)

# %% [markdown]
# The run's charts, titled for it, with the baseline beside it on the debt chart.

# %%
figures = mine.plot()
for name, fig in figures.items():
    fig.savefig(OUT / f"{name}.png")
figures["debt_to_gdp"]
