"""Hostile input on every WebSocket route: never a crash (1011), never harm to another client.

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

import json

import pytest
from channels.testing import WebsocketCommunicator

from lessons.asgi import application
from lessons.catalogue import LESSONS
from tests.faults_support import DOCUMENTED_CLOSE_CODES, first_answer, how_it_ends, kind, outputs, undocumented
from tests.support import ORIGIN

# Apps whose consumers may query the database (logging in, room history).
DATABASE_APPS = {"auth_demo", "db_demo"}
# Every route any lesson offers, and the app that serves it.
ROUTE_APPS = {route.path: lesson.app for lesson in LESSONS for route in lesson.routes}
ROUTES = [
    pytest.param(path, marks=[pytest.mark.django_db] if app in DATABASE_APPS else [], id=path)
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
