"""websocket_disconnect must raise StopConsumer, or the consumer never ends.

A classic wrong solution to exercise 02.1: websocket_disconnect just returns.
The check says: "StopConsumer"
"""

from channels.consumer import AsyncConsumer


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
        pass
