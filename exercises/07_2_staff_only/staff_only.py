"""Exercise 07.2: Only staff may enter: 4403 for the others.

StaffOnlyConsumer accepts, then: anonymous → close 4401; logged in but not
staff → close 4403; staff → {"staff": <username>}. Staff means what it
means for Django's admin: an active user with is_staff (a superuser
without is_staff is not staff).

Rules (the check proves each one, and nothing else):

1. An anonymous user is accepted, then closed with 4401 before any data
   frame; nothing is sent after the close, not even an answer to a frame
   the client sent before it saw the close (those still arrive, until
   websocket.disconnect).
2. A logged-in user who is not active staff (no is_staff, a superuser
   without is_staff too, or a staff account that is inactive) is accepted,
   then closed with 4403 before any data frame; nothing is sent after it
   either.
3. Active staff receive {"staff": <username>} (get_username(), not a first
   or full name) and stay open; two at once each get their own name, beside
   a user who is not staff, still closed with 4403.
4. A binary frame gets {"error": ...} on its own socket; no frame crashes
   the consumer or reaches another socket.
5. The consumer ends when its client leaves (websocket.disconnect), never
   holds the event loop, and nothing in this file sets
   DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 07.2

The check is exercises/07_2_staff_only/check.py; once you have tried,
`python manage.py exercise 07.2 --solution` shows where the solution is.
"""

import json  # noqa: F401  (you will need it)

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class StaffOnlyConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.send({"type": "websocket.accept"})
        # TODO: 4401 for anonymous, 4403 for non-staff, {"staff": username} for staff

    async def websocket_receive(self, event):
        """Called for a frame from the client: this socket only sends, and any client may still send one."""
        error = {"error": "this socket only sends: frames from the client are not read"}
        await self.send({"type": "websocket.send", "text": json.dumps(error)})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
