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

Rules (the check proves each one, and nothing else):

1. Each text frame is saved as a ChatMessage of the room "guestbook", its
   text as it came (a long one too: past lesson 08's 4,096 characters), and
   answered {"id": <the new row's id>, "entries": <how many entries the
   guestbook has now>}.
2. The count is the database's, taken after this entry is saved (count(),
   never len() of the rows, never a count kept in the process): other
   rooms' messages do not count; entries other server processes saved do.
3. Every query runs on Django's sync thread (database_sync_to_async, or
   Django's async ORM), never on the event loop nor in another thread, and
   never holds the loop; nothing in this file sets DJANGO_ALLOW_ASYNC_UNSAFE.
4. A binary frame gets {"error": ...}, saves nothing, and the socket stays
   open; no frame crashes the consumer or reaches another socket.
5. A save that fails never leaves the writer waiting nor tells it an id:
   let the error through (the socket closes with 1011) or answer {"error":
   ...}.
6. The consumer ends when its client leaves (websocket.disconnect).

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
