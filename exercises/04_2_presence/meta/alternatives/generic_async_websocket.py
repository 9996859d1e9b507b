# The generic AsyncWebsocketConsumer, the name drawn by random.getrandbits(24) as six hex digits, one handler per announcement.
"""Alternative 04.2: AsyncWebsocketConsumer, "presence.joined" and "presence.left" with a handler each.

Events, in order: websocket.connect (connect(): a name of its own, join
"expresence", accept, announce the join); presence.joined and presence.left
from the layer for each join and leave in the room; websocket.disconnect
(disconnect(): leave the group, then announce the leave).

getrandbits(24) is 24 random bits, six hex digits once formatted with
:06x (leading zeros kept); receive() is the generic consumer's own, which
does nothing: this room only announces.
"""

import json
import random

from channels.generic.websocket import AsyncWebsocketConsumer

GROUP = "expresence"


class PresenceConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        """Called when a client opens the socket: join first, so its own join reaches it too."""
        self.name = f"guest-{random.getrandbits(24):06x}"
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()
        await self.channel_layer.group_send(GROUP, {"type": "presence.joined", "name": self.name})

    async def presence_joined(self, event):
        """Called for each join in the room, this socket's own included."""
        await self.send(text_data=json.dumps({"joined": event["name"]}))

    async def presence_left(self, event):
        """Called for each leave in the room."""
        await self.send(text_data=json.dumps({"left": event["name"]}))

    async def disconnect(self, code):
        """Called when the socket has closed, whatever its code: leave, then tell the others."""
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        await self.channel_layer.group_send(GROUP, {"type": "presence.left", "name": self.name})
