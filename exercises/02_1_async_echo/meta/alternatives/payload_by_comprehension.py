# The payload kept by a dict comprehension over "text" and "bytes" (whichever is not None), then one awaited send; dict(type=...) style.
"""Alternative 02.1: one awaited send of the frame's own payload.

Keeping the key whose value is not None sends an empty text as text, an
empty binary frame as bytes, and ignores the other key of a two-key event.
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class EchoConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        await self.send(dict(type="websocket.accept"))

    async def websocket_receive(self, event):
        """Called for every frame: its one payload goes back unchanged."""
        payload = {key: event[key] for key in ("text", "bytes") if event.get(key) is not None}
        await self.send(dict(type="websocket.send", **payload))

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer
