# The room left by a leave() method with a plain try/except RedisError, called from __call__'s finally: still 4503 for any layer failure, the group left however it ends.
"""Alternative 05.2: __call__ turns a RedisError into 4503; leave() discards the group, Redis down or not.

The events, in order:

    websocket.connect     -> group_add; websocket.accept
    websocket.receive     -> group_send {"type": "chat.message", ...}
    chat.message          -> websocket.send (the text)
    websocket.disconnect  -> StopConsumer
    a RedisError anywhere -> websocket.close 4503; the group is left however the consumer ends
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from redis.exceptions import RedisError

GROUP = "exlayerdown"


class LayerDownConsumer(AsyncConsumer):
    async def __call__(self, scope, receive, send):
        """Called once per socket: a layer failure, in a handler or reading the channel, closes with 4503."""
        try:
            await super().__call__(scope, receive, send)
        except RedisError:
            await send({"type": "websocket.close", "code": 4503})
        finally:
            await self.leave()

    async def leave(self):
        """Called as the consumer ends: leave the room; with Redis gone, the membership expires there."""
        try:
            await self.channel_layer.group_discard(GROUP, self.channel_name)
        except RedisError:
            pass

    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: pass it to the room."""
        if event.get("text") is None:  # a binary frame: the room hears text, and this is none
            error = {"error": "expected a text frame: a binary frame is not a message"}
            return await self.send({"type": "websocket.send", "text": json.dumps(error)})
        message = {"type": "chat.message", "message": event.get("text") or ""}
        await self.channel_layer.group_send(GROUP, message)

    async def chat_message(self, event):
        """Called for each message of the room."""
        await self.send({"type": "websocket.send", "text": event["message"]})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
