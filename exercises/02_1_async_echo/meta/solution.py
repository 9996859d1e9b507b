"""Solution 02.1: a raw AsyncConsumer echo.

Why this way: the same three handlers as the SyncConsumer, each `async def`,
each send awaited. Nothing here blocks, so the event loop serves every other
socket meanwhile (lesson 02).
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class EchoConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame, text or binary."""
        if event.get("text") is not None:
            await self.send({"type": "websocket.send", "text": event["text"]})
        else:
            await self.send({"type": "websocket.send", "bytes": event["bytes"]})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
