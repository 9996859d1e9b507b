"""Lesson 01: the raw SyncConsumer, its events, close codes, scope and StopConsumer.

The echo tests run the sync echo and its lesson 02 twin, the async echo: both
must behave identically.
"""

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path

import async_demo.consumers
from async_demo.hop_free import HopFreeEchoConsumer
from harness.patience import FRAME
from lessons.asgi import application
from sync_demo.consumers import GOODBYE, CloseConsumer, EchoConsumer, RefuseConsumer, ScopeConsumer
from sync_demo.slow import SlowConsumer
from tests.helpers.clients import ORIGIN

# The consumer under test, driven directly; lesson 00's tests check that each route serves it.
ECHOES = pytest.mark.parametrize(
    "echo",
    [EchoConsumer, async_demo.consumers.EchoConsumer, HopFreeEchoConsumer],
    ids=["SyncConsumer", "AsyncConsumer", "AsyncConsumer-hop-free"],
)
# ScopeConsumer reports scope["url_route"], which a URLRouter adds: route it as sync_demo/routing.py does.
SCOPE = URLRouter([path("ws/sync/scope/<str:name>/", ScopeConsumer.as_asgi())])
FRAMES = pytest.mark.parametrize("frame", [{"text": "hi"}, {"bytes": b"\x00hi"}], ids=["text", "binary"])


@ECHOES
async def test_echo_returns_text_frames_unchanged(echo):
    communicator = WebsocketCommunicator(echo.as_asgi(), "/ws/echo/")
    connected, _ = await communicator.connect()
    await communicator.send_to(text_data="héllo, wörld ✓")
    assert connected is True
    assert await communicator.receive_from() == "héllo, wörld ✓"
    await communicator.disconnect()


@ECHOES
async def test_echo_returns_binary_frames_unchanged(echo):
    communicator = WebsocketCommunicator(echo.as_asgi(), "/ws/echo/")
    await communicator.connect()
    await communicator.send_to(bytes_data=bytes(range(256)))
    assert await communicator.receive_from() == bytes(range(256))
    await communicator.disconnect()


@ECHOES
async def test_echo_keeps_the_order_of_mixed_frames(echo):
    communicator = WebsocketCommunicator(echo.as_asgi(), "/ws/echo/")
    await communicator.connect()
    sent = ["one", b"two", "three", b"four", "five"]
    for frame in sent:
        await communicator.send_to(**({"text_data": frame} if isinstance(frame, str) else {"bytes_data": frame}))
    assert [await communicator.receive_from() for _ in sent] == sent
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("app", "path"),
    [
        (EchoConsumer.as_asgi(), "/ws/sync/echo/"),
        (async_demo.consumers.EchoConsumer.as_asgi(), "/ws/async/echo/"),
        (CloseConsumer.as_asgi(), "/ws/sync/close/"),
        (SCOPE, "/ws/sync/scope/demo/"),
        (RefuseConsumer.as_asgi(), "/ws/sync/refuse/"),
    ],
    ids=["EchoConsumer", "async-EchoConsumer", "CloseConsumer", "ScopeConsumer", "RefuseConsumer"],
)
async def test_disconnect_raises_stop_consumer_and_the_instance_finishes(app, path):
    communicator = WebsocketCommunicator(app, path)
    await communicator.connect()
    await communicator.send_input({"type": "websocket.disconnect", "code": 1000})
    await communicator.wait()
    # wait() cancels an application that is still running; one that returned was not cancelled.
    assert communicator.future.done() and not communicator.future.cancelled()


async def test_refuse_route_answers_the_handshake_with_websocket_close():
    communicator = WebsocketCommunicator(RefuseConsumer.as_asgi(), "/ws/sync/refuse/")
    connected, _ = await communicator.connect()
    assert connected is False
    await communicator.disconnect()


@FRAMES
async def test_close_route_says_goodbye_then_closes_with_code_4000(frame):
    communicator = WebsocketCommunicator(CloseConsumer.as_asgi(), "/ws/sync/close/")
    await communicator.connect()
    await communicator.send_input({"type": "websocket.receive", **frame})
    assert await communicator.receive_from() == GOODBYE
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4000, "reason": GOODBYE}
    await communicator.disconnect()


async def test_scope_route_sends_path_query_string_headers_and_url_route():
    communicator = WebsocketCommunicator(SCOPE, "/ws/sync/scope/demo/?colour=blue", headers=[(b"x-lesson", b"01")])
    await communicator.connect()
    scope = await communicator.receive_json_from()
    assert scope["path"] == "/ws/sync/scope/demo/"
    assert scope["query_string"] == "colour=blue"
    assert ["x-lesson", "01"] in scope["headers"]
    assert scope["url_route"] == {"args": [], "kwargs": {"name": "demo"}}
    await communicator.disconnect()


async def test_scope_holds_what_the_middleware_added():
    """Through the course's whole stack (lessons/asgi.py), as a browser's socket is: origin check included."""
    communicator = WebsocketCommunicator(application, "/ws/sync/scope/demo/", headers=ORIGIN)
    await communicator.connect()
    scope = await communicator.receive_json_from()
    assert {"cookies", "session", "user", "url_route"} <= set(scope["keys"])
    await communicator.disconnect()


async def test_each_connection_gets_a_fresh_consumer_instance():
    first = WebsocketCommunicator(SCOPE, "/ws/sync/scope/a/")
    second = WebsocketCommunicator(SCOPE, "/ws/sync/scope/b/")
    await first.connect()
    await second.connect()
    assert (await first.receive_json_from())["instance"] != (await second.receive_json_from())["instance"]
    await first.disconnect()
    await second.disconnect()


@FRAMES
async def test_one_connection_keeps_one_instance_for_every_frame(frame):
    communicator = WebsocketCommunicator(SCOPE, "/ws/sync/scope/demo/")
    await communicator.connect()
    on_connect = await communicator.receive_json_from()
    await communicator.send_input({"type": "websocket.receive", **frame})
    assert (await communicator.receive_json_from())["instance"] == on_connect["instance"]
    await communicator.disconnect()


async def test_routing_the_class_without_as_asgi_fails_on_the_first_connection():
    router = URLRouter([path("ws/sync/echo/", EchoConsumer)])
    communicator = WebsocketCommunicator(router, "/ws/sync/echo/")
    await communicator.send_input({"type": "websocket.connect"})
    with pytest.raises(TypeError, match="takes no arguments"):
        await communicator.wait()


@pytest.mark.slow
def test_refusal_is_an_http_403_on_a_real_server(daphne):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    server = daphne()
    with pytest.raises(InvalidStatus) as refused:
        connect(server.ws_url("ws/sync/refuse/"), origin=server.http_url)
    assert refused.value.response.status_code == 403


@pytest.mark.slow
@pytest.mark.parametrize("echo", ["ws/sync/echo/", "ws/async/echo/", "ws/async/hop-free-echo/"])
def test_echo_keeps_working_while_redis_is_down(daphne, echo):
    from websockets.sync.client import connect

    server = daphne("redis://127.0.0.1:1/0")
    with connect(server.ws_url(echo), origin=server.http_url) as socket:
        socket.send("still here")
        assert socket.recv(timeout=FRAME) == "still here"


@pytest.mark.browser
def test_lesson_01_page_echoes_a_text_frame_in_a_real_browser(lesson_page):
    page = lesson_page("01")
    page.connect()
    page.send("hello from Chromium")
    assert page.wait_for_received("hello from Chromium") == ["hello from Chromium"]


@pytest.mark.parametrize(
    ("frame", "reply"),
    [({"text_data": "0.01"}, {"slept": 0.01}), ({"text_data": "4"}, "error"), ({"bytes_data": b"1"}, "error")],
)
async def test_the_sync_slow_route_sleeps_on_the_sync_thread_then_replies(frame, reply):
    communicator = WebsocketCommunicator(SlowConsumer.as_asgi(), "/ws/sync/slow/")
    await communicator.connect()
    await communicator.send_to(**frame)
    answer = await communicator.receive_json_from()
    assert answer == reply if reply != "error" else "error" in answer
    await communicator.disconnect()
