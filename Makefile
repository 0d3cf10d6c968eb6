# Two entry points, both self-installing on a fresh machine (Python 3.11 + pip + make):
#   make ask   -> answers a sample question from the bundled corpus, no Telegram token needed
#   make test  -> lint (ruff, mypy), then the whole test suite (what CI runs)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
QUESTION ?= 两江新区和天府新区要共同建设什么？

.PHONY: install ask lint format test clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

ask: install
	$(PY) -m bot ask "$(QUESTION)"

lint: install
	$(PY) -m ruff check bot tests bench
	$(PY) -m ruff format --check bot tests bench
	$(PY) -m mypy

format: install
	$(PY) -m ruff check --fix bot tests bench
	$(PY) -m ruff format bot tests bench

test: lint
	$(PY) -m pytest

clean:
	rm -rf $(VENV) data .pytest_cache
