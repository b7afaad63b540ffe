# IP City — every developer and CI runs the same targets.
# `make demo`: set everything up and run the platform on SQLite with sample data.
# `make test`: set everything up and run the whole test suite on SQLite and on PostgreSQL.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := ipcity/web/static/vendor
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: setup demo serve test test-sqlite test-postgres lint typecheck check bench bench-policy clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Front-end libraries come from the npm registry at setup (package-lock.json pins them) and
# are served from /static/vendor: nothing is fetched from a CDN at run time.
$(VENDOR)/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --silent
	mkdir -p $(VENDOR)
	cp frontend/node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	cp frontend/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp frontend/node_modules/swagger-ui-dist/swagger-ui-bundle.js $(VENDOR)/swagger-ui-bundle.js
	cp frontend/node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui.css
	touch $(VENDOR)/.installed

setup: $(STAMP) $(VENDOR)/.installed

demo: setup
	$(BIN)/ipcity demo

serve: setup
	$(BIN)/ipcity serve

test: setup test-sqlite test-postgres

test-sqlite: setup
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# The same suite on PostgreSQL (browser tests and benchmarks-like slow tests run once, on SQLite).
test-postgres: setup
	IPCITY_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -n 2 -m "not e2e" $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check ipcity tests bench scripts
	$(BIN)/ruff format --check ipcity tests bench scripts
	$(BIN)/python scripts/extract_messages.py --check

typecheck: setup
	$(BIN)/mypy

check: lint typecheck test

bench: setup
	$(BIN)/python bench/import_patentics.py
	$(BIN)/python bench/entity_resolution.py
	$(BIN)/python bench/indicators.py
	$(BIN)/python bench/policy_openfisca.py

# The policy engine against the same rules as an OpenFisca model (a quick run: HOLDERS=2000 PATENTS=20000).
bench-policy: setup
	$(BIN)/python bench/policy_openfisca.py --holders $(or $(HOLDERS),100000) --patents $(or $(PATENTS),1000000)

clean:
	rm -rf $(VENV) frontend/node_modules $(VENDOR) .pytest_cache .mypy_cache .ruff_cache
