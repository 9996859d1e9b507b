"""Solution 05.1: a chat that answers a flood with errors, to the flooder alone.

Why this way: a sliding window of this socket's own recent message times;
over the limit, the frame is answered with an error and never broadcast, so
nobody else notices (lesson 05's layers_demo/flood.py, made small). The
events, in order:

    websocket.connect     -> group_add; websocket.accept
    websocket.receive     -> over LIMIT in PERIOD s: {"error": ...} to this socket only;
                             otherwise group_send {"type": "chat.message", ...}
    chat.message          -> websocket.send {"message": ...}
    websocket.disconnect  -> StopConsumer (the group is left in __call__'s finally)
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
    async def __call__(self, scope, receive, send):
        """Called once per socket: runs the consumer, and leaves the room however it ends."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Here, not only in websocket_disconnect: a server that cancels the
            # consumer (shutdown, application_close_timeout) sends no disconnect.
            await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        # On the instance: one window per socket, so one flooder silences only itself.
        self.sent: deque[float] = deque()
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: broadcast it, unless this socket is flooding."""
        if event.get("text") is None:  # a binary frame: the room hears text, and this is none
            error = {"error": "expected a text frame: a binary frame is not a message"}
            return await self.send({"type": "websocket.send", "text": json.dumps(error)})
        now = time.monotonic()
        while self.sent and self.sent[0] <= now - PERIOD:
            self.sent.popleft()
        if len(self.sent) >= LIMIT:
            error = f"too many messages: at most {LIMIT} in {PERIOD:g} s"
            await self.send({"type": "websocket.send", "text": json.dumps({"error": error})})
            return
        self.sent.append(now)
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event.get("text") or ""})

    async def chat_message(self, event):
        """Called for each message of the room."""
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
