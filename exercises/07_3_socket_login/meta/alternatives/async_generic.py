# AsyncWebsocketConsumer (async, generic): the request checked by a helper that returns (username, password) or None, the save through database_sync_to_async.
"""Alternative 07.3: the login socket as an AsyncWebsocketConsumer.

credentials() turns a frame into (username, password), or None for any
other shape; authenticate() and the session's save are queries, run in a
thread with database_sync_to_async, and the answer waits for the save.
"""

import json

from channels.auth import login
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.contrib.auth import authenticate

from auth_demo.views import handoff_token


def credentials(text: str | None) -> tuple[str, str] | None:
    """The frame's username and password, both text a database takes, or None."""
    try:
        request = json.loads(text or "")
    except (ValueError, RecursionError):
        return None
    if not isinstance(request, dict):
        return None
    pair = request.get("username"), request.get("password")
    if not all(isinstance(part, str) for part in pair):
        return None
    try:
        "".join(pair).encode()
    except UnicodeEncodeError:
        return None
    return pair


class LoginConsumer(AsyncWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None):
        """Called for each frame: a login request, or anything else (an error)."""
        pair = credentials(text_data)
        if pair is None:
            return await self.send(text_data=json.dumps({"error": 'expected {"username": "...", "password": "..."}'}))
        user = await database_sync_to_async(authenticate)(username=pair[0], password=pair[1])
        if user is None:
            return await self.send(text_data=json.dumps({"error": "invalid username or password"}))
        await login(self.scope, user)
        await database_sync_to_async(self.scope["session"].save)()
        answer = {"username": user.get_username(), "handoff": handoff_token(self.scope["session"].session_key)}
        await self.send(text_data=json.dumps(answer))
