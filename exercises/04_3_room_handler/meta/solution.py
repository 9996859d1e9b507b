"""Solution 04.3: name the handler after the type, `chat_message` for "chat.message".

Why: a consumer dispatches every event, from the socket or from the layer,
by its "type" with the dots made underscores: "websocket.receive" calls
websocket_receive, "chat.message" calls chat_message. No such method, and
dispatch raises ValueError: the consumer ends and its socket closes with
1011. The sender does not see it; every receiver does.

Events, in order: websocket.connect (join "fixroom", accept);
websocket.receive for each frame (a group_send); chat.message from the layer
for each message in the room; websocket.disconnect (leave the room).
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "fixroom"


class RoomConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket: join the room before accepting."""
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: a text frame goes to the whole room."""
        if event.get("text"):
            await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event["text"]})

    async def chat_message(self, event):
        """Called when the layer delivers a "chat.message": the name is the type, dots made underscores."""
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed: leave the room."""
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
