"""Lesson 11: ASGI middleware written from scratch, putting a token's user in the scope.

A middleware is an ASGI application that wraps another one. It runs once per
connection, before the consumer exists: it may read the scope and the
database, then call the inner application with a scope of its own. These two
read a login token from where the WebSocket handshake can carry one:

    QueryStringTokenAuthMiddleware   ws/auth/token-query/?token=<token>
    SubprotocolTokenAuthMiddleware   Sec-WebSocket-Protocol: bearer, <token>
                                     (what a browser's new WebSocket(url, ["bearer", token]) sends)

Both set scope["user"] to the token's active user, or AnonymousUser. The
consumer decides what an anonymous user gets. Neither is the course's
recommended route: that is the first frame (auth_demo/token_login.py); the
lesson shows what each one risks. Lesson text: lessons/11-middleware-and-tokens.md
"""

from urllib.parse import parse_qs

from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser

from auth_demo.tokens import user_for_token

# The subprotocol a client offers just before its token. The server answers with
# this word (auth_demo/token_protocol.py), never with the token itself.
BEARER = "bearer"


class QueryStringTokenAuthMiddleware(BaseMiddleware):
    """scope["user"] from ?token=<token>: simple, and the token is in the URL."""

    async def __call__(self, scope, receive, send):
        # keep_blank_values: with ?token=&token=<another's> the first, empty one counts, as exercise 11.2 asks.
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        token = query.get("token", [None])[0]
        # A new dict, not scope["user"] = ...: the scope we were given belongs to
        # the application outside us (the router, the auth stack), and a change
        # to it would leak out of this route.
        scope = dict(scope, user=await user_for_token(token) or AnonymousUser())
        return await super().__call__(scope, receive, send)


class SubprotocolTokenAuthMiddleware(BaseMiddleware):
    """scope["user"] from the subprotocol list ["bearer", "<token>"]: the one header a browser can set."""

    async def __call__(self, scope, receive, send):
        offered = scope.get("subprotocols", [])
        token = offered[offered.index(BEARER) + 1] if BEARER in offered[:-1] else None
        scope = dict(scope, user=await user_for_token(token) or AnonymousUser())
        return await super().__call__(scope, receive, send)
