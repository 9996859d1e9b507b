"""Solution 11.1: accept a token only in the first frame, within a deadline.

Events, in order: websocket.connect (accept, start the deadline), then the
first websocket.receive (cancel the deadline; a valid token gets
{"user_id": id}, anything else closes with 4401), or the deadline closes a
silent socket with 4401; after a login, every later websocket.receive gets
the same {"user_id": id} again; websocket.disconnect ends the consumer.

Why this way: lesson 11's TokenLoginConsumer, without the database: the
deadline is a task cancelled by the first frame, every failure gets the
same 4401, and a later frame asks "who am I?" (never a new login). The deadline is also cancelled in __call__'s finally (lesson 05's
hardened chat): a server that cancels the consumer sends no disconnect.
"""

import asyncio
import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

from auth_demo.tokens import user_id_from_token

NOT_AUTHENTICATED = 4401


class FirstFrameTokenConsumer(AsyncConsumer):
    DEADLINE = 10.0  # seconds

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline: asyncio.Task | None = None  # this socket's own; None once the first frame is answered
        self.user_id: int | None = None  # set by a valid first frame, never changed by a later one

    async def __call__(self, scope, receive, send):
        """Called once per socket: AsyncConsumer's loop feeds its events to the handlers below."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Here, not only on disconnect: a cancelled consumer gets no websocket.disconnect.
            if self.deadline is not None:
                self.deadline.cancel()

    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.send({"type": "websocket.accept"})
        self.deadline = asyncio.create_task(self.close_later())

    async def close_later(self):
        await asyncio.sleep(self.DEADLINE)
        self.deadline = None  # a frame that arrives after this close gets no answer
        await self.send({"type": "websocket.close", "code": NOT_AUTHENTICATED})

    async def websocket_receive(self, event):
        """Called for every frame: only the first one may carry the token."""
        if self.user_id is not None:  # logged in: a later frame asks "who am I?", whatever it holds
            await self.send({"type": "websocket.send", "text": json.dumps({"user_id": self.user_id})})
            return
        if self.deadline is None:
            return  # refused, or closed at the deadline: nothing may follow a close
        self.deadline.cancel()
        self.deadline = None
        try:
            frame = json.loads(event.get("text") or "")
        except (ValueError, RecursionError):  # not JSON, or "[[[[..." nested too deep to decode
            frame = None
        user_id = user_id_from_token(frame.get("token")) if isinstance(frame, dict) else None
        if user_id is None:
            # One answer for every failure: a prober learns nothing about which part was wrong.
            await self.send({"type": "websocket.close", "code": NOT_AUTHENTICATED})
            return
        self.user_id = user_id
        await self.send({"type": "websocket.send", "text": json.dumps({"user_id": user_id})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
