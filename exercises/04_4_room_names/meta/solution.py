"""Solution 04.4: derive the group name from a digest of the room name.

Why: a group name is at most 99 ASCII letters, digits, hyphens, underscores
or periods; a room name is whatever the client typed. A digest of it
(sha256, hex) is always valid, always the same for the same room, and
different for different rooms, which slugifying, quoting, stripping or
cutting the name is not ("Tea Cake" and "tea-cake" would share a room).
Nor is Python's hash(): it is seeded afresh in every process, so two server
processes sharing Redis would put one room in two groups.

Events, in order: websocket.connect (join the room's group, accept, greet);
websocket.receive for each frame (a group_send); chat.message from the layer
for each message in the room; websocket.disconnect (leave the group).
"""

import hashlib
import json
import unicodedata

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class NamedRoomConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket: the group is a digest of the room name."""
        room = self.scope["url_route"]["kwargs"]["room"]
        # NFC first: "café" typed as é, or as e and a combining accent (NFD, as macOS may send it), is one room.
        self.group = "chat_" + hashlib.sha256(unicodedata.normalize("NFC", room).encode()).hexdigest()
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"room": room})})

    async def websocket_receive(self, event):
        """Called for every frame: a text frame goes to the room."""
        if event.get("text"):
            await self.channel_layer.group_send(self.group, {"type": "chat.message", "message": event["text"]})

    async def chat_message(self, event):
        """Called when the layer delivers a "chat.message" from the room."""
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed: leave the same group."""
        await self.channel_layer.group_discard(self.group, self.channel_name)
        raise StopConsumer()
