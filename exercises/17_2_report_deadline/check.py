"""Check 17.2 (fix): a report to the workshop room costs the student at most BUDGET in all, whatever the room does."""

import asyncio
import base64
import contextlib
import functools
import hashlib
import json
import socket
import time
from dataclasses import dataclass, field, replace

import pytest
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from exercises.probes import load, proved

RULE = (
    "A report rides along the student's own work: one deadline of BUDGET seconds for all of it (the handshake, "
    "each answer, the close), each step waiting only for what is left, and one line instead of an exception"
)
BUDGET = 1.0
SLACK = 0.4  # a loaded machine's own delays on top of the budget; a timeout per step costs 0.7 s or more
TOKEN = "a-token-of-this-check"
PAYLOAD = {"report": {"exercise": "17.2", "status": "failing", "check": "test_x"}}


@functools.cache
def module():
    found = load("17.2", RULE)
    assert found.BUDGET == BUDGET, f"keep BUDGET = {BUDGET}: the contract gives a report one second"
    return found


@dataclass
class Room:
    """What the instructor's room does at each step (seconds to wait, and what to answer)."""

    handshake: float = 0.0
    joined_after: float = 0.0
    joined: str | bytes = '{"joined": "alice", "last_message": null}'
    ok_after: float = 0.0
    ok: str | bytes = '{"ok": "report"}'
    refuse: int | None = None  # an HTTP status for the handshake instead of the socket
    close_after_token: int | None = None  # a close code for the token instead of joined
    heard: list = field(default_factory=list)
    sockets: list = field(default_factory=list)  # the room's end of each socket a report opened


@contextlib.asynccontextmanager
async def running(room: Room):
    """The room on a port of its own: yields its ws:// URL."""

    async def process_request(connection, request):
        await asyncio.sleep(room.handshake)
        return connection.respond(room.refuse, "refused\n") if room.refuse else None

    async def handler(websocket):
        room.sockets.append(websocket)
        with contextlib.suppress(ConnectionClosed):  # a report that gave up has gone: the room carries on
            room.heard.append(json.loads(await websocket.recv()))
            if room.close_after_token:
                await websocket.close(room.close_after_token)
                return
            await asyncio.sleep(room.joined_after)
            await websocket.send(room.joined)
            room.heard.append(json.loads(await websocket.recv()))
            await asyncio.sleep(room.ok_after)
            await websocket.send(room.ok)
            await websocket.wait_closed()

    async with serve(handler, "127.0.0.1", 0, process_request=process_request) as server:
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/ws/workshop/student/"


@contextlib.asynccontextmanager
async def gone_quiet():
    """A room that completes the handshake and then never reads or writes again: not even the close."""

    held = []  # (task, writer) of each connection, ended with the room

    async def accept(reader, writer):
        held.append((asyncio.current_task(), writer))
        request = await reader.readuntil(b"\r\n\r\n")
        lines = request.split(b"\r\n")
        key = next(line.split(b":", 1)[1].strip() for line in lines if line.lower().startswith(b"sec-websocket-key:"))
        digest = hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest()
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + base64.b64encode(digest) + b"\r\n\r\n"
        )
        await asyncio.sleep(30)  # the room's laptop went to sleep with the socket open

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    try:
        yield f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/ws/workshop/student/"
    finally:
        for task, writer in held:
            task.cancel()
            writer.close()
        server.close()
        await asyncio.gather(*(task for task, _ in held), return_exceptions=True)


async def timed_report(url: str, token: str = TOKEN) -> tuple[object, float]:
    """report(url, token, PAYLOAD) in a thread, as the student's command calls it: what it returned, and when."""
    started = time.monotonic()
    try:
        result = await asyncio.wait_for(asyncio.to_thread(module().report, url, token, PAYLOAD), BUDGET + 5)
    except TimeoutError:
        pytest.fail(f"report() was still waiting {BUDGET + 5:g} s later. {RULE}", pytrace=False)
    except Exception as error:
        pytest.fail(f"report() raised {type(error).__name__}: {error}. {RULE}", pytrace=False)
    return result, time.monotonic() - started


def one_line_saying_why(result: object, room: str) -> None:
    assert isinstance(result, str) and result.strip(), (
        f"{room}: the report did not arrive, so report() must return one line saying why, got {result!r}"
    )
    assert "\n" not in result and len(result) <= 200, f"{room}: one line of at most 200 characters, got {result!r}"
    cut = "" if TOKEN in result else " (its first characters, where the line was cut: hide it first, then cut)"
    assert TOKEN[:6] not in result, (
        f"{room}: the line shows the student's token{cut}, a login to whoever reads it: {result!r}"
    )


def within_budget(elapsed: float, room: str) -> None:
    assert elapsed <= BUDGET + SLACK, f"{room}: report() took {elapsed:.2f} s; at most {BUDGET:g} s in all. {RULE}"


async def test_a_room_that_answers_gets_the_report_once():
    room = Room()
    async with running(room) as url:
        result, _ = await timed_report(url)
    assert result is None, f"the room answered joined and ok at once, so report() must return None, got {result!r}"
    assert room.heard == [{"token": TOKEN}, PAYLOAD], f"expected the token, then the payload once; got {room.heard}"


async def test_a_room_that_answers_within_the_budget_gets_the_report():
    room = Room(handshake=0.45, ok_after=0.25)  # 0.7 s in all, most of it in the handshake
    async with running(room) as url:
        result, _ = await timed_report(url)
    assert result is None, (
        f"a room whose handshake took 0.45 s and whose ok came 0.25 s later answered within {BUDGET:g} s in all, "
        f"but report() gave up: {result!r}. Share one deadline; do not cut the budget into fixed slices per step"
    )


async def test_a_room_slow_at_every_step_costs_at_most_the_budget():
    room = Room(handshake=0.7, joined_after=0.7, ok_after=0.7)
    async with running(room) as url:
        result, elapsed = await timed_report(url)
        for _ in range(25):  # 0.5 s at most for the report's socket to be closed: the close's round trip
            if closed := all(websocket.state is State.CLOSED for websocket in room.sockets):
                break
            await asyncio.sleep(0.02)
    within_budget(elapsed, "a room that takes 0.7 s at every step")
    one_line_saying_why(result, "a room that takes 0.7 s at every step")
    assert closed, (
        f"a room that takes 0.7 s at every step: report() returned after {elapsed:.2f} s, yet its socket to the room "
        "was still open 0.5 s later: a thread waited for BUDGET runs on (Python joins a ThreadPoolExecutor's threads "
        "before the student's command can exit), and its report may reach the room after report() said it did not. "
        "The close is part of the report: give each step what is left of one deadline, so all of it ends in BUDGET"
    )


async def test_a_room_slow_after_a_quick_handshake_costs_at_most_the_budget():
    room = Room(joined_after=0.6, ok_after=0.7)  # the handshake at once: both answers share what it left
    async with running(room) as url:
        result, elapsed = await timed_report(url)
    assert result is not None, (
        f"a room shook hands at once, said joined 0.6 s later and ok 0.7 s after that: report() waited {elapsed:.2f} "
        f"s for it and returned None. Each answer gets what is left of the one deadline, read anew before each "
        "wait: what was left after the handshake is spent by the first answer"
    )
    within_budget(elapsed, "a room slow after a quick handshake")
    one_line_saying_why(result, "a room slow after a quick handshake")


async def test_a_room_that_stops_answering_costs_at_most_the_budget():
    async with gone_quiet() as url:
        result, elapsed = await timed_report(url)
    within_budget(elapsed, "a room that stopped answering after the handshake, the close included")
    one_line_saying_why(result, "a room that stopped answering after the handshake")
    proved("boundaries", 3)


async def test_a_wall_clock_set_back_during_the_report_changes_nothing(monkeypatch):
    real, started = time.time, time.time()
    back = 3600  # an hour, 0.15 s into the report: NTP correcting the laptop's clock, or its owner
    monkeypatch.setattr(time, "time", lambda: real() - (back if real() - started > 0.15 else 0))
    monkeypatch.setattr(time, "time_ns", lambda: int(time.time() * 1e9))
    room = Room(handshake=0.3, joined_after=3)  # the handshake ends after the jump; joined comes too late
    async with running(room) as url:
        try:
            result = await asyncio.wait_for(asyncio.to_thread(module().report, url, TOKEN, PAYLOAD), BUDGET + 2)
        except TimeoutError:
            pytest.fail(
                f"the wall clock went back an hour during the report, and report() was still waiting {BUDGET + 2:g} "
                "s later: a deadline read on time.time() moves with the clock. Measure it on time.monotonic(), a "
                "clock that never jumps",
                pytrace=False,
            )
        except Exception as error:
            pytest.fail(f"report() raised {type(error).__name__}: {error}. {RULE}", pytrace=False)
    one_line_saying_why(result, "a room that said joined 3 s after the token")


NONSENSE = {
    "it answers the token with text that is not JSON": Room(joined="not json"),
    "it answers the token with a binary frame": Room(joined=b"\x00\xff"),
    "it answers the token with JSON nested too deep to decode": Room(joined="[" * 100_000),  # RecursionError
    "it answers the token with a JSON number": Room(joined="5"),
    "it answers the token with a list of 300 characters": Room(joined=json.dumps(["x" * 300])),
    "it answers the token with an error frame quoting it": Room(joined=json.dumps({"error": f"unknown token {TOKEN}"})),
    # Quoted over and over, from two starts 10 characters apart: in one of the two lines a copy lies across the cut.
    "it quotes the token ten times": Room(joined=json.dumps({"error": TOKEN * 10})),
    "it quotes the token ten times, 10 characters later": Room(joined=json.dumps({"error": "x" * 10 + TOKEN * 10})),
    "it answers the report with an error frame": Room(ok='{"error": "too many frames: slow down"}'),
    # The word "ok" inside an error's text ("token", "revoked"): the answer is an object's key, not a word.
    "it answers the report with an error naming the token": Room(ok='{"error": "your token was revoked"}'),
    "it closes the socket with 4401 on the token": Room(close_after_token=4401),
    "it refuses the handshake with HTTP 403": Room(refuse=403),
}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


@pytest.mark.parametrize("what", NONSENSE)
async def test_a_room_that_answers_nonsense_gets_one_line_and_no_exception(what):
    room = replace(NONSENSE[what], heard=[])
    async with running(room) as url:
        result, elapsed = await timed_report(url)
    one_line_saying_why(result, f"a room where {what}")
    within_budget(elapsed, f"a room where {what}")
    admitted = (room.joined, room.close_after_token, room.refuse) == (Room.joined, None, None)
    assert admitted or PAYLOAD not in room.heard, (
        f"a room where {what} never said joined, yet it got the report: send the payload only once "
        '{"joined": ...} has come, so a room that did not admit the token never hears a student\'s work'
    )
    assert room.heard.count(PAYLOAD) <= 1, (
        f"a room where {what} got the report {room.heard.count(PAYLOAD)} times: a report is sent once, and one "
        "that failed is not tried again (the room said why, and a second try is a second budget)"
    )


@pytest.mark.parametrize("url", [f"ws://127.0.0.1:{closed_port()}/", "http://not a url/", "ws://[::1"])
async def test_no_room_at_all_gets_one_line_and_no_exception(url):
    result, elapsed = await timed_report(url)
    one_line_saying_why(result, f"no room at {url}")
    within_budget(elapsed, f"no room at {url}")
    proved("bad frames")


async def test_an_empty_token_leaves_the_line_saying_why():
    async with running(Room(refuse=403)) as url:
        result, _ = await timed_report(url, token="")
    assert isinstance(result, str) and "403" in result, (
        f'a student with no token yet (token "") reported to a room that refused the handshake with HTTP 403, and '
        f'got {result!r}: the line no longer says why. text.replace("", ...) puts the replacement between every '
        "character: hide the token only when there is one"
    )
