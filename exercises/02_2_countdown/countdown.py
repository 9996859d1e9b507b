"""Exercise 02.2: A ticker that stops by itself after ?count=N ticks.

CountdownConsumer accepts, then sends {"tick": 1} ... {"tick": N}, one every
INTERVAL seconds, and closes with code 1000 after the last one; nothing
follows the close. N comes from the query string ?count=N, given once, and
must be an integer 1-100; anything else (missing, empty, 0, 101, text, 1.5,
two counts) is accepted and closed with 4400 before any tick. Each socket
counts on its own. A client that leaves early stops its ticking, and so does
a server that cancels the consumer (Daphne does at shutdown, and sends no
websocket.disconnect then): no task outlives its socket.

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
