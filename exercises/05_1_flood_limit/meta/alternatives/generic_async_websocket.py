# The generic AsyncWebsocketConsumer, the window a deque of at most LIMIT times (maxlen), the room left in __call__'s finally.
"""Alternative 05.1: AsyncWebsocketConsumer, a deque(maxlen=LIMIT) of this socket's last message times.

Events, in order: websocket.connect (connect(): join "exflood", accept);
websocket.receive for each frame (receive(): over the limit, an error to this
socket; otherwise a group_send); chat.message from the layer for each
message of the room; websocket.disconnect (the generic consumer stops).

Only the last LIMIT times matter: a new message is over the limit when the
oldest of them is less than PERIOD old. The generic consumer leaves its
groups on websocket.disconnect only; a cancelled consumer (a server
shutting down) gets none, so the room is left in __call__'s finally.
"""

import json
import time
from collections import deque

from channels.generic.websocket import AsyncWebsocketConsumer

GROUP = "exflood"
LIMIT = 3  # messages
PERIOD = 1.0  # seconds


class FloodLimitedChatConsumer(AsyncWebsocketConsumer):
    async def __call__(self, scope, receive, send):
        """Called once per socket: runs the consumer, and leaves the room however it ends."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def connect(self):
        """Called when a client opens the socket: join the room before accepting."""
        self.last = deque(maxlen=LIMIT)  # this socket's last LIMIT message times
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        """Called for every frame: broadcast it, unless this socket is flooding."""
        if text_data is None:  # a binary frame: the room hears text, and this is none
            return await self.send(text_data=json.dumps({"error": "expected a text frame"}))
        now = time.monotonic()
        if len(self.last) == LIMIT and now - self.last[0] < PERIOD:
            return await self.send(text_data=json.dumps({"error": f"at most {LIMIT} messages in {PERIOD:g} s"}))
        self.last.append(now)  # the oldest falls out
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": text_data})

    async def chat_message(self, event):
        """Called for each message of the room."""
        await self.send(text_data=json.dumps({"message": event["message"]}))
