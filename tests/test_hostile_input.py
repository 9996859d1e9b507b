"""Hostile input on every route: never a crash (1011 or HTTP 500), never harm to another client.

The routes come from the lesson catalogue, so a route added later gets the
whole matrix without anyone listing it. For each route, every hostile frame
goes to a fresh socket whose consumer must answer with frames or a documented
close code; after each one, a client connected beside it must still get what
a client of an untouched route gets. Route-specific error texts are proven in
the lessons' own tests, origin checks over every route in
tests/test_07_authentication.py, and flood control on ws/chat/ in
tests/test_05/test_hardened_chat.py. tests/test_hostile_input_slow.py sends what
only a real client can (invalid UTF-8, frames over Daphne's 1 MiB limit, odd
room paths, raw HTTP) to a real Daphne.
"""

import json

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator

from lessons.asgi import application
from tests.helpers.clients import HOST, ORIGIN
from tests.helpers.faults import DAPHNE_LIMIT, HTTP_PATHS, ROUTES, kind, outputs, undocumented

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
async def test_no_hostile_frame_crashes_a_route_and_the_client_beside_it_stays_served(path, subtests):
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
async def test_a_flood_to_a_db_room_gets_the_flooder_errors_and_leaves_the_others_alone(settings):
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
