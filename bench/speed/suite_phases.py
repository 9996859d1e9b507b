"""A pytest plugin the suite section loads into each command it times: where that command's seconds went.

`pytest -p bench.speed.suite_phases` with SUITE_PHASES=<folder> writes, as each pytest process ends (the
controller and each pytest-xdist worker), <folder>/<pid>.json: the seconds from this plugin's load to
the end of collection, the seconds the tests took (set-up, call and teardown), and of those the tests
that use the test database (their round trips are real work: a lesson's budget says so rather than
hiding them), with their counts. Nothing is written without SUITE_PHASES.
"""

import json
import os
import time
from pathlib import Path

import pytest

LOADED = time.perf_counter()
DATABASE_FIXTURES = {"_django_db_helper", "db", "transactional_db", "live_server"}
_figures = {"collected_s": 0.0, "tests_s": 0.0, "tests": 0, "database_s": 0.0, "database_tests": 0}


@pytest.hookimpl(hookwrapper=True)
def pytest_collection(session):
    yield
    _figures["collected_s"] = time.perf_counter() - LOADED


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    _figures["tests_s"] += seconds
    _figures["tests"] += 1
    if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("django_db"):
        _figures["database_s"] += seconds
        _figures["database_tests"] += 1


def pytest_unconfigure(config):
    folder = os.environ.get("SUITE_PHASES")
    if folder:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        figures = {**_figures, "worker": worker, "ended_s": time.perf_counter() - LOADED}
        (Path(folder) / f"{os.getpid()}.json").write_text(json.dumps(figures))
