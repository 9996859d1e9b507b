"""A message over the limit is answered with an error only, never broadcast.

A classic wrong solution to exercise 05.1: the flooder gets its error, and the room still gets the message.
The check says: "error only"
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
            error = f"too many messages: at most {LIMIT} in {PERIOD:g} s"
            await self.send({"type": "websocket.send", "text": json.dumps({"error": error})})
        self.sent.append(now)
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event.get("text") or ""})

    async def chat_message(self, event):
        """Called for each message of the room."""
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
