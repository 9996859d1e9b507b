"""Hostile input on every route: never a crash (1011 or HTTP 500), never harm to another client.

The routes come from the lesson catalogue, so a route added later gets the
whole matrix without anyone listing it. For each route, every hostile frame
goes to a fresh socket whose consumer must answer with frames or a documented
close code; after each one, a client connected beside it must still get what
a client of an untouched route gets. Route-specific error texts are proven in
the lessons' own tests, origin checks over every route in
tests/test_07_authentication.py, and flood control on ws/chat/ in
tests/test_05_redis_layer.py. The `slow` tests send what only a real client
can (invalid UTF-8, frames over Daphne's 1 MiB limit, odd room paths) to a real Daphne.
"""

import asyncio
import json

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator

from lessons.asgi import application
from lessons.catalogue import LESSONS
from tests.helpers.clients import HOST, ORIGIN
from tests.helpers.faults import DOCUMENTED_CLOSE_CODES, first_answer, how_it_ends, kind, outputs, undocumented

# Apps whose consumers may query the database (logging in, room history).
DATABASE_APPS = {"auth_demo", "db_demo"}
# Every WebSocket route any lesson offers, and the app(s) of the lesson that offers it.
ROUTE_APPS = {route.path: lesson.app for lesson in LESSONS for route in lesson.routes if route.kind == "ws"}
ROUTES = [
    pytest.param(path, marks=[pytest.mark.django_db] if DATABASE_APPS & set(app.split(", ")) else [], id=path)
    for path, app in sorted(ROUTE_APPS.items())
]

DAPHNE_LIMIT = 1024 * 1024  # bytes in one frame or message (daphne's --websocket_max_message_size)
HOSTILE_FRAMES = {
    "malformed-json": {"text": '{"message": "unterminated'},
    "empty-text": {"text": ""},
    "json-string": {"text": '"message"'},
    "json-null": {"text": "null"},
    "json-list": {"text": '["message", "hello"]'},
    "client-chosen-type": {"text": '{"type": "websocket.disconnect", "code": 1011}'},
    "wrong-types": {
        "text": '{"message": 42, "to": [], "below": "ten", "action": "login", "username": 7, "password": null}'
    },
    "nulls": {"text": '{"message": null, "to": null, "below": null, "action": null}'},
    "nan-and-huge-numbers": {"text": '{"message": NaN, "below": 1e400, "n": ' + "9" * 5000 + "}"},
    "nested-too-deep": {"text": "[" * 100_000},
    "lone-surrogate": {
        "text": '{"message": "\\ud800", "action": "login", "username": "\\ud800", "password": "\\ud800"}'
    },
    "binary-garbage": {"bytes": b"\x00\xff\xfe\x80"},
    "binary-json": {"bytes": b'{"message": "hello", "below": 10, "action": "whoami"}'},
    "oversized": {"text": json.dumps({"message": "x" * (DAPHNE_LIMIT - 20), "action": "whoami"})},
}

PROBE = {"type": "websocket.receive", "text": "probe"}  # a frame every route that accepts answers somehow


async def normal_service(path: str) -> tuple[list[tuple], list[tuple]]:
    """What a client of an untouched route gets: (the kinds of answer to connecting, and to PROBE)."""
    answers = []
    for probe in (False, True):
        client = WebsocketCommunicator(application, f"/{path}", headers=ORIGIN)
        accepted, _ = await client.connect()
        if accepted and probe:
            await client.send_input(PROBE)
        await client.disconnect()
        answers.append([kind(message) for message in outputs(client)])
    on_connect, with_probe = answers
    return on_connect, with_probe[len(on_connect) :]


@pytest.mark.parametrize("path", ROUTES)
async def test_no_hostile_frame_crashes_a_route_and_the_client_beside_it_is_served_after_each(path, subtests):
    on_connect, on_probe = await normal_service(path)
    bob = WebsocketCommunicator(application, f"/{path}", headers=ORIGIN)
    bob_accepted, _ = await bob.connect()
    assert [kind(await bob.receive_output()) for _ in on_connect] == on_connect
    for name, frame in HOSTILE_FRAMES.items():
        with subtests.test(frame=name):
            alice = WebsocketCommunicator(application, f"/{path}", headers=ORIGIN)
            if (await alice.connect())[0]:  # a real server passes no frame to a refused handshake
                await alice.send_input({"type": "websocket.receive", **frame})
            await alice.disconnect()  # re-raises whatever crashed alice's consumer: 1011 on a real server
            assert undocumented(outputs(alice)) == []
            if bob_accepted:
                await bob.send_input(PROBE)
            assert [kind(await bob.receive_output()) for _ in on_probe] == on_probe
    await bob.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_flood_to_a_database_room_gets_the_flooder_errors_and_leaves_the_others_unaffected(settings):
    settings.CHAT_FLOOD_LIMIT = 3
    alice = WebsocketCommunicator(application, "/ws/db/room/lobby/", headers=ORIGIN)
    bob = WebsocketCommunicator(application, "/ws/db/room/lobby/", headers=ORIGIN)
    for communicator in (alice, bob):
        await communicator.connect()
        await communicator.receive_json_from()  # the history
    for n in range(5):
        await alice.send_json_to({"message": f"flood {n}"})
    await bob.send_json_to({"message": "I can still talk"})
    to_bob = [(await bob.receive_json_from())["message"] for _ in range(4)]
    to_alice = [await alice.receive_json_from() for _ in range(6)]  # 3 of hers, 2 errors, 1 of his
    await alice.disconnect()
    await bob.disconnect()
    assert sorted(to_bob) == ["I can still talk", "flood 0", "flood 1", "flood 2"]  # his may come first
    assert ["too many messages" in frame.get("error", "") for frame in to_alice].count(True) == 2


# --- every HTTP route (lesson 10): hostile requests --------------------------

# Every HTTP route any lesson offers, without its sample query string.
HTTP_PATHS = sorted({route.path.split("?")[0] for lesson in LESSONS for route in lesson.routes if route.kind != "ws"})
HTTP_ROUTES = [
    pytest.param(path, marks=[pytest.mark.django_db(transaction=True)] if path.startswith("liveblog/") else [], id=path)
    for path in HTTP_PATHS
]
HOSTILE_REQUESTS = {
    "body-over-every-limit": ("POST", "", b"x" * (256 * 1024), []),
    "not-utf8-body": ("POST", "", b"\xff\xfe\xed\xa0\x80", []),
    "odd-method": ("DELETE", "", b"", []),
    "garbage-query": ("GET", "?interval=%00&timeout=1e400&interval=nan", b"", []),
    "bad-last-event-id": ("GET", "", b"", [(b"last-event-id", b"' OR 1=1 --"), (b"last-event-id", b"9" * 400)]),
}


async def answer_then_leave(path: str, method: str, body: bytes, headers: list) -> int | None:
    """Request `path`; return the status (None: still waiting, as a long-poll does), then leave.

    Raises whatever ended the consumer badly: on a real server, a 500 or a leaked task.
    """
    communicator = HttpCommunicator(application, method, path, body=body, headers=[*HOST, *headers])
    await communicator.send_input({"type": "http.request", "body": body})
    status = (
        None if await communicator.receive_nothing(timeout=0.05) else (await communicator.receive_output())["status"]
    )
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait()
    return status


@pytest.mark.parametrize("path", HTTP_ROUTES)
@pytest.mark.parametrize("request_name", HOSTILE_REQUESTS)
async def test_no_hostile_request_gets_an_http_500_or_outlives_its_client(path, request_name):
    method, query, body, headers = HOSTILE_REQUESTS[request_name]
    status = await answer_then_leave(f"/{path}{query}", method, body, headers)
    assert status is None or status < 500


@pytest.mark.parametrize("path", HTTP_ROUTES)
async def test_no_http_route_lets_another_sites_page_read_its_answer(path):
    # No credentials ride on these requests, so there is nothing to forge; and
    # without Access-Control-Allow-Origin a browser keeps the answer from that page.
    communicator = HttpCommunicator(
        application, "GET", f"/{path}?timeout=0.05", headers=[*HOST, (b"origin", b"http://evil.example")]
    )
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output()
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait()
    assert not [name for name, _ in start["headers"] if name.lower().startswith(b"access-control-")]


# --- what only a real client can send, to a real Daphne (slow) ---------------


# Frames Daphne (autobahn) must refuse before any consumer sees them: it drops the connection.
PROTOCOL_VIOLATIONS = {
    "invalid-utf8-text": (b"\xff\xfe\xfd", True),
    "frame-over-1-MiB": (b"x" * (DAPHNE_LIMIT + 1), False),
    "message-over-1-MiB-in-fragments": ([b"x" * 65536] * 17, False),
}


@pytest.mark.slow
@pytest.mark.parametrize("path", ROUTES)
async def test_daphne_drops_a_socket_that_breaks_the_protocol_and_the_route_serves_the_next_client(
    course_server, path, subtests
):
    served_before = await first_answer(course_server, path)
    log_offset = len(course_server.log())
    for name, (data, text) in PROTOCOL_VIOLATIONS.items():
        with subtests.test(frame=name):
            # None: dropped by Daphne; 403 or a documented code: the route refused or closed first.
            assert await how_it_ends(course_server, path, data, text) in {None, 403} | DOCUMENTED_CLOSE_CODES
    assert await first_answer(course_server, path) == served_before
    assert "Traceback" not in course_server.log()[log_offset:]


ROOM_ROUTES = ["ws/chat/{room}/", "ws/db/room/{room}/"]
# As a browser writes them in a URL: percent-encoded, so Daphne decodes them into scope["path"].
BAD_ROOMS = ["has%20space", "caf%C3%A9", "..", "%2E%2E", "a%2Fb", "a" * 95, "a" * 300, "%00", "%FF"]


@pytest.mark.slow
@pytest.mark.parametrize("room", BAD_ROOMS)
@pytest.mark.parametrize("route", ROOM_ROUTES)
async def test_a_bad_room_name_on_a_real_server_is_refused_or_closed_4400_never_a_500(course_server, route, room):
    log_offset = len(course_server.log())
    ended = await how_it_ends(course_server, route.format(room=room), json.dumps({"message": "hello"}))
    assert ended in {403, 4400}
    assert "Traceback" not in course_server.log()[log_offset:]


# What a real HTTP client can send that a communicator cannot: a body Daphne must read off
# the wire, raw header bytes, a path Daphne itself decodes.
RAW_REQUESTS = {
    "one-mebibyte-body": b"POST /{path}?timeout=0.05 HTTP/1.0\r\nContent-Length: 1048576\r\n\r\n" + b"x" * 1048576,
    "latin1-last-event-id": b"GET /{path}?timeout=0.05 HTTP/1.0\r\nLast-Event-ID: \xe9\xff\r\n\r\n",
    "percent-garbage-query": b"GET /{path}?timeout=%FF%00&interval=%E9 HTTP/1.0\r\n\r\n",
}


@pytest.mark.slow
@pytest.mark.parametrize("path", HTTP_PATHS)
@pytest.mark.parametrize("request_name", RAW_REQUESTS)
async def test_a_real_server_answers_hostile_http_requests_below_500_and_logs_no_traceback(
    course_server, path, request_name
):
    log_offset = len(course_server.log())
    reader, writer = await asyncio.open_connection("127.0.0.1", course_server.port)
    try:
        writer.write(RAW_REQUESTS[request_name].replace(b"{path}", path.encode()))
        status_line = await asyncio.wait_for(reader.readline(), 10)
    finally:
        writer.close()
        await writer.wait_closed()
    assert int(status_line.split()[1]) < 500
    assert "Traceback" not in course_server.log()[log_offset:]
