"""Helpers for the hostile-input and reliability tests: how a socket was answered or ended.

In-process helpers read what a WebsocketCommunicator's consumer sent; the
others drive real WebSocket clients against a real Daphne (the `daphne` and
`course_server` fixtures in tests/fixtures/servers.py). At the end: the matrix
of every route the hostile-input tests run over, and a server whose sends fail
(lessons 05, 08).
Fixtures live in tests/fixtures/, loaded by tests/conftest.py.
"""

import asyncio
import json
import time

import pytest
from channels.testing import WebsocketCommunicator
from websockets.exceptions import ConnectionClosed, InvalidStatus

from course.catalogue import LESSONS
from harness.patience import CONDITION, FRAME
from harness.servers import DaphneServer
from tests.helpers.clients import chat_socket, next_frame, open_socket

# Every close code an application here may send (NOTES.md's close-code table; 4000 is lesson 01's
# close route, 4503 lesson 05's "channel layer unavailable"). Never 1011: a crash.
DOCUMENTED_CLOSE_CODES = {1000, 4000, 4400, 4401, 4403, 4429, 4503}


# --- in process: what a consumer sent --------------------------------------


def kind(message: dict) -> tuple:
    """What kind of answer a message is: a close and its code, or a frame and its JSON keys."""
    if message["type"] == "websocket.close":
        return ("close", message.get("code", 1000))
    try:
        data = json.loads(message.get("text") or "null")
    except ValueError:
        return ("frame", "text" if "text" in message else "bytes")
    return ("frame", sorted(data) if isinstance(data, dict) else type(data).__name__)


def outputs(communicator: WebsocketCommunicator) -> list[dict]:
    """Everything the consumer sent that the test has not read yet (call it after disconnect())."""
    sent = []
    while not communicator.output_queue.empty():
        sent.append(communicator.output_queue.get_nowait())
    return sent


def undocumented(sent: list[dict]) -> list[dict]:
    """The messages in `sent` that are neither a frame nor a close with a documented code."""
    return [
        message
        for message in sent
        if message["type"] != "websocket.send"
        and not (message["type"] == "websocket.close" and message.get("code", 1000) in DOCUMENTED_CLOSE_CODES)
    ]


# --- real clients on a real Daphne -----------------------------------------


# Daphne raises this into a consumer that sends after its client left, and logs it as a
# traceback: lesson 05's "a send to a socket that is closing raises" (django/channels#1466).
CLIENT_LEFT = "autobahn.exception.Disconnected: Attempt to send on a closed protocol"


def crashes_in(log: str) -> list[str]:
    """The tracebacks in a server's log, but those of a send after the client left.

    A module's server is shared, so a socket of an earlier test may end that way in a later
    test's window; any other traceback is a crash."""
    blocks = log.split("Traceback (most recent call last):")[1:]
    return [block for block in blocks if CLIENT_LEFT not in block]


async def first_answer(server, path: str, text: str = "probe") -> str | int | None:
    """Send `text` on a fresh socket: "frame" if a frame comes back, else the close code
    (None: dropped without a close frame) or a refused handshake's HTTP status."""
    try:
        ws = await open_socket(server, path)
    except InvalidStatus as refused:
        return refused.response.status_code
    try:
        await ws.send(text)
        await asyncio.wait_for(ws.recv(), FRAME)
        return "frame"
    except ConnectionClosed as closed:
        return closed.rcvd and closed.rcvd.code
    finally:
        await ws.close()


async def how_it_ends(server, path: str, data, text: bool | None = None) -> int | None:
    """Send `data` on a fresh socket and read until it closes: the close code (None: the server
    dropped the connection without a close frame), or a refused handshake's HTTP status."""
    try:
        ws = await open_socket(server, path)
    except InvalidStatus as refused:
        return refused.response.status_code
    try:
        await ws.send(data, text=text)
        while True:
            await asyncio.wait_for(ws.recv(), FRAME)
    except ConnectionClosed as closed:
        return closed.rcvd and closed.rcvd.code
    finally:
        await ws.close()


async def close_code(ws, timeout: float = CONDITION) -> int | None:
    """Wait until the server closes `ws` (failing after `timeout` s) and return its close code."""
    await asyncio.wait_for(ws.wait_closed(), timeout)
    return ws.close_code


async def chats(server, room: str) -> bool:
    """True if a new socket in ws/chat/<room>/ connects and hears its own message back."""
    try:
        ws = await chat_socket(server, room)
    except (InvalidStatus, OSError):
        return False
    try:
        await ws.send(json.dumps({"message": "anyone?"}))
        return (await next_frame(ws))["message"] == "anyone?"
    except (ConnectionClosed, TimeoutError):
        return False
    finally:
        await ws.close()


async def chats_within(server, room: str, seconds: float) -> bool:
    """True if new sockets trying every 0.1 s get one chatting in ws/chat/<room>/ within `seconds`."""

    async def keep_trying() -> None:
        while not await chats(server, room):
            await asyncio.sleep(0.1)

    try:
        await asyncio.wait_for(keep_trying(), seconds)
    except TimeoutError:
        return False
    return True


async def hear_all(sockets: list, count: int, patience: float = FRAME) -> list[list[str]]:
    """Each socket's chat messages, read until it has `count`, or until no socket has heard anything for
    `patience` seconds (or until the server closed it).

    A wait by progress, not by a time per frame: on a busy machine thousands of frames take long to
    fan out, and the reading goes on while any socket still hears something; it ends only when the
    whole crowd has fallen silent, and shortfalls() then says what each socket is missing."""
    heard: list[list[str]] = [[] for _ in sockets]
    last = time.monotonic()  # when any socket last heard a frame

    async def read(ws, messages: list[str]) -> None:
        nonlocal last
        while len(messages) < count:
            try:  # cancelling websockets' recv() loses no frame: the next recv() returns it
                frame = await asyncio.wait_for(ws.recv(), max(last + patience - time.monotonic(), 0.01))
            except TimeoutError:
                if time.monotonic() - last >= patience:
                    return
                continue  # another socket heard something meanwhile: the crowd is still moving
            except ConnectionClosed:
                return
            messages.append(json.loads(frame)["message"])
            last = time.monotonic()

    await asyncio.gather(*(read(ws, messages) for ws, messages in zip(sockets, heard, strict=True)))
    return heard


async def chat_in_waves(waves: list[list[tuple]], sockets: list) -> list[list[str]]:
    """Send each wave's (socket, text) messages at once, and send the next only when every socket has heard
    this one (hear_all): each socket's chat messages, in the order heard.

    No broadcast then waits in the layer for longer than one wave takes to fan out: the core Redis layer
    deletes a message that waited past its EXPIRY (60 s) unread, silently, and a busy machine can take
    that long to fan thousands of frames out at once."""
    heard: list[list[str]] = [[] for _ in sockets]
    for wave in waves:
        await asyncio.gather(*(ws.send(json.dumps({"message": text})) for ws, text in wave))
        for mine, more in zip(heard, await hear_all(sockets, len(wave)), strict=True):
            mine.extend(more)
    return heard


def shortfalls(heard: list[list[str]], sent: list[str], sockets: list) -> dict[int, str]:
    """Socket by socket, what it heard of `sent` if that is not each message once, and how it ended if
    the server closed it; {} when every socket heard every message once."""
    found = {}
    for n, (messages, ws) in enumerate(zip(heard, sockets, strict=True)):
        missing = [message for message in sent if message not in set(messages)]
        if missing or sorted(messages) != sorted(sent):
            closed = "" if ws.close_code is None else f"; the server closed it with {ws.close_code}"
            found[n] = (
                f"heard {len(messages)} of {len(sent)}, missing {missing[:5]}{'...' * (len(missing) > 5)}{closed}"
            )
    return found


def by_sender(messages: list[str]) -> dict[int, list[int]]:
    """Messages "n:k" grouped by sender n, each sender's k in the order they arrived."""
    senders: dict[int, list[int]] = {}
    for message in messages:
        n, k = map(int, message.split(":"))
        senders.setdefault(n, []).append(k)
    return senders


class CrashServer(DaphneServer):
    """A real Daphne serving tests/helpers/crash_asgi.py: the course's application plus a route that crashes."""

    APP = "tests.helpers.crash_asgi:application"

    def __init__(self, env: dict[str, str]):
        super().__init__(env, application=self.APP)


async def run_until_a_send_fails(app, scope: dict, events: list[dict]) -> None:
    """Run the ASGI `app` on a server whose every websocket.send raises, as Daphne 4.2's does on a socket
    that is closing (autobahn's Disconnected, a RuntimeError), feeding it `events` and no websocket.disconnect
    (none comes on Daphne then: django/channels#1466). Returns once the app has raised that error."""
    queue: asyncio.Queue = asyncio.Queue()
    for event in events:
        queue.put_nowait(event)

    async def send(message):
        if message["type"] == "websocket.send":
            raise RuntimeError("Attempt to send on a closed protocol")

    scope = {"type": "websocket", "headers": [], "query_string": b"", **scope}
    with pytest.raises(RuntimeError, match="closed protocol"):
        await asyncio.wait_for(app(scope, queue.get, send), FRAME)


# --- the matrix the hostile-input tests run over: every route any lesson offers ---

# Apps whose consumers may query the database (logging in, room history).
DATABASE_APPS = {"auth_demo", "db_demo", "workshop", "tasks_demo"}
# Every WebSocket route any lesson offers, and the app(s) of the lesson that offers it.
ROUTE_APPS = {route.path: lesson.app for lesson in LESSONS for route in lesson.routes if route.kind == "ws"}
ROUTES = [
    pytest.param(path, marks=[pytest.mark.django_db] if DATABASE_APPS & set(app.split(", ")) else [], id=path)
    for path, app in sorted(ROUTE_APPS.items())
]
DAPHNE_LIMIT = 1024 * 1024  # bytes in one frame or message (daphne's --websocket_max_message_size)
# Every HTTP route any lesson offers, without its sample query string.
HTTP_PATHS = sorted({route.path.split("?")[0] for lesson in LESSONS for route in lesson.routes if route.kind != "ws"})
