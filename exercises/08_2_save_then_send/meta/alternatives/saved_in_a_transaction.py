# The save runs in its own transaction.atomic() block inside the database_sync_to_async function: the block has committed when the function returns, so the answer still names a row everyone can read.
"""Alternative 08.2: the save in a transaction of its own, the answer after it has committed.

A transaction.atomic() block commits when it ends: send after it, never
inside it, or the answer names a row no other connection can read yet.
"""

import json

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from django.db import transaction

from db_demo.models import ChatMessage


@database_sync_to_async
def save(room: str, text: str) -> int:
    with transaction.atomic():  # committed when the block ends, before the answer goes out
        return ChatMessage.objects.create(room=room, text=text).id


class SaveThenSendConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/08-2/<room>/."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: save its text, then answer with the row's id."""
        text = event.get("text")
        if not text:
            await self.send(
                {"type": "websocket.send", "text": json.dumps({"error": "expected a non-empty text frame"})}
            )
            return
        message_id = await save(self.scope["url_route"]["kwargs"]["room"], text)
        await self.send({"type": "websocket.send", "text": json.dumps({"id": message_id, "message": text})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
