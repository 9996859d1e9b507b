"""Exercise 16.3 (fix): ten sockets, ten times the flood limit.

ChatConsumer broadcasts each text frame to the group "exflood16" as
{"message": text}, and holds a flooder to LIMIT messages in any PERIOD
seconds: each message over that gets {"error": ...} on its own socket, is
never broadcast, and the socket stays open. However the consumer ends, its
socket leaves the group.

One socket at a time, the limit holds. But a flooder opens ten sockets from
its one address and the room hears ten times the limit: a limit per
connection is no limit for a client that opens connections
(greatest-ape/aquatic#227: "An attacker could just open multiple connections
per IP to circumvent it"). Make the limit hold for each client address,
scope["client"][0], across all of its sockets (clients whose address is
unknown, with no scope["client"], share one limit). A flood from one address
must never hold back another.

Rules (the check proves each one, and nothing else):

1. A text frame is a message: unless its address is over the limit, every
   socket in the room (the sender's too) gets {"message": <the text exactly
   as sent>}. A binary frame is none: it gets {"error": ...} and reaches no
   one. No frame crashes the consumer.
2. An address, scope["client"][0] (never a header such as X-Forwarded-For;
   127.0.0.1 too; every client without scope["client"] shares one), sends at
   most LIMIT messages in any PERIOD seconds (a window that slides, timed by
   time.monotonic()), across all its sockets, even ones sending at the same
   moment; closing and opening sockets gives it no fresh window. A message
   counts before its broadcast is awaited; one over the limit gets
   {"error": ...} on its own socket, reaches no one, does not count, and the
   socket stays open.
3. One address's flood never holds back another address.
4. Memory holds the addresses heard from lately, not every one that ever
   sent: an address quiet for 60 s is forgotten once other sockets come and
   send (forget quiet ones at each message, each socket, or a sweep at least
   every 60 s); a message looks its address's window up as it comes.
5. However the consumer ends (closed, failed, cancelled) its socket leaves
   the group, and a cancellation is raised on, never swallowed; an error of
   the channel layer is let through or told, never swallowed; nothing blocks
   the event loop or sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 16.3

The check is exercises/16_3_flood_per_address/check.py; once you have tried,
`python manage.py exercise 16.3 --solution` shows where the solution is.
"""

import json
import time
from collections import deque

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "exflood16"
LIMIT = 5  # messages
PERIOD = 1.0  # seconds


class ChatConsumer(AsyncConsumer):
    async def __call__(self, scope, receive, send):
        """Called once per socket: runs the consumer, and leaves the room however it ends."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        # TODO: whose messages does this window count?
        self.sent: deque[float] = deque()
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: broadcast it, unless this socket is flooding."""
        if event.get("text") is None:  # a binary frame: the room hears text, and this is none
            error = {"error": "expected a text frame: a binary frame is not a message"}
            return await self.send({"type": "websocket.send", "text": json.dumps(error)})
        now = time.monotonic()
        while self.sent and self.sent[0] <= now - PERIOD:
            self.sent.popleft()
        if len(self.sent) >= LIMIT:
            error = f"too many messages: at most {LIMIT} in {PERIOD:g} s"
            await self.send({"type": "websocket.send", "text": json.dumps({"error": error})})
            return
        self.sent.append(now)
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event.get("text") or ""})

    async def chat_message(self, event):
        """Called for each message of the room."""
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
