"""Exercise 08.3 (fix): the guestbook opens, then crashes on the first entry.

GuestbookConsumer saves every text frame as a db_demo ChatMessage in the
room "guestbook", then tells the client {"id": <the new row's id>,
"entries": <how many entries the guestbook now has>}; a frame with no text
(a binary one) is no entry: it gets {"error": ...}, and the socket stays
open. The socket opens; the first frame crashes it (1011), and the
server's log shows

    django.core.exceptions.SynchronousOnlyOperation: You cannot call this
    from an async context - use a thread or sync_to_async.

(django/channels#1446, #1916; lesson 08). Fix it. Setting
DJANGO_ALLOW_ASYNC_UNSAFE is not a fix: it lets the query block every
socket of the process.

Edit this file, then check it:

    python manage.py exercise 08.3

The check is exercises/08_3_guestbook/check.py; once you have tried,
`python manage.py exercise 08.3 --solution` shows where the solution is.
"""

import json

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async  # noqa: F401
from channels.exceptions import StopConsumer

from db_demo.models import ChatMessage

ROOM = "guestbook"


class GuestbookConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        if not event.get("text"):  # a binary or an empty frame holds no entry
            error = {"error": "expected a text frame: the entry to save"}
            return await self.send({"type": "websocket.send", "text": json.dumps(error)})
        # TODO: where do these two queries run, and may they run there?
        entry = ChatMessage.objects.create(room=ROOM, text=event["text"])
        entries = ChatMessage.objects.filter(room=ROOM).count()
        await self.send({"type": "websocket.send", "text": json.dumps({"id": entry.id, "entries": entries})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
