"""Lesson 07: who is on this socket? scope["user"] and refusing anonymous users.

AuthMiddlewareStack (lessons/asgi.py) reads the session cookie the browser sent
with the handshake and puts scope["session"] and scope["user"] in place before
this consumer is created. WhoAmIConsumer handles, in order:

    websocket.connect    -> websocket.accept, then
                            logged in: websocket.send {"username": "<name>"}
                            anonymous: websocket.close with code 4401 (no data frame)
    websocket.receive    -> the same answer again: scope["user"] is who the
                            socket was at its handshake, not who the browser is now
    websocket.disconnect -> StopConsumer

Logging in and out over a socket is in auth_demo/socket_login.py.
Lesson text: lessons/07-authentication.md
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

# Close codes the course documents (NOTES.md, the close-code table): 4401 means "not authenticated".
NOT_AUTHENTICATED = 4401


class WhoAmIConsumer(AsyncConsumer):
    """ws/auth/whoami/: tells a logged-in user their name; closes an anonymous one with 4401."""

    async def websocket_connect(self, event):
        """Called when a client asks to open ws/auth/whoami/; scope["user"] is already resolved."""
        # Accept first, even for an anonymous user: a refused handshake reaches
        # the browser as a bare code 1006, which looks like "server down". After
        # accept we can close with 4401, which a page can act on (show a login link).
        await self.send({"type": "websocket.accept"})
        await self.tell_who()

    async def websocket_receive(self, event):
        """Called for every frame the client sends: any frame asks "who am I?" again."""
        await self.tell_who()

    async def websocket_disconnect(self, event):
        """Called when the socket has closed, whoever closed it."""
        raise StopConsumer()

    async def tell_who(self):
        """Send the username, or close with 4401 if no one is logged in on this socket."""
        user = self.scope["user"]
        # is_authenticated, not `user is not None`: an anonymous visitor is an
        # AnonymousUser object, never None.
        if not user.is_authenticated:
            await self.send({"type": "websocket.close", "code": NOT_AUTHENTICATED})
            return
        await self.send({"type": "websocket.send", "text": json.dumps({"username": user.get_username()})})
