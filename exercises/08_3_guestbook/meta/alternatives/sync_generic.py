# WebsocketConsumer (sync, generic): create() and count() called directly in receive(), which Django's sync thread runs.
"""Alternative 08.3: the guestbook as a synchronous WebsocketConsumer.

A sync consumer's handlers run on Django's sync thread, where the ORM may
be called as in a view: no SynchronousOnlyOperation, and the event loop
never waits on the database.
"""

import json

from channels.generic.websocket import WebsocketConsumer

from db_demo.models import ChatMessage

ROOM = "guestbook"


class GuestbookConsumer(WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        """Called for every frame: save a text as an entry, then count the guestbook."""
        if not text_data:
            self.send(text_data=json.dumps({"error": "expected a text frame: the entry to save"}))
            return
        entry = ChatMessage.objects.create(room=ROOM, text=text_data)
        entries = ChatMessage.objects.filter(room=ROOM).count()
        self.send(text_data=json.dumps({"id": entry.id, "entries": entries}))
