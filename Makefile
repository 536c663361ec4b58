# The two commands of the README: `make publish` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: publish test fuzz system venv lint clean

publish: $(STAMP)
	$(BIN)/syndicate publish

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

# The long fuzzing run (the bounded one is part of `make test`); failures are kept in .hypothesis/.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q tests/safety/test_fuzz.py

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy

system:
	bash scripts/setup-system.sh

$(STAMP): pyproject.toml scripts/setup-system.sh
	bash scripts/setup-system.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

clean:
	rm -rf $(VENV) dist build src/*.egg-info .pytest_cache
