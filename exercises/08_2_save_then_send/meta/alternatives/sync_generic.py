# WebsocketConsumer (sync, generic): the row created directly in receive(), which the sync thread runs.
"""Alternative 08.2: save-then-send as a synchronous WebsocketConsumer.

receive() runs on Django's sync thread, so create() is called directly and
returns once the row is saved (autocommit: committed too); the answer
follows it.
"""

import json

from channels.generic.websocket import WebsocketConsumer

from db_demo.models import ChatMessage


class SaveThenSendConsumer(WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        """Called for every frame: save its text, then answer with the row's id."""
        if not text_data:
            self.send(text_data=json.dumps({"error": "expected a non-empty text frame"}))
            return
        message = ChatMessage.objects.create(room=self.scope["url_route"]["kwargs"]["room"], text=text_data)
        self.send(text_data=json.dumps({"id": message.id, "message": message.text}))
