"""Check 02.2: a ticker that stops by itself after ?count=N ticks."""

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


@pytest.mark.parametrize("query", ["", "count=", "count=0", "count=101", "count=two", "count=1.5"])
async def test_a_bad_count_is_closed_4400_before_any_tick(query):
    communicator = WebsocketCommunicator(target("02.2").CountdownConsumer.as_asgi(), f"/?{query}")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted before it is closed"
    got = await answer(communicator)
    assert got == {"type": "websocket.close", "code": 4400}, f"?{query}: expected a close with 4400, got {got}"
    await communicator.disconnect()


async def test_leaving_early_stops_the_ticking():
    communicator = WebsocketCommunicator(target("02.2").CountdownConsumer.as_asgi(), "/?count=100")
    await communicator.connect(timeout=1)
    await communicator.disconnect(timeout=1)
    assert not communicator.future.cancelled(), "the consumer never ended: cancel the task and raise StopConsumer()"
