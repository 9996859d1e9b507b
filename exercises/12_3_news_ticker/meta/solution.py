"""Solution 12.3: leave the group in __call__'s finally, which runs however the consumer ends.

Why: websocket_disconnect only runs when the server delivers
websocket.disconnect. When a send to a closing socket raises (Daphne 4.2:
RuntimeError "Attempt to send on a closed protocol"; uvicorn: OSError), the
consumer ends with that error and no disconnect event follows, so cleanup
there never runs. __call__ is the consumer's whole life: its finally runs on
a clean stop, an error or a cancellation (layers_demo/hardened_chat.py and
db_demo/liveblog.py do the same).
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "fixnews"


class TickerConsumer(AsyncConsumer):
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
        raise StopConsumer()  # __call__ leaves the group

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.channel_layer.group_discard(GROUP, self.channel_name)
