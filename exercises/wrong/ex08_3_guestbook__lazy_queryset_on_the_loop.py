"""Wrong: a queryset is lazy; wrapping only its construction in a thread still runs the query on the event loop.

sync_to_async(ChatMessage.objects.filter)(...) returns an unevaluated
queryset; .count() then queries in async code (django/channels#1916).

The check says: "your code raised SynchronousOnlyOperation: You cannot call this"
"""

import json

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer

from db_demo.models import ChatMessage

ROOM = "guestbook"


class GuestbookConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        if not event.get("text"):
            return
        entry = await database_sync_to_async(ChatMessage.objects.create)(room=ROOM, text=event["text"])
        queryset = await database_sync_to_async(ChatMessage.objects.filter)(room=ROOM)
        entries = queryset.count()
        await self.send({"type": "websocket.send", "text": json.dumps({"id": entry.id, "entries": entries})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
