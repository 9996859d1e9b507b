"""Alternative 16.3, the generic AsyncWebsocketConsumer: a dict of deques, an address dropped once its deque empties.

Still right: each text frame looks its address's deque up (scope["client"][0], or "" when the server
gave none), drops the times older than PERIOD, judges and counts with no await in between, and
deletes the address when nothing of the last PERIOD is left in a refused or accepted frame's clean-up;
each frame also drops every other address whose newest message is over PERIOD old, so quiet ones go.
The group is left in __call__'s finally, however the consumer ends. The events, in order:

    websocket.connect     -> group_add; accept
    websocket.receive     -> over LIMIT in PERIOD s from this address: {"error": ...} to
                             this socket only; otherwise group_send {"type": "chat.message", ...}
    chat.message          -> send {"message": ...}
    websocket.disconnect  -> the generic consumer stops
"""

import json
import time
from collections import deque

from channels.generic.websocket import AsyncWebsocketConsumer

GROUP = "exflood16"
LIMIT = 5  # messages
PERIOD = 1.0  # seconds

recent: dict[str, deque[float]] = {}  # client address -> its message times in the last PERIOD


class ChatConsumer(AsyncWebsocketConsumer):
    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def connect(self):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None:
            await self.send(text_data=json.dumps({"error": "a message is a text frame"}))
            return
        now = time.monotonic()
        for address in [address for address, times in recent.items() if not times or times[-1] <= now - PERIOD]:
            del recent[address]  # quiet: it counts nothing
        client = self.scope.get("client")
        times = recent.setdefault(client[0] if client else "", deque())
        while times and times[0] <= now - PERIOD:
            times.popleft()
        if len(times) >= LIMIT:
            await self.send(text_data=json.dumps({"error": f"slow down: {LIMIT} messages a second at most"}))
            return
        times.append(now)
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": text_data})

    async def chat_message(self, event):
        await self.send(text_data=json.dumps({"message": event["message"]}))
