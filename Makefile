# Two commands do all the set-up on a fresh machine (see README.md):
#   make run    creates ./.venv, installs bodymap into it and starts the app
#   make test   the same set-up, then the guard rails (make lint) and the whole test suite (Qt offscreen)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint fuzz bench screenshot clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/bodymap

# The suite on every core (pytest-xdist; at most 4 workers, each with its own Qt and caches).
test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n auto --maxprocesses=4

# The guard rails, also run by `make test`: lint and format (ruff), types (mypy --strict over the core,
# as pyproject.toml sets it), the import contracts (import-linter).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The property-based tests of bad input with 2,000 examples each (over 10,000 in all), freshly random;
# a few minutes. Each test's count is printed at the end.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m fuzz \
		--hypothesis-show-statistics -q

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

screenshot: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/screenshot.py assets/screenshot.png

clean:
	rm -rf $(VENV) build *.egg-info
