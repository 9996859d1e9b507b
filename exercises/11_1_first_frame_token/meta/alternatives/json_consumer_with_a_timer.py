"""Alternative 11.1, AsyncJsonWebsocketConsumer with a loop.call_later() timer as the deadline.

Still right: decode_json() answers None for a frame that is no JSON (or nested too deep), and a
binary or empty frame goes to receive_json(None) as well, so every bad first frame is refused with
the one 4401. The deadline is a timer, not a task: the first frame cancels it, and so does __call__'s
finally, since a server that cancels the consumer sends no disconnect and a timer left behind would
still fire. After a login every later frame gets the same {"user_id": id}; after a close, nothing.

Events, in order: websocket.connect (accept, arm the timer), then the first websocket.receive
(receive_json: answered or closed) or the timer's close; websocket.disconnect ends it.
"""

import asyncio
import json

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from auth_demo.tokens import user_id_from_token

NOT_AUTHENTICATED = 4401


class FirstFrameTokenConsumer(AsyncJsonWebsocketConsumer):
    DEADLINE = 10.0  # seconds

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timer: asyncio.TimerHandle | None = None
        self.state = "waiting"  # then "in" (logged in) or "out" (closed)
        self.user_id = None

    async def __call__(self, scope, receive, send):
        """Called once per socket; the timer never outlives it."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            if self.timer is not None:
                self.timer.cancel()

    async def connect(self):
        """Called on websocket.connect."""
        await self.accept()
        self.timer = asyncio.get_running_loop().call_later(self.DEADLINE, self.time_is_up)

    def time_is_up(self):
        self.timer = None
        if self.state == "waiting":
            self.state = "out"
            self.closing = asyncio.ensure_future(self.close(code=NOT_AUTHENTICATED))  # kept, so it is not lost

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return json.loads(text_data)
        except (ValueError, RecursionError):
            return None

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Called with each frame: one without text (binary, or empty) carries no token either."""
        if text_data:
            await super().receive(text_data=text_data, **kwargs)
        else:
            await self.receive_json(None)

    async def receive_json(self, content, **kwargs):
        """Called with each frame's JSON (None if it had none)."""
        if self.state == "in":
            await self.send_json({"user_id": self.user_id})
            return
        if self.state == "out":
            return
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.user_id = (
            user_id_from_token(content["token"]) if isinstance(content, dict) and "token" in content else None
        )
        if self.user_id is None:
            self.state = "out"
            await self.close(code=NOT_AUTHENTICATED)
        else:
            self.state = "in"
            await self.send_json({"user_id": self.user_id})
