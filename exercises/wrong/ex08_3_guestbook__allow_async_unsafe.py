"""Wrong: DJANGO_ALLOW_ASYNC_UNSAFE silences the check, it does not move the query off the event loop.

Every query then blocks every socket of the process while the database
answers; Django's docs keep the variable for notebooks and shells.

The check says: "your module sets DJANGO_ALLOW_ASYNC_UNSAFE='true': that hides"
"""

import json
import os

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async  # noqa: F401
from channels.exceptions import StopConsumer

from db_demo.models import ChatMessage

ROOM = "guestbook"


os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


class GuestbookConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        if not event.get("text"):
            return
        entry = ChatMessage.objects.create(room=ROOM, text=event["text"])
        entries = ChatMessage.objects.filter(room=ROOM).count()
        await self.send({"type": "websocket.send", "text": json.dumps({"id": entry.id, "entries": entries})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
