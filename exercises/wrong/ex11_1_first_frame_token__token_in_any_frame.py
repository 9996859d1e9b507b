"""Only the first frame may carry the token: any other first frame closes with 4401.

A classic wrong solution to exercise 11.1: frames without a token are ignored until one brings a token.
The check says: "first frame"
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
        try:
            frame = json.loads(event.get("text") or "")
        except ValueError:
            frame = None
        user_id = user_id_from_token(frame.get("token")) if isinstance(frame, dict) else None
        if user_id is None:
            return  # wait for a frame that has one
        self.user_id = user_id
        await self.send({"type": "websocket.send", "text": json.dumps({"user_id": user_id})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        if self.deadline is not None:
            self.deadline.cancel()
        raise StopConsumer()
