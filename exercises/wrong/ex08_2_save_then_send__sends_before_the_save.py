"""Save first, then send: whoever gets the id must find the row.

A classic wrong solution to exercise 08.2: the frame goes out with the unsaved message's id (None), the save comes after.
The check says: "save first"
"""

import json

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer

from db_demo.models import ChatMessage


@database_sync_to_async
def save(message: ChatMessage) -> None:
    message.save()


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
        message = ChatMessage(room=self.scope["url_route"]["kwargs"]["room"], text=text)
        await self.send({"type": "websocket.send", "text": json.dumps({"id": message.id, "message": text})})
        await save(message)

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
