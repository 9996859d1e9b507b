"""The channel layer between sync and async code: sync callers (06.2, 06.3) and a worker read on its channels (06.1).

Lesson 06's checks read what a layer carries without a consumer (a channel of their own, a
reply channel), make the layer slow or full as Redis can be, and call sync code as a view does.
"""

import asyncio

from asgiref.sync import sync_to_async
from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer, get_channel_layer

from exercises.probes.loading import imported_afresh


async def waiting(channel: str, wait: float) -> dict | str:
    """The layer message queued for `channel` within `wait` seconds (read without blocking), or "nothing"."""
    layer = get_channel_layer()
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        queue = layer.channels.get(channel)
        if queue is not None and not queue.empty():
            return queue.get_nowait()[1]
        if asyncio.get_running_loop().time() >= deadline:
            return "nothing"
        await asyncio.sleep(0.01)


def called_as_a_view(exercise: str, rule: str, function: str):
    """`function` of the file under check, called as a view would: synchronous code in a thread of its own.

    The file is imported afresh at each call, as a server process whose CHANNEL_LAYERS are this test's
    imports it: a layer fetched once at import (channel_layer = get_channel_layer() at module
    level, as Channels' docs and many projects write it) is then the layer this test chose.
    In a real server that is right: the process builds its layer once and every consumer shares it.
    """

    async def call(*args) -> object:
        return await sync_to_async(getattr(imported_afresh(exercise, rule), function))(*args)

    return call


class FullLayer(InMemoryChannelLayer):
    """An in-memory layer whose group_send fails, as a full Redis queue does."""

    async def group_send(self, group, message):
        raise ChannelFull(f"group {group} is over capacity")
