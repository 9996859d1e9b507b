"""Lesson 00: the project, its root router, the course pages and the doctor."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.conf import settings
from django.core.management import call_command
from selenium.webdriver.common.by import By
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from lessons.asgi import application
from lessons.catalogue import LESSONS, Lesson, Route
from lessons.channel_config import IN_MEMORY, channel_layers
from lessons.servers import REPO_DIR, ServerProcess, free_port
from tests.helpers.clients import HOST, ORIGIN, ORIGIN_URL


def test_daphne_is_the_first_installed_app():
    assert settings.INSTALLED_APPS[0] == "daphne"


def test_asgi_application_setting_names_the_root_router():
    assert settings.ASGI_APPLICATION == "lessons.asgi.application"


def test_root_router_serves_http_websocket_and_channel_connections():
    assert set(application.application_mapping) == {"http", "websocket", "channel"}


def test_no_redis_url_means_the_in_memory_layer():
    assert channel_layers(None) == IN_MEMORY


@pytest.mark.parametrize(
    ("kind", "backend"),
    [
        ("core", "channels_redis.core.RedisChannelLayer"),
        ("pubsub", "channels_redis.pubsub.RedisPubSubChannelLayer"),
    ],
)
def test_redis_url_selects_the_redis_layer_named_by_channel_layer(kind, backend):
    config = channel_layers("redis://127.0.0.1:6379/0", kind)["default"]
    assert config["BACKEND"] == backend
    assert config["CONFIG"]["hosts"][0]["address"] == "redis://127.0.0.1:6379/0"


def test_an_unknown_channel_layer_kind_is_named_in_the_error():
    with pytest.raises(ValueError, match="'sharded'"):
        channel_layers("redis://127.0.0.1:6379/0", "sharded")


async def test_unknown_websocket_path_is_refused_not_crashed():
    communicator = WebsocketCommunicator(application, "/ws/no-such-route/", headers=ORIGIN)
    connected, _ = await communicator.connect()
    assert connected is False
    await communicator.disconnect()


# Lessons 01-04 test their consumers directly; this is where their routes are checked, one by one.
LESSON_ROUTES = [
    ("ws/sync/echo/", "sync_demo.consumers.EchoConsumer", True),
    ("ws/sync/refuse/", "sync_demo.consumers.RefuseConsumer", False),
    ("ws/sync/close/", "sync_demo.consumers.CloseConsumer", True),
    ("ws/sync/scope/demo/", "sync_demo.consumers.ScopeConsumer", True),
    ("ws/sync/slow/", "sync_demo.slow.SlowConsumer", True),
    ("ws/sync/generic-echo/", "sync_demo.generic_consumers.GenericEchoConsumer", True),
    ("ws/async/echo/", "async_demo.consumers.EchoConsumer", True),
    ("ws/async/ticker/", "async_demo.consumers.TickerConsumer", True),
    ("ws/async/slow/", "async_demo.slow.SlowConsumer", True),
    ("ws/async/hop-free-echo/", "async_demo.hop_free.HopFreeEchoConsumer", True),
    ("ws/async/json-echo/", "async_demo.generic_consumers.JsonEchoConsumer", True),
    ("ws/layers/plain-chat/lobby/", "layers_demo.plain_chat.PlainChatConsumer", True),
    ("ws/layers/generic-chat/lobby/", "layers_demo.generic_chat.GenericChatConsumer", True),
    ("ws/chat/lobby/", "layers_demo.hardened_chat.ChatConsumer", True),
    ("ws/layers/direct/", "layers_demo.direct.DirectConsumer", True),
    ("ws/layers/primes/", "layers_demo.primes.PrimesConsumer", True),
]


def routed_consumer(path: str) -> str:
    """The consumer class the root router's WebSocket list sends `path` to, as "module.Class"."""
    from lessons.routing import websocket_urlpatterns

    pattern = next(pattern for pattern in websocket_urlpatterns if pattern.pattern.match(path))
    consumer = pattern.callback.consumer_class
    return f"{consumer.__module__}.{consumer.__qualname__}"


@pytest.mark.parametrize(("path", "consumer", "accepted"), LESSON_ROUTES, ids=[route[0] for route in LESSON_ROUTES])
async def test_the_root_router_sends_each_route_of_lessons_01_to_04_to_its_consumer(path, consumer, accepted):
    communicator = WebsocketCommunicator(application, f"/{path}", headers=ORIGIN)
    connected, _ = await communicator.connect()
    assert routed_consumer(path) == consumer
    assert connected is accepted  # through the origin check and the auth stack, as a browser's socket
    await communicator.disconnect()


@pytest.mark.parametrize(
    "headers",
    [[(b"origin", b"http://evil.example")], []],
    ids=["foreign-origin", "no-origin"],
)
async def test_handshake_without_an_allowed_origin_is_refused(headers):
    communicator = WebsocketCommunicator(application, "/ws/no-such-route/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected is False
    await communicator.disconnect()


async def test_index_lists_every_lesson_with_its_page_and_test_command():
    communicator = HttpCommunicator(application, "GET", "/", headers=HOST)
    response = await communicator.get_response()
    body = response["body"].decode()
    assert response["status"] == 200
    for lesson in LESSONS:
        assert f'href="{lesson.page_url}"' in body
        assert lesson.test_command in body


async def test_lesson_00_page_renders_the_lesson_text():
    communicator = HttpCommunicator(application, "GET", "/lessons/00/", headers=HOST)
    response = await communicator.get_response()
    assert response["status"] == 200
    assert b"ProtocolTypeRouter" in response["body"]


async def test_lesson_page_highlights_python_blocks_with_pygments():
    communicator = HttpCommunicator(application, "GET", "/lessons/01/", headers=HOST)
    response = await communicator.get_response()
    assert b'<div class="highlight"><pre>' in response["body"]
    assert b'<span class="k">def</span>' in response["body"]
    assert b"lessons/pygments.css" in response["body"]


async def test_unknown_lesson_number_is_404():
    communicator = HttpCommunicator(application, "GET", "/lessons/42/", headers=HOST)
    response = await communicator.get_response()
    assert response["status"] == 404


async def test_lesson_page_says_when_a_route_is_not_built_yet(monkeypatch):
    unbuilt = Lesson("01", "sync-consumer", "Unbuilt", "nowhere", (Route("ws/not-built-yet/", "a route no app has"),))
    monkeypatch.setattr("lessons.views.get_lesson", lambda number: unbuilt if number == "01" else None)
    communicator = HttpCommunicator(application, "GET", "/lessons/01/", headers=HOST)
    response = await communicator.get_response()
    assert response["status"] == 200
    assert b"This route does not exist yet." in response["body"]


def test_lessons_command_prints_every_lesson_and_its_test_command(capsys):
    call_command("lessons")
    output = capsys.readouterr().out
    for lesson in LESSONS:
        assert f"{lesson.number}  {lesson.title}" in output
        assert lesson.test_command in output


@pytest.mark.django_db
@pytest.mark.parametrize("layer", ["memory", "redis", "pubsub"], indirect=True)
def test_doctor_passes_on_a_ready_machine(layer, settings, redis_url, capsys):
    settings.REDIS_URL = None if layer == "memory" else redis_url
    call_command("doctor")
    output = capsys.readouterr().out
    assert "FAIL" not in output
    assert "All checks passed" in output


@pytest.mark.django_db
def test_doctor_fails_and_says_how_to_start_redis_when_redis_url_is_closed(settings, capsys):
    closed = "redis://127.0.0.1:1/0"
    settings.REDIS_URL = closed
    settings.CHANNEL_LAYERS = channel_layers(closed)
    with pytest.raises(SystemExit) as exit_info:
        call_command("doctor")
    output = capsys.readouterr().out
    assert exit_info.value.code == 1
    assert f"FAIL  Redis reachable (REDIS_URL): no Redis answers at {closed}" in output
    assert "apt-get install redis-server" in output
    assert "FAIL  channel layer round trip" in output


def python_env(tmp_path: Path, settings_module: str = "lessons.settings") -> dict[str, str]:
    """The environment of a child Python that imports this repository and the modules a test wrote to tmp_path."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO_DIR)]),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",  # never the student's own database
        "PYTHONUNBUFFERED": "1",
    }


async def test_the_origin_check_session_middleware_and_router_run_once_per_connection_not_per_frame(monkeypatch):
    from channels.auth import AuthMiddleware
    from channels.routing import URLRouter
    from channels.security.websocket import OriginValidator

    calls = []
    for cls in (OriginValidator, AuthMiddleware, URLRouter):
        original = cls.__call__

        async def counted(self, scope, receive, send, original=original, name=cls.__name__):
            calls.append(name)
            return await original(self, scope, receive, send)

        monkeypatch.setattr(cls, "__call__", counted)
    communicator = WebsocketCommunicator(application, "/ws/async/echo/", headers=ORIGIN)
    await communicator.connect()
    for n in range(5):
        await communicator.send_to(text_data=f"frame {n}")
        assert await communicator.receive_from() == f"frame {n}"
    await communicator.disconnect()
    assert sorted(calls) == ["AuthMiddleware", "OriginValidator", "URLRouter"]


DAPHNE_BELOW_STATICFILES = (
    "from lessons.settings import *\n"
    "INSTALLED_APPS = [app for app in INSTALLED_APPS if app != 'daphne']\n"
    "INSTALLED_APPS.insert(INSTALLED_APPS.index('django.contrib.staticfiles') + 1, 'daphne')\n"
)


@pytest.mark.slow
def test_with_daphne_below_staticfiles_runserver_does_not_start_daphne_e001(tmp_path):
    (tmp_path / "daphne_below.py").write_text(DAPHNE_BELOW_STATICFILES)
    argv = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{free_port()}"]
    env = python_env(tmp_path, "daphne_below")
    result = subprocess.run(argv, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "(daphne.E001) Daphne must be listed before django.contrib.staticfiles" in result.stderr


@pytest.mark.slow
def test_the_doctor_turns_daphne_e001_into_its_one_line_fix_not_a_traceback(tmp_path):
    (tmp_path / "daphne_below.py").write_text(DAPHNE_BELOW_STATICFILES)
    argv = [sys.executable, "manage.py", "doctor"]
    env = python_env(tmp_path, "daphne_below")
    result = subprocess.run(argv, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert (
        "FAIL  Django system checks: daphne.E001: Daphne must be listed before django.contrib.staticfiles "
        "in INSTALLED_APPS. Fix: move 'daphne' back to the top of INSTALLED_APPS in lessons/settings.py"
    ) in result.stdout


@pytest.mark.slow
def test_importing_consumers_before_get_asgi_application_raises_app_registry_not_ready(tmp_path):
    (tmp_path / "early_asgi.py").write_text(
        "from lessons.routing import websocket_urlpatterns  # consumers, and their models, too early\n"
        "from django.core.asgi import get_asgi_application\n"
        "application = get_asgi_application()\n"
    )
    command = [sys.executable, "-c", "import early_asgi"]  # what a server does first with "early_asgi:application"
    result = subprocess.run(command, cwd=REPO_DIR, env=python_env(tmp_path), capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "django.core.exceptions.AppRegistryNotReady: Apps aren't loaded yet." in result.stderr


@pytest.mark.slow
def test_runserver_without_daphne_is_djangos_wsgi_server_and_answers_a_websocket_handshake_with_404(tmp_path):
    (tmp_path / "no_daphne.py").write_text(
        "from lessons.settings import *\nINSTALLED_APPS = [app for app in INSTALLED_APPS if app != 'daphne']\n"
    )
    port = free_port()
    command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    server = ServerProcess("runserver", command, python_env(tmp_path, "no_daphne"), port)
    try:
        with pytest.raises(InvalidStatus) as refused, connect(server.ws_url("ws/sync/echo/"), origin=ORIGIN_URL):
            pass  # Daphne's runserver would accept this socket
        assert refused.value.response.status_code == 404
    finally:
        server.stop()
    assert "System check identified no issues" in server.log()  # nothing warns that daphne is missing
    assert "Not Found: /ws/sync/echo/" in server.log()


@pytest.mark.browser
def test_index_page_links_to_every_lesson_page_in_a_real_browser(browser, course_server):
    browser.get(course_server.http_url + "/")
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a.lesson-link")]
    assert links == [course_server.http_url + lesson.page_url for lesson in LESSONS]


@pytest.mark.browser
def test_lesson_00_page_renders_in_a_real_browser(browser, course_server):
    browser.get(course_server.http_url + "/lessons/00/")
    assert "ProtocolTypeRouter" in browser.find_element(By.ID, "lesson-text").text
    assert browser.find_element(By.ID, "test-command").text == "pytest tests/test_00_setup.py"
