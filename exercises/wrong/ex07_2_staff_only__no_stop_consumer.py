"""websocket_disconnect must raise StopConsumer, or the consumer never ends.

A classic wrong solution to exercise 07.2: websocket_disconnect just returns.
The check says: "StopConsumer"
"""

import json

from channels.consumer import AsyncConsumer


class StaffOnlyConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.send({"type": "websocket.accept"})
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.send({"type": "websocket.close", "code": 4401})
        elif not user.is_staff:
            await self.send({"type": "websocket.close", "code": 4403})
        else:
            await self.send({"type": "websocket.send", "text": json.dumps({"staff": user.get_username()})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        return
