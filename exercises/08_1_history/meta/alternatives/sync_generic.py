# WebsocketConsumer (sync, generic): the query run directly in connect(), which the sync thread runs.
"""Alternative 08.1: the history socket as a synchronous WebsocketConsumer.

A sync consumer's handlers run on Django's sync thread, where the ORM is
called directly: no database_sync_to_async needed. The newest five by id,
reversed to oldest first.
"""

import json

from channels.generic.websocket import WebsocketConsumer

from db_demo.models import ChatMessage


class HistoryConsumer(WebsocketConsumer):
    def connect(self):
        """Called when a client opens ws/exercises/08-1/<room>/."""
        self.accept()
        room = self.scope["url_route"]["kwargs"]["room"]
        texts = list(ChatMessage.objects.filter(room=room).order_by("-id").values_list("text", flat=True)[:5])
        self.send(text_data=json.dumps({"history": texts[::-1]}))

    def receive(self, text_data=None, bytes_data=None):
        """Called for a frame from the client: this socket only sends."""
        self.send(text_data=json.dumps({"error": "this socket only sends: frames from the client are not read"}))
