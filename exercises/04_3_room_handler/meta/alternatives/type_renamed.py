# The handler kept as on_chat_message and the layer message's type renamed "on.chat.message" to match: the type still names its handler.
"""Alternative 04.3: fix the other side, the type, so that it names the handler that exists.

A consumer calls the method named by the type with dots made underscores:
"on.chat.message" calls on_chat_message. Either side may change, as long as
they agree.

Events, in order: websocket.connect (join "fixroom", accept);
websocket.receive for each frame (a group_send); on.chat.message from the
layer for each message in the room; websocket.disconnect (leave the room).
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
            await self.channel_layer.group_send(GROUP, {"type": "on.chat.message", "message": event["text"]})

    async def on_chat_message(self, event):
        """Called when the layer delivers an "on.chat.message" from the room."""
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
