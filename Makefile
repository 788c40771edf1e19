# Two commands: `make run` (set up and serve with demo content on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
TEST_WORKERS ?= auto
VENDOR := static/vendor/bootstrap-italia
PO_FILES := $(wildcard civic/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run setup test test-fast db serve translations-update lint lint-imports clean

## make run: install everything, migrate, load reference data and demo content, serve on http://127.0.0.1:5000
run: setup db
	@echo "Serving on http://$(HOST):$(PORT) (demo accounts in README.md). Stop with Ctrl+C."
	$(FLASK) run --host $(HOST) --port $(PORT)

setup: $(VENV)/.runtime-installed $(VENDOR)/.installed $(MO_FILES)

db: setup
	$(FLASK) db upgrade
	$(FLASK) territories load
	$(FLASK) demo load --if-empty

## make test: install the test tools and run the whole suite on every core (PostgreSQL too when
## CIVIC_TEST_POSTGRES_URL is set); prints the 15 slowest tests
test: setup $(VENV)/.dev-installed
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --durations=15 $(PYTEST_ARGS)

## production-like server: gunicorn with several workers
serve: setup db
	$(BIN)/gunicorn --workers $${WORKERS:-4} --timeout 120 --bind $(HOST):$(PORT) --access-logfile - wsgi:app

$(VENV)/.created:
	@sh scripts/check-tools.sh python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.runtime-installed: requirements.txt $(VENV)/.created
	$(BIN)/pip install --quiet -r requirements.txt || { echo "ERROR: installing the Python packages failed (see above). Check the network access to PyPI; a C compiler is not needed."; exit 1; }
	@touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements.txt $(VENV)/.created
	$(BIN)/pip install --quiet -r requirements-dev.txt || { echo "ERROR: installing the test packages failed (see above)."; exit 1; }
	@touch $@

node_modules/.installed: package.json package-lock.json
	@sh scripts/check-tools.sh npm
	npm ci --no-audit --no-fund --loglevel=error || { echo "ERROR: npm could not install Bootstrap Italia (see above). Check the network access to the npm registry."; exit 1; }
	@touch $@

$(VENDOR)/.installed: node_modules/.installed
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/css
	cp node_modules/bootstrap-italia/dist/css/bootstrap-italia.min.css $(VENDOR)/css/
	cp -r node_modules/bootstrap-italia/dist/js node_modules/bootstrap-italia/dist/svg node_modules/bootstrap-italia/dist/fonts $(VENDOR)/
	@touch $@

%.mo: %.po $(VENV)/.runtime-installed
	$(BIN)/pybabel compile --use-fuzzy -d civic/translations 2>&1 | grep -v '^compiling' || true
	@test -f $@ || { echo "ERROR: compiling the translations failed."; exit 1; }

## after changing user-facing text: refresh the catalogue, then translate the new entries
translations-update: $(VENV)/.runtime-installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o civic/translations/messages.pot .
	$(BIN)/pybabel update -i civic/translations/messages.pot -d civic/translations --no-fuzzy-matching

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check civic tests wsgi.py
	$(MAKE) lint-imports

## the layers of civic/ (.importlinter, docs/ARCHITECTURE.md): no package imports one above it
lint-imports: $(VENV)/.dev-installed
	PYTHONPATH=. $(BIN)/lint-imports --config .importlinter --no-cache

clean:
	rm -rf $(VENV) node_modules static/vendor
