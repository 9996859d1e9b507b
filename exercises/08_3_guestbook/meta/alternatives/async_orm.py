# Django's async ORM, acreate() and acount() awaited: it makes the hop to a thread itself, so nothing blocks the loop and the count includes the new entry.
"""Alternative 08.3: `await ChatMessage.objects.acreate(...)`, then `await ....acount()`.

Django's a-prefixed queryset methods run the query through sync_to_async:
the same hop to a thread that database_sync_to_async makes, written at the
call. The count comes after the save is awaited, so it includes this entry.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

from db_demo.models import ChatMessage

ROOM = "guestbook"


class GuestbookConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        text = event.get("text")
        if not isinstance(text, str) or not text:  # binary or empty: nothing to save, and the client is told
            await self.send({"type": "websocket.send", "text": json.dumps({"error": "send the entry as text"})})
            return
        entry = await ChatMessage.objects.acreate(room=ROOM, text=text)
        entries = await ChatMessage.objects.filter(room=ROOM).acount()
        await self.send({"type": "websocket.send", "text": json.dumps({"id": entry.id, "entries": entries})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
