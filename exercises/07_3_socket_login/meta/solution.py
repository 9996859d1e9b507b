"""Solution 07.3: after login(), save the session: `await database_sync_to_async(self.scope["session"].save)()`.

Why: login() writes the user into scope["session"] (under a new session
key) and sets scope["user"], but does not store the session. Over HTTP,
Django's SessionMiddleware saves it when the response goes out; a socket
sends no response, so the consumer saves it itself, after login() (which
moves it to the new key), in a thread (save() queries the database).
"""

import json

from channels.auth import login
from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from django.contrib.auth import authenticate

from auth_demo.views import handoff_token


class LoginConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        try:
            request = json.loads(event.get("text") or "")
        except (ValueError, RecursionError):  # not JSON, or "[[[[..." nested too deep to decode
            request = None
        if not isinstance(request, dict) or not all(isinstance(request.get(k), str) for k in ("username", "password")):
            return await self.reply({"error": 'expected {"username": "...", "password": "..."}'})
        try:
            request["username"].encode(), request["password"].encode()
        except UnicodeEncodeError:  # JSON may spell a lone surrogate ("\ud800"), which no database or hasher takes
            return await self.reply({"error": "expected a username and a password in valid Unicode"})
        user = await database_sync_to_async(authenticate)(username=request["username"], password=request["password"])
        if user is None:
            return await self.reply({"error": "invalid username or password"})
        await login(self.scope, user)
        await database_sync_to_async(self.scope["session"].save)()
        await self.reply({"username": user.get_username(), "handoff": handoff_token(self.scope["session"].session_key)})

    async def reply(self, content: dict) -> None:
        await self.send({"type": "websocket.send", "text": json.dumps(content)})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
