# Two entry points (see README): `make run` and `make test`. Everything else is a step they share.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app
PG_DEFAULT_URL := postgresql://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadfile

.PHONY: run test setup system-packages venv frontend translations db seed test-sqlite test-postgres test-browser lint chromium clean document-previews

# The development server and the timer worker together; Ctrl-C stops both (tools/run_dev.py).
run: setup db seed
	@$(BIN)/flask demo accounts
	$(BIN)/python tools/run_dev.py --host 127.0.0.1 --port 5000

# The three pytest runs go side by side (make -j3), each spread over PYTEST_WORKERS pytest-xdist workers (whole files
# per worker, so a module's expensive fixtures are built once); every run and every worker has its own database and
# instance folder (tests/conftest.py). --output-sync prints each run's output in one piece when that run ends, so
# every run closes with its own pytest summary; a failure in any of them fails `make test`.
test: setup chromium lint
	@echo "== pytest on SQLite, on PostgreSQL and in Chromium, side by side; each run's output follows when it ends"
	@$(MAKE) --no-print-directory -j3 --output-sync=target test-sqlite test-postgres test-browser

setup: system-packages venv frontend translations

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[dev]'

frontend:
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf app/static/vendor && mkdir -p app/static/vendor/bootstrap app/static/vendor/bootstrap-icons
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js app/static/vendor/bootstrap/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts app/static/vendor/bootstrap-icons/
	@# Our own scripts: every app/static/js/NAME.entry.js is bundled (with what it imports from node_modules,
	@# CSS included) into app/static/vendor/build/NAME.js (+ NAME.css). Built output is never committed.
	mkdir -p app/static/vendor/build
	@entries=$$(ls app/static/js/*.entry.js 2>/dev/null); \
	if [ -n "$$entries" ]; then \
	  npx esbuild $$entries --bundle --minify --format=iife --target=es2020 --outdir=app/static/vendor/build \
	    --entry-names=[name] --loader:.woff=file --loader:.woff2=file --loader:.ttf=file --loader:.eot=file --loader:.svg=file \
	    --log-level=warning && \
	  for f in app/static/vendor/build/*.entry.*; do mv "$$f" "$${f/.entry/}"; done; \
	fi

translations:
	$(BIN)/pybabel compile -d app/translations --statistics 2>&1 | tail -1

db:
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask process load

seed:
	$(BIN)/flask demo seed

# One PNG per document type (first page, 72 dpi, grey) in docs/documents/, from the rendering test's PDFs.
document-previews: system-packages
	DOCUMENT_PREVIEWS=docs/documents $(BIN)/pytest -q -p no:cacheprovider tests/documents/test_rendered.py

lint:
	$(BIN)/lint-imports
	$(BIN)/ruff check app tests tools gunicorn.conf.py $(wildcard benchmarks/*.py)

# Debian packages: Chromium for the browser tests (never a downloaded browser), CJK fonts, LibreOffice to render
# documents and case files to PDF, poppler-utils to turn PDF pages into PNG.
DEBIAN_PACKAGES := chromium fonts-noto-cjk libreoffice-writer-nogui poppler-utils
system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "apt-get install $$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

chromium: system-packages

test-sqlite:
	@echo "== SQLite run"
	$(PYTEST) -m "not browser"

# PostgreSQL: TEST_DATABASE_URL, else the server on 127.0.0.1:5432 when it answers. In CI it must answer.
test-postgres:
	@url="$${TEST_DATABASE_URL:-}"; \
	if [ -z "$$url" ]; then \
	  if $(BIN)/python -c 'import psycopg,sys; psycopg.connect("$(PG_DEFAULT_URL)", connect_timeout=3).close()' 2>/dev/null; then url="$(PG_DEFAULT_URL)"; \
	  elif [ -n "$${CI:-}" ]; then echo "CI: PostgreSQL on 127.0.0.1:5432 does not answer; the PostgreSQL run is required" >&2; exit 1; \
	  else echo "PostgreSQL not reachable: skipping the PostgreSQL run (set TEST_DATABASE_URL)"; exit 0; fi; \
	fi; \
	echo "== PostgreSQL run on $$url"; \
	TEST_DATABASE_URL="$$url" $(PYTEST) -m "not browser"

test-browser:
	@echo "== Browser run (Chromium)"
	$(PYTEST) -m browser

clean:
	rm -rf $(VENV) node_modules app/static/vendor instance

# After changing UI text: refresh the template and the English catalog, then translate the new entries.
translations-update:
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ --no-location --sort-output -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --width 0
