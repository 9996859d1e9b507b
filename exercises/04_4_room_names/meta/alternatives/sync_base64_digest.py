# The sync WebsocketConsumer through async_to_sync, the group a sha256 digest in URL-safe base64 without its padding.
"""Alternative 04.4: WebsocketConsumer (sync), the group a base64url sha256 digest (43 characters).

Events, in order: websocket.connect (connect(): join the room's group,
accept, greet); websocket.receive for each frame (receive(): a group_send);
chat.message from the layer for each message in the room;
websocket.disconnect (disconnect(): leave the group).

URL-safe base64 spells the 32 bytes of the digest with letters, digits, "-"
and "_", all allowed in a group name; its "=" padding is not, so it is cut
(it carries no information). Shorter than hex, as unique.
"""

import base64
import hashlib
import json
import unicodedata

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer


class NamedRoomConsumer(WebsocketConsumer):
    def connect(self):
        """Called when a client opens the socket: join the room's group, accept, greet."""
        room = self.scope["url_route"]["kwargs"]["room"]
        digest = hashlib.sha256(unicodedata.normalize("NFC", room).encode("utf-8")).digest()
        self.group = "chat_" + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
        async_to_sync(self.channel_layer.group_add)(self.group, self.channel_name)
        self.accept()
        self.send(text_data=json.dumps({"room": room}))

    def receive(self, text_data=None, bytes_data=None):
        """Called for every frame: a text frame goes to the room."""
        if text_data:
            async_to_sync(self.channel_layer.group_send)(self.group, {"type": "chat.message", "message": text_data})

    def chat_message(self, event):
        """Called when the layer delivers a "chat.message" from the room."""
        self.send(text_data=json.dumps({"message": event["message"]}))

    def disconnect(self, code):
        """Called when the socket has closed, whatever its code: leave the same group."""
        async_to_sync(self.channel_layer.group_discard)(self.group, self.channel_name)
