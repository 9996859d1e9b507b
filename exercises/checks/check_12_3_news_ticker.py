"""Check 12.3 (fix): a socket leaves its group however its consumer ends, even when a send fails and no disconnect comes."""

import asyncio
import json

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from exercises.checks import answer
from exercises.checks.fixlab import load
from lessons.channel_config import IN_MEMORY

RULE = (
    "A send to a closing socket raises and no websocket.disconnect follows (django/channels#1466): leave the "
    "group in __call__'s finally, not only in websocket_disconnect"
)


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    """The in-memory layer whatever REDIS_URL says: this check reads the layer's groups."""
    settings.CHANNEL_LAYERS = IN_MEMORY


def members() -> set:
    return set(get_channel_layer().groups.get("fixnews", {}))


async def test_an_open_socket_gets_the_headlines():
    communicator = WebsocketCommunicator(load("12.3", RULE).TickerConsumer.as_asgi(), "/")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    await get_channel_layer().group_send("fixnews", {"type": "news.item", "headline": "tea is ready"})
    got = await answer(communicator)
    assert isinstance(got, dict) and json.loads(got.get("text") or "null") == {"headline": "tea is ready"}, (
        f'expected {{"headline": "tea is ready"}}, got {got}'
    )
    await communicator.disconnect()


async def test_a_socket_whose_send_fails_leaves_the_group():
    before = members()
    events: asyncio.Queue = asyncio.Queue()
    events.put_nowait({"type": "websocket.connect"})

    async def send(message):
        if message["type"] == "websocket.send":  # Daphne 4.2, on a socket that is closing
            raise RuntimeError("Attempt to send on a closed protocol")

    scope = {"type": "websocket", "path": "/", "headers": [], "query_string": b"", "subprotocols": []}
    consumer = asyncio.create_task(load("12.3", RULE).TickerConsumer.as_asgi()(scope, events.get, send))
    for _ in range(100):  # until it has joined
        if members() - before:
            break
        await asyncio.sleep(0.01)
    await get_channel_layer().group_send("fixnews", {"type": "news.item", "headline": "the socket is gone"})
    done, _ = await asyncio.wait([consumer], timeout=1)
    if not done:
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)
    else:
        consumer.exception()  # the send's RuntimeError, as Daphne logs it
    left_behind = members() - before
    assert not left_behind, (
        f"the failed socket's channel is still in the group fixnews"
        f"{'' if done else ' (and its consumer was still running 1 s later)'}: every group_send keeps working "
        f"for it. {RULE}"
    )
