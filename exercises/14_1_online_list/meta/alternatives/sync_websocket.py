"""Alternative 14.1, the sync WebsocketConsumer: handlers in a thread, the async __call__'s finally forgets.

Still right: even a sync consumer's life is the async __call__ it inherits, and its finally runs however the
consumer ends (a clean close, a send that raised, a cancellation); the dict first, then the one await.
The handlers reach the layer through async_to_sync, as every sync consumer does.

Events, in order: websocket.connect (keep the name, join "fixonline", accept, send who is online),
websocket.receive (a text frame to the group), room.message (sent as {"from", "text"}),
websocket.disconnect (the generic consumer stops); the socket is forgotten however the consumer ends.
"""

import json
import uuid

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer

GROUP = "fixonline"
ONLINE: dict[str, str] = {}  # channel name -> name, for every socket of this process


class OnlineConsumer(WebsocketConsumer):
    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            ONLINE.pop(self.channel_name, None)
            await self.channel_layer.group_discard(GROUP, self.channel_name)

    def connect(self):
        self.name = "guest-" + uuid.uuid4().hex[:8]
        ONLINE[self.channel_name] = self.name
        async_to_sync(self.channel_layer.group_add)(GROUP, self.channel_name)
        self.accept()
        self.send(text_data=json.dumps({"online": sorted(ONLINE.values())}))

    def receive(self, text_data=None, bytes_data=None):
        if text_data:
            message = {"type": "room.message", "from": self.name, "text": text_data}
            async_to_sync(self.channel_layer.group_send)(GROUP, message)

    def room_message(self, event):
        self.send(text_data=json.dumps({"from": event["from"], "text": event["text"]}))
