"""Exercise 04.4 (fix): the chat works in "lobby", and crashes in "café".

NamedRoomConsumer serves ws/fixchat/<room>/ for any room name the client
picks: it joins that room's group, greets the client with {"room": <room>},
and sends each text frame m to the room as {"message": m}. Rooms named
"lobby" or "general" work. A room named "café", "tea & cake" or a long
name never opens, and the server's log shows

    TypeError: Group name must be a valid unicode string with length < 100
    containing only ASCII alphanumerics, hyphens, underscores, or periods.

(django/channels#1845, #626). Fix it so that every room name works, and
two different rooms never share a group (a message in one must never
reach the other).

Edit this file, then check it:

    python manage.py exercise 04.4

The check is exercises/04_4_room_names/check.py; once you have tried,
`python manage.py exercise 04.4 --solution` shows where the solution is.
"""

import hashlib  # noqa: F401
import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class NamedRoomConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        room = self.scope["url_route"]["kwargs"]["room"]
        # TODO: can every room name a client picks be a group name?
        self.group = f"chat_{room}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"room": room})})

    async def websocket_receive(self, event):
        if event.get("text"):
            await self.channel_layer.group_send(self.group, {"type": "chat.message", "message": event["text"]})

    async def chat_message(self, event):
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        await self.channel_layer.group_discard(self.group, self.channel_name)
        raise StopConsumer()
