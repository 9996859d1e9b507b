"""Exercise 04.1: Whisper to one socket in a chat room.

WhisperConsumer joins the group "exroom" and first sends {"you": <its
channel name>}. A frame {"message": m} reaches every socket in the room as
{"message": m}; a frame {"to": <a channel name>, "message": m} reaches only
that socket (channel_layer.send), not the sender, not the others. Bad input
gets {"error": ...} for the sender alone, reaches no one else, and the socket
stays open: a frame that is not a JSON object, a "message" that is missing or
not a non-empty string of valid Unicode (JSON can spell a lone surrogate,
"\\ud800"), a "to" the layer refuses as a channel name (not a string, empty,
spaces, 100 characters or more).

Edit this file, then check it:

    python manage.py exercise 04.1

The check is exercises/04_1_whisper/check.py; once you have tried,
`python manage.py exercise 04.1 --solution` shows where the solution is.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "exroom"


class WhisperConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})
        # TODO: tell the client its address: {"you": self.channel_name}

    async def websocket_receive(self, event):
        """Called for every frame."""
        data = json.loads(event.get("text") or "{}")
        # TODO: with a "to", send to that channel only; without, to the whole group
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": data.get("message")})

    async def chat_message(self, event):
        """Called when the layer delivers a chat.message."""
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
