"""Alternative 11.1, AsyncWebsocketConsumer (generic) whose watchdog waits with `async with asyncio.timeout()`.

Still right: connect() accepts (the generic default) and starts a watchdog that waits for an event the
first frame sets; if DEADLINE passes first, asyncio.timeout raises TimeoutError and the watchdog
closes with 4401, after marking the first frame as come, so no later frame is answered. A valid
token is remembered on self, and every later frame gets the same {"user_id": id}. The watchdog is
cancelled in __call__'s finally: a cancelled consumer gets no websocket.disconnect.

Events, in order: websocket.connect (connect(): accept, start the watchdog), then the first
websocket.receive (receive(): answered or closed) or the watchdog's close; websocket.disconnect ends
it (the generic consumer raises StopConsumer after disconnect()).
"""

import asyncio
import json

from channels.generic.websocket import AsyncWebsocketConsumer

from auth_demo.tokens import user_id_from_token


class FirstFrameTokenConsumer(AsyncWebsocketConsumer):
    DEADLINE = 10.0  # seconds

    async def __call__(self, scope, receive, send):
        """Called once per socket; the watchdog never outlives it."""
        self.came = asyncio.Event()
        self.user_id = None
        self.watchdog = None
        try:
            await super().__call__(scope, receive, send)
        finally:
            if self.watchdog is not None:
                self.watchdog.cancel()

    async def connect(self):
        """Called on websocket.connect."""
        await self.accept()
        self.watchdog = asyncio.create_task(self.close_if_silent())

    async def close_if_silent(self):
        try:
            async with asyncio.timeout(self.DEADLINE):
                await self.came.wait()
        except TimeoutError:
            self.came.set()
            await self.close(code=4401)

    async def receive(self, text_data=None, bytes_data=None):
        """Called with each frame's text or bytes."""
        if self.came.is_set():
            if self.user_id is not None:
                await self.send(text_data=json.dumps({"user_id": self.user_id}))
            return
        self.came.set()
        try:
            frame = json.loads(text_data) if text_data is not None else None
        except (ValueError, RecursionError):
            frame = None
        token = frame.get("token") if isinstance(frame, dict) else None
        self.user_id = user_id_from_token(token)
        if self.user_id is None:
            await self.close(code=4401)
        else:
            await self.send(text_data=json.dumps({"user_id": self.user_id}))
