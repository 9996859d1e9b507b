"""Lesson 07: scope["user"] from the session cookie, and origin checks.

Logging in and out over a socket, and the handoff, are in tests/test_07_socket_login.py."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from auth_demo.consumers import WhoAmIConsumer
from course.catalogue import LESSONS
from lessons.asgi import application
from tests.helpers.clients import ORIGIN

# Every WebSocket route any lesson offers, so a route added later is origin-checked here too.
# (HTTP routes send no CORS header, so another site's page cannot read them: tests/test_hostile_input.py.)
ROUTES = sorted({route.path for lesson in LESSONS for route in lesson.routes if route.kind == "ws"})
# The consumers read users and sessions in a database thread, which sees only committed rows:
# tests that touch the database need django_db(transaction=True), not a rolled-back transaction.
committed_db = pytest.mark.django_db(transaction=True)


def cookie(session_key: str) -> list[tuple[bytes, bytes]]:
    return [(b"cookie", f"sessionid={session_key}".encode())]


@committed_db
async def test_whoami_sends_the_username_of_the_logged_in_session(ada_session_key):
    communicator = WebsocketCommunicator(application, "/ws/auth/whoami/", headers=ORIGIN + cookie(ada_session_key))
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_json_from() == {"username": "ada"}
    await communicator.disconnect()


async def test_whoami_closes_an_anonymous_socket_with_4401_before_any_data_frame():
    communicator = WebsocketCommunicator(application, "/ws/auth/whoami/", headers=ORIGIN)
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4401}
    await communicator.disconnect()


async def test_whoami_without_auth_middleware_has_no_scope_user_and_raises_key_error():
    # The consumer class alone, not lessons.asgi.application: nothing puts "user" in the scope.
    communicator = WebsocketCommunicator(WhoAmIConsumer.as_asgi(), "/ws/auth/whoami/")
    connected, _ = await communicator.connect()  # it accepts first, then reads scope["user"]
    assert connected
    with pytest.raises(KeyError, match="'user'"):
        await communicator.wait()  # the consumer has stopped: wait() raises what stopped it


@committed_db
async def test_whoami_closes_with_4401_once_the_browser_has_logged_out(ada_session_key, client):
    await sync_to_async(client.post)("/accounts/logout/")
    communicator = WebsocketCommunicator(application, "/ws/auth/whoami/", headers=ORIGIN + cookie(ada_session_key))
    await communicator.connect()
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4401}
    await communicator.disconnect()


@committed_db
async def test_whoami_keeps_the_user_of_its_handshake_after_the_browser_logs_out(ada_session_key, client):
    communicator = WebsocketCommunicator(application, "/ws/auth/whoami/", headers=ORIGIN + cookie(ada_session_key))
    await communicator.connect()
    await communicator.receive_json_from()
    await sync_to_async(client.post)("/accounts/logout/")
    await communicator.send_to(text_data="who am I now?")
    assert await communicator.receive_json_from() == {"username": "ada"}
    await communicator.disconnect()


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    "origin",
    [
        [(b"origin", b"http://evil.example")],
        [(b"origin", b"null")],
        [],
        [(b"origin", b"http://127.0.0.1.evil.example")],
    ],
    ids=["foreign", "null", "missing", "suffix-trick"],
)
async def test_every_route_refuses_a_handshake_without_an_allowed_origin(route, origin):
    communicator = WebsocketCommunicator(application, f"/{route}", headers=origin)
    connected, _ = await communicator.connect()
    assert connected is False
    await communicator.disconnect()


async def test_the_origin_check_refuses_a_page_on_another_port_of_the_same_host():
    # Channels' AllowedHostsOriginValidator lets this in (host names only); the course's check does not.
    headers = [(b"origin", b"http://localhost:3000"), (b"host", b"localhost:8000")]
    communicator = WebsocketCommunicator(application, "/ws/auth/whoami/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected is False
    await communicator.disconnect()
