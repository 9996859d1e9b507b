"""in_its_group_once_open() judges the order of a consumer's own join and accept, never the machine's speed."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.consumer import AsyncConsumer, SyncConsumer
from channels.exceptions import StopConsumer
from channels.layers import channel_layers

from exercises.probes import in_its_group_once_open


class SyncJoinsFirst(SyncConsumer):
    def websocket_connect(self, event):
        async_to_sync(self.channel_layer.group_add)("lobby", self.channel_name)
        self.send({"type": "websocket.accept"})

    def websocket_disconnect(self, event):
        raise StopConsumer()


class SyncAcceptsFirst(SyncJoinsFirst):
    """The mistake of 01.4's kept accepts_before_joining: its join came after the look on a busy machine, or not."""

    def websocket_connect(self, event):
        self.send({"type": "websocket.accept"})
        async_to_sync(self.channel_layer.group_add)("lobby", self.channel_name)


class AsyncJoins(AsyncConsumer):
    how = "awaited"

    async def websocket_connect(self, event):
        join = self.channel_layer.group_add("lobby", self.channel_name)
        accept = self.send({"type": "websocket.accept"})
        if self.how == "awaited":
            await join
            await accept
        elif self.how == "gathered":  # both at once: the accept goes out while the join is under way
            await asyncio.gather(join, accept)
        else:  # "a task": the join left running
            self.joining = asyncio.ensure_future(join)
            await accept

    async def websocket_disconnect(self, event):
        raise StopConsumer()


def joins(how: str) -> type:
    return type(f"Joins{how.title()}", (AsyncJoins,), {"how": how})


@pytest.mark.parametrize("consumer", [SyncJoinsFirst, joins("awaited")], ids=["sync", "async"])
async def test_a_consumer_that_joins_then_accepts_is_in_its_group_once_open(consumer):
    await in_its_group_once_open(consumer.as_asgi())


@pytest.mark.parametrize(
    "consumer", [SyncAcceptsFirst, joins("gathered"), joins("a task")], ids=["sync accepts first", "gathered", "task"]
)
async def test_a_consumer_that_accepts_before_its_join_has_finished_is_refused_every_time(consumer):
    for _ in range(20):  # the order is the consumer's own: the same verdict every time, however the machine runs
        with pytest.raises(AssertionError, match="accepted before it was in its group"):
            await in_its_group_once_open(consumer.as_asgi())


async def test_a_late_look_as_on_a_busy_machine_still_refuses_an_early_accept(monkeypatch):
    from exercises.probes import joining

    opened = joining.connect

    async def late(application, path):  # the check's process paused after the handshake: the join has finished
        communicator = await opened(application, path)
        while not any(channel_layers["default"].groups.values()):
            await asyncio.sleep(0)
        return communicator

    monkeypatch.setattr(joining, "connect", late)
    with pytest.raises(AssertionError, match="accepted before it was in its group"):
        await in_its_group_once_open(SyncAcceptsFirst.as_asgi())
