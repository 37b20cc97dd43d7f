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

# The timed comparisons: every script in benchmarks/speed/, one after the other (about an hour:
# bench_scale and bench_audit take most of it). None is excluded: none needs a venv of its own
# (hyppo and dcor, bench_mmd's peers, come with the dev extra). Not run here: benchmarks/studies/
# (statistical and GAN studies, hours), where bench_audit_agreement installs its peers into
# benchmarks/.peers, bench_sequential --part alibi builds benchmarks/.alibi-venv and
# bench_agginc_paper needs a checkout of the paper's repository. See benchmarks/README.md.
bench: $(STAMP)
	set -e; for script in benchmarks/speed/bench_*.py; do echo "== $$script"; $(PY) $$script; done

docs: $(STAMP)
	$(VENV)/bin/sphinx-build -W --keep-going -b html docs build/docs

clean:
	rm -rf $(VENV) build .pytest_cache
