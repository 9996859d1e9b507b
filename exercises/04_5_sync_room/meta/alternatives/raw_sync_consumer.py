# The raw SyncConsumer with literal ASGI events, every layer call run through async_to_sync.
"""Alternative 04.5: a raw SyncConsumer, its handlers named after the events, each layer call wrapped.

Events, in order: websocket.connect (join "fixsyncroom", accept);
websocket.receive for each frame (a text frame to the room); chat.message
from the layer; websocket.disconnect (leave the room, stop the consumer).
"""

import json

from asgiref.sync import async_to_sync
from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer

GROUP = "fixsyncroom"


class SyncRoomConsumer(SyncConsumer):
    def websocket_connect(self, event):
        """Called when a client opens the socket: join the room before accepting."""
        async_to_sync(self.channel_layer.group_add)(GROUP, self.channel_name)
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for every frame: a non-empty text frame goes to the room, run to its end."""
        if event.get("text"):
            async_to_sync(self.channel_layer.group_send)(GROUP, {"type": "chat.message", "message": event["text"]})

    def chat_message(self, event):
        """Called when the layer delivers a "chat.message" from the room."""
        self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    def websocket_disconnect(self, event):
        """Called when the socket has closed: leave the room, then stop."""
        async_to_sync(self.channel_layer.group_discard)(GROUP, self.channel_name)
        raise StopConsumer()
