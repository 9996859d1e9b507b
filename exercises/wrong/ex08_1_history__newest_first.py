"""History is sent oldest first, as a chat reads.

A classic wrong solution to exercise 08.1: the newest message comes first.
The check says: "oldest first"
"""

import json

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer

from db_demo.models import ChatMessage


@database_sync_to_async
def last_texts(room: str, count: int = 5) -> list[str]:
    newest = ChatMessage.objects.filter(room=room).order_by("-id")[:count]
    return [message.text for message in newest]


class HistoryConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/08-1/<room>/."""
        await self.send({"type": "websocket.accept"})
        room = self.scope["url_route"]["kwargs"]["room"]
        await self.send({"type": "websocket.send", "text": json.dumps({"history": await last_texts(room)})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
