"""Solution 04.5: in a synchronous consumer, call the layer through async_to_sync, as connect() already does.

Why: every channel layer method is a coroutine function. Called from sync
code it only builds a coroutine, which nothing runs: no message goes out,
and Python warns when the coroutine is thrown away. async_to_sync(f)(...)
runs it on the server's event loop and waits for it (lessons 03 and 06).

Events, in order: websocket.connect -> connect() (join "fixsyncroom",
accept); websocket.receive -> receive() for each frame (a group_send);
chat.message from the layer -> chat_message(); websocket.disconnect ->
disconnect() (leave the room).
"""

import json

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer

GROUP = "fixsyncroom"


class SyncRoomConsumer(WebsocketConsumer):
    def connect(self):
        """Called when a client opens the socket: join the room before accepting."""
        async_to_sync(self.channel_layer.group_add)(GROUP, self.channel_name)
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        """Called for every frame: a text frame goes to the room, run to the end on the server's loop."""
        if text_data:
            async_to_sync(self.channel_layer.group_send)(GROUP, {"type": "chat.message", "message": text_data})

    def chat_message(self, event):
        """Called when the layer delivers a "chat.message" from the room."""
        self.send(text_data=json.dumps({"message": event["message"]}))

    def disconnect(self, code):
        """Called when the socket has closed: leave the room."""
        async_to_sync(self.channel_layer.group_discard)(GROUP, self.channel_name)
