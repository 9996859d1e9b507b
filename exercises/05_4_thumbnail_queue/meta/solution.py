"""Solution 05.4: catch ChannelFull around send() and tell the client {"error": ...}; the socket stays open.

Why: a channel holds at most `capacity` messages (100 by default); send()
to a full one raises ChannelFull rather than wait or drop. Uncaught, it
ends the consumer and the server closes the socket with 1011. Caught, it is
backpressure the client can act on: try later (lesson 05: DirectConsumer
and lesson 06's PrimesConsumer do the same). Waiting for room in a loop
would hold this socket's handler, and its other frames, hostage.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import ChannelFull, StopConsumer

QUEUE = "fixthumbs"


class ThumbnailConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        try:
            request = json.loads(event.get("text") or "null")
        except (ValueError, RecursionError):  # not JSON, or "[[[[..." nested too deep to decode
            request = None
        image = request.get("image") if isinstance(request, dict) else None
        if not isinstance(image, str) or not image.isprintable() or not image:  # "\ud800" cannot cross Redis
            return await self.reply({"error": 'expected {"image": "<name>"}'})
        job = {"type": "thumbnail.make", "image": image, "reply_to": self.channel_name}
        try:
            await self.channel_layer.send(QUEUE, job)
        except ChannelFull:
            return await self.reply({"error": f"not queued: the {QUEUE} queue is full, try again later"})
        await self.reply({"queued": image})

    async def reply(self, content: dict) -> None:
        await self.send({"type": "websocket.send", "text": json.dumps(content)})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
