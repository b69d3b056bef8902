# Planbeteiligung: `make run` (demo site on http://127.0.0.1:8000/) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
APT_PACKAGES := gdal-bin proj-data libsqlite3-mod-spatialite python3-venv python3-dev gettext chromium fonts-dejavu-core poppler-utils xmlsec1
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n 2

.PHONY: help run test system-deps venv node messages migrate demo lint bench lock clean

help:
	@echo "make run    install everything, migrate, load demo data, serve http://$(HOST):$(PORT)/"
	@echo "make test   run the whole test suite (DATABASE_URL=postgis://... for PostGIS)"
	@echo "make bench  run the benchmarks in bench/ (BENCH=bench_public for one, BENCH=fault_test for the load and fault test; see docs/performance.md)"
	@echo "make lint   ruff, import-linter contracts, mypy"
	@echo "make lock   regenerate requirements/runtime.txt and dev.txt (hashes) from pyproject.toml"

# Debian packages: GDAL/GEOS/PROJ for GeoDjango, SpatiaLite, Chromium for browser tests.
system-deps:
	@missing=""; \
	command -v ogrinfo >/dev/null || missing="yes"; \
	ls /usr/lib/*/mod_spatialite.so >/dev/null 2>&1 || missing="yes"; \
	command -v chromium >/dev/null || missing="yes"; \
	command -v msgfmt >/dev/null || missing="yes"; \
	command -v xmlsec1 >/dev/null || missing="yes"; \
	/usr/bin/python3.11 -c "import venv, ensurepip" >/dev/null 2>&1 || missing="yes"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else \
	    echo "Missing system packages. Please install: $(APT_PACKAGES)"; exit 1; fi; \
	  echo "Installing Debian packages: $(APT_PACKAGES)"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi

# A Python 3.11 whose sqlite3 can load extensions (SpatiaLite). Debian's /usr/bin/python3.11 can;
# pyenv builds often cannot. Development installs requirements/dev.txt (runtime + tools, every file
# checked against its hash); production installs requirements/runtime.txt only.
$(VENV)/.installed: requirements/runtime.txt requirements/dev.txt pyproject.toml
	@interp=""; \
	for candidate in $${PYTHON:-} /usr/bin/python3.11 python3.11 python3; do \
	  [ -n "$$candidate" ] || continue; \
	  if $$candidate -c "import sys, sqlite3; assert sys.version_info[:2] == (3, 11); sqlite3.connect(':memory:').enable_load_extension" >/dev/null 2>&1; then \
	    interp=$$candidate; break; fi; \
	done; \
	if [ -z "$$interp" ]; then \
	  echo "No Python 3.11 with SQLite extension loading found (needed for SpatiaLite)."; \
	  echo "Install Debian's python3.11 and python3-venv, or set PYTHON=/path/to/python3.11."; exit 1; fi; \
	echo "Using $$interp"; \
	[ -x $(PY) ] || $$interp -m venv $(VENV); \
	$(PIP) install -q --upgrade pip && \
	$(PIP) install -q -r requirements/dev.txt && \
	touch $@

venv: system-deps $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

node: node_modules/.installed

messages: venv
	@$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

migrate: venv messages
	$(PY) manage.py migrate --noinput -v 0

demo: migrate
	$(PY) manage.py load_demo

run: system-deps venv node messages migrate demo
	$(PY) -m config.devserver $(HOST):$(PORT)

test: system-deps venv node messages
	$(PY) manage.py makemigrations --check --dry-run -v 0
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# ruff (style and errors), import-linter (app boundaries, pyproject.toml) and mypy with django-stubs.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: system-deps venv node messages
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) -m bench.run_all $(BENCH)

# Locks with hashes, made by pip-compile in a throw-away venv; keeps the current versions (LOCK_ARGS=--upgrade moves on).
# Resolved with Debian 12's Python 3.11.2: markers such as python_full_version < "3.11.3" (redis needs
# async-timeout there) must be decided for the oldest interpreter we support.
LOCK_PYTHON ?= /usr/bin/python3.11
lock:
	@tmp=$$(mktemp -d) && $(LOCK_PYTHON) -m venv $$tmp/venv && $$tmp/venv/bin/pip install -q pip-tools && \
	$$tmp/venv/bin/python requirements/lock.py $(LOCK_ARGS); status=$$?; rm -rf $$tmp; exit $$status

clean:
	rm -rf $(VENV) node_modules db.sqlite3 test_db.sqlite3* staticfiles
