"""Alternative 14.1, an undo registered the moment each thing is done: websocket_connect pushes onto an AsyncExitStack that __call__ unwinds.

Still right: __call__'s `async with` unwinds the stack however the consumer ends (StopConsumer, a send
that raised, a cancellation); each undo is pushed right after its action, so only what was done is
undone, and the stack runs them last-in first-out: the name leaves ONLINE (no await) before the group
is left, and a stack keeps unwinding even if one undo raises.

Events, in order: websocket.connect (join "fixonline", keep the name, accept, send who is online),
websocket.receive (a text frame to the group), room.message (sent as {"from", "text"}),
websocket.disconnect (stop); the socket is forgotten however the consumer ends.
"""

import json
import uuid
from contextlib import AsyncExitStack

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "fixonline"
ONLINE: dict[str, str] = {}  # channel name -> name, for every socket of this process


class OnlineConsumer(AsyncConsumer):
    async def __call__(self, scope, receive, send):
        self.undo = AsyncExitStack()  # what this socket has to take back when it ends
        async with self.undo:
            await super().__call__(scope, receive, send)

    async def websocket_connect(self, event):
        self.name = f"guest-{uuid.uuid4().hex[:6]}"
        await self.channel_layer.group_add(GROUP, self.channel_name)
        self.undo.push_async_callback(self.channel_layer.group_discard, GROUP, self.channel_name)
        ONLINE[self.channel_name] = self.name
        self.undo.callback(ONLINE.pop, self.channel_name, None)
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
        raise StopConsumer()  # __call__'s stack forgets the socket
