# The two newcomer commands:
#   make run    serve the app on http://127.0.0.1:8000 (embedded SQLite, bundled registry)
#   make test   lint, format check, type check and the whole test suite, browser tests included,
#               once on SQLite and once on PostgreSQL
#
# Both work in a virtualenv (.venv, or VENV=/some/path) that is created when missing and
# reinstalled only when pyproject.toml changes (a stamp file inside the venv records the install).

PYTHON ?= python3
# Modules are byte-compiled and cached as Python does by default, even where the environment
# says not to (PYTHONDONTWRITEBYTECODE): the suite starts servers and commands in fresh
# interpreters, each of which would compile Flask, SQLAlchemy and phonenumbers from source again
# (about a second more per start), and pytest would rewrite every test module on every run.
unexport PYTHONDONTWRITEBYTECODE
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# --no-compile: byte-compiling every dependency up front costs ~10 s; imports compile lazily.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --no-compile --disable-pip-version-check

# The browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

# The PostgreSQL run uses a cluster of its own made from Debian's postgresql (`make postgres`):
# on 127.0.0.1 only, without fsync, since test databases need not survive a power cut (every test
# creates and drops one), and without autovacuum, whose workers would hold up those drops.
# A developer's own cluster is never touched.
PG_CLUSTER := verifier-test
PG_PORT ?= 5433
VERIFIER_TEST_POSTGRES_URL ?= postgresql+psycopg://verifier:verifier@127.0.0.1:$(PG_PORT)/verifier
export VERIFIER_TEST_POSTGRES_URL

.PHONY: run test lint typecheck pytest pytest-postgresql chromium postgres clean

run: $(VENV)/.installed
	$(BIN)/verifier serve --host $(HOST) --port $(PORT)

test: chromium lint typecheck pytest pytest-postgresql

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

# pytest exits 5 when it collected no test: that fails here like any other non-zero status.
pytest: $(VENV)/.installed-test chromium
	$(BIN)/pytest

# The same suite with every database on PostgreSQL (tests/databases.py).
pytest-postgresql: $(VENV)/.installed-test chromium postgres
	VERIFIER_TEST_DATABASE=postgresql $(BIN)/pytest

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "chromium not found: installing Debian's package"; \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	}

# Installs Debian's postgresql when missing, creates the cluster once, starts it, and creates the
# role and database of VERIFIER_TEST_POSTGRES_URL's default (the role may create databases).
postgres:
	@command -v pg_createcluster >/dev/null 2>&1 || { \
	  echo "postgresql not found: installing Debian's package"; \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; \
	}
	@set -e; \
	version=$$(pg_lsclusters -h | awk '$$2 == "$(PG_CLUSTER)" { print $$1 }'); \
	if [ -z "$$version" ]; then \
	  version=$$(ls /usr/lib/postgresql | sort -V | tail -n 1); \
	  echo "creating the PostgreSQL $$version cluster $(PG_CLUSTER) on 127.0.0.1:$(PG_PORT)"; \
	  $(SUDO) pg_createcluster $$version $(PG_CLUSTER) --port $(PG_PORT) --start-conf manual \
	    -o fsync=off -o synchronous_commit=off -o full_page_writes=off -o autovacuum=off \
	    >/dev/null; \
	  echo "listen_addresses = '127.0.0.1'" | \
	    $(SUDO) tee /etc/postgresql/$$version/$(PG_CLUSTER)/conf.d/listen.conf >/dev/null; \
	fi; \
	pg_lsclusters -h | awk '$$2 == "$(PG_CLUSTER)" { print $$4 }' | grep -qx online || \
	  $(SUDO) pg_ctlcluster $$version $(PG_CLUSTER) start; \
	psql="$(SUDO) runuser -u postgres -- psql -p $(PG_PORT) -X -q -v ON_ERROR_STOP=1"; \
	$$psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'verifier'" | grep -q 1 || \
	  $$psql -c "CREATE ROLE verifier LOGIN CREATEDB PASSWORD 'verifier'"; \
	$$psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'verifier'" | grep -q 1 || \
	  $$psql -c "CREATE DATABASE verifier OWNER verifier"

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
