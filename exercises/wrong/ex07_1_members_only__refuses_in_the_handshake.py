"""Accept first, then close with 4401: a refused handshake tells the page nothing.

A classic wrong solution to exercise 07.1: anonymous users are closed before the accept.
The check says: "accept first"
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class MembersOnlyConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket; scope["user"] is already resolved."""
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.send({"type": "websocket.close", "code": 4401})
            return
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"hello": user.get_username()})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
