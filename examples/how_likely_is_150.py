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
# # How likely is debt above 150% of GDP?
#
# The calibrated Monte Carlo (`data/sweeps/monte-carlo.toml`: shocks to rates, growth and the
# primary balance sized to the spread of CBO's own forecast errors) around any scenario, and the
# probability asked for, with its Monte Carlo standard error. No `if __name__ == "__main__":` guard
# is needed, in a script or a notebook.

# %%
from pathlib import Path

from runners import api

OUT = Path("reports/examples/how_likely_is_150")
QUESTIONS = ["debt_to_gdp > 150 by 2055", "debt_to_gdp > 150 in 2035", "debt_to_gdp > 200 in 2055"]

base = api.sweep("monte-carlo", draws=2000, out=OUT / "baseline", force=True, thresholds=QUESTIONS)
print(
    base.probabilities[["threshold", "probability_pct", "standard_error_pp", "runs"]]
    .round(2)
    .to_string(index=False)
)

# %% [markdown]
# The same around Japan's sale, and any other question later from the kept runs.

# %%
sale = api.sweep("monte-carlo", draws=2000, scenario="japan-selloff", out=OUT / "japan", force=True)
for question in QUESTIONS:
    b, s = base.probability(question), sale.probability(question)
    print(
        f"P({question}): baseline {b['probability_pct']:.1f}% (se {b['standard_error_pp']:.1f} pp), "
        f"Japan's sale {s['probability_pct']:.1f}% (se {s['standard_error_pp']:.1f} pp)"
    )

# %% [markdown]
# These odds carry the spread of CBO's past errors but not their centre (CBO's ten-year baselines
# mostly under-projected debt); `data/sweeps/monte-carlo-drift.toml` adds that policy drift.
# The fan chart the sweep drew:

# %%
from PIL import Image  # noqa: E402

Image.open(OUT / "baseline" / "fan.png")
