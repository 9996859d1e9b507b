"""Check 04.3 (fix): a layer message's type names its handler ("chat.message" -> chat_message)."""

import json

import pytest
from channels.testing import WebsocketCommunicator

from exercises.checks import answer
from exercises.checks.fixlab import load
from lessons.channel_config import IN_MEMORY

RULE = 'A layer message\'s "type" names its handler: "chat.message" calls chat_message'


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    """The in-memory layer whatever REDIS_URL says: no stale members from a Redis a student set up."""
    settings.CHANNEL_LAYERS = IN_MEMORY


async def test_a_message_reaches_the_other_socket_in_the_room():
    consumer = load("04.3", RULE).RoomConsumer
    alice = WebsocketCommunicator(consumer.as_asgi(), "/")
    bob = WebsocketCommunicator(consumer.as_asgi(), "/")
    assert (await alice.connect(timeout=1))[0] and (await bob.connect(timeout=1))[0], "expected both sockets accepted"
    await alice.send_to(text_data="hello room")
    try:
        got = await answer(bob)
    except ValueError as error:  # what Daphne logs before closing the socket with 1011
        alice.stop(exceptions=False)  # alice's consumer crashed the same way: nothing left to run
        if alice.future.done() and not alice.future.cancelled():
            alice.future.exception()
        raise AssertionError(f"bob's consumer crashed: ValueError: {error}. {RULE}") from error
    assert isinstance(got, dict) and got.get("type") == "websocket.send", (
        f'expected a websocket.send on bob\'s socket, got {got}. {RULE}, and that handler sends {{"type": '
        '"websocket.send", ...}} to the socket'
    )
    assert json.loads(got.get("text") or "null") == {"message": "hello room"}, (
        f'expected {{"message": "hello room"}} on bob\'s socket, got {got}'
    )
    await alice.disconnect()
    await bob.disconnect()
