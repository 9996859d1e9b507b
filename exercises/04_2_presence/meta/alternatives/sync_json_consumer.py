# The sync JsonWebsocketConsumer: the layer through async_to_sync, the name six hex digits from os.urandom.
"""Alternative 04.2: JsonWebsocketConsumer (sync), each announcement run to its end by async_to_sync.

Events, in order: websocket.connect (connect(): a name of its own, join
"expresence", accept, announce the join); presence from the layer for each
join and leave in the room; websocket.disconnect (disconnect(): leave the
group, then announce the leave).

os.urandom(3).hex() is three random bytes, six hex digits. A frame from the
client is never decoded: receive() is overridden to drop every frame, text
or binary, since this room only announces.
"""

import os

from asgiref.sync import async_to_sync
from channels.generic.websocket import JsonWebsocketConsumer

GROUP = "expresence"


class PresenceConsumer(JsonWebsocketConsumer):
    def connect(self):
        """Called when a client opens the socket: join first, so its own join reaches it too."""
        self.name = "guest-" + os.urandom(3).hex()
        async_to_sync(self.channel_layer.group_add)(GROUP, self.channel_name)
        self.accept()
        async_to_sync(self.channel_layer.group_send)(GROUP, {"type": "presence", "news": {"joined": self.name}})

    def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Called for every frame: this room only announces, so it is dropped (never decoded)."""

    def presence(self, event):
        """Called for each presence message: its news goes to the client as it is."""
        self.send_json(event["news"])

    def disconnect(self, code):
        """Called when the socket has closed, whatever its code: leave, then tell the others."""
        async_to_sync(self.channel_layer.group_discard)(GROUP, self.channel_name)
        async_to_sync(self.channel_layer.group_send)(GROUP, {"type": "presence", "news": {"left": self.name}})
