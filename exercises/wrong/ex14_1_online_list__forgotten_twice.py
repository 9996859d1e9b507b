"""Wrong: the cleanup runs twice on a clean close (websocket_disconnect, then finally): it must tolerate that.

`del ONLINE[...]` in both places raises KeyError the second time, so every
clean close ends in a traceback (Daphne logs "Exception inside
application"): pop(key, None), or forget only in finally.

The check says: "after a clean close, your consumer raised KeyError"
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
            await self.forget()

    async def forget(self):
        del ONLINE[self.channel_name]
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
        await self.forget()
        raise StopConsumer()
