"""Exercise 12.1: Replay the posts a reconnecting client missed.

ReplaySinceConsumer serves ws/exercises/12-1/?since=<id>: after accepting, it
sends {"post": post.as_frame()} for every saved db_demo Post with an id
greater than since, oldest first; each socket replays for its own since. A
since that is not one non-negative integer of ASCII digits (missing, empty,
given twice, -1, 1.5, 1e3, +1, " 1", text) is accepted, then closed with 4400,
and nothing follows the close.

Edit this file, then check it:

    python manage.py exercise 12.1

The check is exercises/12_1_replay_since/check.py; once you have tried,
`python manage.py exercise 12.1 --solution` shows where the solution is.
"""

import json  # noqa: F401  (you will need them)
from urllib.parse import parse_qs  # noqa: F401

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async  # noqa: F401
from channels.exceptions import StopConsumer

from db_demo.models import Post  # noqa: F401


class ReplaySinceConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/12-1/?since=<id>."""
        await self.send({"type": "websocket.accept"})
        # TODO: parse since (bad: close 4400), then send every later post, oldest first

    async def websocket_receive(self, event):
        """Called for a frame from the client: this socket only sends, and any client may still send one."""
        error = {"error": "this socket only sends: frames from the client are not read"}
        await self.send({"type": "websocket.send", "text": json.dumps(error)})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
