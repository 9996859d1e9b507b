"""Solution 05.2: close with 4503 when the channel layer fails.

Why this way: a Redis error can come out of a handler or out of the
consumer's own loop reading its channel, outside any handler; `__call__`
wraps both (lesson 05's hardened chat). 4503 says "try again later"; 1011
would say the consumer crashed. The events, in order:

    websocket.connect     -> group_add; websocket.accept
    websocket.receive     -> group_send {"type": "chat.message", ...}
    chat.message          -> websocket.send (the text)
    websocket.disconnect  -> StopConsumer
    a RedisError anywhere -> websocket.close 4503; the group is left however the consumer ends
"""

import contextlib
import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from redis.exceptions import RedisError

GROUP = "exlayerdown"


class LayerDownConsumer(AsyncConsumer):
    async def __call__(self, scope, receive, send):
        """Called once per socket: runs the consumer, and turns a layer failure into 4503."""
        try:
            await super().__call__(scope, receive, send)
        except RedisError:
            # RedisError, not only ConnectionError: a read timeout is a layer failure too.
            await send({"type": "websocket.close", "code": 4503})
        finally:
            # A cancelled consumer (server shutdown) gets no websocket.disconnect; and if
            # Redis is the reason we are ending, the membership expires on its own.
            with contextlib.suppress(RedisError):
                await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: pass it to the room."""
        if event.get("text") is None:  # a binary frame: the room hears text, and this is none
            error = {"error": "expected a text frame: a binary frame is not a message"}
            return await self.send({"type": "websocket.send", "text": json.dumps(error)})
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event.get("text") or ""})

    async def chat_message(self, event):
        """Called for each message of the room."""
        await self.send({"type": "websocket.send", "text": event["message"]})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
