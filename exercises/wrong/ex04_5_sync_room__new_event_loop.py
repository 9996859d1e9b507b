"""Wrong: a synchronous consumer's handlers run in a worker thread; asyncio.run() there makes a second event loop the layer does not live on.

The message may even arrive in a test, but the layer's connections and
queues belong to the server's loop: async_to_sync is the bridge, not a new loop.

The check says: "alice's consumer crashed: RuntimeError: group_send ran on an"
"""

import asyncio
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
            asyncio.run(self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": text_data}))

    def chat_message(self, event):
        self.send(text_data=json.dumps({"message": event["message"]}))

    def disconnect(self, code):
        async_to_sync(self.channel_layer.group_discard)(GROUP, self.channel_name)
