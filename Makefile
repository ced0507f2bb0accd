# The two commands: `make run` (embedded demo on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint format messages bench bench-compliance bench-dashboard bench-import bench-duty-import bench-load browser screenshots
CHROMIUM := /usr/bin/chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install browser lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

# Debian's chromium for the Playwright tests (Playwright's own browser download is not used).
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; \
	  else \
	    echo "chromium is missing: run 'sudo apt-get install chromium fonts-noto-cjk' for the browser tests"; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Needs GNU gettext (apt-get install gettext); the compiled .mo files are committed.
messages: install
	$(BIN)/python manage.py makemessages --locale en --ignore '.venv/*'
	$(BIN)/python manage.py compilemessages --locale en --ignore '.venv/*'

# Province-scale benchmarks on PostgreSQL; writes docs/performance.md.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/accountability_bench
bench: install
	psql "$(BENCH_DATABASE_URL:/accountability_bench=/postgres)" -q -c "DROP DATABASE IF EXISTS accountability_bench" -c "CREATE DATABASE accountability_bench"
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/run.py

# The compliance engine at province scale (SCALE=1.0 by default): one JSON line. The region is generated
# into accountability_bench_region on first use and reused afterwards (see docs/performance.md).
SCALE ?= 1.0
REGION_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/accountability_bench_region
bench-compliance: install
	psql "$(REGION_DATABASE_URL:/accountability_bench_region=/postgres)" -q -tc "SELECT 1 FROM pg_database WHERE datname = 'accountability_bench_region'" | grep -q 1 \
	  || psql "$(REGION_DATABASE_URL:/accountability_bench_region=/postgres)" -q -c "CREATE DATABASE accountability_bench_region"
	DATABASE_URL=$(REGION_DATABASE_URL) $(BIN)/python bench/compliance.py --scale $(SCALE) --reuse

# The province dashboard under gunicorn with 20 locust users, on the region of bench-compliance (generate it
# first): compliance and escalation runs if missing, refresh_dashboards, then one JSON line (docs/performance.md).
bench-dashboard: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	DATABASE_URL=$(REGION_DATABASE_URL) $(BIN)/python bench/dashboard_load.py

# Roster import at scale: a 100,000-row households sheet previewed, imported, imported again, and the library's
# default row-by-row path on a sample (one JSON line; docs/performance.md). The database is re-created.
IMPORT_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/accountability_bench_import
bench-import: install
	psql "$(IMPORT_DATABASE_URL:/accountability_bench_import=/postgres)" -q -c "DROP DATABASE IF EXISTS accountability_bench_import" -c "CREATE DATABASE accountability_bench_import"
	DATABASE_URL=$(IMPORT_DATABASE_URL) $(BIN)/python bench/import.py

# Duty-day import at its limit: a 20,000-row attendance workbook of one team parsed, imported, imported again and
# imported with every kind changed (one JSON line; docs/performance.md). The database is re-created.
DUTY_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/accountability_bench_duty
bench-duty-import: install
	psql "$(DUTY_DATABASE_URL:/accountability_bench_duty=/postgres)" -q -c "DROP DATABASE IF EXISTS accountability_bench_duty" -c "CREATE DATABASE accountability_bench_duty"
	DATABASE_URL=$(DUTY_DATABASE_URL) $(BIN)/python bench/duty_import.py

# Load: 50 staff logging visits and duty days for 60 s against gunicorn + PostgreSQL (one JSON line;
# docs/performance.md). The database is re-created with a scale-0.1 region of this year.
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/accountability_bench_load
bench-load: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	psql "$(LOAD_DATABASE_URL:/accountability_bench_load=/postgres)" -q -c "DROP DATABASE IF EXISTS accountability_bench_load" -c "CREATE DATABASE accountability_bench_load"
	DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python bench/load.py

# Screenshots of the main pages from the demo, in Debian's chromium, into docs/screenshots/.
screenshots: install browser
	$(BIN)/python scripts/screenshots.py
