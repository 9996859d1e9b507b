"""17.2's workshop room: a real websockets server on 127.0.0.1 whose answers the check holds, and the reports it heard.

A report rides along the student's own work: it reaches the room through whatever client the student chose, and
what it says when it gives up is judged.
"""

import asyncio
import contextlib
import json
import time
import types
from socket import create_server

import pytest
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from exercises.probes.waits import FRAME, WAITED

# What the workshop room answers a student's token, then their report (lesson 17).
JOINED, OK = '{"joined": "alice", "last_message": null}', '{"ok": "report"}'


def closed_port() -> int:
    """A port of this machine that nothing listens on: the probe that held it is closed (17.2's room that is not)."""
    with create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


class ReportRoom:
    """The instructor's room for 17.2, a real websockets server on 127.0.0.1 that the check holds by events.

    It answers a socket's token with `joined`, then its report with `ok` (text; bytes are a binary frame, an int
    closes with that code, None never answers), each no sooner than `joined_at` / `ok_at` seconds after the room
    first heard a request, on the machine's monotonic clock (the one a report's deadline is read on). Every hold is
    a lower bound: a busy machine only makes it longer. `handshake`: seconds each handshake is held before its
    101; `refuse`: an HTTP status instead; `quiet`: after the token the room reads nothing more (not the close
    either) until `wake_at` s. Once report() returns, nothing more is held: the room answers nothing more.
    """

    def __init__(
        self, joined=JOINED, ok=OK, handshake=0.0, joined_at=0.0, ok_at=0.0, refuse=None, quiet=False, wake_at=0.0
    ):
        self.answers, self.moments = [joined, ok], [joined_at, ok_at]
        self.handshake, self.refuse, self.quiet, self.wake_at = handshake, refuse, quiet, wake_at
        self.heard, self.sockets, self.first = [], [], None  # frames heard (JSON decoded); its end of each socket
        self.returned, self.woke = asyncio.Event(), False  # report() returned; the quiet room woke before that
        self.token_heard = asyncio.Event()  # the room heard a token: what a wall clock set back waits for

    async def held(self, moment: float) -> bool:
        """Wait until `moment` s after the first request (True), or until report() returned (False)."""
        left = self.first + moment - asyncio.get_running_loop().time()
        if left <= 0:
            return not self.returned.is_set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.returned.wait(), left)
            return False
        return True

    async def process_request(self, connection, request):
        self.first = self.first or asyncio.get_running_loop().time()
        if self.refuse:
            return connection.respond(self.refuse, "refused\n")
        await self.held(asyncio.get_running_loop().time() - self.first + self.handshake)
        return None

    async def handler(self, websocket):
        self.sockets.append(websocket)
        with contextlib.suppress(ConnectionClosed):  # a client that gave up has gone: the room carries on
            for n, (answer, moment) in enumerate(zip(self.answers, self.moments, strict=True)):
                text = await websocket.recv()
                try:
                    self.heard.append(json.loads(text))
                except (ValueError, TypeError, RecursionError):
                    self.heard.append(text)
                self.token_heard.set()
                if n == 0 and self.quiet:
                    websocket.transport.pause_reading()  # not even the close is read: its laptop went to sleep
                    self.woke = await self.held(self.wake_at)
                    websocket.transport.resume_reading()
                    break
                if answer is None or not await self.held(moment):
                    break
                if isinstance(answer, int):
                    return await websocket.close(answer)
                await websocket.send(answer)
            await websocket.wait_closed()

    @contextlib.asynccontextmanager
    async def serving(self):
        """The room on a port of its own: yields its ws:// URL."""
        async with serve(self.handler, "127.0.0.1", 0, process_request=self.process_request, ping_interval=None) as s:
            yield f"ws://127.0.0.1:{s.sockets[0].getsockname()[1]}/"
            self.returned.set()

    async def still_open(self) -> int:
        """How many of its sockets the client still answers a ping on, now that report() has returned."""
        self.returned.set()
        open_ones = 0
        for websocket in self.sockets:
            try:
                pong = await websocket.ping()
            except ConnectionClosed:
                continue
            closed = asyncio.ensure_future(websocket.wait_closed())
            await asyncio.wait([pong, closed], timeout=FRAME, return_when=asyncio.FIRST_COMPLETED)
            open_ones += pong.done() and websocket.state is State.OPEN
            closed.cancel()
        return open_ones


room = ReportRoom  # 17.2's room, as its check writes it: room(joined_at=..., ...)


def wall_clock_set_back(monkeypatch, module, when: asyncio.Event) -> None:
    """The wall clock (time.time() wherever `module` names it) an hour back once `when` is set (17.2)."""

    def wall() -> float:
        return time.time() - (3600 if when.is_set() else 0)

    reads = {"time": wall, "time_ns": lambda: int(wall() * 1e9)}
    for name, value in list(vars(module).items()):
        if value is time:
            monkeypatch.setattr(module, name, types.SimpleNamespace(**{**vars(time), **reads}))
        elif value is time.time or value is time.time_ns:
            monkeypatch.setattr(module, name, reads[value.__name__])


class Reports:
    """report() of 17.2's module, run in a thread against a ReportRoom (or a URL), its line judged when it gives up.

    Its BUDGET must be the contract's; widen() gives it a liveness-sized budget for a test where the room answers at
    once, so a busy machine never makes a correct report give up.
    """

    def __init__(self, monkeypatch, module, rule: str, token: str, payload: dict, budget: float):
        self.monkeypatch, self.module, self.rule, self.token, self.payload = monkeypatch, module, rule, token, payload
        assert module.BUDGET == budget, f"keep BUDGET = {budget}: the contract gives a report {budget:g} s"

    def widen(self) -> None:
        self.monkeypatch.setattr(self.module, "BUDGET", FRAME / 4)

    async def run(self, to, token: str | None = None):
        """report(url, token, payload) to `to` (a ReportRoom served on a port of its own, or a URL), in a thread: its
        result. One still running FRAME later, or raising, fails; so does a socket it left open once it returned."""
        report, token = self.module.report, self.token if token is None else token
        serving = to.serving() if isinstance(to, ReportRoom) else contextlib.nullcontext(to)
        async with serving as url:
            try:
                result = await asyncio.wait_for(asyncio.to_thread(report, url, token, self.payload), FRAME)
            except TimeoutError:
                pytest.fail(f"report() was still running {WAITED} later. {self.rule}", False)
            except Exception as error:
                pytest.fail(f"report() raised {type(error).__name__}: {error}. {self.rule}", pytrace=False)
            if isinstance(to, ReportRoom) and (left := await to.still_open()):
                pytest.fail(
                    f"report() returned {result!r}, but its socket to the room was still open and answering a ping "
                    f"({left} of {len(to.sockets)}): close it before report() returns (`with connect(...)`), and "
                    "bound the steps themselves, not a thread that runs them, or the report goes on behind the "
                    f"student's back. {self.rule}",
                    False,
                )
        return result

    async def gives_up(self, to, what: str) -> None:
        """report() to `to` (run()) gives up and says why in one line (said_why())."""
        self.said_why(await self.run(to), what)

    def said_why(self, result, what: str) -> None:
        """report() gave up and said why in one line of at most 200 characters, never showing the token, whole or
        cut. `what`: what the room did, for the sentence."""
        token = self.token
        assert isinstance(result, str) and result.strip(), (
            f"{what}: the report did not arrive, so report() must return one line saying why, got {result!r}"
        )
        assert "\n" not in result and len(result) <= 200, f"{what}: one line of at most 200 characters, got {result!r}"
        cut = "" if token in result else " (its first characters, where the line was cut: hide it first, then cut)"
        assert token[:6] not in result, f"{what}: the line shows the student's token{cut}, their login: {result!r}"
