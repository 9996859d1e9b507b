"""Exercise 12.1: Replay the posts a reconnecting client missed.

ReplaySinceConsumer serves ws/exercises/12-1/?since=<id>: after accepting, it
sends {"post": post.as_frame()} for the saved db_demo Posts with an id
greater than since, at most the 100 newest of them (as lesson 12's liveblog:
a client away longer reloads the page), oldest first; each socket replays for
its own since. A since that is not one non-negative integer of ASCII digits
(missing, empty, given twice, -1, 1.5, 1e3, +1, " 1", text) is accepted, then
closed with 4400, and nothing follows the close.

Rules (the check proves each one, and nothing else):

1. After the accept, each saved Post with an id greater than since comes as
   {"post": post.as_frame()}, as saved (spaces, <, &, emoji), in id order
   (oldest first, even where `created` says otherwise), then nothing more.
2. At most 100 posts come: with more than 100 after since, the 100 with the
   highest ids, still oldest first.
3. Each socket replays for its own since, two sockets open at once too.
4. A since at the last id or past it replays nothing (one of thousands of
   digits: nothing, or the 4400 of rule 5, never a crash); since is read
   wherever it stands among other parameters.
5. A since that is not one non-negative integer of ASCII digits is
   accepted, then closed with 4400, and nothing follows the close: a
   frame the client sent before it saw the close gets no answer.
6. The ORM runs off the event loop (in database_sync_to_async, or Django's
   async ORM), and the event loop never stalls.
7. A frame from the client gets {"error": ...} on its own socket, never a
   crash, and reaches no other socket; websocket.disconnect ends the
   consumer.
8. Nothing in the file sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
