"""Every self.send(...) of an AsyncConsumer must be awaited, or nothing is sent.

A classic wrong solution to exercise 02.1: the echo's sends are not awaited.
The check says: "awaited"
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
            self.send({"type": "websocket.send", "text": event["text"]})
        else:
            self.send({"type": "websocket.send", "bytes": event["bytes"]})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
