"""Exercise 07.2: Only staff may enter: 4403 for the others.

StaffOnlyConsumer accepts, then: anonymous → close 4401; logged in but not
staff → close 4403; staff → {"staff": <username>}. Staff means what it
means for Django's admin: an active user with is_staff (a superuser
without is_staff is not staff).

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
