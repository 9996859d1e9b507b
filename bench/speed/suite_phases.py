"""A pytest plugin the suite section loads into each command it times: where that command's seconds went.

`pytest -p bench.speed.suite_phases` with SUITE_PHASES=<folder> writes, as each pytest process ends (the
controller and each pytest-xdist worker), <folder>/<pid>.json: the seconds from this plugin's load to
the end of collection, the seconds the tests took (set-up, call and teardown), and of those the tests
that talk to a server: the test database, Redis or PostgreSQL (their round trips are real work: the
table says so rather than the suite hiding them), with their counts. Nothing is written without SUITE_PHASES.
"""

import json
import os
import time
from pathlib import Path

import pytest

LOADED = time.perf_counter()
# A test talks to a server when it asks for one of these, or one is set up for it (request.getfixturevalue),
# or its layer is one of lesson 05 and 15's servers (tests/fixtures/layers.py and production_layers.py).
SERVER_FIXTURES = {"_django_db_helper", "db", "transactional_db", "live_server", "redis_url", "redis_clients"}
SERVER_FIXTURES |= {"sharded_redis", "postgres_layer_url", "private_postgres", "private_redis_pair"}
LAYER_FIXTURES = ("layer", "any_layer")
_figures = {"collected_s": 0.0, "tests_s": 0.0, "tests": 0, "server_s": 0.0, "server_tests": 0}
_set_up: set[str] = set()


def pytest_fixture_setup(fixturedef, request):
    _set_up.add(fixturedef.argname)


def talks_to_a_server(item) -> bool:
    params = getattr(getattr(item, "callspec", None), "params", {})
    if any(params.get(name, "memory") != "memory" for name in LAYER_FIXTURES):
        return True
    return bool(SERVER_FIXTURES & (set(getattr(item, "fixturenames", ())) | _set_up)) or bool(
        item.get_closest_marker("django_db")
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_collection(session):
    yield
    _figures["collected_s"] = time.perf_counter() - LOADED


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _set_up.clear()
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    _figures["tests_s"] += seconds
    _figures["tests"] += 1
    if talks_to_a_server(item):
        _figures["server_s"] += seconds
        _figures["server_tests"] += 1


def pytest_unconfigure(config):
    folder = os.environ.get("SUITE_PHASES")
    if folder:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        figures = {**_figures, "worker": worker, "ended_s": time.perf_counter() - LOADED}
        (Path(folder) / f"{os.getpid()}.json").write_text(json.dumps(figures))
