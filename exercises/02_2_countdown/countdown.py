"""Exercise 02.2: A ticker that stops by itself after ?count=N ticks.

CountdownConsumer counts down from the query string ?count=N: a tick a
socket, INTERVAL apart, then a close.

Rules (the check proves each one, and nothing else):

1. ?count=N, N an integer 1-100 written in the digits 0-9 and given once
   (other query keys change nothing), is accepted, then sent {"tick": 1}
   ... {"tick": N}, one every INTERVAL seconds, the first INTERVAL after
   the accept, then closed with code 1000; nothing follows the close.
2. Any other count (missing, empty, 0, 101, -1, text, 1.5, +3, "²", two
   counts) is accepted and closed with 4400 before any tick; nothing
   follows that close.
3. Each socket counts on its own: one leaving stops only its own ticking,
   and nothing of a socket is kept on the class or the module after it.
4. Frames from the client change nothing, and no frame of any kind crashes
   the consumer.
5. A client that leaves early (websocket.disconnect) stops its ticking, and
   the consumer ends.
6. A server that cancels the consumer (Daphne does at shutdown, and sends
   no websocket.disconnect then) stops its ticking too, and the consumer
   ends cancelled (the CancelledError is not swallowed).
7. Nothing holds the event loop: no blocking call, no time.sleep.
8. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 02.2

The check is exercises/02_2_countdown/check.py; once you have tried,
`python manage.py exercise 02.2 --solution` shows where the solution is.
"""

import asyncio  # noqa: F401  (you will need it)
import json  # noqa: F401
from urllib.parse import parse_qs  # noqa: F401

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

INTERVAL = 0.05  # seconds between ticks


class CountdownConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/02-2/?count=N."""
        await self.send({"type": "websocket.accept"})
        # TODO: read count from self.scope["query_string"]; bad: close 4400; good: start ticking in a task

    async def websocket_receive(self, event):
        """Called for every frame: the ticker needs no input."""

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        # TODO: stop the ticking task (and on the path where no disconnect event comes, too)
        raise StopConsumer()
