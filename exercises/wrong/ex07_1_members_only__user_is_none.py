"""An anonymous visitor is an AnonymousUser, never None: test user.is_authenticated.

A classic wrong solution to exercise 07.1: anonymous users are looked for as None.
The check says: "is_authenticated"
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class MembersOnlyConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket; scope["user"] is already resolved."""
        await self.send({"type": "websocket.accept"})
        user = self.scope["user"]
        if user is None:
            await self.send({"type": "websocket.close", "code": 4401})
            return
        await self.send({"type": "websocket.send", "text": json.dumps({"hello": user.get_username()})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
