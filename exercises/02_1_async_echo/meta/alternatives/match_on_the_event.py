# A match statement on the event dict, each case awaiting its own send: str under "text" is a text frame, bytes under "bytes" a binary one.
"""Alternative 02.1: the event matched by the shape of its payload.

str() and bytes() patterns never match None, so an event that carries
both keys, one None, falls into the case of the other.
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class EchoConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: it goes back under the key it came in."""
        match event:
            case {"text": str(text)}:
                await self.send({"type": "websocket.send", "text": text})
            case {"bytes": bytes(data)}:
                await self.send({"type": "websocket.send", "bytes": data})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
