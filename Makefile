# The two commands a new user types: `make demo` and `make test`.
# Both create .venv when it is missing and install the project into it, pinned by
# .ci/constraints.txt (torch: the local CPU wheel).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test test-slow lint format bench docs clean

$(STAMP): pyproject.toml .ci/constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c .ci/constraints.txt -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m gan.app.demo

test: $(STAMP)
	$(VENV)/bin/ruff check twosample gan tests benchmarks
	$(VENV)/bin/ruff format --check twosample gan tests benchmarks
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check twosample gan tests benchmarks
	$(VENV)/bin/ruff format --check twosample gan tests benchmarks

format: $(STAMP)
	$(VENV)/bin/ruff format twosample gan tests benchmarks
	$(VENV)/bin/ruff check --fix twosample gan tests benchmarks

test-slow: $(STAMP)
	$(PY) -m pytest -m slow

bench: $(STAMP)
	$(PY) benchmarks/bench_permutation.py

docs: $(STAMP)
	$(VENV)/bin/sphinx-build -W --keep-going -b html docs build/docs

clean:
	rm -rf $(VENV) build .pytest_cache
