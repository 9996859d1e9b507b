"""Wrong: a socket is two entries, its name in ONLINE and its channel in the group: forget both in finally.

The finally pops ONLINE, but group_discard stays in websocket_disconnect,
which a failed send skips: the name goes, the channel stays in "fixonline",
and every group_send keeps working for it.

The check says: "the group fixonline still holds 200 of their channels"
"""

import json
import uuid

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "fixonline"
ONLINE: dict[str, str] = {}  # channel name -> name, for every socket of this process


class OnlineConsumer(AsyncConsumer):
    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            ONLINE.pop(self.channel_name, None)

    async def websocket_connect(self, event):
        self.name = f"guest-{uuid.uuid4().hex[:6]}"
        ONLINE[self.channel_name] = self.name
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"online": sorted(ONLINE.values())})})

    async def websocket_receive(self, event):
        if event.get("text"):
            await self.channel_layer.group_send(
                GROUP, {"type": "room.message", "from": self.name, "text": event["text"]}
            )

    async def room_message(self, event):
        frame = {"from": event["from"], "text": event["text"]}
        await self.send({"type": "websocket.send", "text": json.dumps(frame)})

    async def websocket_disconnect(self, event):
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
