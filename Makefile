# The checks that live in the repo: `make check` runs them all (CI runs it before the tests).
PYTHON ?= .venv/bin/python
BIN := $(dir $(PYTHON))

.PHONY: check lint format-check types imports format test

check: lint format-check types imports

lint:
	$(BIN)ruff check .

format-check:
	$(BIN)ruff format --check .

types:
	$(BIN)mypy

# The host's contracts and every plugin registered in pyproject.toml (tools/lint_imports.py).
imports:
	$(PYTHON) tools/lint_imports.py

format:
	$(BIN)ruff format .
	$(BIN)ruff check --fix .

test:
	$(PYTHON) -m pytest -n 2
