"""Exercise 07.3 (fix): logged in over the socket, anonymous again after a reload.

LoginConsumer logs a socket in, as lesson 07's ws/auth/login/ does: a text
frame {"username": ..., "password": ...} with the right password is answered
{"username": <name>, "handoff": <token>}, and the page redeems the handoff
token over HTTP to get the session cookie (auth_demo/views.py). Wrong
credentials get {"error": "invalid username or password"}.

The socket says "ada"; the page reloads with the new cookie, and ada is
anonymous again. Nothing raises, nothing is logged (django/channels#1745,
"Logged In User not being saved to session"; Channels' docs: "How to log a
user in/out"). Find the mistake and fix it.

Edit this file, then check it:

    python manage.py exercise 07.3

The check is exercises/07_3_socket_login/check.py; once you have tried,
`python manage.py exercise 07.3 --solution` shows where the solution is.
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
        except ValueError:
            request = None
        if not isinstance(request, dict) or not all(isinstance(request.get(k), str) for k in ("username", "password")):
            return await self.reply({"error": 'expected {"username": "...", "password": "..."}'})
        user = await database_sync_to_async(authenticate)(username=request["username"], password=request["password"])
        if user is None:
            return await self.reply({"error": "invalid username or password"})
        await login(self.scope, user)
        # TODO: login() changed scope["session"]; who stores that change?
        await self.reply({"username": user.get_username(), "handoff": handoff_token(self.scope["session"].session_key)})

    async def reply(self, content: dict) -> None:
        await self.send({"type": "websocket.send", "text": json.dumps(content)})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
