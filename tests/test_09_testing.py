"""Lesson 09: the testing tools, each shown on a tiny consumer (the pitfalls are in tests/test_09_pitfalls.py)."""

import asyncio
import contextlib

import pytest
import redis
from channels.layers import get_channel_layer
from channels.testing import ApplicationCommunicator, HttpCommunicator, WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser, User

import tests.helpers
from harness.patience import FRAME
from lessons.asgi import application
from tests.helpers import require
from tests.helpers.clients import HOST, ORIGIN
from tests.helpers.tiny_consumers import (
    EchoConsumer,
    HelloHttpConsumer,
    JobWorkerConsumer,
    WhoAmIConsumer,
    origin_checked_echo,
    session_whoami,
)

# --- WebsocketCommunicator -------------------------------------------------


async def test_connect_returns_true_and_the_subprotocol_when_the_consumer_accepts():
    communicator = WebsocketCommunicator(EchoConsumer.as_asgi(), "/ws/echo/")
    connected, subprotocol = await communicator.connect()
    assert (connected, subprotocol) == (True, None)
    await communicator.disconnect()


@pytest.mark.parametrize(("kind", "payload"), [("text_data", "hello"), ("bytes_data", b"\x00\xff")])
async def test_send_to_and_receive_from_carry_a_text_or_binary_frame_each_way(kind, payload):
    communicator = WebsocketCommunicator(EchoConsumer.as_asgi(), "/ws/echo/")
    await communicator.connect()
    await communicator.send_to(**{kind: payload})
    assert await communicator.receive_from() == payload
    await communicator.disconnect()


async def test_send_json_to_and_receive_json_from_encode_and_decode_text_frames():
    communicator = WebsocketCommunicator(EchoConsumer.as_asgi(), "/ws/echo/")
    await communicator.connect()
    await communicator.send_json_to({"n": [1, 2]})
    assert await communicator.receive_json_from() == {"n": [1, 2]}
    await communicator.disconnect()


async def test_receive_nothing_is_true_while_the_consumer_stays_silent():
    communicator = WebsocketCommunicator(EchoConsumer.as_asgi(), "/ws/echo/")
    await communicator.connect()
    assert await communicator.receive_nothing(timeout=0.05) is True
    await communicator.disconnect()


async def test_a_sentinel_proves_nothing_came_before_it_without_waiting_out_a_timeout():
    communicator = WebsocketCommunicator(EchoConsumer.as_asgi(), "/ws/echo/")
    await communicator.connect()
    await communicator.send_to(text_data="once")
    assert await communicator.receive_from() == "once"
    await communicator.send_to(text_data="sentinel")
    # Frames arrive in order: a second "once" would come before the sentinel's echo.
    assert await communicator.receive_from() == "sentinel"
    await communicator.disconnect()


async def test_disconnect_ends_a_consumer_that_raises_stop_consumer():
    communicator = WebsocketCommunicator(EchoConsumer.as_asgi(), "/ws/echo/")
    await communicator.connect()
    await communicator.disconnect()
    assert communicator.future.done() and not communicator.future.cancelled()


# --- ApplicationCommunicator: the raw events, and a worker ------------------


async def test_application_communicator_exchanges_the_events_websocket_communicator_wraps():
    communicator = ApplicationCommunicator(EchoConsumer.as_asgi(), {"type": "websocket", "path": "/ws/echo/"})
    await communicator.send_input({"type": "websocket.connect"})
    assert await communicator.receive_output() == {"type": "websocket.accept"}
    await communicator.send_input({"type": "websocket.receive", "text": "hi"})
    assert await communicator.receive_output() == {"type": "websocket.send", "text": "hi"}
    await communicator.send_input({"type": "websocket.disconnect", "code": 1000})
    await communicator.wait()


async def test_application_communicator_runs_a_worker_consumer_on_a_channel_scope():
    communicator = ApplicationCommunicator(JobWorkerConsumer.as_asgi(), {"type": "channel", "channel": "jobs"})
    replies = await get_channel_layer().new_channel()
    await communicator.send_input({"type": "job.run", "text": "to be or not", "reply_to": replies})
    async with asyncio.timeout(FRAME):  # a safety net: a lost reply fails the test instead of hanging it
        assert await get_channel_layer().receive(replies) == {"type": "job.done", "words": 4}
    # A worker never hears a disconnect: stop it by hand, or it outlives the test.
    communicator.future.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await communicator.future


async def test_wait_raises_the_exception_that_stopped_the_application():
    communicator = ApplicationCommunicator(JobWorkerConsumer.as_asgi(), {"type": "channel", "channel": "jobs"})
    await communicator.send_input({"type": "job.cancel"})
    with pytest.raises(ValueError, match="No handler for message type job.cancel"):
        await communicator.wait()


# --- HttpCommunicator ------------------------------------------------------


async def test_http_communicator_gets_the_course_index_through_the_root_router():
    communicator = HttpCommunicator(application, "GET", "/", headers=HOST)
    response = await communicator.get_response(timeout=FRAME)  # a whole page rendered: more than a frame's work
    assert response["status"] == 200
    assert b"pytest tests/test_09_testing.py" in response["body"]


async def test_http_communicator_without_a_host_header_gets_400_from_django():
    communicator = HttpCommunicator(application, "GET", "/")
    response = await communicator.get_response(timeout=FRAME)
    assert response["status"] == 400


async def test_http_communicator_drives_a_raw_http_consumer():
    communicator = HttpCommunicator(HelloHttpConsumer.as_asgi(), "GET", "/hello/?name=Ada")
    response = await communicator.get_response(timeout=FRAME)
    assert (response["status"], response["body"]) == (200, b"Hello, Ada")


# --- headers and scope["user"] ---------------------------------------------


@pytest.mark.parametrize(
    ("headers", "accepted"),
    [(ORIGIN, True), ([(b"origin", b"http://evil.example")], False), ([], False)],
    ids=["allowed-origin", "foreign-origin", "no-origin"],
)
async def test_origin_header_decides_whether_the_origin_validator_lets_a_socket_in(headers, accepted):
    communicator = WebsocketCommunicator(origin_checked_echo, "/ws/echo/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected is accepted
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("user", "expected"), [(User(username="ada"), (True, None)), (AnonymousUser(), (False, 4401))], ids=["ada", "anon"]
)
async def test_a_user_set_on_the_communicator_scope_reaches_the_consumer(user, expected):
    communicator = WebsocketCommunicator(WhoAmIConsumer.as_asgi(), "/ws/whoami/")
    communicator.scope["user"] = user
    assert await communicator.connect() == expected
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_session_cookie_logs_the_user_in_when_the_test_commits_its_data(ada_cookie):
    communicator = WebsocketCommunicator(session_whoami, "/ws/whoami/", headers=[*ORIGIN, ada_cookie])
    assert await communicator.connect() == (True, None)
    assert await communicator.receive_json_from() == {"username": "ada"}
    await communicator.disconnect()


@pytest.mark.django_db
async def test_without_transaction_true_the_consumer_cannot_see_the_session(ada_cookie):
    communicator = WebsocketCommunicator(session_whoami, "/ws/whoami/", headers=[*ORIGIN, ada_cookie])
    # The middleware looks the session up in another thread, on another
    # database connection, outside this test's uncommitted transaction.
    assert await communicator.connect() == (False, 4401)
    await communicator.disconnect()


# --- the layer, Redis and browser fixtures ---------------------------------


@pytest.mark.parametrize("layer", ["memory", "redis", "pubsub"], indirect=True)
async def test_the_layer_fixture_gives_a_working_channel_layer(layer):
    channel_layer = get_channel_layer()
    channel = await channel_layer.new_channel()
    await channel_layer.send(channel, {"type": "lesson.ping", "layer": layer})
    async with asyncio.timeout(FRAME):
        assert await channel_layer.receive(channel) == {"type": "lesson.ping", "layer": layer}


@pytest.mark.parametrize("layer", ["redis"], indirect=True)
async def test_the_redis_layer_writes_only_keys_under_the_test_prefix(layer, redis_url, redis_prefix):
    await get_channel_layer().send("lesson09-queue", {"type": "lesson.ping"})
    keys = redis.Redis.from_url(redis_url).keys("*lesson09-queue*")
    assert keys and all(key.startswith(redis_prefix.encode()) for key in keys)


@pytest.mark.parametrize(("in_ci", "outcome"), [(False, pytest.skip.Exception), (True, pytest.fail.Exception)])
def test_require_skips_a_test_locally_but_fails_it_under_ci(monkeypatch, in_ci, outcome):
    monkeypatch.setattr(tests.helpers, "IN_CI", in_ci)
    with pytest.raises(outcome, match="no Chromium here"):
        require(False, "no Chromium here")
