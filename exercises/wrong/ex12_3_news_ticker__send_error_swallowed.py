"""Wrong: a send to a closing socket ends the consumer; swallowing its error keeps a dead consumer in the group.

With the RuntimeError caught, the consumer runs on for a socket that is
gone, no websocket.disconnect ever comes, and it never leaves "fixnews".

The check says: "the failed socket's channel is still in the group fixnews (and"
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
        try:
            await self.send({"type": "websocket.send", "text": json.dumps({"headline": event["headline"]})})
        except RuntimeError:
            pass  # the client is gone

    async def websocket_disconnect(self, event):
        # TODO: does every consumer end through this handler?
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
