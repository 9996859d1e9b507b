# The generic AsyncWebsocketConsumer, its __call__ wrapped: a RedisError anywhere closes with 4503, the room left however it ends.
"""Alternative 05.2: AsyncWebsocketConsumer, connect/receive/chat_message, a layer failure turned into 4503 in __call__.

Events, in order: websocket.connect (connect(): join "exlayerdown",
accept); websocket.receive for each frame (receive(): a group_send);
chat.message from the layer for each message of the room;
websocket.disconnect (the generic consumer stops); a RedisError anywhere
(a handler, or the consumer's own read of its channel): websocket.close
4503.

Only __call__ sees both: a handler's error and one raised reading the
channel, outside any handler. Its finally leaves the room however the
consumer ends, cancelled included.
"""

import contextlib
import json

from channels.generic.websocket import AsyncWebsocketConsumer
from redis.exceptions import RedisError

GROUP = "exlayerdown"


class LayerDownConsumer(AsyncWebsocketConsumer):
    async def __call__(self, scope, receive, send):
        """Called once per socket: runs the consumer, and turns a layer failure into 4503."""
        try:
            await super().__call__(scope, receive, send)
        except RedisError:  # Redis down, too slow, or read-only: try again later
            await send({"type": "websocket.close", "code": 4503})
        finally:
            with contextlib.suppress(RedisError):  # with Redis gone, the membership expires there
                await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def connect(self):
        """Called when a client opens the socket: join the room before accepting."""
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        """Called for every frame: pass a text frame to the room."""
        if text_data is None:  # a binary frame: the room hears text, and this is none
            await self.send(text_data=json.dumps({"error": "expected a text frame"}))
            return
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": text_data})

    async def chat_message(self, event):
        """Called for each message of the room."""
        await self.send(text_data=event["message"])
