"""Wrong: cleanup written after `await super().__call__(...)` runs only when it returns; an error skips it: use finally.

A clean close returns, so the socket is forgotten; a failed send raises out
of super().__call__, and the lines below it never run.

The check says: "after 200 connections that ended with a failed send and no websocket.disconnect, ONLINE still holds 200"
"""

import json
import uuid

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "fixonline"
ONLINE: dict[str, str] = {}  # channel name -> name, for every socket of this process


class OnlineConsumer(AsyncConsumer):
    async def __call__(self, scope, receive, send):
        await super().__call__(scope, receive, send)
        ONLINE.pop(self.channel_name, None)
        await self.channel_layer.group_discard(GROUP, self.channel_name)

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
        raise StopConsumer()
