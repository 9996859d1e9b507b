# Django's async auth and session methods, aauthenticate() and session.asave() after login(): the session is stored before the answer, and no query runs on the loop.
"""Alternative 07.3: `await aauthenticate(...)`, `await login(...)`, then `await self.scope["session"].asave()`.

Django 5 gives authenticate and sessions async twins, which make the hop to
a thread themselves. What fixes the bug is the same: after login() (which
moves the session to a new key), the consumer stores the session itself, as
a socket sends no response for SessionMiddleware to save it on. The frame is
read by credentials(), which refuses anything but two strings in valid
Unicode.
"""

import json

from channels.auth import login
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from django.contrib.auth import aauthenticate

from auth_demo.views import handoff_token


def credentials(text: str | None) -> tuple[str, str] | None:
    """The frame's (username, password), or None when it is not two strings in valid Unicode."""
    try:
        request = json.loads(text or "")
        username, password = request["username"], request["password"]
        username.encode(), password.encode()  # a lone surrogate ("\ud800") raises UnicodeEncodeError
    except (ValueError, RecursionError, TypeError, KeyError, AttributeError):
        return None
    return username, password


class LoginConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        given = credentials(event.get("text"))
        if given is None:
            return await self.reply({"error": 'expected {"username": "...", "password": "..."}'})
        user = await aauthenticate(username=given[0], password=given[1])
        if user is None:
            return await self.reply({"error": "invalid username or password"})
        await login(self.scope, user)
        await self.scope["session"].asave()
        await self.reply({"username": user.get_username(), "handoff": handoff_token(self.scope["session"].session_key)})

    async def reply(self, content: dict) -> None:
        await self.send({"type": "websocket.send", "text": json.dumps(content)})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
