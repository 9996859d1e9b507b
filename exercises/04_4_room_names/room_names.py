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

Rules (the check proves each one, and nothing else):

1. Every room name a client picks opens (accents, spaces, "&", emoji,
   200 characters): the socket joins its room's group before it is
   accepted, and is greeted {"room": <the name as typed>}.
2. Each text frame m reaches every socket of its room, the sender's too,
   as {"message": m}, exactly as sent (a frame of spaces too); each
   group_send is awaited in its handler, and no handler stalls the event
   loop (no time.sleep).
3. Two different room names never share a group: not names that differ
   only in case, spaces, accents or punctuation, nor names Unicode's
   compatibility form (NFKC) folds together ("ﬁsh" and "fish"), nor
   names whose checksum or cut-short digest meets: a group keeps at least
   128 bits of a digest (32 hex digits; SHA-256 has 64). A hundred rooms
   are a hundred groups, and no room name can join another room's group.
4. Every server process picks the same group for a room (Python's hash()
   and a number given as rooms come differ between processes).
5. One name spelled two ways in Unicode is one room: "café" with é as
   one code point (NFC) and with e and a combining accent (NFD) join one
   group.
6. A socket that closed, whatever its close code, has left its group and
   its consumer has ended; nothing is kept per room name on the class or
   the module.
7. No frame crashes the consumer, and a binary frame reaches no other
   socket (it may get any answer, or none).
8. When the channel layer fails (its Redis down), the failure is told,
   never swallowed: let the error through (the socket closes with 1011
   and the server logs it), or answer {"error": ...}.
9. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
