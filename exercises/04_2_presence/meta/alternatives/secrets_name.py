# The name drawn by secrets.token_hex and the frame built by a dict comprehension without "type": still a fresh name per socket, the leave said after leaving.
"""Alternative 04.2: a name from secrets.token_hex(3), each presence passed on without its type.

Events, in order: websocket.connect (a name of its own, join "expresence",
accept, announce the join); presence from the layer for each join and leave
in the room; websocket.disconnect (leave the group, then announce the leave).

token_hex(3) is six hex digits from the operating system's randomness, as
wide a range as uuid4's, zeros kept.
"""

import json
import secrets

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "expresence"


class PresenceConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket: join first, so its own join reaches it too."""
        self.name = "guest-" + secrets.token_hex(3)
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
        """Called when the socket has closed: leave, then tell the others."""
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        await self.channel_layer.group_send(GROUP, {"type": "presence", "left": self.name})
        raise StopConsumer()
