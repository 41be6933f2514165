# The two newcomer commands:
#   make run    serve the app on http://127.0.0.1:8000 (embedded SQLite, bundled registry)
#   make test   lint, format check, type check and the whole test suite, browser tests included
#
# Both work in a virtualenv (.venv, or VENV=/some/path) that is created when missing and
# reinstalled only when pyproject.toml changes (a stamp file inside the venv records the install).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# --no-compile: byte-compiling every dependency up front costs ~10 s; imports compile lazily.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --no-compile --disable-pip-version-check

# The browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: run test lint typecheck pytest chromium clean

run: $(VENV)/.installed
	$(BIN)/verifier serve --host $(HOST) --port $(PORT)

test: chromium lint typecheck pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

# pytest exits 5 when it collected no test: that fails here like any other non-zero status.
pytest: $(VENV)/.installed-test chromium
	$(BIN)/pytest

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "chromium not found: installing Debian's package"; \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	}

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e '.[test]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
