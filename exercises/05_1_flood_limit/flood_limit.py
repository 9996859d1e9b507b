"""Exercise 05.1: A chat that answers a flood with errors, to the flooder alone.

FloodLimitedChatConsumer broadcasts each text frame to the group "exflood"
as {"message": text}. A socket that sends more than LIMIT messages within
PERIOD seconds gets {"error": "..."} for each extra one, its socket stays
open, and nobody else hears it. Each socket has its own count: one flooder
never silences another. However the consumer ends (the client leaves, or
the server cancels it at shutdown), its socket leaves the group.

Edit this file, then check it:

    python manage.py exercise 05.1

The check is exercises/05_1_flood_limit/check.py; once you have tried,
`python manage.py exercise 05.1 --solution` shows where the solution is.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "exflood"
LIMIT = 3  # messages
PERIOD = 1.0  # seconds


class FloodLimitedChatConsumer(AsyncConsumer):
    # TODO: leave the group on every path, not only on websocket.disconnect

    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame."""
        if event.get("text") is None:  # a binary frame: the room hears text, and this is none
            error = {"error": "expected a text frame: a binary frame is not a message"}
            return await self.send({"type": "websocket.send", "text": json.dumps(error)})
        # TODO: over LIMIT in PERIOD seconds: an error frame to this socket, no broadcast
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event.get("text") or ""})

    async def chat_message(self, event):
        """Called for each message of the room."""
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
