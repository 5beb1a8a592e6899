# Veza — two commands on a fresh machine:
#   make demo   create .venv, install, migrate the SQLite database, load demo data, serve :8000
#   make test   the whole suite: SQLite, then PostgreSQL on a throw-away cluster, browsers included
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=
export VEZA_DATA_DIR ?= $(CURDIR)/var

.PHONY: install demo serve federation-demo test test-sqlite test-postgres check lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/veza migrate --noinput
	$(BIN)/veza demo
	@echo "Veza is starting on http://127.0.0.1:8000 — log in as rs.frontline / veza-demo-2026,"
	@echo "and get the login code in another terminal with: $(BIN)/veza otp-code rs.frontline"
	$(BIN)/veza serve 127.0.0.1:8000

serve: install
	$(BIN)/veza serve 127.0.0.1:8000

# Three instances (RS :8101, MK :8102, hub :8103) in a temporary directory: a referral between
# participants, a delivery after a restart, a release pushed to the hub (docs/federation.md).
federation-demo: install
	$(BIN)/python scripts/federation_demo.py

test: test-sqlite test-postgres

test-sqlite: install
	VEZA_DATA_DIR=$(CURDIR)/var/test-sqlite DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install
	VEZA_DATA_DIR=$(CURDIR)/var/test-postgres $(BIN)/python tests/pgcluster.py -- $(BIN)/pytest $(PYTEST_ARGS)

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	VEZA_DATA_DIR=$(CURDIR)/var/check $(BIN)/veza check
	VEZA_DATA_DIR=$(CURDIR)/var/check $(BIN)/veza makemigrations --check --dry-run

lint: check

clean:
	rm -rf var/test-sqlite var/test-postgres var/check .pytest_cache
