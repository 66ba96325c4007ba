# Entry points for users and CI. Every target works on a fresh clone:
# `make extract` creates .venv on first use and never reinstalls when it is up to date.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CORPUS ?= corpus
OUT ?= output
CORPORA ?= ../shared/corpora
JOBS ?=

.PHONY: setup extract test test-all lint train evaluate bench lexicons clean

setup: $(STAMP)

# Reinstall only when the dependency pins change.
$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11'" >&2; exit 2; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

extract: $(STAMP)
	$(PY) -m pipeline extract $(CORPUS) --out $(OUT)

test: $(STAMP)
	$(PY) -m pytest -m "not slow" -q

test-all: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check pipeline tests scripts

lexicons: $(STAMP)
	$(PY) scripts/build_lexicons.py

clean:
	rm -rf build .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +
