"""Wrong: a full queue is answered at once; retrying until there is room holds the socket's handler indefinitely.

While the loop sleeps, this socket answers nothing, not even a bad frame,
and if the worker is down it never ends.

The check says: "a job the full queue refused got no answer within 1 s. send()"
"""

import asyncio
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
        except ValueError:
            request = None
        image = request.get("image") if isinstance(request, dict) else None
        if not isinstance(image, str) or not image:
            return await self.reply({"error": 'expected {"image": "<name>"}'})
        job = {"type": "thumbnail.make", "image": image, "reply_to": self.channel_name}
        while True:
            try:
                await self.channel_layer.send(QUEUE, job)
                break
            except ChannelFull:
                await asyncio.sleep(0.1)  # wait for room
        await self.reply({"queued": image})

    async def reply(self, content: dict) -> None:
        await self.send({"type": "websocket.send", "text": json.dumps(content)})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
