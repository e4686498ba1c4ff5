# Two commands on a fresh machine (Python 3.11+ and Node.js/npm):
#   make run    set everything up and serve on http://$(HOST):$(PORT)
#   make test   run the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
LOCK ?= requirements-dev.lock
# e.g. make bench BENCH_ARGS="--quick" or BENCH_ARGS="--soak 600 --participants 10000 --ramp 300"
BENCH_ARGS ?=

.PHONY: run serve setup install test lint format lock messages bench clean

run: setup
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@# uvicorn, not daphne: daphne reads a whole request body in its event loop (an 80 MB POST stalled
	@# every other request for ~9.7 s; uvicorn 0.1-0.2 s: docs/deployment.md). It serves the
	@# WebSockets too. --no-proxy-headers: the client address is settled by TRUSTED_PROXIES alone.
	$(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --lifespan off --ws websockets-sansio --no-proxy-headers

# Everything but serving: packages, translations, database, static files.
setup: install
	$(BIN)/python manage.py compile_translations
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0

install: $(VENV)/.installed node_modules/.installed

# requirements-dev.lock (runtime + test and bench tools) by default; a production server installs
# the runtime set alone: `make setup LOCK=requirements.lock`. Both locks carry hashes.
$(VENV)/.installed: $(LOCK) pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes -r $(LOCK)
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: install
	$(BIN)/python manage.py compile_translations -v0
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Style, formatting, the one-way layers between apps, and models without a migration.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

# Regenerate both lock files (with hashes, without this machine's package sources) after
# changing pyproject.toml.
LOCK_FLAGS := -q --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links --strip-extras
lock:
	$(BIN)/pip-compile $(LOCK_FLAGS) -o requirements.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra dev -o requirements-dev.lock pyproject.toml

# Refresh the .po catalogues from the code (needs GNU gettext's xgettext; running does not).
messages:
	for app in accounts core quiz leaderboard campaign web; do (cd $$app && ../$(BIN)/python ../manage.py makemessages -l zh_Hans --no-obsolete); done

bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3
