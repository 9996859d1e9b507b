"""Lesson 11: a token in the Sec-WebSocket-Protocol header (ws/auth/token-protocol/).

A browser's WebSocket() cannot set a header of its choice, a cookie aside, but
it can offer subprotocols: new WebSocket(url, ["bearer", token]) sends
`Sec-WebSocket-Protocol: bearer, <token>`. SubprotocolTokenAuthMiddleware
(auth_demo/middleware.py) turns the token into scope["user"] before this
consumer exists. The events, in order:

    websocket.connect    -> websocket.accept {"subprotocol": "bearer"} (when offered), then
                            a valid token: websocket.send {"username": "<name>"}
                            anything else: websocket.close 4401 (no data frame)
    websocket.receive    -> the same answer again
    websocket.disconnect -> StopConsumer

The answer must name one of the offered subprotocols: a browser that offered
some fails a handshake whose answer names none (1006, and onopen never runs).
Lesson text: lessons/11-middleware-and-tokens.md
"""

from auth_demo.consumers import WhoAmIConsumer
from auth_demo.middleware import BEARER


class BearerWhoAmIConsumer(WhoAmIConsumer):
    """ws/auth/token-protocol/: lesson 07's whoami, answering the "bearer" subprotocol."""

    async def websocket_connect(self, event):
        """Called when a client opens the socket; the middleware has already read its token."""
        accept = {"type": "websocket.accept"}
        if BEARER in self.scope.get("subprotocols", []):
            # Echo the word, never the token: the answer's headers are logged
            # and shown in a browser's developer tools too.
            accept["subprotocol"] = BEARER
        await self.send(accept)
        await self.tell_who()
