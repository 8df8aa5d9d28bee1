# The same commands locally and in CI. `make run` sets everything up on a
# fresh machine; `make test` runs the whole suite.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export UTVAG_DATA_DIR ?= $(CURDIR)/var

.PHONY: install lock run test lint bench loadtest translations clean-data audit-deps mutate

# Every package in .venv comes from requirements.lock, pinned with its hashes
# (pip itself and the build backend too), into a cleared .venv so nothing
# else lingers; then the project itself, without dependencies; then
# `pip check` fails if the lock no longer fits pyproject.toml (run `make
# lock`). Wheels only: an sdist would be built with build tools that pip
# does not hash-check.
LOCK := requirements.lock
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv --clear $(VENV)
	$(PIP) install --require-hashes --only-binary :all: -r $(LOCK)
	$(PIP) install --no-deps --no-build-isolation -e .
	$(PIP) check
	touch $(STAMP)

install: $(STAMP)

# The lock, from pyproject.toml's pins (runtime and dev) and requirements-tools.in
# (pip, the build backend), for Python 3.11 on Linux x86_64 whatever this
# machine is, with the hashes of every file of every pinned version. It uses
# the uv of an installed .venv, not a fresh install: after a pin changed in
# pyproject.toml, `make install` fails its `pip check` until this has run.
lock:
	@test -x $(BIN)/uv || { echo "make lock needs $(BIN)/uv: run make install first" >&2; exit 1; }
	$(BIN)/uv pip compile --quiet pyproject.toml requirements-tools.in --extra dev \
	  --generate-hashes --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	  --custom-compile-command 'make lock' --output-file $(LOCK).new
	@# Rewritten only when it changed: a newer lock makes `make install` run again.
	@if cmp -s $(LOCK).new $(LOCK); then rm $(LOCK).new; else mv $(LOCK).new $(LOCK); fi

# The public site on PORT, the console on PORT+1: `make run PORT=9000`.
PORT ?= 8000

run: $(STAMP)
	$(BIN)/utvag init
	@echo
	@echo "Utväg is starting on the embedded default (SQLite + Redis under $(UTVAG_DATA_DIR))."
	@echo "  public site:   http://127.0.0.1:$(PORT)/"
	@echo "  staff console: http://127.0.0.1:$$(($(PORT) + 1))/login"
	@echo
	@echo "First time? In another terminal, create the team and its first admin"
	@echo "(you are asked for the password, 12 characters or more; it prints the TOTP URI"
	@echo "and the recovery code once; add --password-stdin to pipe the password in):"
	@echo "  $(BIN)/utvag team create vagvalet --name 'Vägvalet' --admin YOUR-NAME"
	@echo
	UTVAG_PUBLIC_URL=$${UTVAG_PUBLIC_URL:-http://127.0.0.1:$(PORT)} $(BIN)/utvag serve all --port $(PORT)

# Two processes (pytest-xdist), a test file's tests kept together in one:
# each process has its own PostgreSQL database and Redis database number.
TEST_PROCESSES ?= 2

test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/bandit -q -c pyproject.toml -r crypto utvag intake_web triage web_common worker.py
	$(BIN)/mypy crypto utvag intake_web triage web_common worker.py bench
	$(BIN)/lint-imports

# A release step, run where the vulnerability database (PyPI's, OSV) can be
# reached: these build machines cannot reach it.
audit-deps: $(STAMP)
	$(BIN)/pip-audit --strict --skip-editable --progress-spinner off

# Mutation testing of the code that keeps the promises (see [tool.mutmut] in
# pyproject.toml and the score in the README). SQLite only; takes long.
mutate: $(STAMP)
	rm -rf mutants
	UTVAG_TEST_DATABASE_URL= $(BIN)/mutmut run; $(BIN)/mutmut results

# 200 people submitting at once for 60 s against gunicorn + PostgreSQL, then
# every receipt checked against the database. Bounded; not in make test.
loadtest: $(STAMP)
	$(BIN)/python -m bench.loadtest

bench: $(STAMP)
	$(BIN)/python -m bench

# Re-extract the strings, merge them into every catalogue, compile.
translations: $(STAMP)
	for app in intake_web triage; do \
	  $(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	    --omit-header -o $$app/translations/messages.pot $$app && \
	  $(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete -w 100 \
	    -i $$app/translations/messages.pot -d $$app/translations && \
	  $(BIN)/pybabel -q compile -d $$app/translations || exit 1; \
	done

clean-data:
	rm -rf "$(UTVAG_DATA_DIR)"
