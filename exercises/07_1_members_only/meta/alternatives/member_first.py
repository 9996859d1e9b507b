# The member's case first and the refusal in the else: still accept first, then 4401 for an anonymous user before any data frame.
"""Alternative 07.1: greet when authenticated, else close with 4401."""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

REFUSED = {"type": "websocket.close", "code": 4401}  # 4401: log in first


class MembersOnlyConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket; scope["user"] is already resolved."""
        await self.send({"type": "websocket.accept"})
        user = self.scope["user"]
        if user.is_authenticated:
            await self.send({"type": "websocket.send", "text": json.dumps({"hello": user.get_username()})})
        else:
            await self.send(REFUSED)
            raise StopConsumer()  # done: frames still on their way from the client find no one to answer them

    async def websocket_receive(self, event):
        """Called for a frame from the client: this socket only sends, and any client may still send one."""
        error = {"error": "this socket only sends: frames from the client are not read"}
        await self.send({"type": "websocket.send", "text": json.dumps(error)})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
