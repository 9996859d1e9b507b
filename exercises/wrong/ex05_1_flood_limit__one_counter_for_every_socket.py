"""Each socket's rate is counted on its own consumer (self), not on the module every socket shares.

A classic wrong solution to exercise 05.1: the message times live in one module-level deque.
The check says: "own consumer (self)"
"""

import json
import time
from collections import deque

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "exflood"
LIMIT = 3  # messages
SENT: deque[float] = deque()
PERIOD = 1.0  # seconds


class FloodLimitedChatConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: broadcast it, unless this socket is flooding."""
        now = time.monotonic()
        while SENT and now - SENT[0] >= PERIOD:
            SENT.popleft()
        if len(SENT) >= LIMIT:
            error = f"too many messages: at most {LIMIT} in {PERIOD:g} s"
            await self.send({"type": "websocket.send", "text": json.dumps({"error": error})})
            return
        SENT.append(now)
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event.get("text") or ""})

    async def chat_message(self, event):
        """Called for each message of the room."""
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
