"""Solution 07.2: only staff may enter.

Why this way: two different refusals, two codes: 4401 "log in first" and
4403 "logged in, but not allowed" — a page can act on each. Staff means
active and is_staff, as Django's admin asks (staff_member_required): a
superuser without is_staff is not staff. Frames the client sent before it
saw a close still arrive, until websocket.disconnect: `self.closed` keeps
them unanswered.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class StaffOnlyConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        self.closed = False
        await self.send({"type": "websocket.accept"})
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.send({"type": "websocket.close", "code": 4401})
            self.closed = True
        elif not (user.is_active and user.is_staff):
            await self.send({"type": "websocket.close", "code": 4403})
            self.closed = True
        else:
            await self.send({"type": "websocket.send", "text": json.dumps({"staff": user.get_username()})})

    async def websocket_receive(self, event):
        """Called for a frame from the client: this socket only sends, and any client may still send one."""
        if self.closed:
            return  # sent before the client saw our close: nothing may follow a close
        error = {"error": "this socket only sends: frames from the client are not read"}
        await self.send({"type": "websocket.send", "text": json.dumps(error)})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
