"""Wrong: a group name may hold only ASCII letters, digits, hyphens, underscores and periods: URL-quoting adds "%".

quote("café") is "caf%C3%A9": still not a valid group name.

The check says: "room 'café': the handshake crashed: TypeError: Group name must"
"""

import hashlib  # noqa: F401
import json
from urllib.parse import quote

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class NamedRoomConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        room = self.scope["url_route"]["kwargs"]["room"]
        self.group = f"chat_{quote(room, safe='')}"
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
