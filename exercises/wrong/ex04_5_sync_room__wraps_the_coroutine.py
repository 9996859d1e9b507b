"""Wrong: async_to_sync wraps the coroutine function, then you call it; wrapping the coroutine it already returned does not run it.

async_to_sync(self.channel_layer.group_send(...)) hands asgiref a coroutine
object, not a function (the mistake of django/channels#944).

The check says: "bob heard nothing within 2 s; Python warned: RuntimeWarning"
"""

import json

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer

GROUP = "fixsyncroom"


class SyncRoomConsumer(WebsocketConsumer):
    def connect(self):
        async_to_sync(self.channel_layer.group_add)(GROUP, self.channel_name)
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        if text_data:
            async_to_sync(self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": text_data}))

    def chat_message(self, event):
        self.send(text_data=json.dumps({"message": event["message"]}))

    def disconnect(self, code):
        async_to_sync(self.channel_layer.group_discard)(GROUP, self.channel_name)
