# The decision in a function returning the close code (or None for staff): still 4401 for anonymous, 4403 for non-staff, active is_staff let in.
"""Alternative 07.2: refusal_code(user) decides; the consumer only acts on its answer."""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


def refusal_code(user) -> int | None:
    """4401 for an anonymous user, 4403 for one who is not active staff, None for staff."""
    if not user.is_authenticated:
        return 4401
    if user.is_active and user.is_staff:
        return None
    return 4403


class StaffOnlyConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.send({"type": "websocket.accept"})
        user = self.scope["user"]
        code = refusal_code(user)
        if code is None:
            await self.send({"type": "websocket.send", "text": json.dumps({"staff": user.get_username()})})
        else:
            await self.send({"type": "websocket.close", "code": code})
            raise StopConsumer()  # done: frames still on their way from the client find no one to answer them

    async def websocket_receive(self, event):
        """Called for a frame from the client: this socket only sends, and any client may still send one."""
        error = {"error": "this socket only sends: frames from the client are not read"}
        await self.send({"type": "websocket.send", "text": json.dumps(error)})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
