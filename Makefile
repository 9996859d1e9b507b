# The few commands a newcomer types. Everything runs inside .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# make run PORT=8001: the course server on another port (8000 taken, or a second server beside it).
PORT ?= 8000

.PHONY: install run test test-fast test-postgres lint bench bench-servers bench-scale

# Lesson 08's tests run a second time on this PostgreSQL (see lessons/08-database.md).
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
define POSTGRES_ANSWERS
import sys, psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except psycopg.Error as error:
    sys.exit(str(error).splitlines()[0])
endef
export POSTGRES_ANSWERS

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

run: install  ## the course server on http://127.0.0.1:$(PORT)/ (PORT=8000 unless given)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .

test: install  ## lint, then every test (browser and slow included), then lesson 08 on PostgreSQL
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory test-postgres

# What to run while you work: no browser, no extra processes, every core (pytest-xdist).
test-fast: install  ## the fast tests on every core: the whole suite but browser and slow ones
	$(BIN)/python -m pytest -n auto -m "not browser and not slow"

# No PostgreSQL to connect to: skip with the reason on a laptop, fail under CI=true.
test-postgres: install  ## lesson 08's tests on PostgreSQL (POSTGRES_URL)
	@if error=$$($(BIN)/python -c "$$POSTGRES_ANSWERS" "$(POSTGRES_URL)" 2>&1); then \
		echo "DATABASE_URL=$(POSTGRES_URL) pytest tests/test_08_database.py tests/test_08_liveblog.py"; \
		DATABASE_URL=$(POSTGRES_URL) $(BIN)/python -m pytest tests/test_08_database.py tests/test_08_liveblog.py; \
	else \
		reason="cannot connect to PostgreSQL at $(POSTGRES_URL) ($$error), so lesson 08 did not run on it"; \
		case "$$CI" in 1|true|yes) echo "FAILED: CI=true and $$reason"; exit 1;; esac; \
		echo "SKIPPED: $$reason. Install one (sudo apt-get install postgresql) or set POSTGRES_URL."; \
	fi

bench: install  ## speed figures: see bench/README.md
	$(BIN)/python bench/run.py

bench-servers: install  ## Daphne, uvicorn and granian on the same load, in one run (lesson 13)
	$(BIN)/python bench/asgi_servers.py

# Thousands of sockets: needs Redis (REDIS_URL) and nginx for every section; under 10 minutes on 2 cores.
bench-scale: install  ## lesson 14: idle sockets, fan-out as rooms grow, churn, a reconnect storm, the capacity model
	$(BIN)/python bench/scale.py
