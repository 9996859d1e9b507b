# The sync WebsocketConsumer through async_to_sync, with an async __call__ (every consumer has one): a RedisError from a handler's thread closes with 4503 all the same.
"""Alternative 05.2: WebsocketConsumer (sync), a layer failure turned into 4503 in its async __call__.

Events, in order: websocket.connect (connect(): join "exlayerdown",
accept); websocket.receive for each frame (receive(): a group_send);
chat.message from the layer for each message of the room;
websocket.disconnect (the generic consumer stops); a RedisError anywhere:
websocket.close 4503.

async_to_sync raises in the handler's thread what the layer raised, and the
handler raises it on to the consumer's loop in __call__: a RedisError there
is the same class, in a sync consumer too.
"""

import json

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer
from redis.exceptions import RedisError

GROUP = "exlayerdown"


class LayerDownConsumer(WebsocketConsumer):
    async def __call__(self, scope, receive, send):
        """Called once per socket: runs the consumer, and turns a layer failure into 4503."""
        try:
            await super().__call__(scope, receive, send)
        except RedisError:  # try again later, where 1011 would say the consumer crashed
            await send({"type": "websocket.close", "code": 4503})
        finally:
            try:
                await self.channel_layer.group_discard(GROUP, self.channel_name)
            except RedisError:
                pass  # with Redis gone, the membership expires there on its own

    def connect(self):
        """Called when a client opens the socket: join the room before accepting."""
        async_to_sync(self.channel_layer.group_add)(GROUP, self.channel_name)
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        """Called for every frame: pass a text frame to the room."""
        if text_data is None:  # a binary frame: the room hears text, and this is none
            self.send(text_data=json.dumps({"error": "expected a text frame: a binary frame is not a message"}))
        else:
            async_to_sync(self.channel_layer.group_send)(GROUP, {"type": "chat.message", "message": text_data})

    def chat_message(self, event):
        """Called for each message of the room."""
        self.send(text_data=event["message"])
