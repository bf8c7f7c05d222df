# Two commands set everything up on a fresh Debian/Ubuntu machine:
#   make briefings   system packages (if missing), .venv, the package; then builds every brief
#   make test        the same, plus the clients the tests drive; then the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: briefings test setup setup-test check bench golden reference-docx clean

briefings: setup
	$(BIN)/briefing build --layout brief,leave-behind

test: setup-test
	$(BIN)/python -m pytest -n auto

check: setup
	$(BIN)/briefing check

bench: setup-test
	$(BIN)/python benchmarks/bench.py

setup:
	@scripts/setup-system.sh runtime
	@$(MAKE) --no-print-directory $(STAMP)

setup-test:
	@scripts/setup-system.sh runtime test
	@$(MAKE) --no-print-directory $(STAMP)

$(STAMP): pyproject.toml
	@echo "setting up $(VENV) (Python packages from pyproject.toml)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

golden: setup-test
	$(BIN)/python tests/test_golden.py --update

reference-docx: setup
	$(BIN)/python scripts/make_reference_docx.py

clean:
	rm -rf build .pytest_cache
