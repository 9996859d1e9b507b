# The few commands a newcomer types. Everything runs inside a virtual environment: .venv for Django 5.2 LTS
# (the default), .venv-django6 for DJANGO=6, so going from one line to the other never reinstalls either.
# Each is made with the newest Python on PATH that runs and that its Django supports (a pyenv shim may name a
# version that is not active); `make run PYTHON=python3.13` (or a path) chooses another.
SUPPORTED_PYTHONS := python3.14 python3.13 python3.12 python3.11 python3
runs_supported = $(shell $(1) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 14))' >/dev/null 2>&1 && echo $(1))
# DJANGO=6: the pinned set with the newest Django 6.x, which needs Python 3.12+; Django 5.2 LTS otherwise.
DJANGO ?= 5.2
DJANGO6 := $(filter 6 6.%,$(DJANGO))
LOWEST_PYTHON := $(if $(DJANGO6),3.12,3.11)
REQUIREMENTS := $(if $(DJANGO6),requirements-django6.txt,requirements.txt)
VENV := $(if $(DJANGO6),.venv-django6,.venv)
BIN := $(VENV)/bin

# A Python named on the command line (not the environment's PYTHON, which other tools set) is the one the
# environment is made with: PYTHON=python3.13 runs as given, or, a pyenv shim of a version that is not active,
# as that version's own binary. (venv-django6 gives the make it starts PYTHON6's instead, or none.)
runnable = $(shell if $(1) -c '' >/dev/null 2>&1; then echo '$(1)'; \
	elif command -v pyenv >/dev/null 2>&1 && version=$$(pyenv whence '$(1)' 2>/dev/null | tail -n 1) && [ -n "$$version" ]; \
	then echo "$$(pyenv root)/versions/$$version/bin/$(1)"; fi)
ifeq ($(origin PYTHON),command line)
ASKED_PYTHON ?= $(or $(call runnable,$(PYTHON)),$(PYTHON))
endif
version_of = $(shell $(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)

# The environment is ready when the requirements it was made from (a copy beside it) are these, by content: every
# file of a fresh clone is newer than a .venv made before it, so dates would run pip at every first `make`; and,
# when PYTHON is named, when it runs that Python's version. Anything else makes `install` do its work.
READY := $(shell test -x $(BIN)/python && cmp -s $(REQUIREMENTS) $(VENV)/.installed && echo yes)
ifneq ($(and $(READY),$(ASKED_PYTHON)),)
READY := $(if $(filter $(call version_of,$(ASKED_PYTHON)),$(call version_of,$(BIN)/python)),yes)
endif

# make run PORT=8001: the course server on another port (8000 taken, or a second server beside it).
PORT ?= 8000


.PHONY: wheelhouse test-django6 venv-django6 mutation-tools
.PHONY: install run workshop test test-fast test-busy test-flaky test-postgres lint bench bench-servers bench-hostile bench-scale bench-tasks kit-mutation

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

# With a wheelhouse/ folder (make wheelhouse, e.g. from a USB stick), nothing is downloaded.
PIP_SOURCE = $(if $(wildcard wheelhouse/*.whl),--no-index --find-links wheelhouse,)

# sh -c "$$MAKE_VENV" - VENV ASKED LOWEST EXAMPLE PYTHONS...: leaves the environment as it is, unless it has none,
# or PYTHON was named (ASKED) and it runs another version; then makes it with that Python, or else the first of
# PYTHONS that runs a version from LOWEST to 3.14, saying which and why. A Python outside them is refused with
# the version that is needed and a command that names one (EXAMPLE).
define MAKE_VENV
venv=$$1 asked=$$2 lowest=$$3 example=$$4; shift 4
version_of() { "$$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }
supported() { [ "$${1%%.*}" = 3 ] && [ "$${1#3.}" -ge "$${lowest#3.}" ] 2>/dev/null && [ "$${1#3.}" -le 14 ]; }
made=$$(version_of "$$venv/bin/python")
if [ -n "$$made" ] && [ -z "$$asked" ]; then exit 0; fi
needs="The course needs Python 3.11 to 3.14"; [ "$$lowest" = 3.12 ] && needs="Django 6 needs Python 3.12 to 3.14"
if [ -n "$$asked" ]; then
  python=$$asked
  version=$$(version_of "$$python") || { echo "PYTHON=$$asked does not run here. Name a Python that does: $$example"; exit 1; }
  [ "$$made" = "$$version" ] && exit 0
  supported "$$version" || { echo "$$needs: PYTHON=$$asked is Python $$version. Name one that is, e.g. $$example"; exit 1; }
else
  python=
  for candidate; do
    version=$$(version_of "$$candidate") && supported "$$version" && { python=$$candidate; break; }
  done
  if [ -z "$$python" ]; then
    echo "$$needs, and none runs here: install Python 3.13 (python.org, brew install python@3.13,"
    echo "or apt install python3.13), or name one, e.g. $$example"; exit 1
  fi
fi
if [ -n "$$made" ]; then echo "Making $$venv again with $$python (Python $$version): it was made with Python $$made"
else echo "Creating $$venv with $$python (Python $$version)"; fi
rm -rf "$$venv" && "$$python" -m venv "$$venv" || exit 1
[ -n "$$PIP_SOURCE" ] || "$$venv/bin/python" -m pip install --quiet --upgrade pip
endef
export MAKE_VENV PIP_SOURCE

# The environment made (or made again, for the Python PYTHON names), then its requirements installed and a copy of
# them kept beside it, to compare by content.
$(VENV)/.installed: $(if $(READY),,FORCE)
	@sh -c "$$MAKE_VENV" - "$(VENV)" "$(ASKED_PYTHON)" $(LOWEST_PYTHON) \
		"make $(or $(MAKECMDGOALS),install) $(if $(DJANGO6),DJANGO=6 )PYTHON=python3.13" $(SUPPORTED_PYTHONS)
	$(BIN)/python -m pip install --quiet $(PIP_SOURCE) -r $(REQUIREMENTS)
	cp $(REQUIREMENTS) $@

FORCE:
.PHONY: FORCE

install: $(VENV)/.installed

# Every wheel the supported Pythons need on Linux, macOS (Intel, Apple silicon) and Windows, for a
# room without Wi-Fi: copy wheelhouse/ next to each checkout, then `make install` uses it offline.
wheelhouse: install  ## download every wheel a workshop's laptops need into wheelhouse/
	$(BIN)/python -m course.wheelhouse wheelhouse

run: install  ## the course server on http://127.0.0.1:$(PORT)/ (PORT=8000 unless given)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Lesson 17: the course served to a workshop room, from the instructor's laptop: every address of this
# machine, DEBUG off (no demo hazards, no inspector), its LAN address allowed (workshop/serve.py).
# HOST=127.0.0.1 serves this laptop alone: the room tried without serving it to the network. Taken from
# the command line only: some shells export HOST as the machine's name, which is not an address to serve.
WORKSHOP_HOST := $(if $(filter command line,$(origin HOST)),$(HOST),0.0.0.0)
workshop: install  ## serve the course to the room on port $(PORT) of this machine's LAN address (HOST=127.0.0.1: this laptop alone); the live room at /workshop/
	$(BIN)/python -m workshop.serve --host $(WORKSHOP_HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .

# The slow tests spend most of their time waiting on servers, sockets and timeouts: with a worker per
# core, CI on 2 cores kept them 54% busy and pytest took 7 min 6 s; with one more worker, 5 min 34 s;
# with each Daphne a fork (harness/warm.py) that run was 61% busy and waited on its 3 workers for 8 min 27 s.
# Two workers a core and one more keep the cores busy.
TEST_WORKERS ?= $(shell $(BIN)/python -c 'import os; print(2 * len(getattr(os, "sched_getaffinity", lambda _: range(os.cpu_count()))(0)) + 1)')

test: install mutation-tools  ## lint, every test (browser and slow included), lesson 08 on PostgreSQL, the fast suite on Django 6
	$(BIN)/ruff check .
	@# The Django 6 run (its venv made if need be, then the fast suite) and lesson 08 on PostgreSQL (which
	@# mostly waits on the server: 2 CPU-seconds in 17 s) go beside the main run; their output is printed
	@# after the main run's, and counts as much.
	@django6_log=$$(mktemp); postgres_log=$$(mktemp); \
	$(MAKE) --no-print-directory test-django6 DJANGO6_WORKERS=1 >"$$django6_log" 2>&1 & django6=$$!; \
	$(MAKE) --no-print-directory test-postgres >"$$postgres_log" 2>&1 & postgres=$$!; \
	status=0; \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=25 || status=$$?; \
	wait $$postgres; postgres_status=$$?; \
	echo "make test-postgres (it ran beside the main run):"; cat "$$postgres_log"; rm -f "$$postgres_log"; \
	if [ $$postgres_status -ne 0 ]; then echo "make test-postgres failed (exit $$postgres_status)"; status=1; fi; \
	wait $$django6; django6_status=$$?; \
	echo "make test-django6 (it ran beside the main run):"; cat "$$django6_log"; rm -f "$$django6_log"; \
	if [ $$django6_status -ne 0 ]; then echo "make test-django6 failed (exit $$django6_status)"; status=1; fi; \
	exit $$status

# cosmic-ray re-runs one exercise's mutation record (tests/course/test_exercises_mutation.py); offline it
# skips. Installed again only when requirements-mutation.txt changed (pip takes seconds to say it has it all).
mutation-tools: install
	@if ! cmp -s requirements-mutation.txt $(VENV)/.installed-mutation 2>/dev/null; then \
		if $(BIN)/python -m pip install --quiet $(PIP_SOURCE) -r requirements-mutation.txt; then \
			cp requirements-mutation.txt $(VENV)/.installed-mutation; \
		else echo "cosmic-ray not installed: that test skips"; fi; \
	fi

# The fast suite again on the newest Django 6, in .venv-django6 (the environment `make run DJANGO=6` serves from),
# with the newest Python 3.12+ (PYTHON6=... to choose); no such Python: skip with the reason on a laptop, fail
# under CI=true.
PYTHON6 ?= $(firstword $(foreach python,python3.14 python3.13 python3.12,$(call runs_supported,$(python))))
VENV6 := .venv-django6
# PYTHON6 named (on the command line, or in the environment as .ci/run does): .venv-django6 is made with it.
ASKED_PYTHON6 = $(if $(filter command line environment,$(origin PYTHON6)),$(or $(call runnable,$(PYTHON6)),$(PYTHON6)))

# `make test` runs it beside the main run with one worker: every core is busy there already, and each more
# worker pays again for its start and the collection of the whole suite (3.5 CPU-seconds on CI's machine).
DJANGO6_WORKERS ?= auto
test-django6:  ## the fast tests on Django 6 (Python 3.12+), in .venv-django6
	@if [ -z "$(PYTHON6)" ]; then \
		reason="no Python 3.12+ runs here, so the fast suite did not run on Django 6"; \
		case "$$CI" in 1|true|yes) echo "FAILED: CI=true and $$reason"; exit 1;; esac; \
		echo "SKIPPED: $$reason. Install Python 3.13 (or give PYTHON6=/path/to/python3.x) to run it."; exit 0; \
	fi; \
	set -e; \
	$(MAKE) --no-print-directory venv-django6; \
	echo "$(VENV6)/bin/python -m pytest -n $(DJANGO6_WORKERS) -m \"not browser and not slow\""; \
	$(VENV6)/bin/python -m pytest -n $(DJANGO6_WORKERS) -m "not browser and not slow"

# .venv-django6 made, or its requirements installed again, only when `make install DJANGO=6` would; .ci/run makes
# it while apt installs.
venv-django6:
	@$(MAKE) --no-print-directory install DJANGO=6 ASKED_PYTHON="$(ASKED_PYTHON6)"

# What to run while you work: no browser, no extra processes, every core (pytest-xdist).
test-fast: install  ## the fast tests on every core: the whole suite but browser and slow ones
	$(BIN)/python -m pytest -n auto -m "not browser and not slow"

# A workshop laptop runs the tests beside a browser, a video call, an antivirus: the same run as `make test`'s
# suite, beside a busy loop on every core at normal priority (harness/busy.py). No verdict may change.
test-busy: install  ## the whole suite (the kit's proof included) beside a CPU hog on every core
	$(BIN)/python -m harness.busy -- $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# Finds flaky tests, never hides one: the slow and browser tests RUNS times in a row beside the hog, each
# run a fresh pytest, every outcome printed, nothing retried. TESTS=tests/test_15 for one lesson's.
RUNS ?= 5
TESTS ?=
test-flaky: install  ## the slow and browser tests RUNS=5 times beside a CPU hog: a test that fails once is flaky
	$(BIN)/python -m harness.busy --runs $(RUNS) -- $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder -m "slow or browser" $(TESTS)

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
	$(BIN)/python bench/speed/run.py

bench-servers: install  ## Daphne, uvicorn and granian on the same load, in one run (lesson 13)
	$(BIN)/python bench/servers/run.py

bench-hostile: install  ## lesson 16: what each hostile client costs Daphne, without its defence and with it
	$(BIN)/python bench/hostile/run.py --reference

# Needs Redis (REDIS_URL); a few minutes on 2 cores.
bench-tasks: install  ## lesson 18: one db_worker's pace, its progress messages, a small task's wait beside a flood
	$(BIN)/python bench/tasks/run.py

# Thousands of sockets: needs Redis (REDIS_URL) and nginx for every section; under 10 minutes on 2 cores.
bench-scale: install  ## lesson 14: idle sockets, fan-out as rooms grow, churn, a reconnect storm, the capacity model, 100,000 sockets
	$(BIN)/python bench/scale/run.py

# cosmic-ray over every exercise's solution with its check as the test suite (course/kit/mutation.py).
kit-mutation: install  ## the kit's mutation proof: a score per exercise, survivors named (IDS="04.2 05.1" for a few)
	$(BIN)/python -m pip install --quiet -r requirements-mutation.txt
	$(BIN)/python -m course.kit.mutation $(IDS)
