"""Exercise 06.3 (fix): the view can sound the alarm; the socket cannot.

sound_alarm(room, text) sends {"type": "chat.message", "message": text,
"sender": "alarm"} to the group "chat-<room>". Views and management commands
call it (lesson 06), and that works. AlarmConsumer lets a staff console do
the same over a socket: a text frame "<room>:<text>" sounds the alarm in
that room, and the socket is told {"sounded": <room>}; any other frame gets
{"error": ...} and the socket stays open.

The first frame crashes the socket (1011), and the server's log shows

    RuntimeError: You cannot use AsyncToSync in the same thread as an async
    event loop - just await the async function directly.

(django/channels#1020). Fix the consumer; sound_alarm() must keep working
for the synchronous code that calls it.

Rules (the check proves each one, and nothing else):

1. A text frame "<room>:<text>" (a room of 1-50 letters, digits, _ or -,
   kept in the case given; the text all after the first colon, as typed)
   puts alarm_message(text) in the group "chat-<room>" before the socket
   is told {"sounded": <room>}.
2. The consumer sends on the server's own event loop, never on a loop of
   its own, and never holds the event loop while the layer works.
3. Alarms from many consoles are under way at once, never in line: a hop
   through sync_to_async (the one sync thread, or a small pool of threads)
   makes each console's alarm wait for the others', so 24 consoles at once
   must all be sending together.
4. sound_alarm(room, text) stays a plain function that synchronous code (a
   view, a command) calls, and it still sounds the alarm.
5. Any other frame (no valid room, no text, a binary frame) gets {"error":
   ...} on its own socket, which stays open; no frame crashes the consumer
   or reaches another socket.
6. A layer that fails is never told as sounded: let its error through (the
   socket closes with 1011) or answer {"error": ...}.
7. The consumer ends when its client leaves (websocket.disconnect), and
   nothing in this file sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 06.3

The check is exercises/06_3_alarm/check.py; once you have tried,
`python manage.py exercise 06.3 --solution` shows where the solution is.
"""

import json
import re

from asgiref.sync import async_to_sync
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer

# The chat's room names (lesson 04): anything else is no group name the layer takes.
ROOM = re.compile(r"[A-Za-z0-9_-]{1,50}")
BAD_FRAME = 'expected "<room>:<text>": a room of 1-50 letters, digits, _ or -, and some text'


def alarm_message(text: str) -> dict:
    return {"type": "chat.message", "message": text, "sender": "alarm"}


def sound_alarm(room: str, text: str) -> None:
    """Called from synchronous code (views, commands): do not make it async."""
    async_to_sync(get_channel_layer().group_send)(f"chat-{room}", alarm_message(text))


class AlarmConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        room, _, text = (event.get("text") or "").partition(":")
        if not ROOM.fullmatch(room) or not text:  # bad input gets an error frame, never a crash
            await self.send({"type": "websocket.send", "text": json.dumps({"error": BAD_FRAME})})
            return
        # TODO: this handler runs on the event loop; is sound_alarm() the right call from here?
        sound_alarm(room, text)
        await self.send({"type": "websocket.send", "text": json.dumps({"sounded": room})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
