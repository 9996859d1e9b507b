"""Shared fixtures: channel layers (in-memory and a real Redis), real Daphne
processes, and a real headless Chromium.

Missing Redis or Chromium makes the tests that need them skip with a reason
that says how to get them; with CI=true set, the same thing is a failure.
"""

import gc
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.test.utils import override_settings

from lessons.channel_config import IN_MEMORY, channel_layers
from tests.servers import DaphneServer, daphne_env, delete_prefixed_keys

# Django, Daphne and Twisted are loaded by now and live for the whole run: move
# them out of the garbage collector's sight, so every collection (pytest runs
# several at exit) only walks what the tests themselves create.
gc.freeze()

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def require(condition: bool, reason: str) -> None:
    """Skip the test with `reason` when `condition` is false; under CI, fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


# --- channel layers --------------------------------------------------------


@pytest.fixture(autouse=True, scope="session")
def in_memory_layer_by_default() -> Iterator[None]:
    """Tests use the in-memory layer unless they ask for Redis, whatever REDIS_URL says."""
    with override_settings(CHANNEL_LAYERS=IN_MEMORY):
        yield


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The URL of a real Redis server (REDIS_URL, or 127.0.0.1:6379)."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        require(
            False,
            f"no Redis answers at {REDIS_URL} ({error}). Start one: `sudo apt-get install redis-server` "
            "or `redis-server --daemonize yes`, or set REDIS_URL",
        )
    return REDIS_URL


@pytest.fixture(scope="session")
def redis_prefix() -> str:
    """A key prefix no one else uses, so tests never touch a student's own Redis data."""
    return f"lessons-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture(params=["memory"])
def layer(request, settings) -> Iterator[str]:
    """The channel layer under test: "memory", "redis" (core) or "pubsub".

    Parametrize with `@pytest.mark.parametrize("layer", [...], indirect=True)`.
    """
    kind = request.param
    if kind == "memory":
        settings.CHANNEL_LAYERS = IN_MEMORY
        yield kind
        return
    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    settings.CHANNEL_LAYERS = channel_layers(url, "pubsub" if kind == "pubsub" else "core", prefix)
    yield kind
    delete_prefixed_keys(url, prefix)


def pytest_collection_modifyitems(items):
    """A test that starts Daphne needs the test database to exist, even if it never touches it.

    pytest-django creates the test database only when a selected test is marked
    django_db; without it the servers would open the developer's db.sqlite3.
    """
    for item in items:
        uses_server = {"daphne", "course_server"} & set(getattr(item, "fixturenames", ()))
        if uses_server and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)


# --- real Daphne processes -------------------------------------------------


@pytest.fixture
def daphne(django_db_setup, redis_prefix):
    """Start real Daphne processes: `daphne()` in-memory, `daphne(redis_url)` or `daphne(redis_url, "pubsub")`."""
    from django.db import connection

    servers: list[DaphneServer] = []

    def start(redis_url: str | None = None, kind: str = "core", **extra_env: str) -> DaphneServer:
        env = daphne_env(connection.settings_dict, redis_url, redis_prefix, kind)
        env.update(extra_env)
        server = DaphneServer(env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def course_server(django_db_setup) -> Iterator[DaphneServer]:
    """One Daphne process on the test database and the in-memory layer, for browser tests."""
    from django.db import connection

    server = DaphneServer(daphne_env(connection.settings_dict))
    yield server
    server.stop()


# --- a real headless Chromium ---------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator["object"]:
    """A headless Debian Chromium driven by Selenium through chromedriver."""
    require(
        Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(),
        "headless Chromium not found; install it with `sudo apt-get install chromium chromium-driver`",
    )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


@pytest.fixture
def browser(chromium):
    """The shared Chromium, reset after the test: one window, no cookies."""
    yield chromium
    for handle in chromium.window_handles[1:]:
        chromium.switch_to.window(handle)
        chromium.close()
    chromium.switch_to.window(chromium.window_handles[0])
    chromium.delete_all_cookies()


@pytest.fixture
def lesson_page(browser, course_server):
    """Open a lesson page on the course server: `page = lesson_page("01")`, then connect, send, read."""
    from tests.pages import LessonPage

    return lambda number: LessonPage(browser, f"{course_server.http_url}/lessons/{number}/")
