"""Alternative 11.1, an asyncio.Event and asyncio.wait_for: the watchdog waits for the first frame, not a sleep.

Still right: the first frame sets the event (whatever it holds), so the watchdog's wait_for returns and
closes nothing; if DEADLINE passes first, the watchdog sets the event itself before it closes with
4401, so no later frame is answered. A structural pattern match reads {"token": ...}; every failure
closes with the same 4401. The watchdog is cancelled in __call__'s finally, since a cancelled consumer
gets no websocket.disconnect.

Events, in order: websocket.connect (accept, start the watchdog), then the first websocket.receive
(answered or closed) or the deadline's close; after a login a later frame gets the same user id again,
after a close nothing; websocket.disconnect ends it.
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
        self.first_frame = asyncio.Event()  # set by the first frame, or by the deadline: then nothing more counts
        self.watchdog: asyncio.Task | None = None
        self.answer: str | None = None  # the login's {"user_id": id}, sent again for every later frame

    async def __call__(self, scope, receive, send):
        """Called once per socket; the watchdog never outlives it."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            if self.watchdog is not None:
                self.watchdog.cancel()

    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.send({"type": "websocket.accept"})
        self.watchdog = asyncio.create_task(self.expect_first_frame())

    async def expect_first_frame(self):
        try:
            await asyncio.wait_for(self.first_frame.wait(), self.DEADLINE)
        except TimeoutError:
            self.first_frame.set()  # set before the close: a frame that arrives now is not the first
            await self.send({"type": "websocket.close", "code": NOT_AUTHENTICATED})

    async def websocket_receive(self, event):
        """Called for every frame: only the first one may carry the token."""
        if self.first_frame.is_set():
            if self.answer is not None:
                await self.send({"type": "websocket.send", "text": self.answer})
            return
        self.first_frame.set()
        try:
            frame = json.loads(event["text"]) if event.get("text") is not None else None
        except (ValueError, RecursionError):  # not JSON, or nested too deep to decode
            frame = None
        match frame:
            case {"token": token}:
                user_id = user_id_from_token(token)
            case _:
                user_id = None
        if user_id is None:
            await self.send({"type": "websocket.close", "code": NOT_AUTHENTICATED})
        else:
            self.answer = json.dumps({"user_id": user_id})
            await self.send({"type": "websocket.send", "text": self.answer})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
