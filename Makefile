# The two commands of the README: `make publish` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: publish test fuzz golden system venv lint clean bytecode bench bench-send bench-seal bench-scale bench-serve

publish: bytecode
	$(BIN)/syndicate publish

# Every test, one worker process per core (pytest-xdist), a module's (or a test class's) tests
# in one worker (its fixtures, such as a publish, made once); TEST_WORKERS=0 runs them all in
# this process.
TEST_WORKERS ?= auto
test: bytecode lint
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadscope

# The long fuzzing run (the bounded one is part of `make test`); failures are kept in .hypothesis/.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q tests/safety/test_fuzz.py

# Record the golden outputs again (tests/golden/<case>/) after an intended change of the text a
# publish writes; review the change as the diff of those files before committing it.
golden: $(STAMP)
	SYNDICATE_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/golden

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy

# The package's modules compiled, as pip compiles an installed wheel's, before a publish, the
# tests or a benchmark: where PYTHONDONTWRITEBYTECODE keeps Python from caching what it compiles,
# an editable install's modules would be compiled again by every process (a publish's workers,
# each command a test runs). Python recompiles a module whose source changed since (its
# compiled file records the source's time and size).
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q src/syndicate

# The speed benchmark (benchmarks/bench.py): prints the table of the targets and writes it to
# benchmarks/results.md; 1,000 statements take a long while, try BENCH_STATEMENTS=50 first.
BENCH_STATEMENTS ?= 1000
bench: bytecode
	test -x benchmarks/.venv-peers/bin/pelican || ($(PYTHON) -m venv benchmarks/.venv-peers \
	  && benchmarks/.venv-peers/bin/python -m pip install -q -r benchmarks/requirements.txt)
	$(BIN)/python benchmarks/bench.py --statements $(BENCH_STATEMENTS)
	$(BIN)/python benchmarks/bench_send.py --recipients $(BENCH_RECIPIENTS)
	$(BIN)/python benchmarks/bench_seal.py --statements $(BENCH_SEALED)
	$(BIN)/python benchmarks/bench_scale.py --sizes $(BENCH_SIZES)
	$(BIN)/python benchmarks/bench_serve.py --sizes $(BENCH_SERVE_SIZES)

# The live preview: from saving a statement to its page (and its PDF) served by syndicate serve,
# and what a poll costs while nothing changes
# (benchmarks/bench_serve.py; writes benchmarks/results-serve.md).
BENCH_SERVE_SIZES ?= 1 1000
bench-serve: bytecode
	$(BIN)/python benchmarks/bench_serve.py --sizes $(BENCH_SERVE_SIZES)

# Archive scale: publish (without PDFs), no-op, one edit, check and status at each size, with
# peak memory and Hugo beside them (benchmarks/bench_scale.py; writes benchmarks/results-scale.md).
BENCH_SIZES ?= 1000 4000 16000
bench-scale: bytecode
	test -x benchmarks/.venv-peers/bin/pelican || ($(PYTHON) -m venv benchmarks/.venv-peers \
	  && benchmarks/.venv-peers/bin/python -m pip install -q -r benchmarks/requirements.txt)
	$(BIN)/python benchmarks/bench_scale.py --sizes $(BENCH_SIZES)

# Key rotation on a sealed project of 100 statements: re-seal against a full publish
# (benchmarks/bench_seal.py; writes benchmarks/results-seal.md).
BENCH_SEALED ?= 100
bench-seal: bytecode
	$(BIN)/python benchmarks/bench_seal.py --statements $(BENCH_SEALED)

# syndicate send to 10,000 recipients on a local SMTP server against a plain smtplib loop
# (benchmarks/bench_send.py; writes benchmarks/results-send.md).
BENCH_RECIPIENTS ?= 10000
bench-send: bytecode
	$(BIN)/python benchmarks/bench_send.py --recipients $(BENCH_RECIPIENTS)

system:
	bash scripts/setup-system.sh

$(STAMP): pyproject.toml package-lock.json scripts/setup-system.sh
	bash scripts/setup-system.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

clean:
	rm -rf $(VENV) dist build src/*.egg-info .pytest_cache node_modules
