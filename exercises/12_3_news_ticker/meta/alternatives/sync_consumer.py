"""Alternative 12.3, a sync WebsocketConsumer whose async __call__ leaves the group in its finally.

Still right: a sync consumer's handlers run in a thread, but its __call__ (inherited from AsyncConsumer)
is a coroutine on the event loop, the consumer's whole life: a send that raises in news_item ends the
consumer through it, and so does a cancellation, so its finally leaves the group on every path, awaited
on the loop, and the error or the cancellation goes on after it. connect() joins before it accepts.

Events, in order: websocket.connect (join "fixnews", then accept), news.item layer messages (each sent
as {"headline": h}), websocket.disconnect (stop); the group is left however the consumer ends.
"""

import json

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer

GROUP = "fixnews"


class TickerConsumer(WebsocketConsumer):
    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.channel_layer.group_discard(GROUP, self.channel_name)

    def connect(self):
        async_to_sync(self.channel_layer.group_add)(GROUP, self.channel_name)
        self.accept()

    def news_item(self, event):
        self.send(text_data=json.dumps({"headline": event["headline"]}))

    def receive(self, text_data=None, bytes_data=None):
        """Called for a frame from the client: this socket only sends, and any client may still send one."""
        self.send(text_data=json.dumps({"error": "this socket only sends: frames from the client are not read"}))
