"""Check 02.2: a ticker that stops by itself after ?count=N ticks, per socket, and never outlives its socket.

The task's rules, in its order: 1 ?count=3 sends three ticks, one INTERVAL apart, then closes 1000, and counts at the
edges (1 and 100) are taken; 2 a bad count is closed 4400 before any tick; 3 two sockets count on their own, and one
leaving stops only its own, leaving nothing behind; 4 frames from the client change nothing; 5 leaving early stops
the ticking; 6 so does a cancel by the server; 7 the loop never stalls (never_blocks). Then the standard battery.
"""

import asyncio

import pytest
from channels.testing import WebsocketCommunicator

from exercises.probes import cancelled, close_all, connect, ended_cancelled, ends_on_disconnect, frame, kept_by
from exercises.probes import never_blocks, nothing_after_close, nothing_kept, nothing_more, proved, running_tasks
from .probes import INTERVAL, closed_4400_before_any_tick, no_ticking_left, noted
from .probes import one_interval_apart, ticks_then_close

EXERCISE, CONSUMER = "02.2", "CountdownConsumer"
RULE = "?count=N sends N ticks, one INTERVAL apart, then closes 1000; no task outlives its socket"
BAD_COUNTS = [b"", b"count=", b"count=0", b"count=101", b"count=-1", b"count=two", b"count=1.5", b"count=1e2",
              b"count=%C2%B2", b"count=1_0", b"count=%D9%A3", b"count=3&count=4", b"count=3&count=3",
              b"count=+3", b"count=%2B3", b"count=3%0A", b"count=" + b"1" * 5000, b"count=\xff"]  # fmt: skip
OWN = "each socket has its own count and task, and one leaving must not touch another's: nothing on the class"
CANCELS = "as Daphne does at shutdown, or after application_close_timeout"
RECEIVE = "The ticker needs no input, yet a client may send some: keep a websocket_receive that does nothing"


@pytest.fixture
def app(module):
    """The consumer, each asyncio.sleep() of its file and each send noted, in order: ticks timed by what it slept."""
    return noted(module, CONSUMER)


@pytest.mark.rule(1, 7)
async def test_count_3_sends_three_ticks_then_closes_1000(app):
    communicator = await connect(app, "/?count=3")
    async with never_blocks():
        await ticks_then_close(communicator, 3, "?count=3")
    one_interval_apart()  # judged by what it slept between its sends, or by when they came
    await close_all(communicator)


@pytest.mark.rule(3, 7)
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


@pytest.mark.rule(1, 7)
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


@pytest.mark.rule(4)
async def test_frames_from_the_client_change_nothing(app):
    communicator = await connect(app, "/?count=2")
    for sent in ({"text": "stop"}, {"text": '{"count": 5}'}, {"bytes": b"\x00"}):  # a ticker takes no input
        await communicator.send_input({"type": "websocket.receive", **sent})
    try:
        await ticks_then_close(communicator, 2, "?count=2, its client having sent frames")
    except pytest.fail.Exception as failed:  # a crash: say which frames it was, and what to keep
        pytest.fail(f"?count=2, its client having sent two text frames and a binary one: {failed}. {RECEIVE}", False)
    await close_all(communicator)


@pytest.mark.rule(2)
async def test_a_bad_count_is_closed_4400_before_any_tick(app):
    opened = [WebsocketCommunicator(app, "/") for _ in BAD_COUNTS]
    for communicator, query in zip(opened, BAD_COUNTS, strict=True):
        await closed_4400_before_any_tick(communicator, query)
    # Every refused socket at once: a tick that follows its close would come within three INTERVALs.
    await asyncio.gather(*(nothing_after_close(communicator, INTERVAL * 3) for communicator in opened))
    await close_all(*opened)
    proved("boundaries", 3)


@pytest.mark.rule(5)
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


@pytest.mark.rule(6)
async def test_a_consumer_the_server_cancels_stops_its_ticking(app):
    before, communicator = running_tasks(), await connect(app, "/?count=100")
    assert (got := await frame(communicator)) == {"tick": 1}, f'expected {{"tick": 1}} first, got {got}'
    await cancelled(communicator)
    why = "no websocket.disconnect comes then, so clean-up that lives only in websocket_disconnect never runs"
    await no_ticking_left(before, f"the server cancelled the consumer ({CANCELS})", f"{why}; no task outlives it")
    ended_cancelled(communicator)  # its CancelledError raised again once the ticking has stopped


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
)
