"""A query string is raw bytes: decode it as latin-1, or a non-UTF-8 byte crashes every handshake.

A classic wrong solution to exercise 11.2: the query string is decoded as UTF-8, so b"token=\xff" raises.
The check says: "1011"
"""

from urllib.parse import parse_qs

from channels.middleware import BaseMiddleware

from auth_demo.tokens import user_id_from_token


class TokenIdMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode())
        token = query.get("token", [None])[0]
        scope = dict(scope, token_user_id=user_id_from_token(token))
        return await super().__call__(scope, receive, send)
