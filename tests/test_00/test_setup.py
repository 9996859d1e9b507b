"""Lesson 00: the project, its root router and the course pages (the doctor: tests/test_00/test_doctor.py)."""

import html

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.conf import settings
from django.core.management import call_command

from course.catalogue import LESSONS, Lesson, Route
from harness.patience import FRAME
from lessons.asgi import application
from lessons.channel_config import IN_MEMORY, channel_layers
from tests.helpers.clients import HOST, ORIGIN
from tests.helpers.routes import routed_consumer


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


@pytest.mark.parametrize(("path", "consumer", "accepted"), LESSON_ROUTES, ids=[route[0] for route in LESSON_ROUTES])
async def test_the_root_router_sends_each_route_of_lessons_01_to_04_to_its_consumer(path, consumer, accepted):
    communicator = WebsocketCommunicator(application, f"/{path}", headers=ORIGIN)
    connected, _ = await communicator.connect()
    routed = routed_consumer(path)
    assert f"{routed.__module__}.{routed.__qualname__}" == consumer
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
    response = await communicator.get_response(timeout=FRAME)
    body = response["body"].decode()
    assert response["status"] == 200
    for lesson in LESSONS:
        assert f'href="{lesson.page_url}"' in body
        assert html.escape(lesson.test_command) in body  # a folder's marker is quoted: "not browser and not slow"


async def test_lesson_00_page_renders_the_lesson_text():
    communicator = HttpCommunicator(application, "GET", "/lessons/00/", headers=HOST)
    response = await communicator.get_response(timeout=FRAME)
    assert response["status"] == 200
    assert b"ProtocolTypeRouter" in response["body"]


async def test_lesson_page_highlights_python_blocks_with_pygments():
    communicator = HttpCommunicator(application, "GET", "/lessons/01/", headers=HOST)
    response = await communicator.get_response(timeout=FRAME)
    assert b'<div class="highlight"><pre>' in response["body"]
    assert b'<span class="k">def</span>' in response["body"]
    assert b"course/pygments.css" in response["body"]


async def test_unknown_lesson_number_is_404():
    communicator = HttpCommunicator(application, "GET", "/lessons/42/", headers=HOST)
    response = await communicator.get_response(timeout=FRAME)
    assert response["status"] == 404


async def test_lesson_page_says_when_a_route_is_not_built_yet(monkeypatch):
    route = Route(path="ws/not-built-yet/", summary="a route no app has")
    unbuilt = Lesson(number="01", slug="sync-consumer", title="Unbuilt", apps=("sync_demo",), files=(), routes=(route,))
    monkeypatch.setattr("course.views.get_lesson", lambda number: unbuilt if number == "01" else None)
    communicator = HttpCommunicator(application, "GET", "/lessons/01/", headers=HOST)
    response = await communicator.get_response(timeout=FRAME)
    assert response["status"] == 200
    assert b"This route does not exist yet." in response["body"]


async def test_lesson_page_says_a_hazard_route_is_not_served_with_the_switch_off(monkeypatch):
    from lessons.routing import safe_urlpatterns

    # What SERVE_HAZARD_DEMOS = False routes (production): the safe routes alone.
    monkeypatch.setattr("lessons.routing.app_urlpatterns", safe_urlpatterns)
    communicator = HttpCommunicator(application, "GET", "/lessons/01/", headers=HOST)
    response = await communicator.get_response(timeout=FRAME)
    assert response["status"] == 200
    assert b"ws/sync/slow/ (not served here)" in response["body"]
    assert b"ws/sync/echo/ (" not in response["body"]


def test_lessons_command_prints_every_lesson_and_its_test_command(capsys):
    call_command("lessons")
    output = capsys.readouterr().out
    for lesson in LESSONS:
        assert f"{lesson.number}  {lesson.title}" in output
        assert lesson.test_command in output


async def test_origin_check_middleware_and_router_run_per_connection_not_per_frame(monkeypatch):
    from channels.auth import AuthMiddleware
    from channels.routing import URLRouter

    from lessons.origins import SiteOriginValidator

    calls = []
    for cls in (SiteOriginValidator, AuthMiddleware, URLRouter):
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
    assert sorted(calls) == ["AuthMiddleware", "SiteOriginValidator", "URLRouter"]
