# hwm: `make run` serves the API with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: bootstrap install run serve demo migrate test test-fast lint format messages bench clean

# The Debian packages (PostgreSQL, Pango, HarfBuzz, the Chinese font, poppler, chromium):
# installed when missing and possible, else the one command to run is printed.
bootstrap:
	@scripts/bootstrap

$(BIN)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/hwm db upgrade

demo: migrate
	$(BIN)/hwm demo

run: bootstrap demo
	$(BIN)/hwm serve --host 127.0.0.1 --port 5000

serve: migrate
	$(BIN)/hwm serve

test: bootstrap install
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not slow" -x

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The web pages' texts: extract, merge into the Chinese catalogue (new entries need a
# translation), compile the .mo that the service reads (both are committed). No header and
# no dates, so merging two branches' catalogues only meets real differences; nothing is
# marked fuzzy (--no-fuzzy-matching), so compiling "fuzzy" only means the headerless file.
CATALOGUE := api/translations
messages: install
	mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k N_ --no-location --sort-output -o var/messages.pot .
	$(BIN)/pybabel update -i var/messages.pot -d $(CATALOGUE) -l zh_Hans_CN --no-fuzzy-matching --ignore-obsolete --omit-header
	$(BIN)/pybabel compile -d $(CATALOGUE) -l zh_Hans_CN --use-fuzzy

bench: install
	$(BIN)/python bench/gps.py
	$(BIN)/python bench/reconcile.py
	$(BIN)/python bench/api.py

clean:
	rm -rf $(VENV) var build *.egg-info .pytest_cache .ruff_cache
