# The reply chosen by a conditional expression and sent by one awaited send: text stays text, bytes stay bytes, nothing blocks.
"""Alternative 02.1: pick the frame, then await one send.

A websocket.receive event carries "text" or "bytes" (the other None): the
reply is the same kind of frame, built first and sent once, awaited.
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class EchoConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame, text or binary."""
        text = event.get("text")
        reply = {"text": text} if text is not None else {"bytes": event["bytes"]}
        await self.send({"type": "websocket.send", **reply})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
