# The group a property computing a full blake2b hex digest of the room name in NFD: always valid, the same for the same room, different for different rooms.
"""Alternative 04.4: `group` a property, a BLAKE2b digest (64 hex digits) of the room name.

Any cryptographic digest kept whole does what sha256 does: a valid name of
ASCII hex digits whatever the room is called, the same in every process,
and no two rooms sharing it. Computed from the scope, it needs no state.

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
    @property
    def room(self) -> str:
        return self.scope["url_route"]["kwargs"]["room"]

    @property
    def group(self) -> str:
        spelled = unicodedata.normalize("NFD", self.room)  # NFD or NFC: one form for every spelling of a name
        return "room." + hashlib.blake2b(spelled.encode("utf-8"), digest_size=32).hexdigest()

    async def websocket_connect(self, event):
        """Called when a client opens the socket: join the room's group, then greet."""
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"room": self.room})})

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
