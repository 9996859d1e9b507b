"""Hostile input on a real Daphne: what only a real client can send (protocol violations, bad room
names, hostile HTTP), and no traceback in the server's log."""

import asyncio
import json

import pytest

from harness.patience import FRAME
from tests.helpers.faults import (
    DAPHNE_LIMIT,
    DOCUMENTED_CLOSE_CODES,
    HTTP_PATHS,
    ROUTES,
    crashes_in,
    first_answer,
    how_it_ends,
)

# Frames Daphne (autobahn) must refuse before any consumer sees them: it drops the connection.
PROTOCOL_VIOLATIONS = {
    "invalid-utf8-text": (b"\xff\xfe\xfd", True),
    "frame-over-1-MiB": (b"x" * (DAPHNE_LIMIT + 1), False),
    "message-over-1-MiB-in-fragments": ([b"x" * 65536] * 17, False),
}


ROOM_ROUTES = ["ws/chat/{room}/", "ws/db/room/{room}/"]


# As a browser writes them in a URL: percent-encoded, so Daphne decodes them into scope["path"].
BAD_ROOMS = ["has%20space", "caf%C3%A9", "..", "%2E%2E", "a%2Fb", "a" * 95, "a" * 300, "%00", "%FF"]


# What a real HTTP client can send that a communicator cannot: a body Daphne must read off
# the wire, raw header bytes, a path Daphne itself decodes.
RAW_REQUESTS = {
    "one-mebibyte-body": b"POST /{path}?timeout=0.05 HTTP/1.0\r\nContent-Length: 1048576\r\n\r\n" + b"x" * 1048576,
    "latin1-last-event-id": b"GET /{path}?timeout=0.05 HTTP/1.0\r\nLast-Event-ID: \xe9\xff\r\n\r\n",
    "percent-garbage-query": b"GET /{path}?timeout=%FF%00&interval=%E9 HTTP/1.0\r\n\r\n",
}


@pytest.mark.slow
@pytest.mark.parametrize("path", ROUTES)
async def test_daphne_drops_a_socket_that_breaks_the_protocol_and_serves_the_next_client(course_server, path, subtests):
    served_before = await first_answer(course_server, path)
    log_offset = len(course_server.log())
    for name, (data, text) in PROTOCOL_VIOLATIONS.items():
        with subtests.test(frame=name):
            # None: dropped by Daphne; 403 or a documented code: the route refused or closed first.
            assert await how_it_ends(course_server, path, data, text) in {None, 403} | DOCUMENTED_CLOSE_CODES
    assert await first_answer(course_server, path) == served_before
    assert crashes_in(course_server.log()[log_offset:]) == []


@pytest.mark.slow
@pytest.mark.parametrize("room", BAD_ROOMS)
@pytest.mark.parametrize("route", ROOM_ROUTES)
async def test_a_bad_room_name_on_a_real_server_is_refused_or_closed_4400_never_a_500(course_server, route, room):
    log_offset = len(course_server.log())
    ended = await how_it_ends(course_server, route.format(room=room), json.dumps({"message": "hello"}))
    assert ended in {403, 4400}
    assert crashes_in(course_server.log()[log_offset:]) == []


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
        status_line = await asyncio.wait_for(reader.readline(), FRAME)
    finally:
        writer.close()
        await writer.wait_closed()
    assert int(status_line.split()[1]) < 500
    assert crashes_in(course_server.log()[log_offset:]) == []
