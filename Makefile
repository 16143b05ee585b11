# Polymetric: `make serve` runs the API locally, `make test` runs every check. Both install what they need.
PYTHON ?= python3.11
VENV := .venv
SAM_VENV := .venv-sam
BIN := $(VENV)/bin
PORT ?= 3000
export PYTHONPATH := layers/polymetric/python:layers/local/python:.
export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= us-east-1

OPENAPI := functions/openapi/openapi.json

.PHONY: install agents serve org openapi load test test-unit test-integration test-e2e lint fmt typecheck template bench build deploy lock clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.lock
	@echo "Installing the app and its tools into $(VENV)/ from requirements-dev.lock (first run, or the lock changed): about 2 minutes..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.lock
	@echo "Installed $$(grep -c '==' requirements-dev.lock) pinned packages into $(VENV)/."
	touch $@

$(SAM_VENV)/.installed: requirements-sam.lock
	@echo "Installing SAM CLI into $(SAM_VENV)/ from requirements-sam.lock (first run, or the lock changed): about a minute..."
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install -q --disable-pip-version-check -r requirements-sam.lock
	touch $@

# Real metric agents (statsd + its Librato backend, librato-node) for the e2e tests, pinned by the committed lock.
AGENTS := .npm-agents
AGENTS_SPEC := tests/e2e/agents/package.json tests/e2e/agents/package-lock.json
agents: $(AGENTS)/.installed

$(AGENTS)/.installed: $(AGENTS_SPEC)
	@command -v npm >/dev/null || { echo "npm (Node.js >= 18) is required for the e2e agent tests"; exit 1; }
	rm -rf $(AGENTS) && mkdir -p $(AGENTS)
	cp $(AGENTS_SPEC) $(AGENTS)/
	cd $(AGENTS) && npm ci --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

serve: install $(OPENAPI)
	@echo "Starting the local API on http://127.0.0.1:$(PORT) (tables, queues and schedules of template.yaml in moto)..."
	PORT=$(PORT) $(BIN)/python -m polymetric_local serve

# A new organization and its first admin token in the local data: make org NAME="Acme Inc"
org: install
	$(BIN)/python -m polymetric_local org create "$(NAME)"

# The suite runs on every core (pytest-xdist), a whole test file per worker (their fixtures and servers
# stay together); TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= auto
test: install agents lint typecheck template $(OPENAPI)
	$(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

test-unit: install
	$(BIN)/pytest -q tests/unit

test-integration: install
	$(BIN)/pytest -q tests/integration

test-e2e: install agents
	$(BIN)/pytest -q tests/e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy

# GET /openapi.json serves this file, generated from template.yaml's routes and the layer's models.
openapi: $(OPENAPI)

$(OPENAPI): $(VENV)/.installed template.yaml $(shell find layers/polymetric/python/polymetric -name '*.py' 2>/dev/null)
	$(BIN)/python -m polymetric_local openapi --out $@

# The template must lint clean and build offline (no Docker): what `make deploy` would ship.
template: install $(SAM_VENV)/.installed $(OPENAPI)
	$(BIN)/cfn-lint template.yaml
	$(SAM_VENV)/bin/sam validate --lint
	$(SAM_VENV)/bin/sam build > .aws-sam-build.log 2>&1 || { cat .aws-sam-build.log; exit 1; }

bench: install
	$(BIN)/python -m bench

# Heavy (minutes): the local server under concurrent posters, everything read back (bench/load.py).
# make load LOAD_CLIENTS=4 LOAD_SECONDS=20 LOAD_SCALE=10000000 (LOAD_SCALE=0: no scale phase)
LOAD_CLIENTS ?= 4
LOAD_SECONDS ?= 20
LOAD_SCALE ?= 0
load: install
	$(BIN)/python -m bench.load --clients $(LOAD_CLIENTS) --seconds $(LOAD_SECONDS) --scale $(LOAD_SCALE)

build: $(SAM_VENV)/.installed $(OPENAPI)
	$(SAM_VENV)/bin/sam validate --lint
	$(SAM_VENV)/bin/sam build

deploy: build
	$(SAM_VENV)/bin/sam deploy

# Re-resolve the pinned environments from pyproject.toml's ranges.
lock:
	rm -rf /tmp/polymetric-lock && $(PYTHON) -m venv /tmp/polymetric-lock
	/tmp/polymetric-lock/bin/pip install -q ".[dev]"
	{ echo "# Pinned dev/test environment (make install). Regenerate: make lock"; \
	  /tmp/polymetric-lock/bin/pip freeze --exclude-editable | grep -v -E '^(pip|setuptools|wheel|polymetric)=='; } > requirements-dev.lock

clean:
	rm -rf $(VENV) $(SAM_VENV) $(AGENTS) .aws-sam .pytest_cache .mypy_cache .ruff_cache
