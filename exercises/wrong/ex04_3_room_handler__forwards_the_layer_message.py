"""Wrong: a layer message is not an ASGI event; its handler sends a websocket.send, never the message itself.

Passing the layer message on (`await self.send(event)`) hands the server an
event of type "chat.message", which no server knows.

The check says: "expected a websocket.send on bob's socket, got {'type'"
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "fixroom"


class RoomConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        if event.get("text"):
            await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event["text"]})

    async def chat_message(self, event):
        await self.send(event)

    async def websocket_disconnect(self, event):
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
