"""Solution 04.3: name the handler after the type, `chat_message` for "chat.message".

Why: a consumer dispatches every event, from the socket or from the layer,
by its "type" with the dots made underscores: "websocket.receive" calls
websocket_receive, "chat.message" calls chat_message. No such method, and
dispatch raises ValueError: the consumer ends and its socket closes with
1011. The sender does not see it; every receiver does.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "fixroom"


class RoomConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        if event.get("text"):
            await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event["text"]})

    async def chat_message(self, event):
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
