# The two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# The CPU build of torch must be installed before anything that depends on it, or pip pulls CUDA wheels.
TORCH := torch==2.13.0

.PHONY: install dev run test test-fast lint bench eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed  ## the environment in .venv

dev: $(VENV)/.dev-installed  ## the environment plus test tools

run: install  ## build the index from knowledge_base/ and serve http://127.0.0.1:8000
	$(BIN)/mentor ingest
	$(BIN)/mentor serve

test: dev  ## lint, then every test (unit and integration)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

test-fast: dev  ## unit tests only
	$(BIN)/python -m pytest -m "not integration and not slow"

bench: install  ## speed figures, printed
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
