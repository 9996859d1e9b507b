"""Alternative 16.3, the sync WebsocketConsumer: the windows in a dict its handlers share, in their one thread.

Still right: a sync consumer's handlers all run in asgiref's one sync thread, one at a time, so each
frame looks its address's window up, judges and counts it without another frame in between; quiet
addresses are forgotten as each socket connects; the group is left in the async __call__'s finally,
however the consumer ends. The events, in order:

    websocket.connect     -> group_add; accept
    websocket.receive     -> over LIMIT in PERIOD s from this address: {"error": ...} to
                             this socket only; otherwise group_send {"type": "chat.message", ...}
    chat.message          -> send {"message": ...}
    websocket.disconnect  -> the generic consumer stops
"""

import json
import time

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer

GROUP = "exflood16"
LIMIT = 5  # messages
PERIOD = 1.0  # seconds

windows: dict[str, list[float]] = {}  # client address -> its message times


class ChatConsumer(WebsocketConsumer):
    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.channel_layer.group_discard(GROUP, self.channel_name)

    def connect(self):
        async_to_sync(self.channel_layer.group_add)(GROUP, self.channel_name)
        self.accept()
        now = time.monotonic()
        for address in [address for address, times in windows.items() if all(t <= now - PERIOD for t in times)]:
            del windows[address]

    def receive(self, text_data=None, bytes_data=None):
        if text_data is None:
            self.send(text_data=json.dumps({"error": "binary frames are not messages"}))
            return
        now = time.monotonic()
        client = self.scope.get("client")
        address = client[0] if client else "unknown"
        times = [t for t in windows.get(address, []) if t > now - PERIOD]
        if len(times) >= LIMIT:
            windows[address] = times
            self.send(text_data=json.dumps({"error": f"at most {LIMIT} messages in {PERIOD:g} s"}))
            return
        windows[address] = [*times, now]
        async_to_sync(self.channel_layer.group_send)(GROUP, {"type": "chat.message", "message": text_data})

    def chat_message(self, event):
        self.send(text_data=json.dumps({"message": event["message"]}))
