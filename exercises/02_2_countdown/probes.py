"""Check 02.2's ticker as its tests watch it: each sleep and send noted in order, ticks then a close, nothing left."""

import asyncio
import types

import pytest

from exercises.probes.communicators import accepted, tasks_left
from exercises.probes.waits import frame, nothing_after_close, reply

INTERVAL = 0.05  # the exercise's INTERVAL: seconds between ticks
SLEPT: list = []  # the consumer's asyncio.sleep(seconds) calls and its sends (when, event), in order: ticks by events
NOT_A_COUNT = "a count that is not one integer 1-100, written in the digits 0-9 alone, must close with 4400"
ACCEPT_FIRST = "accept first, then close with 4400: a refused handshake tells the client nothing"
LATIN_1 = ". A query string is the bytes the client sent, not always UTF-8: decode it with latin-1 (lesson 01)"


def noted(module, consumer: str):
    """The module's `consumer` served as_asgi(), each asyncio.sleep() of its file and each send noted in SLEPT.

    A ticker is judged by what it slept between its sends, not by the wall clock, which a busy
    machine stretches; one that never calls asyncio.sleep is judged by when its sends came.
    """
    SLEPT.clear()
    if vars(module).get("asyncio") is asyncio:  # asyncio as its file sees it: each sleep noted, then slept
        noted = {"sleep": lambda seconds, *more: SLEPT.append(seconds) or asyncio.sleep(seconds, *more)}
        module.asyncio = types.SimpleNamespace(**{**vars(asyncio), **noted})
    inner = getattr(module, consumer).as_asgi()

    async def application(scope, receive, send):
        return await inner(scope, receive, lambda e: SLEPT.append((asyncio.get_running_loop().time(), e)) or send(e))

    return application


def one_interval_apart() -> None:
    """The ticks SLEPT noted came one INTERVAL apart, the first one INTERVAL after the accept."""
    sends = [n for n, step in enumerate(SLEPT) if isinstance(step, tuple)]  # the accept, the ticks, the close
    slept = [sum(SLEPT[a + 1 : b]) for a, b in zip(sends, sends[1:4], strict=False)]  # before each tick, by events
    recorded = any(slept)  # it sleeps with asyncio.sleep: judged by what it slept, not by the clock
    early = "tick 1 was sent before any sleep since the accept: " if recorded and not slept[0] else ""
    sent = [SLEPT[n][0] for n in sends[:4]]  # when the accept and the ticks were sent: a ticker not using asyncio.sleep
    gaps = slept if recorded else [min(b - a for a, b in zip(sent[1:], sent[2:], strict=False))]
    took = sent[3] - sent[0]  # the third tick, after the accept
    assert all(INTERVAL / 2 < gap < INTERVAL * 1.6 for gap in gaps) and (recorded or took >= INTERVAL * 2.5), (
        f"{early}the ticker waited {', '.join(f'{gap * 1000:.0f}' for gap in gaps)} ms before its ticks (the third "
        f"came {took * 1000:.0f} ms after the accept), where one comes every INTERVAL ({INTERVAL * 1000:.0f} ms), the "
        "first one INTERVAL after the accept: one sleep of INTERVAL per tick, not a second one after the send"
    )


async def ticks_then_close(communicator, count: int, where: str) -> None:
    """Ticks 1 to `count`, each {"tick": n} with n an int, then a close with 1000, and nothing after it."""
    for n in range(1, count + 1):
        got = await frame(communicator)
        said = f'{where}: expected {{"tick": {n}}}, got {got}: the ticks go 1, 2, … {count}, then the close'
        assert got == {"tick": n} and type(got["tick"]) is int, said
    got = await frame(communicator)  # 1000 is ASGI's default code: a close that names none is one too
    closed = isinstance(got, dict) and got.get("type") == "websocket.close" and got.get("code", 1000) == 1000
    assert closed, f"{where}: expected a close with 1000 right after the last tick ({count}), got {got}"
    await nothing_after_close(communicator, INTERVAL * 3)


async def no_ticking_left(before: set, after: str, why: str) -> None:
    """No task started since `before` still runs: a ticking task outlives nothing, its socket least of all."""
    assert not (left := await tasks_left(before)), f"{after}, and {len(left)} ticking task(s) still run: {why}"


async def closed_4400_before_any_tick(communicator, query: bytes) -> None:
    """A socket whose query string is `query`, as a client may send it, is accepted, then closed with 4400.

    Set before the socket connects (its consumer has not started yet); the failure names the
    query, shortened if long, and the way out: latin-1 for bytes that are no UTF-8, accept first.
    """
    communicator.scope["query_string"] = query
    shown = repr(query)[2:-1] if len(query) < 60 else f"{query[:16].decode()}… ({len(query) - 6} digits)"
    try:
        got = await reply(await accepted(communicator))  # NOTHING if silent within FRAME
    except (AssertionError, pytest.fail.Exception) as failed:  # refused, silent or crashed: the query, the way out
        why = LATIN_1 if "UnicodeDecodeError" in str(failed) else f"; {ACCEPT_FIRST}" * ("refused" in str(failed))
        pytest.fail(f"?{shown}: {failed}{why}", pytrace=False)
    closed = isinstance(got, dict) and got.get("type") == "websocket.close" and got.get("code") == 4400
    why = " (%0A is a line break: a pattern's $ matches before a last one)" if b"%0A" in query else ""
    assert closed, f"?{shown}: {NOT_A_COUNT} before any tick{why}, got {got}"
