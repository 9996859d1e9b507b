"""A websockets peer on a clock of the check's own, for a file that talks to it as a client: no verdict depends on
the machine's speed.

The peer answers at once; how long each step takes is the Clock's, exact. The file under check
reads the Clock's time (on_the_clock() puts it in place of its time module and websockets'
connect()), and each of its waits moves the Clock by the step's delay or by the wait's timeout,
whichever ends first, raising TimeoutError as websockets does when the step comes too late.

A rate limit is judged on a Clock too (checks 05.1, 16.3): a burst is sent at one instant however busy the
machine, and a window slides only when the check says so (Clock.passes()).
"""

import asyncio
import contextlib
import json
import math
import time
import types
from dataclasses import dataclass, field

import pytest
import websockets.sync.client
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from exercises.probes.waits import until
from harness.patience import FRAME

CONNECT = websockets.sync.client.connect  # the real one: the stand-in calls it with a liveness deadline


@dataclass
class Peer:
    """A websockets server that answers the n-th frame it hears with answers[n], delays[n] s later on the Clock.

    An int among the answers is a close code instead; `refuse` is an HTTP status for the handshake
    instead of the socket; a `quiet` peer never answers after the handshake, not even the close
    (its laptop went to sleep).
    """

    answers: list
    delays: list = field(default_factory=list)
    handshake: float = 0.0
    quiet: bool = False
    refuse: int | None = None
    name: str = "the peer"
    heard: list = field(default_factory=list)  # each frame it heard, decoded from JSON
    sockets: list = field(default_factory=list)  # its end of each socket opened to it
    closed: bool | None = None  # whether every socket was closed, FRAME at most after the client's call returned


class Clock:
    """The time a file reads (time.monotonic(), time.time(), time.sleep()), moved only by its peer or the check.

    Each step costs `round_trip` (a LAN's) on top of the peer's delay. `back` sets the wall clock
    back an hour once `back` seconds have passed.
    """

    def __init__(self, rule: str, round_trip: float = 0.01):
        self.rule, self.round_trip, self.now, self.back, self.peer = rule, round_trip, 0.0, None, Peer([])

    def monotonic(self) -> float:
        return 1000.0 + self.now

    def time(self) -> float:
        return 1764000000.0 + self.now - (3600 if self.back is not None and self.now > self.back else 0)

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0)

    async def passes(self, seconds: float) -> None:
        """`seconds` pass: at once on the Clock, and for real too, for a file that times with a clock of its own."""
        self.now += seconds
        await asyncio.sleep(seconds)

    def wait(self, delay: float, timeout: float | None, what: str) -> None:
        delay += self.round_trip
        if timeout is None and delay == math.inf:
            pytest.fail(f"your code waited for {what} with no timeout, from {self.peer.name}: {self.rule}", False)
        if timeout is not None and delay > timeout:
            self.now += max(timeout, 0)
            raise TimeoutError(f"timed out waiting for {what}")
        self.now += delay


class ClockedSocket:
    """websockets' connection to the peer, each wait taken on the Clock (the real one gets FRAME, and needs ms)."""

    def __init__(self, real, clock: Clock, close_timeout: float | None):
        self.real, self.clock, self.close_timeout, self.received = real, clock, close_timeout, 0

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
        peer, n, self.received = self.clock.peer, self.received, self.received + 1
        delay = math.inf if peer.quiet else peer.delays[n] if n < len(peer.delays) else 0.0
        self.clock.wait(delay, timeout, f"{peer.name}'s answer")
        return self.real.recv(FRAME, *args, **kwargs)

    def close(self, *args, **kwargs):
        if self.clock.peer.quiet and self.real.state is not State.CLOSED:
            with contextlib.suppress(TimeoutError):  # websockets gives up on the close at close_timeout, quietly
                self.clock.wait(math.inf, self.close_timeout, f"{self.clock.peer.name}'s answer to the close")
        self.real.close(*args, **kwargs)


def on_the_clock(monkeypatch, module, clock: Clock, sleeps: bool = True) -> Clock:
    """The Clock in place of the time module, its functions and websockets' connect() wherever `module` names them.

    sleeps=False leaves time.sleep() as it is: a time.sleep in a consumer still stops the event loop, as a check must see.
    """
    reads = {"monotonic": clock.monotonic, "perf_counter": clock.monotonic, "time": clock.time}
    reads |= {"sleep": clock.sleep} if sleeps else {}
    reads |= {f"{n}_ns": lambda n=n: int(reads[n]() * 1e9) for n in ("monotonic", "time")}

    def connect(uri, *args, open_timeout=10, close_timeout=10, **kwargs):
        clock.wait(clock.peer.handshake, open_timeout, "the handshake")
        real = CONNECT(uri, *args, open_timeout=FRAME, close_timeout=FRAME, **kwargs)
        return ClockedSocket(real, clock, close_timeout)

    stand_ins = {id(time): types.SimpleNamespace(**{**vars(time), **reads}), id(CONNECT): connect}
    stand_ins |= {id(getattr(time, name)): read for name, read in reads.items()}
    for name, value in list(vars(module).items()):
        if id(value) in stand_ins:
            monkeypatch.setattr(module, name, stand_ins[id(value)])
    monkeypatch.setattr(websockets.sync.client, "connect", connect)
    return clock


@contextlib.asynccontextmanager
async def serving(peer: Peer, clock: Clock, path: str = "/"):
    """`peer` on a port of its own, answering at once (its delays are `clock`'s): yields its ws:// URL."""
    clock.peer = peer

    async def process_request(connection, request):
        return connection.respond(peer.refuse, "refused\n") if peer.refuse else None

    async def handler(websocket):
        peer.sockets.append(websocket)
        with contextlib.suppress(ConnectionClosed):  # a client that gave up has gone: the peer carries on
            for answer in peer.answers:
                peer.heard.append(json.loads(await websocket.recv()))
                if isinstance(answer, int):
                    return await websocket.close(answer)
                await websocket.send(answer)
            await websocket.wait_closed()

    async with serve(handler, "127.0.0.1", 0, process_request=process_request) as server:
        yield f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}{path}"
        peer.closed = await until(lambda: all(websocket.state is State.CLOSED for websocket in peer.sockets))
