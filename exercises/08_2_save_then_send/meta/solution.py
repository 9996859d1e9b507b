"""Solution 08.2: save a message, then send it with its id.

Why this way: the send waits for the save, so whoever receives the id can
already find the row (lesson 08: saved before broadcast).
"""

import json

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer

from db_demo.models import ChatMessage


@database_sync_to_async
def save(room: str, text: str) -> int:
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
