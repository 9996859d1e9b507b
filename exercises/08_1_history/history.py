"""Exercise 08.1: Send a room's saved history on connect.

HistoryConsumer serves ws/exercises/08-1/<room>/: right after accepting it
sends {"history": [...]}, the texts of the room's last 5 db_demo ChatMessage
rows, oldest first. The ORM is synchronous: use database_sync_to_async.

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
