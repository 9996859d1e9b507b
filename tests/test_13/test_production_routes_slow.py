"""Lesson 13 on a real Daphne started with lessons.settings_production: what a visitor without an
account can no longer do there (hold a thread, flood a room from another route, announce, publish,
read a cookie back); and, in development, that lesson 04's chats still reach no ws/chat/ socket."""

import asyncio
import contextlib
import json
import urllib.error
import urllib.request

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from harness.patience import FRAME
from http_demo.generic_consumers import NO_CSRF, NOT_LOGGED_IN
from layers_demo.views import NOT_STAFF
from tests.helpers.clients import next_frame, open_socket, receives_nothing
from tests.helpers.routes import PRODUCTION, REFUSED, SERVED, concrete

pytestmark = pytest.mark.slow
WEBSOCKET_ROWS = [route for route in PRODUCTION if concrete(route)[0] == "WS"]
# Served, and refusing every handshake on purpose: lesson 01's refusal demo.
REFUSES_EVERYONE = {"ws/sync/refuse/"}
SECRET = "the-session-cookie-a-page-must-never-read"


async def handshake(server, path: str, headers: dict | None = None) -> int | list[str]:
    """The HTTP status of a refused handshake, or the frames an accepted socket receives in 0.3 s."""
    from websockets.asyncio.client import connect

    try:
        socket = await connect(server.ws_url(path), origin=server.http_url, additional_headers=headers)
    except InvalidStatus as refused:
        return refused.response.status_code
    frames = []
    async with socket:
        with contextlib.suppress(TimeoutError, ConnectionClosed):  # closed at once (4401) is an answer too
            await socket.send('{"message": "probe"}')
            while True:
                frames.append(str(await asyncio.wait_for(socket.recv(), 0.3)))
    return frames


@pytest.mark.parametrize("route", WEBSOCKET_ROWS)
async def test_production_answers_each_handshake_as_the_table_says_and_echoes_no_cookie(production_server, route):
    answer = await handshake(production_server, concrete(route)[1], {"Cookie": f"sessionid={SECRET}"})
    if PRODUCTION[route] == REFUSED or route in REFUSES_EVERYONE:
        assert answer == 403
    else:
        assert PRODUCTION[route] == SERVED and isinstance(answer, list), f"{route} refused its handshake: {answer}"
        assert not any(SECRET in frame for frame in answer), f"{route} sent the session cookie back"


async def test_without_an_account_no_one_holds_a_thread_through_the_slow_routes(production_server):
    refused = [await handshake(production_server, path) for path in ("ws/sync/slow/", "ws/async/slow/")]
    echo = await open_socket(production_server, "ws/sync/echo/")
    await echo.send("still answering")
    assert (refused, await asyncio.wait_for(echo.recv(), FRAME)) == ([403, 403], "still answering")
    await echo.close()


@pytest.mark.parametrize("chat", ["plain-chat", "generic-chat"])
async def test_production_refuses_lesson_04s_chats_so_no_flood_reaches_ws_chat(production_server, chat):
    watcher = await open_socket(production_server, "ws/chat/flood/")
    assert await handshake(production_server, f"ws/layers/{chat}/flood/") == 403
    assert await receives_nothing(watcher, 0.5)
    await watcher.close()


async def flood(server, path: str, count: int = 1000) -> None:
    """Send `count` chat frames on `path` as fast as possible, then wait for the flooder's own last one."""
    socket = await open_socket(server, path)
    for n in range(count):
        await socket.send(json.dumps({"message": f"flood {n}"}))
    await socket.send(json.dumps({"message": "end"}))
    # One consumer handles its frames in order: once "end" is back, every group_send before it is done.
    while (await next_frame(socket, timeout=FRAME))["message"] != "end":
        pass
    await socket.close()


async def test_in_development_a_thousand_frames_on_lesson_04s_chats_reach_no_ws_chat(course_server):
    watcher = await open_socket(course_server, "ws/chat/flood/")
    listener = await open_socket(course_server, "ws/layers/plain-chat/flood/")
    await asyncio.gather(*(flood(course_server, f"ws/layers/{chat}/flood/") for chat in ("plain-chat", "generic-chat")))
    await watcher.send(json.dumps({"message": "only mine"}))
    first = await next_frame(watcher)
    heard_by_plain_room = await next_frame(listener)
    assert first["message"] == "only mine"  # a flood frame that reached the room would have come first
    assert heard_by_plain_room["message"].startswith("flood")  # while the flood did reach its own room
    await watcher.close()
    await listener.close()


def post(server, path: str, csrf: bool) -> tuple[int, dict | None]:
    """A visitor without an account POSTs to `path` through the HTTPS proxy, with or without a valid CSRF pair."""
    headers = {"X-Forwarded-Proto": "https", "Content-Type": "text/plain"}
    if csrf:  # what this site's own page would send: its CSRF cookie, the token, its Origin
        token = "a" * 32
        headers |= {"Cookie": f"csrftoken={token}", "X-CSRFToken": token, "Origin": f"https://127.0.0.1:{server.port}"}
    request = urllib.request.Request(f"{server.http_url}/{path}", data=b"hello", headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=FRAME) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        body = error.read()
        return error.code, json.loads(body) if error.headers.get_content_type() == "application/json" else None


@pytest.mark.parametrize(
    ("path", "refusal"),
    [("layers/announce/", NOT_STAFF), ("http/publish/", NOT_LOGGED_IN)],
    ids=["announce", "publish"],
)
def test_without_an_account_no_one_announces_or_publishes(production_server, path, refusal):
    without_token = post(production_server, path, csrf=False)
    with_token = post(production_server, path, csrf=True)
    assert without_token[0] == 403 and without_token[1] in (None, {"error": NO_CSRF})  # Django's page, or ours
    assert with_token == (403, {"error": refusal})
