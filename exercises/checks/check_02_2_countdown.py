"""Check 02.2: a ticker that stops by itself after ?count=N ticks, and stops ticking when the client leaves."""

import json

import pytest
from channels.testing import WebsocketCommunicator

from exercises.checks import answer, target


async def test_count_3_sends_three_ticks_then_closes_1000():
    communicator = WebsocketCommunicator(target("02.2").CountdownConsumer.as_asgi(), "/?count=3")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    for n in (1, 2, 3):
        got = await answer(communicator)
        assert got == {"type": "websocket.send", "text": json.dumps({"tick": n})}, (
            f'expected {{"tick": {n}}}, got {got}'
        )
    got = await answer(communicator)
    assert got == {"type": "websocket.close", "code": 1000}, (
        f"expected a close with 1000 after the last tick, got {got}"
    )
    await communicator.disconnect()


BAD_COUNTS = ["", "count=", "count=0", "count=101", "count=two", "count=1.5", "count=%C2%B2"]


@pytest.mark.parametrize("query", BAD_COUNTS, ids=["none", "empty", "0", "101", "two", "1.5", "superscript-2"])
async def test_a_bad_count_is_closed_4400_before_any_tick(query):
    communicator = WebsocketCommunicator(target("02.2").CountdownConsumer.as_asgi(), f"/?{query}")
    connected, _ = await communicator.connect(timeout=1)
    assert connected, f"?{query}: accept first, then close with 4400: a refused handshake tells the client nothing"
    got = await answer(communicator)
    # A "reason" may come with the code (the lesson's ticker sends one): the code is what the rule is about.
    closed = isinstance(got, dict) and got.get("type") == "websocket.close" and got.get("code") == 4400
    assert closed, f"?{query}: a count that is not an integer 1-100 must close with 4400 before any tick, got {got}"
    await communicator.disconnect()


async def test_leaving_early_stops_the_ticking():
    communicator = WebsocketCommunicator(target("02.2").CountdownConsumer.as_asgi(), "/?count=100")
    await communicator.connect(timeout=1)
    await answer(communicator)  # the first tick: the ticking has started
    await communicator.disconnect(timeout=1)
    assert not communicator.future.cancelled(), "the consumer never ended: cancel the task and raise StopConsumer()"
    while not communicator.output_queue.empty():  # ticks sent before the client left are fine
        communicator.output_queue.get_nowait()
    late = 0
    for _ in range(8):  # eight intervals of silence (INTERVAL is 0.05 s)
        if not await communicator.receive_nothing(timeout=0.05):
            late += 1
            communicator.output_queue.get_nowait()
    assert late == 0, (
        f"{late} tick frames were sent after the client left: cancel the ticking task in websocket_disconnect "
        "(no task outlives its socket)"
    )
