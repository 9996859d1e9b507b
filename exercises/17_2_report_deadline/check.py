"""Check 17.2 (fix): a report to the workshop room costs the student at most BUDGET in all, whatever the room does."""

import asyncio
import contextlib
import functools
import json
import math
import socket
import time
import types
from dataclasses import dataclass, field, replace

import pytest
import websockets.sync.client
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from exercises.probes import FRAME, WAITED, load, proved, until

RULE = (
    "A report rides along the student's own work: one deadline of BUDGET seconds for all of it (the handshake, "
    "each answer, the close), each step waiting only for what is left, and one line instead of an exception"
)
CONNECT = websockets.sync.client.connect  # the real one: the check's stand-in calls it with a liveness deadline
BUDGET = 1.0
SLACK = 0.4  # what the close may wait past the deadline for a room that never answers it (the solution's: 0.1 s)
ROUND_TRIP = 0.01  # what each step costs on the check's clock on top of the room's own delay: a LAN's round trip
TOKEN = "a-token-of-this-check"
PAYLOAD = {"report": {"exercise": "17.2", "status": "failing", "check": "test_x"}}


@functools.cache
def module():
    found = load("17.2", RULE)
    assert found.BUDGET == BUDGET, f"keep BUDGET = {BUDGET}: the contract gives a report one second"
    return found


@dataclass
class Room:
    """What the instructor's room does at each step: seconds on the check's clock, and what it answers."""

    handshake: float = 0.0
    joined_after: float = 0.0
    joined: str | bytes = '{"joined": "alice", "last_message": null}'
    ok_after: float = 0.0
    ok: str | bytes = '{"ok": "report"}'
    quiet: bool = False  # after the handshake it never answers again, not even the close: its laptop went to sleep
    refuse: int | None = None  # an HTTP status for the handshake instead of the socket
    close_after_token: int | None = None  # a close code for the token instead of joined
    heard: list = field(default_factory=list)
    sockets: list = field(default_factory=list)  # the room's end of each socket a report opened


class Clock:
    """The time report() reads (time.monotonic(), time.time(), time.sleep()), moved only by what the room does.

    A step the room takes `delay` for, waited for up to `timeout`: the clock moves by the one that
    ends first, and a step that does not come in time raises TimeoutError, as websockets does. So
    no verdict depends on how fast the machine is: the room answers at once, and its delays are
    this clock's, exact. `back` sets the wall clock back an hour once `back` seconds have passed.
    """

    def __init__(self, room: Room):
        self.room, self.back, self.now = room, None, 0.0

    def monotonic(self) -> float:
        return 1000.0 + self.now

    def time(self) -> float:
        return 1764000000.0 + self.now - (3600 if self.back is not None and self.now > self.back else 0)

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0)

    def wait(self, delay: float, timeout: float | None, what: str) -> None:
        delay += ROUND_TRIP
        if timeout is None and delay == math.inf:
            pytest.fail(f"report() waited for {what} with no timeout, from a room that never sends it. {RULE}", False)
        if timeout is not None and delay > timeout:
            self.now += max(timeout, 0)
            raise TimeoutError(f"timed out waiting for {what}")
        self.now += delay


class Socket:
    """websockets' connection to the room, each wait taken on the Clock (the real one gets FRAME, and needs ms)."""

    def __init__(self, real, clock: Clock, close_timeout: float | None):
        self.real, self.clock, self.close_timeout, self.answers = real, clock, close_timeout, 0

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __enter__(self):
        self.real.__enter__()
        return self

    def __exit__(self, *exc):
        self.close()

    def __iter__(self):
        while True:
            yield self.recv()

    def recv(self, timeout: float | None = None, *args, **kwargs):
        room = self.clock.room
        delay = math.inf if room.quiet else (room.joined_after, room.ok_after, 0.0)[min(self.answers, 2)]
        self.answers += 1
        self.clock.wait(delay, timeout, "the room's answer")
        return self.real.recv(FRAME, *args, **kwargs)

    def close(self, *args, **kwargs):
        if self.clock.room.quiet and self.real.state is not State.CLOSED:
            with contextlib.suppress(TimeoutError):  # websockets gives up on the close at close_timeout, quietly
                self.clock.wait(math.inf, self.close_timeout, "the room's answer to the close")
        self.real.close(*args, **kwargs)


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> Clock:
    """The Clock of this test, in place of the clock and the websockets connect() the file under check reads."""
    ticking = Clock(Room())
    reads = {"monotonic": ticking.monotonic, "perf_counter": ticking.monotonic, "time": ticking.time}
    reads |= {"sleep": ticking.sleep, **{f"{n}_ns": lambda n=n: int(reads[n]() * 1e9) for n in ("monotonic", "time")}}

    def connect(uri, *args, open_timeout=10, close_timeout=10, **kwargs):
        ticking.wait(ticking.room.handshake, open_timeout, "the handshake")
        return Socket(CONNECT(uri, *args, open_timeout=FRAME, close_timeout=FRAME, **kwargs), ticking, close_timeout)

    stand_ins = {id(time): types.SimpleNamespace(**{**vars(time), **reads}), id(CONNECT): connect}
    stand_ins |= {id(getattr(time, name)): read for name, read in reads.items()}
    with contextlib.suppress(Exception, pytest.fail.Exception):  # a file that does not import fails in the test
        for name, value in list(vars(module()).items()):  # imported first: its own names are the real ones
            if id(value) in stand_ins:
                monkeypatch.setattr(module(), name, stand_ins[id(value)])
    monkeypatch.setattr(websockets.sync.client, "connect", connect)
    return ticking


@contextlib.asynccontextmanager
async def running(room: Room, clock: Clock):
    """The room on a port of its own, answering at once (its delays are the clock's): yields its ws:// URL."""
    clock.room = room

    async def process_request(connection, request):
        return connection.respond(room.refuse, "refused\n") if room.refuse else None

    async def handler(websocket):
        room.sockets.append(websocket)
        with contextlib.suppress(ConnectionClosed):  # a report that gave up has gone: the room carries on
            room.heard.append(json.loads(await websocket.recv()))
            if room.close_after_token:
                await websocket.close(room.close_after_token)
                return
            await websocket.send(room.joined)
            room.heard.append(json.loads(await websocket.recv()))
            await websocket.send(room.ok)
            await websocket.wait_closed()

    async with serve(handler, "127.0.0.1", 0, process_request=process_request) as server:
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/ws/workshop/student/"


async def timed_report(url: str, clock: Clock, token: str = TOKEN) -> tuple[object, float]:
    """report(url, token, PAYLOAD) in a thread, as the student's command calls it: what it returned, and how long it
    took on the clock."""
    started = clock.now
    try:
        result = await asyncio.wait_for(asyncio.to_thread(module().report, url, token, PAYLOAD), FRAME)
    except TimeoutError:
        pytest.fail(
            f"report() was still running {WAITED} later, though the room answered every step at once. {RULE}", False
        )
    except Exception as error:
        pytest.fail(f"report() raised {type(error).__name__}: {error}. {RULE}", pytrace=False)
    return result, clock.now - started


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


async def test_a_room_that_answers_gets_the_report_once(clock):
    room = Room()
    async with running(room, clock) as url:
        result, _ = await timed_report(url, clock)
    assert result is None, f"the room answered joined and ok at once, so report() must return None, got {result!r}"
    assert room.heard == [{"token": TOKEN}, PAYLOAD], f"expected the token, then the payload once; got {room.heard}"


async def test_a_room_that_answers_within_the_budget_gets_the_report(clock):
    room = Room(handshake=0.45, ok_after=0.25)  # 0.7 s in all, most of it in the handshake
    async with running(room, clock) as url:
        result, _ = await timed_report(url, clock)
    assert result is None, (
        f"a room whose handshake took 0.45 s and whose ok came 0.25 s later answered within {BUDGET:g} s in all, "
        f"but report() gave up: {result!r}. Share one deadline; do not cut the budget into fixed slices per step"
    )


async def test_a_room_slow_at_every_step_costs_at_most_the_budget(clock):
    room = Room(handshake=0.7, joined_after=0.7, ok_after=0.7)
    async with running(room, clock) as url:
        result, elapsed = await timed_report(url, clock)
        closed = await until(lambda: all(websocket.state is State.CLOSED for websocket in room.sockets))
    within_budget(elapsed, "a room that takes 0.7 s at every step")
    one_line_saying_why(result, "a room that takes 0.7 s at every step")
    assert closed, (
        f"a room that takes 0.7 s at every step: report() returned after {elapsed:.2f} s, yet its socket to the room "
        f"was still open {WAITED} later: a thread waited for BUDGET runs on (Python joins a ThreadPoolExecutor's threads "
        "before the student's command can exit), and its report may reach the room after report() said it did not. "
        "The close is part of the report: give each step what is left of one deadline, so all of it ends in BUDGET"
    )


async def test_a_room_slow_after_a_quick_handshake_costs_at_most_the_budget(clock):
    room = Room(joined_after=0.6, ok_after=0.7)  # the handshake at once: both answers share what it left
    async with running(room, clock) as url:
        result, elapsed = await timed_report(url, clock)
    assert result is not None, (
        f"a room shook hands at once, said joined 0.6 s later and ok 0.7 s after that: report() waited {elapsed:.2f} "
        f"s for it and returned None. Each answer gets what is left of the one deadline, read anew before each "
        "wait: what was left after the handshake is spent by the first answer"
    )
    within_budget(elapsed, "a room slow after a quick handshake")
    one_line_saying_why(result, "a room slow after a quick handshake")


async def test_a_room_that_stops_answering_costs_at_most_the_budget(clock):
    async with running(Room(quiet=True), clock) as url:
        result, elapsed = await timed_report(url, clock)
    within_budget(elapsed, "a room that stopped answering after the handshake, the close included")
    one_line_saying_why(result, "a room that stopped answering after the handshake")
    proved("boundaries", 3)


async def test_a_wall_clock_set_back_during_the_report_changes_nothing(clock):
    clock.back = 0.15  # an hour back, 0.15 s into the report: NTP correcting the laptop's clock, or its owner
    room = Room(handshake=0.3, joined_after=3)  # the handshake ends after the jump; joined comes too late
    async with running(room, clock) as url:
        result, elapsed = await timed_report(url, clock)
    assert isinstance(result, str) and elapsed <= BUDGET + SLACK, (
        f"the wall clock went back an hour 0.15 s into the report, and report() waited {elapsed:.2f} s for a room "
        f"that said joined 3 s after the token, then returned {result!r}: a deadline read on time.time() moves with "
        "the clock. Measure it on time.monotonic(), a clock that never jumps"
    )
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
async def test_a_room_that_answers_nonsense_gets_one_line_and_no_exception(what, clock):
    room = replace(NONSENSE[what], heard=[], sockets=[])
    async with running(room, clock) as url:
        result, elapsed = await timed_report(url, clock)
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
async def test_no_room_at_all_gets_one_line_and_no_exception(url, clock):
    result, elapsed = await timed_report(url, clock)
    one_line_saying_why(result, f"no room at {url}")
    within_budget(elapsed, f"no room at {url}")
    proved("bad frames")


async def test_an_empty_token_leaves_the_line_saying_why(clock):
    async with running(Room(refuse=403), clock) as url:
        result, _ = await timed_report(url, clock, token="")
    assert isinstance(result, str) and "403" in result, (
        f'a student with no token yet (token "") reported to a room that refused the handshake with HTTP 403, and '
        f'got {result!r}: the line no longer says why. text.replace("", ...) puts the replacement between every '
        "character: hide the token only when there is one"
    )
