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

Rules (the check proves each one, and nothing else):

1. A frame {"username": ..., "password": ...} with the right password is
   answered {"username": <name>, "handoff": <token>}, and the session the
   handoff names holds that user; two sockets at once each log in their
   own user.
2. The session is stored before the socket answers: the page redeems the
   handoff at once.
3. Every query (authenticate, the session's save) runs off the event loop,
   in a thread (database_sync_to_async) or through Django's async methods.
4. A wrong password, an unknown username, an inactive account or an empty
   password gets {"error": "invalid username or password"}, and the right
   password still logs in afterwards.
5. A session the database cannot save is never answered as a wrong password
   nor with a handoff: let the error through (the socket closes with 1011)
   or answer another {"error": ...}.
6. No password (right or wrong, nor its start) and no session key reaches
   the server's log or output.
7. A frame of any other shape (not JSON, not an object, a key missing or
   not a string, a lone surrogate, nested too deep, binary) gets {"error":
   ...} on its own socket; no frame crashes the consumer or reaches another
   socket.
8. The consumer ends when its client leaves (websocket.disconnect), and
   nothing in this file sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
