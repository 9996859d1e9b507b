"""Alternative 12.3, contextlib.AsyncExitStack: __call__ registers leaving the group as an exit callback around the consumer's life.

Still right: the stack's callbacks run when the `async with` block is left for any reason, a clean
StopConsumer, an error raised by a send to a closing socket, or a cancellation, and the error or the
cancellation still propagates after the group_discard is awaited; websocket_disconnect only stops.

Events, in order: websocket.connect (join "fixnews", then accept), news.item layer messages (each sent
as {"headline": h}), websocket.disconnect (stop); the group is left however the consumer ends.
"""

import json
from contextlib import AsyncExitStack

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "fixnews"


class TickerConsumer(AsyncConsumer):
    async def __call__(self, scope, receive, send):
        async with AsyncExitStack() as stack:
            stack.push_async_callback(self.leave_group)
            await super().__call__(scope, receive, send)

    async def leave_group(self):
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def websocket_connect(self, event):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def news_item(self, event):
        await self.send({"type": "websocket.send", "text": json.dumps({"headline": event["headline"]})})

    async def websocket_receive(self, event):
        """Called for a frame from the client: this socket only sends, and any client may still send one."""
        error = {"error": "this socket only sends: frames from the client are not read"}
        await self.send({"type": "websocket.send", "text": json.dumps(error)})

    async def websocket_disconnect(self, event):
        raise StopConsumer()  # __call__'s exit stack leaves the group
