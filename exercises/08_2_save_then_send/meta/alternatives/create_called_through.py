# The manager's create() itself passed through database_sync_to_async, the answer using the row's pk: still saved in the thread before the answer goes out.
"""Alternative 08.2: `await database_sync_to_async(ChatMessage.objects.create)(room=..., text=...)`.

Any sync callable can go through database_sync_to_async, a manager's
bound create() too: the row comes back saved, with its pk.
"""

import json

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer

from db_demo.models import ChatMessage


class SaveThenSendConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/08-2/<room>/."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: save its text, then answer with the row's id."""
        text = event.get("text")
        if text:
            room = self.scope["url_route"]["kwargs"]["room"]
            row = await database_sync_to_async(ChatMessage.objects.create)(room=room, text=text)
            reply = {"id": row.pk, "message": text}
        else:
            reply = {"error": "a message is a text frame with some text in it"}
        await self.send({"type": "websocket.send", "text": json.dumps(reply)})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
