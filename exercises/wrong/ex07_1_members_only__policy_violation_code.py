"""An anonymous user is closed with 4401 (log in first), the course's code.

A classic wrong solution to exercise 07.1: anonymous users get WebSocket's generic 1008.
The check says: "4401"
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class MembersOnlyConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket; scope["user"] is already resolved."""
        await self.send({"type": "websocket.accept"})
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.send({"type": "websocket.close", "code": 1008})
            return
        await self.send({"type": "websocket.send", "text": json.dumps({"hello": user.get_username()})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
