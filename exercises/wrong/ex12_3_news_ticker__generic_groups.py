"""Wrong: the generic consumer's `groups` are also left only in websocket_disconnect, which a failed send skips.

AsyncWebsocketConsumer with groups = ["fixnews"] joins and leaves for you,
on connect and on websocket.disconnect: the same hole, hidden.

The check says: "the failed socket's channel is still in the group fixnews"
"""

import json

from channels.generic.websocket import AsyncWebsocketConsumer

GROUP = "fixnews"


class TickerConsumer(AsyncWebsocketConsumer):
    groups = [GROUP]

    async def news_item(self, event):
        await self.send(text_data=json.dumps({"headline": event["headline"]}))
