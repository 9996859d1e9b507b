"""Check 02.2: a ticker that stops by itself after ?count=N ticks, per socket, and never outlives its socket.

?count=3 sends three ticks, one INTERVAL apart, then closes 1000; two sockets count on their own, and one leaving
stops only its own, leaving nothing behind; counts at the edges (1 and 100) are taken; frames from the client change
nothing; a bad count is closed 4400 before any tick; leaving early, or a cancel by the server, stops the ticking.
"""

import asyncio
import types

import pytest
from channels.testing import WebsocketCommunicator

from exercises.probes import accepted, cancelled, close_all, connect, ended_cancelled, frame, kept_by, reply
from exercises.probes import ends_on_disconnect, never_blocks, nothing_after_close, nothing_kept, nothing_more, proved
from exercises.probes import running_tasks, tasks_left

EXERCISE, CONSUMER, INTERVAL = "02.2", "CountdownConsumer", 0.05  # the exercise's INTERVAL: seconds between ticks
RULE = "?count=N sends N ticks, one INTERVAL apart, then closes 1000; no task outlives its socket"
BAD_COUNTS = [b"", b"count=", b"count=0", b"count=101", b"count=-1", b"count=two", b"count=1.5", b"count=1e2",
              b"count=%C2%B2", b"count=1_0", b"count=%D9%A3", b"count=3&count=4", b"count=3&count=3",
              b"count=+3", b"count=%2B3", b"count=3%0A", b"count=" + b"1" * 5000, b"count=\xff"]  # fmt: skip
SLEPT: list = []  # the consumer's asyncio.sleep(seconds) calls and its sends (when, event), in order: ticks by events
NOT_A_COUNT = "a count that is not one integer 1-100, written in the digits 0-9 alone, must close with 4400"
ACCEPT_FIRST = "accept first, then close with 4400: a refused handshake tells the client nothing"
OWN = "each socket has its own count and task, and one leaving must not touch another's: nothing on the class"
CANCELS = "as Daphne does at shutdown, or after application_close_timeout"
RECEIVE = "The ticker needs no input, yet a client may send some: keep a websocket_receive that does nothing"
LATIN_1 = ". A query string is the bytes the client sent, not always UTF-8: decode it with latin-1 (lesson 01)"


@pytest.fixture
def app(module):
    """The consumer, each asyncio.sleep() of its file and each send noted in SLEPT, in order."""
    SLEPT.clear()
    if vars(module).get("asyncio") is asyncio:  # asyncio as its file sees it: each sleep noted, then slept
        noted = {"sleep": lambda seconds, *more: SLEPT.append(seconds) or asyncio.sleep(seconds, *more)}
        module.asyncio = types.SimpleNamespace(**{**vars(asyncio), **noted})
    inner = getattr(module, CONSUMER).as_asgi()

    async def application(scope, receive, send):
        return await inner(scope, receive, lambda e: SLEPT.append((asyncio.get_running_loop().time(), e)) or send(e))

    return application


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
    assert not (left := await tasks_left(before)), f"{after}, and {len(left)} ticking task(s) still run: {why}"


async def test_count_3_sends_three_ticks_then_closes_1000(app):
    communicator = await connect(app, "/?count=3")
    async with never_blocks():
        await ticks_then_close(communicator, 3, "?count=3")
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
    await close_all(communicator)


async def test_two_sockets_count_on_their_own_and_one_leaving_stops_only_its_own(app, module):
    before, held = running_tasks(), kept_by(module)
    leaving, staying = await connect(app, "/?count=100"), await connect(app, "/?count=3")
    proved("sockets", 2)
    async with never_blocks():
        got = await frame(leaving)
        assert got == {"tick": 1}, f'?count=100, with another socket open: expected {{"tick": 1}}, got {got}'
        await ends_on_disconnect(leaving)
        await ticks_then_close(staying, 3, f"?count=3, the other socket having left ({OWN})")
    await close_all(staying)
    await no_ticking_left(before, "both sockets closed", "each socket's task is cancelled when its socket goes")
    await asyncio.sleep(0)  # a task that has just ended runs its callbacks first (the asyncio docs' set.discard)
    nothing_kept(held, module, "both sockets have closed", "Keep each socket's task on self (self.ticking)")


async def test_counts_at_the_edges_1_and_100_are_taken(app):
    edges = {"1": "count=1", "2": "from=a&count=2&to=b", "99": "count=99", "100": "count=100"}  # others change nothing
    opened = {count: await connect(app, f"/?{query}") for count, query in edges.items()}
    async with never_blocks():
        await ticks_then_close(opened["1"], 1, "?count=1")
        await ticks_then_close(opened["2"], 2, f"?{edges['2']}")
        for count in ("99", "100"):
            got = await frame(opened[count])
            assert got == {"tick": 1}, f'?count={count}: expected {{"tick": 1}}, got {got}: 1-100, both ends included'
    await close_all(*opened.values())
    proved("boundaries", len(edges) + 3)


async def test_frames_from_the_client_change_nothing(app):
    communicator = await connect(app, "/?count=2")
    for sent in ({"text": "stop"}, {"text": '{"count": 5}'}, {"bytes": b"\x00"}):  # a ticker takes no input
        await communicator.send_input({"type": "websocket.receive", **sent})
    try:
        await ticks_then_close(communicator, 2, "?count=2, its client having sent frames")
    except pytest.fail.Exception as failed:  # a crash: say which frames it was, and what to keep
        pytest.fail(f"?count=2, its client having sent two text frames and a binary one: {failed}. {RECEIVE}", False)
    await close_all(communicator)


async def test_a_bad_count_is_closed_4400_before_any_tick(app):
    opened = [WebsocketCommunicator(app, "/") for _ in BAD_COUNTS]
    for communicator, query in zip(opened, BAD_COUNTS, strict=True):
        communicator.scope["query_string"] = query  # as a client may send it; the consumer has not started yet
        shown = repr(query)[2:-1] if len(query) < 60 else f"{query[:16].decode()}… ({len(query) - 6} digits)"
        try:
            got = await reply(await accepted(communicator))  # NOTHING if silent within FRAME
        except (AssertionError, pytest.fail.Exception) as failed:  # refused, silent or crashed: the query, the way out
            why = LATIN_1 if "UnicodeDecodeError" in str(failed) else f"; {ACCEPT_FIRST}" * ("refused" in str(failed))
            pytest.fail(f"?{shown}: {failed}{why}", pytrace=False)
        closed = isinstance(got, dict) and got.get("type") == "websocket.close" and got.get("code") == 4400
        why = " (%0A is a line break: a pattern's $ matches before a last one)" if b"%0A" in query else ""
        assert closed, f"?{shown}: {NOT_A_COUNT} before any tick{why}, got {got}"
    # Every refused socket at once: a tick that follows its close would come within three INTERVALs.
    await asyncio.gather(*(nothing_after_close(communicator, INTERVAL * 3) for communicator in opened))
    await close_all(*opened)
    proved("boundaries", 3)


async def test_leaving_early_stops_the_ticking(app):
    before, communicator = running_tasks(), await connect(app, "/?count=100")
    await frame(communicator)  # the first tick: the ticking has started
    assert await ends_on_disconnect(communicator, held=2), (  # 2 ticks while it waits: a handler that loops
        "the consumer never ended after websocket.disconnect: raise StopConsumer() there; and a handler that "
        "loops (ticking inside websocket_connect) holds back every later event of its socket, the disconnect too"
    )
    while not communicator.output_queue.empty():  # ticks sent before the client left are fine
        communicator.output_queue.get_nowait()
    assert await nothing_more(communicator, INTERVAL * 4), "ticks were sent after the client left: cancel its task then"
    await no_ticking_left(before, "the client left", "no task outlives its socket")


async def test_a_consumer_the_server_cancels_stops_its_ticking(app):
    before, communicator = running_tasks(), await connect(app, "/?count=100")
    assert (got := await frame(communicator)) == {"tick": 1}, f'expected {{"tick": 1}} first, got {got}'
    await cancelled(communicator)
    why = "no websocket.disconnect comes then, so clean-up that lives only in websocket_disconnect never runs"
    await no_ticking_left(before, f"the server cancelled the consumer ({CANCELS})", f"{why}; no task outlives it")
    ended_cancelled(communicator)  # its CancelledError raised again once the ticking has stopped
