"""Alternative 14.1, the generic AsyncWebsocketConsumer: connect/receive/disconnect, and __call__'s finally forgets.

Still right: connect(), receive() and disconnect() are the generic consumer's hooks, but only the finally
around super().__call__ runs however the consumer ends (a clean close, a send that raised, a
cancellation); the name leaves ONLINE before the one await, so a second cancellation cannot skip it.

Events, in order: websocket.connect (keep the name, join "fixonline", accept, send who is online),
websocket.receive (a text frame to the group), room.message (sent as {"from", "text"}),
websocket.disconnect (the generic consumer stops); the socket is forgotten however the consumer ends.
"""

import json
import uuid

from channels.generic.websocket import AsyncWebsocketConsumer

GROUP = "fixonline"
ONLINE: dict[str, str] = {}  # channel name -> name, for every socket of this process


class OnlineConsumer(AsyncWebsocketConsumer):
    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            ONLINE.pop(self.channel_name, None)
            await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def connect(self):
        self.name = f"guest-{uuid.uuid4().hex[:8]}"
        ONLINE[self.channel_name] = self.name
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()
        await self.send(text_data=json.dumps({"online": sorted(ONLINE.values())}))

    async def receive(self, text_data=None, bytes_data=None):
        if text_data:
            await self.channel_layer.group_send(GROUP, {"type": "room.message", "from": self.name, "text": text_data})

    async def room_message(self, event):
        await self.send(text_data=json.dumps({"from": event["from"], "text": event["text"]}))
