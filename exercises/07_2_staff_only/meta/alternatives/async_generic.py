# AsyncWebsocketConsumer (async, generic): await accept(), then await close(code=...) or the greeting.
"""Alternative 07.2: the staff door as an AsyncWebsocketConsumer."""

import json

from channels.generic.websocket import AsyncWebsocketConsumer


class StaffOnlyConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        """Called when a client opens the socket; scope["user"] is already resolved."""
        await self.accept()
        user = self.scope["user"]
        self.staff = user.is_authenticated and user.is_staff and user.is_active
        if not user.is_authenticated:
            await self.close(code=4401)
        elif user.is_staff and user.is_active:
            await self.send(text_data=json.dumps({"staff": user.get_username()}))
        else:
            await self.close(code=4403)

    async def receive(self, text_data=None, bytes_data=None):
        """Called for a frame from the client: this socket only sends, and a closed one answers nothing."""
        if not self.staff:
            return
        await self.send(text_data=json.dumps({"error": "this socket only sends: frames from the client are not read"}))
