# The sliding window a list filtered by a comprehension on each frame, kept on the instance: the same count per socket, the room left in __call__'s finally.
"""Alternative 05.1: this socket's recent message times kept in a list, the old ones filtered out on each frame.

The events, in order:

    websocket.connect     -> group_add; websocket.accept
    websocket.receive     -> over LIMIT in PERIOD s: {"error": ...} to this socket only;
                             otherwise group_send {"type": "chat.message", ...}
    chat.message          -> websocket.send {"message": ...}
    websocket.disconnect  -> StopConsumer (the group is left in __call__'s finally)

A list rebuilt each time instead of a deque trimmed from the left: the same
window (times within the last PERIOD seconds, on the monotonic clock), only
written as a filter.
"""

import json
import time

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "exflood"
LIMIT = 3  # messages
PERIOD = 1.0  # seconds


class FloodLimitedChatConsumer(AsyncConsumer):
    async def __call__(self, scope, receive, send):
        """Called once per socket: runs the consumer, and leaves the room however it ends."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        self.recent: list[float] = []
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: broadcast it, unless this socket is flooding."""
        if event.get("text") is None:  # a binary frame: the room hears text, and this is none
            error = {"error": "expected a text frame: a binary frame is not a message"}
            return await self.send({"type": "websocket.send", "text": json.dumps(error)})
        now = time.monotonic()
        self.recent = [sent for sent in self.recent if sent > now - PERIOD]
        if len(self.recent) < LIMIT:
            self.recent.append(now)
            await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event.get("text") or ""})
        else:
            error = f"slow down: at most {LIMIT} messages in {PERIOD:g} s"
            await self.send({"type": "websocket.send", "text": json.dumps({"error": error})})

    async def chat_message(self, event):
        """Called for each message of the room."""
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
