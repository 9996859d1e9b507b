"""Exercise 08.2: Save a message, then send it with its id.

SaveThenSendConsumer serves ws/exercises/08-2/<room>/: each text frame is
saved as a db_demo ChatMessage of that room, and only then answered with
{"id": <the row's id>, "message": <text>}. The room is the <room> part of the
route: self.scope["url_route"]["kwargs"]["room"] (lesson 08's chat reads it
the same way). A frame with no text (a binary one, or an empty text frame)
saves nothing: it gets {"error": ...}, and the socket stays open.

Rules (the check proves each one, and nothing else):

1. Each text frame that is not empty is saved as a ChatMessage of the
   route's <room> (its case kept: Hall_2 is not hall_2), its text as it
   came (one space is a message too; spaces, line breaks, a long one:
   this task sets no length limit), and only then answered {"id": <the row's id, a JSON integer>,
   "message": <text>}, on the sender's socket only; the same text twice is
   two rows.
2. The save runs on Django's sync thread (database_sync_to_async), never
   on the event loop nor in another thread, and never holds the loop.
3. A binary frame or an empty text frame gets {"error": ...}, saves
   nothing, and the socket stays open; no frame crashes the consumer or
   reaches another socket.
4. Two sockets saving at once (other processes saving too) each get their
   own row's id.
5. A save that fails never leaves the sender waiting nor tells it an id:
   let the error through (the socket closes with 1011) or answer {"error":
   ...}.
6. The consumer ends when its client leaves (websocket.disconnect), and
   nothing in this file sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
