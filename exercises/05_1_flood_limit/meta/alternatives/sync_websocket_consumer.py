# The sync WebsocketConsumer: the window counted with a generator, the layer through async_to_sync, the room left in an async __call__'s finally.
"""Alternative 05.1: WebsocketConsumer (sync), every layer call run to its end by async_to_sync.

Events, in order: websocket.connect (connect(): join "exflood", accept);
websocket.receive for each frame (receive(): over the limit, an error to this
socket; otherwise a group_send); chat.message from the layer for each
message of the room; websocket.disconnect (the generic consumer stops).

Its handlers run in a worker thread, but __call__ is async in every
consumer, sync ones too: its finally leaves the room however the consumer
ends, cancelled by a server shutting down included.
"""

import json
import time

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer

GROUP = "exflood"
LIMIT = 3  # messages
PERIOD = 1.0  # seconds


class FloodLimitedChatConsumer(WebsocketConsumer):
    async def __call__(self, scope, receive, send):
        """Called once per socket: runs the consumer, and leaves the room however it ends."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.channel_layer.group_discard(GROUP, self.channel_name)

    def connect(self):
        """Called when a client opens the socket: join the room before accepting."""
        self.times = []  # this socket's message times: one window per socket
        async_to_sync(self.channel_layer.group_add)(GROUP, self.channel_name)
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        """Called for every frame: broadcast it, unless this socket is flooding."""
        if text_data is None:  # a binary frame: the room hears text, and this is none
            self.send(text_data=json.dumps({"error": "expected a text frame: a binary frame is not a message"}))
            return
        now = time.monotonic()
        if sum(1 for sent in self.times if now - sent < PERIOD) >= LIMIT:
            self.send(text_data=json.dumps({"error": f"too many messages: at most {LIMIT} a second"}))
            return
        self.times = [sent for sent in self.times if now - sent < PERIOD] + [now]
        async_to_sync(self.channel_layer.group_send)(GROUP, {"type": "chat.message", "message": text_data})

    def chat_message(self, event):
        """Called for each message of the room."""
        self.send(text_data=json.dumps({"message": event["message"]}))
