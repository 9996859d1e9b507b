"""Exercise 02.2: A ticker that stops by itself after ?count=N ticks.

CountdownConsumer accepts, then sends {"tick": 1} ... {"tick": N} every
INTERVAL seconds and closes with code 1000 after the last one. N comes from
the query string ?count=N and must be an integer 1-100; anything else
(missing, empty, 0, 101, text, 1.5) is accepted and closed with 4400 before
any tick. A client that leaves early stops the ticking.

Edit this file, then check it:

    python manage.py exercise 02.2

The check is exercises/checks/check_02_2_countdown.py; once you have tried,
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
        # TODO: stop the ticking task first
        raise StopConsumer()
