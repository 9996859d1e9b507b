"""A whisper goes with channel_layer.send to one channel, not to the group.

A classic wrong solution to exercise 04.1: every message, whispered or not, goes to the group.
The check says: "channel_layer.send"
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "exroom"


class WhisperConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket: join the room, say its address."""
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"you": self.channel_name})})

    async def websocket_receive(self, event):
        """Called for every frame: {"message": m} to all, {"to": address, "message": m} to one."""
        try:
            data = json.loads(event.get("text") or "")
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            await self.send({"type": "websocket.send", "text": json.dumps({"error": 'expected {"message": "..."}'})})
            return
        message = {"type": "chat.message", "message": data["message"]}
        await self.channel_layer.group_send(GROUP, message)  # "to" is in the message: good enough?

    async def chat_message(self, event):
        """Called when the layer delivers a chat.message, from the room or whispered."""
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
