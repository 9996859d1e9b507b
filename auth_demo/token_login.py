"""Lesson 11: logging a socket in with a token in its first frame (ws/auth/token/).

For clients that cannot send the session cookie (a script, a mobile app, a
page on another site). The token travels inside the socket, so no URL and no
access log ever holds it. The events, in order:

    websocket.connect    -> websocket.accept; start a 10 s deadline
    websocket.receive    -> the first frame must be {"token": "<token>"}:
                            valid, for an active user: websocket.send {"username": ...}
                            anything else: websocket.close 4401 (no data frame)
    (deadline)           -> no frame within 10 s: websocket.close 4401
    websocket.disconnect -> cancel the deadline; StopConsumer

Tokens come from `python manage.py issue_token <username>` (auth_demo/tokens.py).
Lesson text: lessons/11-middleware-and-tokens.md
"""

import asyncio
import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

from auth_demo.tokens import user_for_token

NOT_AUTHENTICATED = 4401


def token_in(text: str | None) -> object:
    """The "token" of a first frame {"token": ...}, or None for any other frame."""
    if text is None or len(text) > 4096:
        return None
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return frame.get("token") if isinstance(frame, dict) else None


class TokenLoginConsumer(AsyncConsumer):
    """ws/auth/token/: the first frame's token decides who this socket is, once."""

    FIRST_FRAME_TIMEOUT = 10.0  # seconds a silent client may hold an unauthenticated socket
    deadline: asyncio.Task | None = None
    user = None

    async def websocket_connect(self, event):
        """Called when a client opens the socket: accept, and wait for the token."""
        await self.send({"type": "websocket.accept"})
        self.deadline = asyncio.create_task(self.close_when_silent())

    async def close_when_silent(self):
        await asyncio.sleep(self.FIRST_FRAME_TIMEOUT)
        await self.send({"type": "websocket.close", "code": NOT_AUTHENTICATED})

    async def websocket_receive(self, event):
        """Called for every frame: the first one must carry the token; later ones ask "who am I?"."""
        if self.user is not None:
            await self.send({"type": "websocket.send", "text": json.dumps({"username": self.user.get_username()})})
            return
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None
        # user_for_token reads the database (database_sync_to_async): a user
        # deactivated or deleted since the token was issued gets None too.
        user = await user_for_token(token_in(event.get("text")))
        if user is None:
            # One answer for every failure: a probe learns nothing about which part was wrong.
            await self.send({"type": "websocket.close", "code": NOT_AUTHENTICATED})
            return
        self.user = user
        await self.send({"type": "websocket.send", "text": json.dumps({"username": user.get_username()})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed, whoever closed it."""
        if self.deadline is not None:
            self.deadline.cancel()
        raise StopConsumer()
