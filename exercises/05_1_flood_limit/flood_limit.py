"""Exercise 05.1: A chat that answers a flood with errors, to the flooder alone.

FloodLimitedChatConsumer broadcasts each text frame to the group "exflood"
as {"message": text}. A socket that sends more than LIMIT messages within
PERIOD seconds gets {"error": "..."} for each extra one, its socket stays
open, and nobody else hears it. Each socket has its own count: one flooder
never silences another. However the consumer ends (the client leaves, or
the server cancels it at shutdown), its socket leaves the group.

Rules (the check proves each one, and nothing else):

1. Each text frame m of a socket within the limit reaches every socket
   in the group "exflood", the sender's too, as {"message": m}, exactly
   as sent; the socket is in the group the moment it is accepted.
2. A socket may send at most LIMIT (3) messages in any PERIOD (1 s), a
   sliding window timed by time.monotonic() (setting the wall clock back
   changes nothing); each message over the limit gets its own {"error":
   ...} on that socket alone, is never broadcast, not even later, and
   the socket stays open.
3. Each socket has its own count: one flooder never silences another,
   and a socket that has gone leaves no count behind.
4. A binary frame never crashes the consumer: it gets {"error": ...} on
   its own socket and reaches no one else.
5. However the consumer ends (the client leaves with any close code, the
   server cancels it, or the server's send() raises), its socket leaves
   the group, and no task of it is left running; a cancelled consumer
   ends cancelled (its CancelledError raised again).
6. No handler stalls the event loop (no time.sleep).
7. When the channel layer fails (its Redis down), the failure is told,
   never swallowed: let the error through (the socket closes with 1011
   and the server logs it), or answer {"error": ...}.
8. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
