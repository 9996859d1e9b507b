"""Solution 08.1: send a room's saved history on connect.

Why this way: the query runs in a sync function wrapped in
database_sync_to_async, and `list()` evaluates it there; a lazy queryset
handed back to the event loop would query there and raise
SynchronousOnlyOperation (lesson 08).
"""

import json

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer

from db_demo.models import ChatMessage


@database_sync_to_async
def last_texts(room: str, count: int = 5) -> list[str]:
    newest = ChatMessage.objects.filter(room=room).order_by("-id")[:count]
    return [message.text for message in reversed(list(newest))]


class HistoryConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/08-1/<room>/."""
        await self.send({"type": "websocket.accept"})
        room = self.scope["url_route"]["kwargs"]["room"]
        await self.send({"type": "websocket.send", "text": json.dumps({"history": await last_texts(room)})})

    async def websocket_receive(self, event):
        """Called for a frame from the client: this socket only sends, and any client may still send one."""
        error = {"error": "this socket only sends: frames from the client are not read"}
        await self.send({"type": "websocket.send", "text": json.dumps(error)})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
