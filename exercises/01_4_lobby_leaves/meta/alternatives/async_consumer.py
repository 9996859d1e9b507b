# The raw AsyncConsumer twin: async handlers await the layer's calls themselves (no async_to_sync), and the disconnect handler still raises StopConsumer.
"""Alternative 01.4: the same lobby on AsyncConsumer.

On the event loop the layer's coroutines are simply awaited; the rule is
the raw consumer's all the same: StopConsumer after the cleanup.
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "fixlobby"


class LobbyConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        await self.send({"type": "websocket.send", "text": event.get("text") or ""})

    async def websocket_disconnect(self, event):
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
