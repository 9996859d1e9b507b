"""Exercise 08.1: Send a room's saved history on connect.

HistoryConsumer serves ws/exercises/08-1/<room>/: right after accepting it
sends {"history": [...]}, the texts of the room's last 5 db_demo ChatMessage
rows, oldest first. The ORM is synchronous: use database_sync_to_async.

Rules (the check proves each one, and nothing else):

1. Right after the accept, the first frame is {"history": [...]}: the texts
   of the last 5 rows saved in the route's <room> (its name exactly as the
   path gives it: any name the route takes, Lobby is not lobby), oldest
   first, each text whole as it was saved: never stripped, escaped or cut,
   a long one too (past the 4,096 characters a client may send). Two
   sockets at once each get their own room's.
2. A room with fewer than five rows gets all of them; an empty room gets
   {"history": []}.
3. The history is read from the database for each socket as it connects,
   and goes to that socket only; nothing is sent after it.
4. The database is asked for the newest five only (a LIMIT), never the
   whole room, newest by the saving order (the id), never by the clock
   (created).
5. The query runs on Django's sync thread (database_sync_to_async), never
   on the event loop nor in another thread, and never holds the loop.
6. A binary frame gets {"error": ...} on its own socket; no frame crashes
   the consumer or reaches another socket.
7. The consumer ends when its client leaves (websocket.disconnect), and
   nothing in this file sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 08.1

The check is exercises/08_1_history/check.py; once you have tried,
`python manage.py exercise 08.1 --solution` shows where the solution is.
"""

import json

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async  # noqa: F401  (you will need it)
from channels.exceptions import StopConsumer

from db_demo.models import ChatMessage  # noqa: F401


class HistoryConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/08-1/<room>/."""
        await self.send({"type": "websocket.accept"})
        # TODO: the room's last 5 texts, oldest first, read in a database_sync_to_async function
        await self.send({"type": "websocket.send", "text": json.dumps({"history": []})})

    async def websocket_receive(self, event):
        """Called for a frame from the client: this socket only sends, and any client may still send one."""
        error = {"error": "this socket only sends: frames from the client are not read"}
        await self.send({"type": "websocket.send", "text": json.dumps(error)})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
