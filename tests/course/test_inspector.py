"""The inspector (course/inspector.py): what a lesson page's panel is shown, and what it never is."""

import json
import os
import secrets
import subprocess
import sys

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.conf import settings

from course import inspector
from course.inspector import STORE
from harness.patience import FRAME
from harness.servers import REPO_DIR

ORIGIN = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]


def steps(page: str) -> list[tuple[str, str, str]]:
    """(from, to, label) of every event the page recorded."""
    return [(event["from"], event["to"], event["label"]) for event in STORE.events(page)]


async def test_tests_run_with_the_inspector_off_no_socket_no_recording_no_wrapped_layer():
    from lessons.asgi import application

    assert settings.INSPECTOR_ENABLED is False
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    page = secrets.token_urlsafe(16)
    panel = WebsocketCommunicator(application, f"/ws/inspector/{page}/", headers=ORIGIN)
    assert (await panel.connect())[0] is False
    echo = WebsocketCommunicator(application, f"/ws/sync/echo/?inspect={page}", headers=ORIGIN)
    await echo.connect()
    await echo.disconnect()
    assert STORE.events(page) == []
    assert not isinstance(application, inspector.Recorder)


def test_inspected_wraps_the_application_and_leaves_the_original_untouched():
    from lessons.asgi import application

    websocket_stack = application.application_mapping["websocket"]
    wrapped = inspector.inspected(application)
    assert isinstance(wrapped, inspector.Recorder)
    assert application.application_mapping["websocket"] is websocket_stack
    router = wrapped.app.application_mapping["websocket"].application.inner.inner.inner
    assert isinstance(router, inspector.ScopeProbe)  # just above the URLRouter, below the auth stack


@pytest.mark.slow  # a second Python process: settings are read once per process
def test_production_settings_turn_the_inspector_off_and_leave_the_layer_unwrapped():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="lessons.settings_production", DEBUG="1", SECRET_KEY="x" * 50)
    env.update(ALLOWED_HOSTS="example.com", REDIS_URL="redis://127.0.0.1:6379/0")
    code = "from django.conf import settings as s; print(s.INSPECTOR_ENABLED, s.CHANNEL_LAYERS['default']['BACKEND'])"
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO_DIR, capture_output=True, text=True)
    assert result.stdout.split() == ["False", "channels_redis.core.RedisChannelLayer"], result.stderr


async def test_an_echo_is_recorded_from_handshake_to_stop_consumer(inspected):
    page = secrets.token_urlsafe(16)
    communicator = WebsocketCommunicator(inspected, f"/ws/sync/echo/?inspect={page}", headers=ORIGIN)
    await communicator.connect()
    await communicator.send_to(text_data="hello")
    assert await communicator.receive_from() == "hello"
    await communicator.disconnect()
    labels = [label for _, _, label in steps(page)]
    assert labels[:3] == [
        "WebSocket handshake /ws/sync/echo/",
        "scope",
        "scope + origin: accepted, user: AnonymousUser, session: none yet",
    ]
    assert labels[-2:] == ["websocket.disconnect", "StopConsumer: the instance ends"]
    assert ("daphne", "consumer", "websocket.connect") in steps(page)
    assert ("consumer", "daphne", "websocket.accept") in steps(page)
    assert ("consumer", "daphne", "websocket.send") in steps(page)
    assert STORE.events(page)[-1]["consumer"] == "EchoConsumer"


async def test_the_consumer_never_sees_the_inspect_parameter(inspected):
    page = secrets.token_urlsafe(16)
    path = f"/ws/sync/scope/demo/?colour=blue&inspect={page}"
    communicator = WebsocketCommunicator(inspected, path, headers=ORIGIN)
    await communicator.connect()
    reply = await communicator.receive_json_from()
    await communicator.disconnect()
    assert reply["query_string"] == "colour=blue"


async def test_a_chat_message_is_recorded_from_the_layer_to_the_socket(inspected):
    page = secrets.token_urlsafe(16)
    alice = WebsocketCommunicator(inspected, f"/ws/chat/lobby/?inspect={page}", headers=ORIGIN)
    await alice.connect()
    await alice.send_json_to({"message": "hi"})
    assert (await alice.receive_json_from())["message"] == "hi"
    await alice.disconnect()
    labels = [label.split("(")[0] for _, _, label in steps(page)]
    assert labels.index("group_add") < labels.index("websocket.accept") < labels.index("group_send")
    delivered = labels.index("chat.message → chat_message")
    assert labels[delivered + 1] == "websocket.send"
    assert "group_discard" in labels
    assert "send" not in labels  # the in-memory layer's own send to each member is not the consumer's call
    assert STORE.events(page)[-1]["channel_name"].startswith("specific.")


async def test_an_http_request_is_recorded_and_its_consumer_never_sees_inspect(inspected):
    page = secrets.token_urlsafe(16)
    communicator = HttpCommunicator(inspected, "GET", f"/http/raw/?colour=blue&inspect={page}")
    response = await communicator.get_response(timeout=FRAME)
    assert response["status"] == 200
    assert b"inspect=" not in response["body"]
    assert ("browser", "daphne", "GET /http/raw/") in steps(page)
    assert ("middleware", "consumer", "scope (nothing added)") in steps(page)
    assert ("daphne", "consumer", "http.request") in steps(page)
    assert ("daphne", "browser", "HTTP 200") in steps(page)


async def test_an_exception_is_recorded_as_the_1011_close_and_still_raised():
    async def crashing(scope, receive, send):
        await receive()
        raise ValueError("crashed on purpose")

    page = secrets.token_urlsafe(16)
    communicator = WebsocketCommunicator(inspector.Recorder(crashing), f"/ws/crash/?inspect={page}")
    await communicator.send_input({"type": "websocket.connect"})
    with pytest.raises(ValueError):
        await communicator.wait()
    assert steps(page)[-1][2] == "ValueError raised: Daphne closes with 1011"


async def test_a_refused_origin_is_drawn_as_the_middleware_closing_the_handshake(inspected):
    page = secrets.token_urlsafe(16)
    communicator = WebsocketCommunicator(
        inspected, f"/ws/sync/echo/?inspect={page}", headers=[(b"origin", b"http://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected
    assert ("middleware", "daphne", "websocket.close") in steps(page)
    assert ("daphne", "browser", "HTTP 403: handshake refused") in steps(page)
    assert "consumer" not in [target for _, target, _ in steps(page)]


async def test_the_inspector_socket_is_behind_the_origin_check(inspected):
    page = secrets.token_urlsafe(16)
    communicator = WebsocketCommunicator(
        inspected, f"/ws/inspector/{page}/", headers=[(b"origin", b"http://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_a_page_is_streamed_its_own_connections_and_never_another_pages(inspected):
    mine, theirs = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    panel = WebsocketCommunicator(inspected, f"/ws/inspector/{mine}/", headers=ORIGIN)
    await panel.connect()
    for page, text in ((theirs, "their secret chat"), (mine, "my echo")):
        communicator = WebsocketCommunicator(inspected, f"/ws/sync/echo/?inspect={page}", headers=ORIGIN)
        await communicator.connect()
        await communicator.send_to(text_data=text)
        await communicator.receive_from()
        await communicator.disconnect()
    streamed = []
    while not any(event["label"].startswith("StopConsumer") for event in streamed):
        streamed += (await panel.receive_json_from())["events"]
    await panel.disconnect()
    assert "my echo" in json.dumps(streamed)
    assert "their secret chat" not in json.dumps(streamed)
    assert {event["connection"] for event in streamed} == {c.id for c in STORE.pages[mine].connections.values()}


async def test_a_flood_keeps_the_newest_events_counts_drops_and_shortens_a_1_mib_frame(inspected):
    page = secrets.token_urlsafe(16)
    communicator = WebsocketCommunicator(inspected, f"/ws/async/echo/?inspect={page}", headers=ORIGIN)
    await communicator.connect()
    await communicator.send_to(text_data="x" * 2**20)
    await communicator.receive_from()
    for number in range(200):
        await communicator.send_to(text_data=str(number))
        await communicator.receive_from()
    await communicator.disconnect()
    [connection] = STORE.pages[page].connections.values()
    assert len(connection.events) == inspector.CONNECTION_EVENTS
    assert connection.dropped > 0
    assert len(json.dumps(list(connection.events))) < 100_000
    assert connection.events[-1]["label"].startswith("StopConsumer")


def test_an_inspector_socket_behind_keeps_the_newest_events_and_counts_the_rest():
    listener = inspector.Listener()
    for number in range(inspector.LISTENER_EVENTS + 5):
        listener.put({"label": str(number)})
    assert [event["label"] for event in listener.events][:1] == ["5"]
    assert len(listener.events) == inspector.LISTENER_EVENTS and listener.dropped == 5
