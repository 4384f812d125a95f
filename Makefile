# CSU: `make run` starts the app with demo data; `make test` runs the whole suite.
# Both install everything first (a virtualenv in .venv from requirements.lock).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: install pdf-libs run stop test lint check browser bench

install: $(VENV)/.installed pdf-libs

# Briefs are rendered to PDF by WeasyPrint, which needs Pango from the system (Debian's
# packages, like Chromium below).
pdf-libs:
	@if ! ldconfig -p | grep -q libpangoft2-1.0.so.0 || [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; \
	  else echo "Install Pango: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core" >&2; exit 1; fi; fi

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

run: install
	CSU_DEMO=true CSU_MFA_REQUIRED=$${CSU_MFA_REQUIRED:-false} $(PY) manage.py runstack

stop: install
	$(PY) manage.py stopservices

# Chromium for the browser tests comes from Debian's package (never a downloaded build).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  else echo "Install Chromium: sudo apt-get install chromium" >&2; exit 1; fi; fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy csu intel alerts partnerships dashboards
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check --fail-level WARNING

test: install browser lint
	$(PY) -m pytest

bench: install
	$(PY) bench/run.py
