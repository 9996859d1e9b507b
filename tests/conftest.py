"""Shared fixtures: channel layers (in-memory and a real Redis), real Daphne
processes, and a real headless Chromium.

Missing Redis or Chromium makes the tests that need them skip with a reason
that says how to get them; with CI=true set, the same thing is a failure.
"""

import asyncio
import gc
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.test.utils import override_settings

from lessons.channel_config import IN_MEMORY, channel_layers
from lessons.servers import DaphneServer, PrivateRedis, ServerProcess, daphne_env, delete_prefixed_keys, free_port
from tests.helpers import ADA_PASSWORD, require

# Django, Daphne and Twisted are loaded by now and live for the whole run: move
# them out of the garbage collector's sight, so every collection (pytest runs
# several at exit) only walks what the tests themselves create.
gc.freeze()

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


# --- the test database -------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup) -> Iterator[None]:
    """pytest-django's test database, migrated as usual; then a flush no longer re-creates permissions.

    After every django_db(transaction=True) test Django empties every table and
    sends post_migrate, whose receivers re-create every content type and every
    permission, about 30 ms a test. No test checks a permission (the admin tests
    log in as a superuser, who needs none), so that half is skipped. Content
    types are still re-created, in the same order, so the ids that a running
    Daphne has cached stay right.
    """
    from django.contrib.auth.management import create_permissions
    from django.db.models.signals import post_migrate

    uid = "django.contrib.auth.management.create_permissions"
    post_migrate.disconnect(create_permissions, dispatch_uid=uid)
    yield
    post_migrate.connect(create_permissions, dispatch_uid=uid)


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


@pytest.fixture
def two_redis_servers() -> Iterator[str]:
    """Two throwaway redis-servers on free ports, as one sharded REDIS_URL ("url1,url2")."""
    executable = shutil.which("redis-server")
    require(executable is not None, "redis-server not found; install it: `sudo apt-get install redis-server`")
    servers = [PrivateRedis(executable), PrivateRedis(executable)]
    yield ",".join(server.url for server in servers)
    for server in servers:
        server.stop()


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
        servers = {"daphne", "course_server", "inspected_server", "deployed_site", "deployment", "asgi_server"}
        uses_server = servers & set(getattr(item, "fixturenames", ()))
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


# --- lesson 13: a real nginx in front of two Daphne processes --------------


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """The output of `collectstatic`, as nginx serves it (a temporary STATIC_ROOT)."""
    from django.core.management import call_command

    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=str(root)):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture(scope="session")
def nginx_installed() -> None:
    """A real nginx binary (the Debian package), or skip with how to get one."""
    from tests.helpers.deployment import NGINX

    require(Path(NGINX).exists(), "nginx not found; install it with `sudo apt-get install nginx`")


@pytest.fixture
def deployment(nginx_installed, django_db_setup, redis_url, redis_prefix, collected_static, tmp_path):
    """Start deploy/nginx.conf before two Daphnes on Redis for one test: `site = deployment()`; it may kill one."""
    from django.db import connection

    from tests.helpers.deployment import Deployment

    sites = []

    def start(read_timeout: str = "75s", ping_intervals: tuple[int, int] = (20, 20), edit_site=None) -> Deployment:
        workdir = tmp_path / f"site-{len(sites)}"
        workdir.mkdir()
        db = connection.settings_dict
        site = Deployment(
            workdir, collected_static, db, redis_url, redis_prefix, read_timeout, ping_intervals, edit_site
        )
        sites.append(site)
        return site

    yield start
    for site in sites:
        site.stop()
    delete_prefixed_keys(redis_url, redis_prefix)


@pytest.fixture(scope="session")
def deployed_site(nginx_installed, django_db_setup, redis_url, redis_prefix, collected_static, tmp_path_factory):
    """deploy/nginx.conf before two Daphnes on one Redis, shared by the tests that only look."""
    from django.db import connection

    from tests.helpers.deployment import Deployment

    site = Deployment(
        tmp_path_factory.mktemp("site"), collected_static, connection.settings_dict, redis_url, redis_prefix
    )
    yield site
    site.stop()


@pytest.fixture
def asgi_server(request, django_db_setup) -> Iterator[ServerProcess]:
    """The course under the ASGI server named by the parametrized value (daphne, uvicorn, granian)."""
    from django.db import connection

    from bench.asgi_servers import SERVERS

    port = free_port()
    server = ServerProcess(request.param, SERVERS[request.param](port), daphne_env(connection.settings_dict), port)
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
    from tests.helpers.pages import LessonPage

    return lambda number: LessonPage(browser, f"{course_server.http_url}/lessons/{number}/")


# --- the inspector (lessons/inspector.py) -----------------------------------


@pytest.fixture
def inspected(settings):
    """The course's ASGI application with the inspector on, over a recording in-memory layer."""
    from lessons.asgi import inspected
    from lessons.inspector import recording_layers

    settings.INSPECTOR_ENABLED = True
    settings.CHANNEL_LAYERS = recording_layers(IN_MEMORY)
    return inspected()


@pytest.fixture(scope="session")
def inspected_server(django_db_setup) -> Iterator[DaphneServer]:
    """A course Daphne with the inspector on, as a student runs it, for the panel's browser tests."""
    from django.db import connection

    server = DaphneServer({**daphne_env(connection.settings_dict), "INSPECTOR": "1"})
    yield server
    server.stop()


# --- one lesson's fixtures -------------------------------------------------


class Clock:
    """Stands in for the `time` module inside a layer's module: its time() runs `offset` seconds ahead."""

    def __init__(self):
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Lesson 05: lets a test move the channel layer's clock forward instead of waiting."""
    from channels.layers import get_channel_layer

    fake = Clock()
    monkeypatch.setattr(sys.modules[type(get_channel_layer()).__module__], "time", fake)
    return fake


@pytest.fixture
def private_redis():
    """Lesson 05: a redis-server of this test's own on a free port: restarting it disturbs no one's data."""
    executable = shutil.which("redis-server")
    require(executable is not None, "redis-server not found; install it: `sudo apt-get install redis-server`")
    server = PrivateRedis(executable)
    yield server
    server.stop()


@pytest.fixture
async def primes_worker():
    """Lesson 06: what `manage.py runworker layers-primes` runs, as a task in this test's event loop."""
    from channels.layers import get_channel_layer
    from channels.worker import Worker

    from layers_demo.primes import WORKER_CHANNEL
    from lessons.asgi import application

    worker = Worker(application, [WORKER_CHANNEL], get_channel_layer())
    task = asyncio.create_task(worker.handle())
    yield worker
    running = [task, *(instance["future"] for instance in worker.application_instances.values())]
    for future in running:
        future.cancel()
    await asyncio.gather(*running, return_exceptions=True)


@pytest.fixture
def ada(settings):
    """Lesson 07: a committed user "ada"; passwords hashed with MD5, as the real hasher is slow on purpose."""
    from django.contrib.auth.models import User

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return User.objects.create_user("ada", password=ADA_PASSWORD)


@pytest.fixture
def ada_session_key(ada, client):
    """Lesson 07: the session key a browser holds after logging in over HTTP as ada."""
    client.force_login(ada)
    return client.cookies["sessionid"].value


@pytest.fixture
def ada_cookie(django_user_model) -> tuple[bytes, bytes]:
    """Lesson 09: a Cookie header carrying a logged-in session for the user "ada"."""
    from django.test import Client

    client = Client()
    client.force_login(django_user_model.objects.create(username="ada"))
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


@pytest.fixture
def crash_server(django_db_setup):
    """Reliability: a CrashServer on the test database and the in-memory layer, stopped after the test."""
    from django.db import connection

    from tests.helpers.faults import CrashServer

    server = CrashServer(daphne_env(connection.settings_dict))
    yield server
    server.stop()


# --- the exercise kit --------------------------------------------------------


@pytest.fixture
def own_exercise_state(tmp_path, monkeypatch) -> None:
    """Exercise progress in a file of this test's own, never the student's .exercises-state.json."""
    from exercises import runner

    monkeypatch.setattr(runner, "STATE_PATH", tmp_path / "state.json")
    monkeypatch.setenv("EXERCISES_STATE", str(tmp_path / "state.json"))
