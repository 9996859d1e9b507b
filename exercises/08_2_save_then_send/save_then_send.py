"""Exercise 08.2: Save a message, then send it with its id.

SaveThenSendConsumer serves ws/exercises/08-2/<room>/: each text frame is
saved as a db_demo ChatMessage of that room, and only then answered with
{"id": <the row's id>, "message": <text>}. The room is the <room> part of the
route: self.scope["url_route"]["kwargs"]["room"] (lesson 08's chat reads it
the same way). A frame with no text (a binary one) saves nothing: it gets
{"error": ...}, and the socket stays open.

Edit this file, then check it:

    python manage.py exercise 08.2

The check is exercises/08_2_save_then_send/check.py; once you have tried,
`python manage.py exercise 08.2 --solution` shows where the solution is.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class SaveThenSendConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/08-2/<room>/."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame."""
        text = event.get("text")
        # TODO: save a ChatMessage(room=<the route's room>, text=text) first, and send its id
        await self.send({"type": "websocket.send", "text": json.dumps({"message": text})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
