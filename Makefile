# Chapter VIII — the two commands are `make run` and `make test` (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint services venv node asyncapi clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# Start the server with a demo tutorial session; prints the facilitator link and the join links.
run: venv node
	$(BIN)/chapter8 serve --host $(HOST) --port $(PORT) --demo

# From npm, as package-lock.json pins them: Chart.js (the debrief's charts) and axe-core (tests).
NODE_STAMP := node_modules/.installed
node: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# Everything: services (installed or started as needed), lint, and every test. The browser
# tests run in a process of their own: Playwright's sync API keeps an event loop running in
# the main thread for its session, which the asyncio tests cannot share.
test: venv services node
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q --ignore=tests/browser
	$(BIN)/pytest -q tests/browser

services:
	scripts/services.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Regenerate the committed AsyncAPI document from the protocol models.
asyncapi: venv
	$(BIN)/python -m server.asyncapi > docs/asyncapi.json

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
