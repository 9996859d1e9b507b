# The generic AsyncWebsocketConsumer, the group a full sha3_256 hex digest of the room name in NFC.
"""Alternative 04.4: AsyncWebsocketConsumer, the group "room-" and a SHA3-256 digest (64 hex digits).

Events, in order: websocket.connect (connect(): join the room's group,
accept, greet); websocket.receive for each frame (receive(): a group_send);
chat.message from the layer for each message in the room;
websocket.disconnect (disconnect(): leave the group).

A digest kept whole is a valid group name whatever the room is called, the
same in every process, and no two rooms share it; NFC first, so one name
spelled two ways in Unicode is one room.
"""

import hashlib
import json
import unicodedata

from channels.generic.websocket import AsyncWebsocketConsumer


def group_of(room: str) -> str:
    """The room's group: 5 + 64 characters, ASCII letters, digits and a hyphen."""
    return "room-" + hashlib.sha3_256(unicodedata.normalize("NFC", room).encode("utf-8")).hexdigest()


class NamedRoomConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        """Called when a client opens the socket: join the room's group, accept, greet."""
        self.room = self.scope["url_route"]["kwargs"]["room"]
        self.group = group_of(self.room)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send(text_data=json.dumps({"room": self.room}))

    async def receive(self, text_data=None, bytes_data=None):
        """Called for every frame: a text frame goes to the room."""
        if text_data:
            await self.channel_layer.group_send(self.group, {"type": "chat.message", "message": text_data})

    async def chat_message(self, event):
        """Called when the layer delivers a "chat.message" from the room."""
        await self.send(text_data=json.dumps({"message": event["message"]}))

    async def disconnect(self, code):
        """Called when the socket has closed, whatever its code: leave the same group."""
        await self.channel_layer.group_discard(self.group, self.channel_name)
