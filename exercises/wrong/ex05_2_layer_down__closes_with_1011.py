"""A layer failure closes with 4503 (try again later); 1011 says the consumer crashed.

A classic wrong solution to exercise 05.2: the failure is caught, then the socket closed with 1011.
The check says: "4503"
"""

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
            await send({"type": "websocket.close", "code": 1011})

    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: pass it to the room."""
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event.get("text") or ""})

    async def chat_message(self, event):
        """Called for each message of the room."""
        await self.send({"type": "websocket.send", "text": event["message"]})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
