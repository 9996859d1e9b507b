"""A layer can fail outside any handler: catch RedisError around super().__call__.

A classic wrong solution to exercise 05.2: each handler catches RedisError, the consumer's own channel read does not.
The check says: "super().__call__"
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from redis.exceptions import RedisError

GROUP = "exlayerdown"


class LayerDownConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        try:
            await self.channel_layer.group_add(GROUP, self.channel_name)
        except RedisError:
            await self.send({"type": "websocket.close", "code": 4503})
            return
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: pass it to the room."""
        try:
            await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event.get("text") or ""})
        except RedisError:
            await self.send({"type": "websocket.close", "code": 4503})

    async def chat_message(self, event):
        """Called for each message of the room."""
        await self.send({"type": "websocket.send", "text": event["message"]})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
