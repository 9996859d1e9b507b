# The sync WebsocketConsumer of Channels' tutorial: the layer through async_to_sync, the handler named after the type all the same.
"""Alternative 04.3: WebsocketConsumer (sync), "chat.message" handled by chat_message().

Events, in order: websocket.connect (connect(): join "fixroom", accept);
websocket.receive for each frame (receive(): a text frame to the room);
chat.message from the layer (chat_message()); websocket.disconnect
(disconnect(): leave the room; the generic consumer then stops).

Sync or async, a consumer dispatches a layer message by its type, dots
made underscores; async_to_sync runs each layer call to its end.
"""

import json

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer

GROUP = "fixroom"


class RoomConsumer(WebsocketConsumer):
    def connect(self):
        """Called when a client opens the socket: join the room before accepting."""
        async_to_sync(self.channel_layer.group_add)(GROUP, self.channel_name)
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        """Called for every frame: a non-empty text frame goes to the whole room."""
        if text_data:
            async_to_sync(self.channel_layer.group_send)(GROUP, {"type": "chat.message", "message": text_data})

    def chat_message(self, event):
        """Called when the layer delivers a "chat.message"."""
        self.send(text_data=json.dumps({"message": event["message"]}))

    def disconnect(self, code):
        """Called when the socket has closed, whatever its code: leave the room."""
        async_to_sync(self.channel_layer.group_discard)(GROUP, self.channel_name)
