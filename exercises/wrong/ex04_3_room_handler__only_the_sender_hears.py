"""Wrong: a message for the room goes through the group; sending it to your own socket is not a chat.

Replacing group_send with self.send makes the error go away, and only the
sender ever sees its message.

The check says: "expected a websocket.send on bob's socket, got nothing within 1"
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
            await self.send({"type": "websocket.send", "text": json.dumps({"message": event["text"]})})

    # TODO: which method does a layer message of type "chat.message" call?
    async def on_chat_message(self, event):
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
