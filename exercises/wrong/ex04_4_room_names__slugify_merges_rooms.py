"""Wrong: a group name must be different for different rooms; slugify() maps many room names to one group.

"Tea Cake" and "tea-cake" both become "tea-cake", "café" becomes "cafe", and
cutting at 90 characters merges long names too:
their messages reach each other's room.

The check says: "a message in room 'Tea Cake' reached room 'tea-cake': they"
"""

import hashlib  # noqa: F401
import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from django.utils.text import slugify


class NamedRoomConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        room = self.scope["url_route"]["kwargs"]["room"]
        self.group = f"chat_{slugify(room)[:90]}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"room": room})})

    async def websocket_receive(self, event):
        if event.get("text"):
            await self.channel_layer.group_send(self.group, {"type": "chat.message", "message": event["text"]})

    async def chat_message(self, event):
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        await self.channel_layer.group_discard(self.group, self.channel_name)
        raise StopConsumer()
