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

Here the address is the bare channel name, to keep the exercise small.
Lesson 04's DirectConsumer signs it instead, so that a client can only
name a socket the server told it about: do that on a real site, where
other kinds of consumers share the layer.

Rules (the check proves each one, and nothing else):

1. Each socket is in the group "exroom" the moment it is accepted, and
   its first frame is {"you": <its own channel name>}.
2. A frame {"message": m} reaches every socket in the room, the sender's
   too, as {"message": m}, exactly as sent (a message of spaces too);
   each group_send is awaited in its handler.
3. A frame {"to": <a channel name>, "message": m} reaches only that
   socket, on this server process or another sharing its layer, as
   {"message": m}: not the sender, not the others.
4. A layer message is built from the fields you checked: a "type" (or
   any other key) in the client's frame never chooses the handler it
   runs.
5. Bad input gets {"error": ...} for the sender alone, reaches no one
   else, never crashes the consumer, and the socket stays open: a frame
   that is not a JSON object (an empty text frame, a binary frame,
   nesting too deep), a "message" missing or not a non-empty string of
   valid Unicode, a "to" the layer refuses as a channel name.
6. A whisper the layer cannot deliver (the addressee's channel is full:
   ChannelFull) gets {"error": ...} for the sender alone; a layer that
   fails otherwise (its Redis down) is never told as "no such address":
   let the error through (the socket closes with 1011 and the server
   logs it), or say what went wrong.
7. A socket that closed, whatever its close code, has left the group and
   its consumer has ended.
8. No handler stalls the event loop (no time.sleep).
9. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
