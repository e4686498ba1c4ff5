# Two commands on a fresh machine (Python 3.11+ and Node.js/npm):
#   make run    set everything up and serve on http://$(HOST):$(PORT)
#   make test   run the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# e.g. make bench BENCH_ARGS="--quick" or BENCH_ARGS="--soak 600 --participants 10000 --ramp 300"
BENCH_ARGS ?=

.PHONY: run serve setup install test lint format lock messages bench clean

run: setup
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	$(BIN)/daphne -b $(HOST) -p $(PORT) config.asgi:application

# Everything but serving: packages, translations, database, static files.
setup: install
	$(BIN)/python manage.py compile_translations
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: install
	$(BIN)/python manage.py compile_translations -v0
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

# Regenerate the lock file after changing pyproject.toml.
lock:
	$(BIN)/pip-compile -q --extra dev --strip-extras -o requirements.lock pyproject.toml

# Refresh the .po catalogues from the code (needs GNU gettext's xgettext; running does not).
messages:
	for app in accounts core quiz leaderboard campaign web; do (cd $$app && ../$(BIN)/python ../manage.py makemessages -l zh_Hans --no-obsolete); done

bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3
