# Snowball: `make brief` and `make test` are all a user needs (Python 3.11+ on the PATH).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.installed-docs

.PHONY: install brief test test-fast lint format docs bench golden model-data model-sketch readme-charts clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,docs]"
	touch $(DOCS_STAMP)

install: $(STAMP)

brief: $(STAMP)
	$(BIN)/snowball brief

# the docs extra too: the test that builds the documentation site strictly runs instead of skipping
test: $(DOCS_STAMP)
	$(BIN)/python -m pytest -q

# the quick loop (under two minutes here): every test not marked slow
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# the documentation site, warnings as errors, into docs/_build/html/ (its reference pages are generated)
docs: $(DOCS_STAMP)
	$(BIN)/python -m sphinx -W --keep-going -n -q -b html docs docs/_build/html

# make bench BENCH_ARGS=--large adds 1,000,000 draws
bench: $(STAMP)
	$(BIN)/python -m runners.cli.bench $(BENCH_ARGS)

# rewrite tests/golden/ from fresh runs after a reviewed change to the numbers
golden: $(STAMP)
	$(BIN)/python tests/golden.py

# write data/'s default-vintage values and baseline paths into models/snowball.mdl (after a data change)
model-data: $(STAMP)
	$(BIN)/snowball model --write-data

# regenerate the views' stock-and-flow sketch in models/snowball.mdl (after changing an equation)
model-sketch: $(STAMP)
	$(BIN)/snowball model --write-sketch

# redraw the README's chart snapshots (reports/readme/) from a fresh briefing and diagram
README_CHARTS := debt_to_gdp spending selloff fan_monte_carlo feedback_loops
readme-charts: $(STAMP)
	$(BIN)/snowball brief
	$(BIN)/snowball diagram
	for c in $(README_CHARTS); do cp reports/briefing/charts/$$c.png reports/readme/$$c.png; done
	cp reports/diagrams/6-policy-responses-and-spillovers.png reports/readme/sketch_policy_responses.png
	$(BIN)/snowball explore --force
	chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
	  --user-data-dir=$$(mktemp -d) --virtual-time-budget=5000 --window-size=1280,1100 \
	  "file://$(CURDIR)/reports/explorer/explorer.html#yield_shift=1&growth_shift=-0.5" \
	  --screenshot=reports/readme/explorer.png

clean:
	rm -rf $(VENV) reports/runs reports/briefing reports/bench reports/sweeps reports/compare reports/backtests reports/gap reports/diagrams models/snowball.py models/.snowball.sha256 .cache docs/_build docs/reference/generated
