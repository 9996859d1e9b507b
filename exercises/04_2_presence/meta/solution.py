"""Solution 04.2: tell the room who joins and who leaves.

Events, in order: websocket.connect (a name of its own, join "expresence",
accept, announce the join); presence from the layer for each join and leave
in the room; websocket.disconnect (leave the group, then announce the leave).

Why this way: the announcement is a layer message with its own type, so its
own handler. The name lives on self, one per socket. "left" is sent after
leaving the group: the others hear it, and no copy waits on the channel of a
socket that is gone.
"""

import json
import uuid

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "expresence"


class PresenceConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket: join first, so its own join reaches it too."""
        # A fresh random name per socket, on the instance: never on the class, never a seeded draw.
        self.name = f"guest-{uuid.uuid4().hex[:6]}"
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})
        await self.channel_layer.group_send(GROUP, {"type": "presence", "joined": self.name})

    async def presence(self, event):
        """Called for each presence message: pass it on without its type."""
        frame = dict(event)
        del frame["type"]  # the layer's routing, no part of what the client sees
        await self.send({"type": "websocket.send", "text": json.dumps(frame)})

    async def websocket_receive(self, event):
        """Called for every frame: this room only announces."""

    async def websocket_disconnect(self, event):
        """Called when the socket has closed: leave, then tell the others."""
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        await self.channel_layer.group_send(GROUP, {"type": "presence", "left": self.name})
        raise StopConsumer()
