# Two commands for a fresh machine: `make run` (install, set up, start) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install system lint translations translations-compile

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed: install it (for example: apt-get install python3 python3-venv)."; exit 1; }
	$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment: install python3-venv (apt-get install python3-venv)."; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed system

system:
	@bash scripts/system-packages.sh

run: install  # DEMO=1: also fill an empty database with a synthetic world (a refusal is no failure)
	$(BIN)/casework setup
	@if [ "$(DEMO)" = 1 ]; then $(BIN)/casework demo || [ $$? -eq 2 ]; fi
	$(BIN)/casework run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy matching exchange

translations: install  # re-extract the interface strings and merge them into es/fr .po files
	bash scripts/translations.sh extract

translations-compile: install  # build the .mo files after translating
	bash scripts/translations.sh compile
