# The raw AsyncConsumer with each query awaited on its own through database_sync_to_async: the save, then the count.
"""Alternative 08.3: two awaits, one query each.

database_sync_to_async(ChatMessage.objects.create)(...) saves; the count
is a second call, made after the save returned, so it includes the new
entry and every other process's saved by then.
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
        text = event.get("text")
        if text is None or text == "":
            error = {"error": "expected a text frame: the entry to save"}
            return await self.send({"type": "websocket.send", "text": json.dumps(error)})
        entry = await database_sync_to_async(ChatMessage.objects.create)(room=ROOM, text=text)
        entries = await database_sync_to_async(ChatMessage.objects.filter(room=ROOM).count)()
        await self.send({"type": "websocket.send", "text": json.dumps({"id": entry.pk, "entries": entries})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
