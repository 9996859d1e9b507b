"""Solution 08.3: the ORM work goes in one database_sync_to_async function, awaited.

Why: the ORM is synchronous (it blocks while the database answers), so
Django refuses to run it on the event loop: SynchronousOnlyOperation.
database_sync_to_async runs the function in the sync thread and closes
stale connections around it, as lesson 08's consumers do. Both queries go
in one function: one trip to the thread, and the count is taken where the
row was saved. (`await ChatMessage.objects.acreate(...)` and `acount()`
would work too: Django's async ORM makes the same hop for you.)
"""

import json

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer

from db_demo.models import ChatMessage

ROOM = "guestbook"


@database_sync_to_async
def save_entry(text: str) -> tuple[int, int]:
    """Save one entry; return its id and the guestbook's entry count (runs in the sync thread)."""
    entry = ChatMessage.objects.create(room=ROOM, text=text)
    return entry.id, ChatMessage.objects.filter(room=ROOM).count()


class GuestbookConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        if not event.get("text"):  # a binary or an empty frame holds no entry
            error = {"error": "expected a text frame: the entry to save"}
            return await self.send({"type": "websocket.send", "text": json.dumps(error)})
        entry_id, entries = await save_entry(event["text"])
        await self.send({"type": "websocket.send", "text": json.dumps({"id": entry_id, "entries": entries})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
