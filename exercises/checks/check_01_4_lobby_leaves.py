"""Check 01.4 (fix): a raw consumer ends by raising StopConsumer once the socket has closed, after its cleanup."""

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from exercises.checks import answer
from exercises.checks.fixlab import load
from lessons.channel_config import IN_MEMORY

RULE = "A raw consumer must raise StopConsumer() at the end of websocket_disconnect, after its cleanup"
KILLED = "Daphne would log: Application instance <Task ...> took too long to shut down and was killed"


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    """The in-memory layer whatever REDIS_URL says: this check reads the layer's groups."""
    settings.CHANNEL_LAYERS = IN_MEMORY


def consumer():
    return load("01.4", RULE).LobbyConsumer


async def test_it_still_accepts_and_echoes():
    communicator = WebsocketCommunicator(consumer().as_asgi(), "/")
    connected, _ = await communicator.connect(timeout=1)
    assert connected, "expected the socket to be accepted"
    await communicator.send_to(text_data="hi")
    got = await answer(communicator)
    assert got == {"type": "websocket.send", "text": "hi"}, f'expected "hi" back, got {got}'
    await communicator.disconnect()


async def test_the_consumer_ends_once_the_socket_has_closed():
    communicator = WebsocketCommunicator(consumer().as_asgi(), "/")
    await communicator.connect(timeout=1)
    await communicator.disconnect(timeout=1)
    assert not communicator.future.cancelled(), (
        f"the consumer was still running 1 s after websocket.disconnect ({KILLED}). {RULE}"
    )


async def test_the_closed_socket_has_left_the_group():
    before = set(get_channel_layer().groups.get("fixlobby", {}))
    communicator = WebsocketCommunicator(consumer().as_asgi(), "/")
    await communicator.connect(timeout=1)
    await communicator.disconnect(timeout=1)
    left_behind = set(get_channel_layer().groups.get("fixlobby", {})) - before
    assert not left_behind, f"the closed socket's channel is still in the group fixlobby. {RULE}"
