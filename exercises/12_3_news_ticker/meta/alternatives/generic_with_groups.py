"""Alternative 12.3, AsyncWebsocketConsumer (generic) with `groups`, and a finally in __call__ for every other way out.

Still right: the generic consumer joins each group of `groups` before it calls connect() (which accepts),
and leaves them in websocket_disconnect; that covers only a clean close, so __call__'s finally leaves
the group too, on an error raised by a send to a closing socket and on a cancellation, and the error
or the cancellation goes on after it. A second group_discard of the same channel is harmless.

Events, in order: websocket.connect (join "fixnews", then accept), news.item layer messages (each sent
as {"headline": h}), websocket.disconnect (leave, stop); the group is left however the consumer ends.
"""

import json

from channels.generic.websocket import AsyncWebsocketConsumer

GROUP = "fixnews"


class TickerConsumer(AsyncWebsocketConsumer):
    groups = [GROUP]

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def news_item(self, event):
        await self.send(text_data=json.dumps({"headline": event["headline"]}))

    async def receive(self, text_data=None, bytes_data=None):
        """Called for a frame from the client: this socket only sends, and any client may still send one."""
        await self.send(text_data=json.dumps({"error": "this socket only sends: frames from the client are not read"}))
