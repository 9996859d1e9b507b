"""An AsyncConsumer's handlers are `async def`: a plain def cannot be awaited.

A classic wrong solution to exercise 02.1: the handlers are plain functions, the sends still awaited where Python allows.
The check says: "async def"
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class EchoConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        await self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for every frame, text or binary."""
        if event.get("text") is not None:
            self.send({"type": "websocket.send", "text": event["text"]})
        else:
            self.send({"type": "websocket.send", "bytes": event["bytes"]})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
