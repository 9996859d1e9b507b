# AsyncWebsocketConsumer (async, generic) with Django's async ORM: await ChatMessage.objects.acreate(...), which runs the save in Django's sync thread.
"""Alternative 08.2: save-then-send with acreate().

Django's async ORM methods (acreate, aget, ...) run the query through
sync_to_async on the same sync thread database_sync_to_async uses; the
answer waits for the await.
"""

import json

from channels.generic.websocket import AsyncWebsocketConsumer

from db_demo.models import ChatMessage


class SaveThenSendConsumer(AsyncWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None):
        """Called for every frame: save its text, then answer with the row's id."""
        if text_data is None or text_data == "":
            return await self.send(text_data=json.dumps({"error": "a message is a text frame with some text"}))
        room = self.scope["url_route"]["kwargs"]["room"]
        message = await ChatMessage.objects.acreate(room=room, text=text_data)
        await self.send(text_data=json.dumps({"id": message.pk, "message": text_data}))
