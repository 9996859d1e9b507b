# The layer's group_send wrapped in async_to_sync once, in connect, and called from receive: still run to the end on the server's loop, the consumer still sync.
"""Alternative 04.5: `self.send_to_room = async_to_sync(self.channel_layer.group_send)`, made once per socket.

async_to_sync(f) is a plain callable that runs f on the server's event loop
and waits for it each time it is called, so it may be made once and kept.

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
        self.send_to_room = async_to_sync(self.channel_layer.group_send)
        async_to_sync(self.channel_layer.group_add)(GROUP, self.channel_name)
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        """Called for every frame: a text frame goes to the room."""
        if text_data:
            self.send_to_room(GROUP, {"type": "chat.message", "message": text_data})

    def chat_message(self, event):
        """Called when the layer delivers a "chat.message" from the room."""
        self.send(text_data=json.dumps({"message": event["message"]}))

    def disconnect(self, code):
        """Called when the socket has closed: leave the room."""
        async_to_sync(self.channel_layer.group_discard)(GROUP, self.channel_name)
