# Two entry points, both self-installing on a fresh machine (Python 3.11 + pip + make):
#   make ask   -> answers a sample question from the bundled corpus, no Telegram token needed
#   make test  -> runs the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
QUESTION ?= 两江新区和天府新区要共同建设什么？

.PHONY: install ask test bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

ask: install
	$(PY) -m bot ask "$(QUESTION)"

test: install
	$(PY) -m pytest

clean:
	rm -rf $(VENV) data .pytest_cache
