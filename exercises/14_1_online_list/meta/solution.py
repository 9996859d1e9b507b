"""Solution 14.1: forget the socket in __call__'s finally, which runs however the consumer ends.

Why: websocket_disconnect only runs when the server delivers
websocket.disconnect. When a send to a closing socket raises (Daphne 4.2:
RuntimeError "Attempt to send on a closed protocol"; uvicorn: OSError), the
consumer ends with that error and no disconnect event follows
(django/channels#1466); when the server cancels a consumer that outlives its
socket, CancelledError ends it. Under churn each of those left one name in
ONLINE and one channel in the group, for as long as the process lives.
__call__ is the consumer's whole life: its finally runs on a clean stop, an
error or a cancellation (layers_demo/hardened_chat.py does the same).
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "fixonline"
ONLINE: dict[str, str] = {}  # channel name -> name, for every socket of this process


class OnlineConsumer(AsyncConsumer):
    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            # The dict first: it needs no await, so even a second cancellation cannot skip it.
            ONLINE.pop(self.channel_name, None)
            await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def websocket_connect(self, event):
        self.name = "guest-" + self.channel_name.rpartition("!")[2]  # unique per socket, like the uuid
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
        raise StopConsumer()  # __call__ forgets the socket
