"""Check 02.2: a ticker that stops by itself after ?count=N ticks, per socket, and never outlives its socket.

?count=3 sends three ticks, one INTERVAL apart, then closes 1000; two sockets count on their own, and one leaving
stops only its own, leaving nothing behind; counts at the edges (1 and 100) are taken; frames from the client change
nothing; a bad count is closed 4400 before any tick; leaving early, or a cancel by the server, stops the ticking.
"""

import asyncio
import json
import types

import pytest
from channels.testing import WebsocketCommunicator

from exercises.probes import FRAME, NOTHING, cancelled, close_all, connect, crashed, ended_cancelled
from exercises.probes import ends_on_disconnect, kept_by, never_blocks, nothing_after_close, nothing_kept, nothing_more
from exercises.probes import proved, reply, running_tasks, target, tasks_left, text_of_bytes

INTERVAL = 0.05  # the exercise's INTERVAL: seconds between ticks
# b"count=\xff": raw bytes, no UTF-8; a query string is the bytes the client sent (decode it as latin-1).
BAD_COUNTS = ["", "count=", "count=0", "count=101", "count=-1", "count=two", "count=1.5", "count=1e2",
              "count=%C2%B2", "count=1_0", "count=%D9%A3", "count=3&count=4", "count=3&count=3",
              "count=+3", "count=%2B3", "count=3%0A", "count=" + "1" * 5000,
              b"count=\xff"]  # fmt: skip


SLEPT: list = []  # the consumer's asyncio.sleep(seconds) calls and its sends, in order: its ticks, by events


def app():
    module = target("02.2")
    if vars(module).get("asyncio") is asyncio:  # asyncio as its file sees it: each sleep noted, then slept
        noted = {"sleep": lambda seconds, *more: SLEPT.append(seconds) or asyncio.sleep(seconds, *more)}
        module.asyncio = types.SimpleNamespace(**{**vars(asyncio), **noted})
    inner = module.CountdownConsumer.as_asgi()

    async def application(scope, receive, send):  # each send noted in SLEPT too, in order with the sleeps
        return await inner(scope, receive, lambda sent: SLEPT.append(sent) or send(sent))

    return application


def is_tick(got: object, n: int) -> bool:
    """True for a text frame whose JSON is {"tick": n}, however it is spaced (n an integer, not "1", 1.0 or true)."""
    if not (isinstance(got, dict) and got.keys() == {"type", "text"} and got["type"] == "websocket.send"):
        return False
    if text_of_bytes(got):  # json.loads would take it; no server can send it
        return False
    try:
        value = json.loads(got["text"])
    except (TypeError, ValueError):
        return False
    return value == {"tick": n} and type(value["tick"]) is int


def is_close_1000(got: object) -> bool:
    """True for a close with 1000: ASGI's default code, so a close that names none is one too (Daphne sends 1000)."""
    return isinstance(got, dict) and got.get("type") == "websocket.close" and got.get("code", 1000) == 1000


async def ticks_then_close(communicator, count: int, where: str, times: list | None = None) -> float:
    """`count` ticks, 1 to count, then a close with 1000 and nothing after it; returns when the close came."""
    for n in range(1, count + 1):
        got = await reply(communicator)
        if times is not None:  # when each tick came
            times.append(asyncio.get_running_loop().time())
        assert is_tick(got, n), (
            f'{where}: expected {{"tick": {n}}}, got {text_of_bytes(got) or got}: the ticks go 1, 2, … {count}, '
            "then the close"
        )
    got = await reply(communicator)
    assert is_close_1000(got), f"{where}: expected a close with 1000 right after the last tick ({count}), got {got}"
    closed = asyncio.get_running_loop().time()
    await nothing_after_close(communicator, INTERVAL * 3)
    return closed


async def test_count_3_sends_three_ticks_then_closes_1000():
    SLEPT.clear()
    communicator = await connect(app(), "/?count=3")
    started = asyncio.get_running_loop().time()
    async with never_blocks():
        came: list[float] = []
        took = await ticks_then_close(communicator, 3, "?count=3", came) - started
    sends = [n for n, step in enumerate(SLEPT) if isinstance(step, dict)]  # the accept, the ticks, the close
    slept = [sum(SLEPT[a + 1 : b]) for a, b in zip(sends, sends[1:4], strict=False)]  # before each tick, by events
    recorded = any(slept)  # it sleeps with asyncio.sleep: judged by what it slept, not by the clock
    assert not recorded or slept[0] > 0, (
        "tick 1 was sent before any sleep since the accept: the first tick comes one INTERVAL "
        f"({INTERVAL * 1000:.0f} ms) after it, as each tick comes one INTERVAL after the one before"
    )
    # The stopwatch only for a ticker that waits in another way than asyncio.sleep, or not at all.
    gaps = slept if recorded else [min(later - earlier for earlier, later in zip(came, came[1:], strict=False))]
    assert all(INTERVAL / 2 < gap < INTERVAL * 1.6 for gap in gaps) and (recorded or took >= INTERVAL * 2.5), (
        f"the ticker waited {', '.join(f'{gap * 1000:.0f}' for gap in gaps)} ms before its ticks (three ticks and "
        f"the close came {took * 1000:.0f} ms after the accept), where one comes every INTERVAL "
        f"({INTERVAL * 1000:.0f} ms), the first one INTERVAL after the accept: one sleep of INTERVAL per tick, "
        "not a second one after the send"
    )
    await close_all(communicator)


async def test_two_sockets_count_on_their_own_and_one_leaving_stops_only_its_own():
    before, held = running_tasks(), kept_by(target("02.2"))
    leaving = await connect(app(), "/?count=100")
    staying = await connect(app(), "/?count=3")
    proved("sockets", 2)
    async with never_blocks():
        for communicator, where in ((leaving, "?count=100"), (staying, "?count=3")):
            got = await reply(communicator)
            assert is_tick(got, 1), f'{where}, with another socket open: expected {{"tick": 1}}, got {got}'
        await ends_on_disconnect(leaving)
        for n in (2, 3):
            got = await reply(staying)
            assert is_tick(got, n), (
                f'after the other socket left, this one expected {{"tick": {n}}}, got {got}: each socket has '
                "its own count and its own task, and one leaving must not touch another's (nothing on the class)"
            )
        got = await reply(staying)
        assert is_close_1000(got), f"expected a close with 1000 after tick 3, got {got}"
    await close_all(staying)
    left = await tasks_left(before)
    assert not left, (
        f"{len(left)} ticking task(s) still run after both sockets closed: each socket's task is cancelled "
        "when its socket goes (no task outlives its socket)"
    )
    await asyncio.sleep(0)  # a task that has just ended runs its callbacks first (the asyncio docs' set.discard)
    nothing_kept(held, target("02.2"), "both sockets have closed", "Keep each socket's task on self (self.ticking)")


async def test_counts_at_the_edges_1_and_100_are_taken():
    # Other parameters beside the count change nothing.
    edges = {"1": "count=1", "2": "from=a&count=2&to=b", "99": "count=99", "100": "count=100"}
    opened = {count: await connect(app(), f"/?{query}") for count, query in edges.items()}
    async with never_blocks():
        await ticks_then_close(opened["1"], 1, "?count=1")
        await ticks_then_close(opened["2"], 2, f"?{edges['2']}")
        for count in ("99", "100"):
            got = await reply(opened[count])
            assert is_tick(got, 1), (
                f'?count={count}: expected {{"tick": 1}}, got {got}: a count is an integer 1-100, both ends included'
            )
    await close_all(*opened.values())
    proved("boundaries", len(edges) + 3)


async def test_frames_from_the_client_change_nothing():
    communicator = await connect(app(), "/?count=2")
    for frame in ({"text": "stop"}, {"text": '{"count": 5}'}, {"bytes": b"\x00"}):  # a ticker takes no input
        await communicator.send_input({"type": "websocket.receive", **frame})
    try:
        await ticks_then_close(communicator, 2, "?count=2, its client having sent frames")
    except pytest.fail.Exception as failed:  # a crash: say which frames it was
        pytest.fail(
            f"?count=2, its client having sent two text frames and a binary one: {failed}. The ticker needs no input, "
            "yet a client may send some: keep a websocket_receive that does nothing, so a frame changes nothing",
            pytrace=False,
        )
    await close_all(communicator)


async def test_a_bad_count_is_closed_4400_before_any_tick():
    opened = []
    for query in BAD_COUNTS:
        communicator = WebsocketCommunicator(app(), "/" if isinstance(query, bytes) else f"/?{query}")
        if isinstance(query, bytes):
            communicator.scope["query_string"] = query  # as a client may send it; the consumer has not started yet
            query = repr(query)[2:-1]
        query = query if len(query) < 60 else f"{query[:16]}… ({len(query) - 6} digits)"  # as a message shows it
        connected, got = None, NOTHING
        try:
            connected, _ = await communicator.connect(timeout=FRAME)
            got = await communicator.receive_output(timeout=FRAME) if connected else got
        except TimeoutError:  # silence: no accept, or no close, within FRAME
            pass
        except Exception as error:  # the student's consumer raised
            raw = (
                ". A query string is the bytes the client sent, not always UTF-8: decode it with latin-1, which "
                "takes every byte (lesson 01), so a bad count gets its 4400"
            )
            pytest.fail(f"?{query}: {crashed(error)}{raw if isinstance(error, UnicodeError) else ''}", pytrace=False)
        assert connected, (
            f"?{query}: the handshake was refused; accept first, then close with 4400: a refused handshake "
            "tells the client nothing"
        )
        # A "reason" may come with the code (the lesson's ticker sends one): the code is what the rule is about.
        closed = isinstance(got, dict) and got.get("type") == "websocket.close" and got.get("code") == 4400
        # %0A decodes to a line break, which a pattern's $ lets through: re.match(r"^[0-9]+$", "3\n") matches.
        why = " (%0A is a line break: a pattern's $ matches before a last one)" if "%0A" in query else ""
        assert closed, (
            f"?{query}: a count that is not one integer 1-100, written in the digits 0-9 alone, must close with "
            f"4400 before any tick{why}, got {got}"
        )
        opened.append(communicator)
    # Every refused socket at once: a tick that follows its close would come within three INTERVALs.
    await asyncio.gather(*(nothing_after_close(communicator, INTERVAL * 3) for communicator in opened))
    await close_all(*opened)
    proved("boundaries", 3)


async def test_leaving_early_stops_the_ticking():
    before = running_tasks()
    communicator = await connect(app(), "/?count=100")
    await reply(communicator)  # the first tick: the ticking has started
    assert await ends_on_disconnect(communicator, held=2), (  # 2 ticks while it waits: a handler that loops
        "the consumer never ended after websocket.disconnect: raise StopConsumer() there; and a handler that "
        "loops (ticking inside websocket_connect) holds back every later event of its socket, the disconnect too"
    )
    while not communicator.output_queue.empty():  # ticks sent before the client left are fine
        communicator.output_queue.get_nowait()
    assert await nothing_more(communicator, INTERVAL * 4), (
        "tick frames were sent after the client left: a task started for a socket is cancelled when "
        "the socket goes (no task outlives its socket)"
    )
    left = await tasks_left(before)
    assert not left, f"{len(left)} ticking task(s) still run after the client left: no task outlives its socket"


async def test_a_consumer_the_server_cancels_stops_its_ticking():
    before = running_tasks()
    communicator = await connect(app(), "/?count=100")
    got = await reply(communicator)
    assert is_tick(got, 1), f'expected {{"tick": 1}} first, got {got}'
    await cancelled(communicator)
    left = await tasks_left(before)
    assert not left, (
        f"the server cancelled the consumer (as Daphne does at shutdown, or after application_close_timeout) "
        f"and {len(left)} ticking task(s) still run: no websocket.disconnect comes then, so clean-up that lives "
        "only in websocket_disconnect never runs; no task outlives its consumer"
    )
    ended_cancelled(communicator)  # its CancelledError raised again once the ticking has stopped
