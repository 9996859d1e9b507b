"""Check 04.5 (fix): a synchronous consumer calls every channel layer method through async_to_sync."""

import asyncio
import gc
import json
import warnings

import pytest
from channels.layers import InMemoryChannelLayer
from channels.testing import WebsocketCommunicator

from exercises.checks import NOTHING, answer
from exercises.checks.fixlab import load

RULE = (
    "Channel layer methods are coroutine functions: in a synchronous consumer call them as "
    "async_to_sync(self.channel_layer.group_send)(group, message)"
)


class LoopWatchingLayer(InMemoryChannelLayer):
    """The in-memory layer, refusing a group_send made on any event loop but the server's."""

    def __init__(self, **config):
        super().__init__(**config)
        self.home_loop = asyncio.get_running_loop()  # made by the first consumer, on the server's loop

    async def group_send(self, group, message):
        if asyncio.get_running_loop() is not self.home_loop:
            raise RuntimeError(
                "group_send ran on an event loop of its own (asyncio.run in the handler's thread), not the "
                "server's: the layer's queues and connections belong to the server's loop"
            )
        await super().group_send(group, message)

    # Python's "never awaited" warning names the coroutine: name it as a student's server would.
    group_send.__qualname__ = "InMemoryChannelLayer.group_send"


@pytest.fixture(autouse=True)
def watched_layer(settings):
    """The in-memory layer whatever REDIS_URL says, watching which loop sends."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "exercises.checks.check_04_5_sync_room.LoopWatchingLayer"}}


async def test_a_message_reaches_every_socket_in_the_room():
    consumer = load("04.5", RULE).SyncRoomConsumer
    alice, bob = WebsocketCommunicator(consumer.as_asgi(), "/"), WebsocketCommunicator(consumer.as_asgi(), "/")
    assert (await alice.connect(timeout=2))[0] and (await bob.connect(timeout=2))[0], "expected both sockets accepted"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await alice.send_to(text_data="hello room")
        try:
            got = await answer(bob, timeout=2)
        except Exception as error:  # the consumer crashed: the server closes the socket with 1011
            raise AssertionError(f"the consumer crashed: {type(error).__name__}: {error}. {RULE}") from error
        gc.collect()  # a thrown-away coroutine warns when it is collected
    if got == NOTHING and alice.future.done() and not alice.future.cancelled() and alice.future.exception():
        error = alice.future.exception()  # the sender's consumer crashed: its socket closes with 1011
        raise AssertionError(f"alice's consumer crashed: {type(error).__name__}: {error}. {RULE}") from error
    if got == NOTHING:
        never_awaited = [str(w.message) for w in caught if "never awaited" in str(w.message)]
        reason = f"; Python warned: RuntimeWarning: {never_awaited[0]}" if never_awaited else ""
        raise AssertionError(f"bob heard nothing within 2 s{reason}. {RULE}")
    assert isinstance(got, dict) and json.loads(got.get("text") or "null") == {"message": "hello room"}, (
        f'expected {{"message": "hello room"}} on bob\'s socket, got {got}'
    )
    await alice.disconnect()
    await bob.disconnect()
