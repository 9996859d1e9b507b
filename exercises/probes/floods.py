"""Floods a check sends a rate-limited chat (checks 05.1, 16.3): bursts answered, new addresses, the wall clock back.

A limit is judged on the check's Clock (clocks.py): a burst is counted before the clock moves only once the
sender has its answers (answered()); the wall clock set back an hour must change nothing (wall_clock_set_back(),
MONOTONIC). Check 16.3 counts by client address: addresses() gives each test addresses no earlier test used,
flood_claiming() floods from one address on many sockets at once that each claim another, each_sends() sends from
sockets whose server gave no address or a loopback one; a_flood_beside_a_neighbour(), sockets_in_turn() and
a_window_that_slides() drive its scenarios. Check 05.1 opens alice_and_bob() under a stall watch, reads what a
flood got back up to a close (answers_to_a_flood()) or a socket up to one frame, a crash told in its place
(frames_until()), times a_second_of_bursts(), and finds what two_gone_leave_nothing() left.
"""

import contextlib
import itertools
import time

import pytest
from channels.testing import WebsocketCommunicator

from exercises.probes.communicators import (
    accepted,
    cancelled,
    close_all,
    connect,
    connect_from,
    errors_in,
    messages_in,
    say,
    sockets,
)
from exercises.probes.frames import drain, next_frames
from exercises.probes.layers import slow_broadcasts
from exercises.probes.loading import kept_by, nothing_kept, proved
from exercises.probes.loop import never_blocks
from exercises.probes.waits import NOTHING, frame

MONOTONIC = (  # a window timed by time.time() never empties once the wall clock goes back
    "the wall clock, set back an hour meanwhile, changes nothing: time the window with time.monotonic(), which "
    "never goes back"
)
_HOSTS = itertools.count(1)


def addresses() -> tuple[str, str, str]:
    """A flooder, a neighbour on its network and a listener, new to this process: no earlier test's messages count."""
    n = next(_HOSTS)
    return f"203.0.113.{n}", f"203.0.113.{n + 100}", f"192.0.2.{n}"


def wall_clock_set_back(clock, monkeypatch) -> None:
    """NTP sets the wall clock back an hour, now: on the Clock, and for a file that reads its own time.time()."""
    clock.back = clock.now
    monkeypatch.setattr(time, "time", lambda wall=time.time: wall() - 3600)


async def answered(communicator, *texts: str) -> list:
    """Send `texts`, then read an answer to each (a sender hears its own, or an error): what came back.

    Once they are in, the consumer has counted each message: the clock a check moves next cannot
    move before a message it would have counted at the earlier time.
    """
    await say(communicator, *texts)
    return await next_frames(communicator, len(texts))


async def errors_each(*communicators) -> list[int]:
    """How many {"error": ...} frames each socket got, once each has been quiet for 0.05 s."""
    return [len(errors_in(await drain(communicator, quiet=0.05))) for communicator in communicators]


async def flood_claiming(application, address: str, count: int) -> list:
    """`count` sockets from `address`, each claiming 10.0.0.<n>, all open, then 2 messages each, interleaved.

    Each claims another address in X-Forwarded-For, X-Real-IP and Forwarded (connect_from()'s `claims`),
    as any client can: a limit keyed on a header, or on the socket, lets each one's 2 messages through.
    Every message is in its consumer's queue before any consumer reads one: the consumers take them at
    the same moment, so a window read, then written back after an await, loses counts (by the events'
    order, not a sleep).
    """
    flooder = [await connect_from(application, address, claims=f"10.0.0.{n}") for n in range(count)]
    for part in "ab":
        for n, communicator in enumerate(flooder):
            await communicator.send_to(text_data=f"flood {n}{part}")  # a queue put: no consumer runs meanwhile
    return flooder


async def a_flood_beside_a_neighbour(application, limit: int, stall: float) -> tuple:
    """A flooder floods on 10 sockets (flood_claiming()), then a neighbour on its network sends `limit` messages.

    Broadcasts are slow, as on Redis (other sockets run meanwhile); the loop must never stall past `stall`.
    Returns the addresses (flooder, neighbour), what a listener heard once every message was judged, the errors the
    neighbour and each of the flooder's sockets got, and whether one of the flooder's sockets was closed.
    """
    flooder_ip, neighbour_ip, listener_ip = addresses()
    with slow_broadcasts(0.05):
        async with never_blocks(stall):
            listener, neighbour = [await connect_from(application, a) for a in (listener_ip, neighbour_ip)]
            flooder = await flood_claiming(application, flooder_ip, 10)
            hellos = [f"hello {n}" for n in range(limit)]
            await say(neighbour, *hellos)  # while the flooder's window is full
            proved("sockets", 12)
            sent = [(neighbour, hellos), *((s, [f"flood {n}a", f"flood {n}b"]) for n, s in enumerate(flooder))]
            answers = await answers_to_each(sent)  # every message judged: refused, or heard back by the room
            passed = sum(len(set(messages_in(got)) & set(texts)) for got, (_, texts) in zip(answers, sent, strict=True))
            heard = messages_in(await next_frames(listener, passed))  # what the room heard...
            heard += messages_in(await drain(listener, quiet=0.05))  # ...and nothing more
            extra = await errors_each(neighbour, *flooder)
            refused = [len(errors_in(got)) + more for got, more in zip(answers, extra, strict=True)]
            closed = any(communicator.future.done() for communicator in flooder)
            await close_all(listener, neighbour, *flooder)
    return (flooder_ip, neighbour_ip), heard, refused, closed


async def answers_to_each(senders: list[tuple]) -> list[list]:
    """For each (socket, texts it sent): its frames, read until each text has its answer, an error or itself heard back.

    A sender in the room hears its own message when the room does, and its consumer judges its messages in order:
    once each has an answer, every message is judged, by the events and not a quiet spell, however slowly a consumer
    (a sync one, in its one thread) takes them. A message neither refused nor heard ends the wait after FRAME.
    """
    every = []
    for communicator, texts in senders:
        unheard, got = set(texts), []  # an error may come before the room's echo of an earlier message
        while len(got) < len(texts) and (answer := await frame(communicator)) is not NOTHING:
            if errors_in([answer]) or (heard := messages_in([answer])) and heard[0] in unheard:
                unheard -= set(messages_in([answer]))
                got.append(answer)
        every.append(got)
    return every


async def sockets_in_turn(application, address: str, clock, waves: list) -> None:
    """For each (count, seconds) of `waves` a socket from `address` opens, sends `count` messages, waits, closes.

    Each message is answered before the clock moves `seconds` (counted at its time), and the socket
    closes only then: the first wave's socket may stay open a while, its window not full.
    """
    for wave, (count, seconds) in enumerate(waves):
        flooder = await connect_from(application, address)
        await answered(flooder, *(f"wave {wave}.{n}" for n in range(count)))
        await clock.passes(seconds)
        await close_all(flooder)


async def a_window_that_slides(application, clock, monkeypatch, limit: int) -> list:
    """What a listener heard of an address that sends 3, then 2 and `limit` refused, then 4 (check 16.3).

    The 3 go a third into a clock second (a window is no such second); the wall clock goes back an hour;
    half a second later 2 more and `limit` over the limit; half a second and 0.15 s later, 4: only 3 fit,
    the early ones over a second old, the middle ones not, the refused ones never counted.
    """
    flooder_ip, _, listener_ip = addresses()
    listener, flooder = [await connect_from(application, a) for a in (listener_ip, flooder_ip)]
    clock.now += (0.3 - clock.monotonic() % 1) % 1  # a third into a clock second: a window is no such second
    await answered(flooder, "early 0", "early 1", "early 2")  # each counted before the clock moves
    wall_clock_set_back(clock, monkeypatch)
    await clock.passes(0.5)
    await answered(flooder, "middle 0", "middle 1", *(f"refused {n}" for n in range(limit)))
    await drain(listener, flooder, quiet=0.1)
    await clock.passes(0.5 + 0.15)  # the early ones over a second old, the middle ones not
    await answered(flooder, *(f"late {n}" for n in range(4)))  # the room has heard what it will hear
    heard = messages_in(await drain(listener))
    await close_all(listener, flooder)
    return heard


async def each_sends(application, scopes: list, count: int, listener: str) -> tuple[list, int]:
    """A socket for each of `scopes` (its "client" key, or none) sends `count` messages: (what a listener got, errors).

    Each scope is put in before its socket opens, as a server gives it: no "client" key at all, None (a Unix
    socket), or ("127.0.0.1", port) (a proxy that passes no address). Every socket is closed before returning.
    """
    heard, sockets = await connect_from(application, listener), []
    for more in scopes:
        sockets.append(communicator := WebsocketCommunicator(application, "/"))
        communicator.scope.update(more)  # the application has not started yet: in time
        await say(await accepted(communicator), *(f"message {n}" for n in range(count)))
    got, refused = await drain(heard), sum(await errors_each(*sockets))
    await close_all(heard, *sockets)
    return got, refused


async def answers_to_a_flood(communicator, count: int) -> list:
    """Send a0, a1, ... up to `count` messages: what came back, up to `count` frames, a close, or silence (NOTHING)."""
    await say(communicator, *(f"a{n}" for n in range(count)))
    got = []
    while len(got) < count and (not got or isinstance(got[-1], dict) and got[-1].get("type") != "websocket.close"):
        got.append(await frame(communicator))
    return got


async def frames_until(communicator, wanted: dict, most: int = 2) -> list:
    """The frames a socket got, up to `wanted` or `most` of them; a crash (the server's 1011) ends it, told as text."""
    got = []
    while wanted not in got and len(got) < most:
        try:
            got.append(await frame(communicator))
        except pytest.fail.Exception as crash:  # the server closes the socket with 1011
            got.append(str(crash))
            break
    return got


@contextlib.asynccontextmanager
async def alice_and_bob(application, stall: float):
    """`async with alice_and_bob(app, STALL) as (alice, bob)`: two sockets open at once, the loop never stalled.

    Both are closed at the end (close_all() passes over one closed already); a failed assertion leaves
    them open, as any test that fails leaves its sockets.
    """
    async with never_blocks(stall):
        alice, bob = await sockets(application)
        yield alice, bob
        await close_all(alice, bob)


async def a_second_of_bursts(alice, bob, clock, monkeypatch, period: float) -> tuple:
    """alice sends a0; `period`/2 later a1, a2, a3; `period`/2 + 0.15 s after that a4, a5 (check 05.1).

    a0 is counted once bob has it, before the clock moves; the wall clock then goes back an hour
    (wall_clock_set_back()). Returns what alice got back of the first two bursts (a0's echo, a1, a2, a3's
    answer), what bob heard of the last (its first frame), and what alice got back of the last.
    """
    await say(alice, "a0")
    await frame(bob)  # a0 went through: the consumer counted it before this moment
    wall_clock_set_back(clock, monkeypatch)
    await clock.passes(period / 2)
    await say(alice, "a1", "a2", "a3")  # a3 is the 4th within a period
    burst = await next_frames(alice, 4)  # a0 back, a1, a2, and a3's answer
    await next_frames(bob, 2)  # a1 and a2
    await clock.passes(period / 2 + 0.15)  # a0 is over a period old now; a1 and a2 are not
    await say(alice, "a4", "a5")
    return burst, await next_frames(bob, 1), await next_frames(alice, 2)


async def two_gone_leave_nothing(application, module, advice: str) -> None:
    """Two sockets send a message each and go, one leaving, the other cancelled by the server: nothing_kept() after.

    The communicator is dropped before the count, so only what a consumer put in the module or on a
    class (a dict of windows by channel name, a list on the class) is left to find.
    """
    before = kept_by(module)
    for end in (close_all, cancelled):  # the client leaves; the server cancels
        await say(alice := await connect(application), "a0")
        await frame(alice)
        await end(alice)
    del alice
    went = "2 sockets sent a message each and went (one left, the server cancelled the other)"
    nothing_kept(before, module, went, advice)
