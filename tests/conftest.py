"""Where the tests' fixtures live: one module per concern under tests/fixtures/, all loaded here.

    tests/fixtures/database.py    the test database; the users "ada" (lessons 07, 09)
    tests/fixtures/layers.py      channel layers: in-memory by default, `layer`, Redis, lesson 05's
                                  clock and private redis-servers, lesson 06's worker
    tests/fixtures/servers.py     real Daphne processes (`daphne`, `course_server`, `production_server`),
                                  other ASGI servers
    tests/fixtures/deployment.py  lesson 13: nginx in front of two Daphnes
    tests/fixtures/browser.py     a real headless Chromium, and a lesson page opened in it
    tests/fixtures/inspector.py   the live inspector, in-process and in a Daphne
    tests/fixtures/exercises.py   the exercise kit's progress file, a test's own
    tests/fixtures/production_layers.py  lesson 15: PostgreSQL and sharded layers, stores to restart,
                                  the guarantees table
    tests/fixtures/throttle.py    lesson 16's login throttle: limits pinned, counters emptied, clock frozen
    tests/fixtures/sentinel.py    lesson 15: a Redis primary, its replica and three Sentinels; a failover
    tests/fixtures/scale.py       lesson 14: the scale harness run once at the test's size
    tests/fixtures/workshop_client.py  lesson 17: a workshop connection of the test's own, a fake room joined
    tests/fixtures/doctor.py      `manage.py doctor` without its slow lines, for a test about another one
    tests/fixtures/tasks.py       lesson 18: the task budget emptied, real `manage.py db_worker` processes

Every fixture in them is visible to every test, as if it were written here.
They are loaded with `pytest_plugins`, which pytest accepts only in a
conftest.py it reads before collecting: the one in a folder it is given, in
that folder's parents, or in its `test*` subfolders. `pytest`, `pytest .` and
`pytest tests/...` all read this one first. (Moved into a folder below tests/,
the same line stops the run: "Defining 'pytest_plugins' in a non-top-level
conftest is no longer supported".) Unlike `from tests.fixtures.layers import *`,
it also loads each module's hooks, and leaves a linter no unused imports.
"""

import gc
import os

import pytest

from harness.patience import FRAME, TEST, communicator_timeouts

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.layers",
    "tests.fixtures.servers",
    "tests.fixtures.deployment",
    "tests.fixtures.browser",
    "tests.fixtures.inspector",
    "tests.fixtures.exercises",
    "tests.fixtures.production_layers",
    "tests.fixtures.throttle",
    "tests.fixtures.sentinel",
    "tests.fixtures.scale",
    "tests.fixtures.workshop_client",
    "tests.fixtures.doctor",
    "tests.fixtures.tasks",
]


# No test's `manage.py exercise` leaves the exercise helper running behind it (course/kit/helper.py): every
# plain run is cold, in this process and in every process a test starts; the helper's own tests turn it on.
os.environ["EXERCISE_HELPER"] = "0"


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """A hung test fails after harness/patience.py's TEST seconds (COURSE_PATIENCE scales it), unless --timeout says.

    Set here rather than in pyproject.toml, so that this bound and every liveness deadline
    scale together; tryfirst, so pytest-timeout reads it when it configures itself.
    """
    if config.getoption("timeout", None) is None:
        config.option.timeout = TEST
    communicator_timeouts(FRAME)  # Channels' communicators wait FRAME for what must come, not 1 s


def pytest_sessionstart(session):
    """Django, Daphne, Twisted and the fixture modules live for the whole run: hide them from the collector.

    gc.freeze() moves every object alive now out of the garbage collector's
    sight, so every collection (pytest runs several at exit) only walks what
    the tests themselves create.
    """
    gc.freeze()


FAST = {"not browser and not slow", "not slow and not browser"}  # `make test-fast`'s -m, in either order


def pytest_ignore_collect(collection_path, config):
    """Under `-m "not browser and not slow"`, a *_slow.py file is not even read: none of its tests would run.

    Every test in a *_slow.py file is marked slow or browser (tests/course/test_layout.py
    holds that), so the marker would deselect each one after importing the file and
    building its tests: a third of a second of every test-fast worker's start-up.
    """
    if collection_path.name.endswith("_slow.py") and " ".join(config.option.markexpr.split()) in FAST:
        return True
    return None


# The modules that take longest in CI (their wall time in a CI run, 2026-11-28), longest first. pytest-xdist's
# loadfile hands out whole modules in collection order as workers free up (the Makefile's --dist loadfile
# --no-loadscope-reorder), so these start first, and the many short modules fill the cores at the end. Under
# worksteal, which hands each worker a share up front, lesson 16's try-it steps began 388 s into a CI run and
# ended it alone, 75 s after every other worker; with only the 16 longest listed, lesson 17's bench (20 s)
# began 30 s before the end and ran alone for the last 10. A module missing here goes after them: a stale
# list costs time, never a verdict (tests/course/test_layout_of_tests.py holds that each one exists).
LONGEST = (
    "tests/course/test_exercises_kit_slow.py",  # the kit's proof: its checks forked 20 at a time
    "tests/test_14/test_capacity_slow.py",
    "tests/test_17/test_client_slow.py",
    "tests/test_17/test_try_it_steps_slow.py",
    "tests/test_05/test_redis_layer_slow.py",
    "tests/test_15/test_sentinel_slow.py",
    "tests/test_reliability.py",
    "tests/test_16/test_hostile_bench_slow.py",
    "tests/course/test_pages_accessible_slow.py",
    "tests/test_17/test_glance_slow.py",
    "tests/test_15/test_postgres_layer_slow.py",
    "tests/test_16/test_slow_readers_slow.py",
    "tests/test_16/test_try_it_steps_slow.py",
    "tests/test_00/test_install_slow.py",
    "tests/course/test_kit_warm_slow.py",
    "tests/test_17/test_browser_slow.py",
    "tests/test_18_background_tasks_slow.py",
    "tests/test_17/test_page_whole_slow.py",
    "tests/test_17/test_bench_slow.py",
    "tests/test_13/test_production_routes_slow.py",
    "tests/test_15/test_sentinel_steps_slow.py",
    "tests/course/test_exercises_watch_slow.py",
    "tests/course/test_pages_browser_slow.py",
    "tests/test_17/test_shares_slow.py",
    "tests/test_10/test_http_consumers_slow.py",
    "tests/test_17/test_server_slow.py",
    "tests/test_16/test_slow_clients_slow.py",
    "tests/test_17/test_doors_slow.py",
    "tests/course/test_exercises.py",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The long modules first, longest first (LONGEST), then every other module with a slow or browser test.

    Modules stay whole and in order, so no module fixture runs twice and loadfile starts the longest first.
    """
    heavy = {
        item.nodeid.split("::")[0]
        for item in items
        if item.get_closest_marker("slow") or item.get_closest_marker("browser")
    }

    def order(item) -> tuple:
        module = item.nodeid.split("::")[0]
        return (LONGEST.index(module) if module in LONGEST else len(LONGEST), module not in heavy)

    items.sort(key=order)


def pytest_collection_finish(session):
    """The test modules, their parameters and what they imported: frozen too, as Django was at the start."""
    gc.freeze()
