# The generic AsyncWebsocketConsumer: connect/receive/disconnect, the layer message's type naming chat_message all the same.
"""Alternative 04.3: AsyncWebsocketConsumer, which dispatches a layer message by its type as AsyncConsumer does.

Events, in order: websocket.connect (connect(): join "fixroom", accept);
websocket.receive for each frame (receive(): a text frame to the room);
chat.message from the layer (chat_message()); websocket.disconnect
(disconnect(): leave the room; the generic consumer then stops).
"""

import json

from channels.generic.websocket import AsyncWebsocketConsumer

GROUP = "fixroom"


class RoomConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        """Called when a client opens the socket: join the room before accepting."""
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        """Called for every frame: a non-empty text frame goes to the whole room."""
        if text_data:
            await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": text_data})

    async def chat_message(self, event):
        """Called when the layer delivers a "chat.message"."""
        await self.send(text_data=json.dumps({"message": event["message"]}))

    async def disconnect(self, code):
        """Called when the socket has closed, whatever its code: leave the room."""
        await self.channel_layer.group_discard(GROUP, self.channel_name)
