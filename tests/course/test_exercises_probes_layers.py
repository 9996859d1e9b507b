"""RoundTripLayer tells a group_discard left running after its consumer ended from one awaited, at any speed."""

import asyncio

import pytest
from channels.consumer import AsyncConsumer
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers
from channels.testing import WebsocketCommunicator

from exercises.probes import RoundTripLayer, owned
from harness.patience import FRAME


def leaves(how: str) -> type:
    """A consumer that joins "room" on connect and leaves it `how` in its finally, once the server cancels it."""

    class Leaves(AsyncConsumer):
        async def __call__(self, scope, receive, send):
            try:
                await super().__call__(scope, receive, send)
            finally:
                discard = self.channel_layer.group_discard("room", self.channel_name)
                if how == "awaited":
                    await discard
                elif how == "shielded":
                    await asyncio.shield(discard)
                else:  # "a task": the mistake
                    asyncio.ensure_future(discard)

        async def websocket_connect(self, event):
            await self.channel_layer.group_add("room", self.channel_name)
            await self.send({"type": "websocket.accept"})

    return Leaves


def round_trips(monkeypatch) -> RoundTripLayer:
    """A RoundTripLayer (10 ms discards) as the default layer for this test."""
    layer = RoundTripLayer(add=0, discard=0.01)
    monkeypatch.setitem(channel_layers.backends, DEFAULT_CHANNEL_LAYER, layer)
    return layer


async def cancelled_and_discarded(how: str, layer: RoundTripLayer) -> asyncio.Task:
    """Open one socket on `leaves(how)`, cancel its consumer, and wait until the group is empty again."""
    communicator = WebsocketCommunicator(owned(leaves(how).as_asgi()), "/")
    assert (await communicator.connect())[0]
    communicator.future.cancel()
    await asyncio.wait([communicator.future], timeout=FRAME)
    async with asyncio.timeout(FRAME):
        while layer.groups.get("room"):  # the discard has finished, whenever the machine let it
            await asyncio.sleep(0.01)
    return communicator.future


async def test_a_discard_handed_to_a_task_is_listed_as_finished_after_its_consumer(monkeypatch):
    layer = round_trips(monkeypatch)
    consumer = await cancelled_and_discarded("a task", layer)
    assert consumer.cancelled() and len(layer.after_its_consumer) == 1


@pytest.mark.parametrize("how", ["awaited", "shielded"])
async def test_a_discard_its_consumer_waited_for_is_not_listed(monkeypatch, how):
    layer = round_trips(monkeypatch)
    consumer = await cancelled_and_discarded(how, layer)
    assert consumer.cancelled() and layer.after_its_consumer == []


async def test_a_consumer_served_without_owned_is_never_listed(monkeypatch):
    layer = round_trips(monkeypatch)
    communicator = WebsocketCommunicator(leaves("a task").as_asgi(), "/")
    assert (await communicator.connect())[0]
    communicator.future.cancel()
    await asyncio.wait([communicator.future], timeout=FRAME)
    async with asyncio.timeout(FRAME):
        while layer.groups.get("room"):
            await asyncio.sleep(0.01)
    assert layer.after_its_consumer == []
