"""Bad input never crashes a consumer: a frame that is not JSON closes with 4401, not 1011.

A classic wrong solution to exercise 11.1: json.loads runs unguarded.
The check says: "1011"
"""

import asyncio
import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

from auth_demo.tokens import user_id_from_token


class FirstFrameTokenConsumer(AsyncConsumer):
    DEADLINE = 10.0  # seconds
    deadline: asyncio.Task | None = None
    user_id: int | None = None

    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.send({"type": "websocket.accept"})
        self.deadline = asyncio.create_task(self.close_later())

    async def close_later(self):
        await asyncio.sleep(self.DEADLINE)
        await self.send({"type": "websocket.close", "code": 4401})

    async def websocket_receive(self, event):
        """Called for every frame: only the first one may carry the token."""
        if self.user_id is not None:
            return
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None
        frame = json.loads(event.get("text") or "")
        user_id = user_id_from_token(frame.get("token")) if isinstance(frame, dict) else None
        if user_id is None:
            await self.send({"type": "websocket.close", "code": 4401})
            return
        self.user_id = user_id
        await self.send({"type": "websocket.send", "text": json.dumps({"user_id": user_id})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        if self.deadline is not None:
            self.deadline.cancel()
        raise StopConsumer()
