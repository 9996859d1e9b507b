"""A flood gets error frames, the socket stays open.

A classic wrong solution to exercise 05.1: the flooder's socket is closed with 4429.
The check says: "socket kept open"
"""

import json
import time
from collections import deque

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "exflood"
LIMIT = 3  # messages
PERIOD = 1.0  # seconds


class FloodLimitedChatConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        self.sent: deque[float] = deque()
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: broadcast it, unless this socket is flooding."""
        now = time.monotonic()
        while self.sent and now - self.sent[0] >= PERIOD:
            self.sent.popleft()
        if len(self.sent) >= LIMIT:
            await self.send({"type": "websocket.close", "code": 4429})
            return
        self.sent.append(now)
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event.get("text") or ""})

    async def chat_message(self, event):
        """Called for each message of the room."""
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
