# Redress: the two commands are `make demo` and `make test`. Everything else is set up by them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMPS := var/.stamps
export REDRESS_DEMO_HOST ?= 127.0.0.1
export REDRESS_DEMO_PORT ?= 8000

.PHONY: demo test bench lint fuzz crash-test verifier setup system-packages assets messages static database clean help

help:
	@echo "make demo   set everything up, load fictional demo data, serve on http://$(REDRESS_DEMO_HOST):$(REDRESS_DEMO_PORT)"
	@echo "make test   set everything up and run the tests (SQLite, or DATABASE_URL)"
	@echo "make bench  run every benchmark in bench/ and print a table"
	@echo "make fuzz   a long schemathesis run against the API (a short one is in make test)"
	@echo "make crash-test  kill servers and the database under load; check nothing acknowledged is lost"
	@echo "make lint   ruff, mypy, import contracts, bandit (high severity fails), migration check"
	@echo "make verifier  copy the standalone proof verifier to build/verifier/tlog.py (docs/your-proof.md)"

$(STAMPS):
	@mkdir -p $(STAMPS)

# System packages a fresh Debian machine lacks: gettext for translations, the libraries
# WeasyPrint needs, poppler for PDF checks, Chromium for browser tests, and LibreOffice's
# Writer (without its recommended extras) to show Word evidence to staff as pages. Needs root;
# skipped with a note when they are already there or cannot be installed.
system-packages: | $(STAMPS)
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	ldconfig -p 2>/dev/null | grep -q libsodium.so.23 || missing="$$missing libsodium23"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "Could not install$$missing; the tests that need them will say so."; \
	  else echo "Missing system packages:$$missing (run as root, or install them)"; fi; \
	fi
	@if ! command -v soffice >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages: libreoffice-writer-nogui"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends libreoffice-writer-nogui >/dev/null) \
	      || echo "Could not install libreoffice-writer-nogui; the tests that need it will say so."; \
	  else echo "Missing system packages: libreoffice-writer-nogui (run as root, or install it)"; fi; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMPS)/python: pyproject.toml $(BIN)/python | $(STAMPS)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

$(STAMPS)/npm: package.json package-lock.json | $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: $(STAMPS)/npm
	npm run --silent build

messages: $(STAMPS)/python system-packages
	cd src/redress && ../../$(BIN)/redress compilemessages --ignore=.venv -v 0

static: assets $(STAMPS)/python
	$(BIN)/redress collectstatic --noinput -v 0

database: $(STAMPS)/python
	$(BIN)/redress migrate --noinput -v 0

setup: system-packages $(STAMPS)/python assets messages static database

demo: setup
	REDRESS_INSECURE_HTTP=1 REDRESS_DEMO_MODE=1 $(BIN)/redress demo
	REDRESS_INSECURE_HTTP=1 REDRESS_DEMO_MODE=1 $(BIN)/redress serve --host $(REDRESS_DEMO_HOST) --port $(REDRESS_DEMO_PORT)

# Tests keep their own data folder (database file, keys, uploads), apart from the demo's.
test: setup
	REDRESS_DATA_DIR=$(CURDIR)/var/test $(BIN)/pytest

bench: setup
	$(BIN)/python bench/run.py

# A longer schemathesis run against every API operation, as every kind of caller.
fuzz: setup
	REDRESS_DATA_DIR=$(CURDIR)/var/test REDRESS_FUZZ_EXAMPLES=200 $(BIN)/pytest tests/fuzz -q

# Kill the web server, the worker and PostgreSQL at random while reports arrive; then check every
# receipt code given out opens a complete case and the ledger verifies (and the same on SQLite).
CRASH_ARGS ?= --kills 30
crash-test: setup
	$(BIN)/python tools/crash_test.py $(CRASH_ARGS)

# The standalone verifier of complainants' acknowledgements: src/redress/ledger/tlog.py, one file
# needing only Python and PyNaCl, to hand to anyone who checks a proof (docs/your-proof.md).
# `redress acknowledgement verifier` prints the same file.
verifier:
	@mkdir -p build/verifier
	cp src/redress/ledger/tlog.py build/verifier/tlog.py
	@echo "Hand on build/verifier/tlog.py; run: python3 tlog.py verify ACKNOWLEDGEMENT.json --vkey LOG_VKEY"

lint: $(STAMPS)/python
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src
	$(BIN)/lint-imports
	$(BIN)/bandit -q -r src -lll
	$(BIN)/redress makemigrations --check --dry-run -v 1

clean:
	rm -rf $(VENV) node_modules build var/.stamps
