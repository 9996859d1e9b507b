"""Two refusals, two codes: 4401 log in first, 4403 logged in but not staff.

A classic wrong solution to exercise 07.2: everyone who is not staff gets 4403.
The check says: "4401"
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class StaffOnlyConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.send({"type": "websocket.accept"})
        user = self.scope["user"]
        if not user.is_staff:
            await self.send({"type": "websocket.close", "code": 4403})
        else:
            await self.send({"type": "websocket.send", "text": json.dumps({"staff": user.get_username()})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
