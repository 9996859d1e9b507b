# database_sync_to_async used in its call form on a plain function, the texts read by values_list and put oldest first by a slice: still evaluated in the thread.
"""Alternative 08.1: `await database_sync_to_async(last_texts)(room)`, the query a values_list.

database_sync_to_async works as a decorator or as a call, as lesson 08
shows both; list() evaluates the query inside the thread either way, and
[::-1] turns the newest five into oldest first.
"""

import json

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer

from db_demo.models import ChatMessage

HISTORY = 5


def last_texts(room: str) -> list[str]:
    """The room's last HISTORY texts, oldest first (runs in a thread: the ORM is synchronous)."""
    newest = ChatMessage.objects.filter(room=room).order_by("-id").values_list("text", flat=True)[:HISTORY]
    return list(newest)[::-1]


class HistoryConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/08-1/<room>/."""
        await self.send({"type": "websocket.accept"})
        history = await database_sync_to_async(last_texts)(self.scope["url_route"]["kwargs"]["room"])
        await self.send({"type": "websocket.send", "text": json.dumps({"history": history})})

    async def websocket_receive(self, event):
        """Called for a frame from the client: this socket only sends, and any client may still send one."""
        error = {"error": "this socket only sends: frames from the client are not read"}
        await self.send({"type": "websocket.send", "text": json.dumps(error)})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
