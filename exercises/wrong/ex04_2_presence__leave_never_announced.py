"""The room hears a leave: group_send {"left": name} on disconnect.

A classic wrong solution to exercise 04.2: websocket_disconnect leaves the group silently.
The check says: ""left""
"""

import json
import uuid

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "expresence"


class PresenceConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        self.name = f"guest-{uuid.uuid4().hex[:6]}"
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})
        await self.channel_layer.group_send(GROUP, {"type": "presence", "joined": self.name})

    async def presence(self, event):
        """Called for each presence message: pass it on without its type."""
        frame = {key: value for key, value in event.items() if key != "type"}
        await self.send({"type": "websocket.send", "text": json.dumps(frame)})

    async def websocket_receive(self, event):
        """Called for every frame: this room only announces."""

    async def websocket_disconnect(self, event):
        """Called when the socket has closed: say so, then leave."""
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
