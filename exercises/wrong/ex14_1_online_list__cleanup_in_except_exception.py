"""Wrong: cleanup in `except Exception` misses a cancellation (CancelledError is a BaseException): use finally.

A failed send is an Exception and gets cleaned up; a consumer the server
cancels (Daphne: application_close_timeout after its socket closed, or
shutdown) ends with CancelledError, skips the except, and stays in ONLINE
and in the group.

The check says: "were cancelled by the server, ONLINE still holds 50 of their names"
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
        except Exception:
            await self.forget()
            raise

    async def forget(self):
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
        await self.forget()
        raise StopConsumer()
