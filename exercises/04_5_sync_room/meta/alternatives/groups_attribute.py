# The generic WebsocketConsumer's own `groups` list: it joins and leaves "fixsyncroom" itself, receive() wraps group_send in async_to_sync.
"""Alternative 04.5: `groups = ["fixsyncroom"]`, joined on connect and left on disconnect by WebsocketConsumer itself.

Events, in order: websocket.connect (the consumer joins each group of
`groups`, then connect() accepts); websocket.receive -> receive() for each
frame (a group_send, run to its end by async_to_sync); chat.message from the
layer -> chat_message(); websocket.disconnect (the consumer leaves its
groups, then stops).

The generic consumer's group calls go through async_to_sync already; only
the group_send written here needs it too.
"""

import json

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer

GROUP = "fixsyncroom"


class SyncRoomConsumer(WebsocketConsumer):
    groups = [GROUP]  # joined before connect() runs, left when the socket closes, whatever its code

    def receive(self, text_data=None, bytes_data=None):
        """Called for every frame: a text frame goes to the room, run to the end on the server's loop."""
        if text_data:
            async_to_sync(self.channel_layer.group_send)(GROUP, {"type": "chat.message", "message": text_data})

    def chat_message(self, event):
        """Called when the layer delivers a "chat.message" from the room."""
        self.send(text_data=json.dumps({"message": event["message"]}))
