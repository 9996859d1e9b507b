"""Without a valid token the inner scope still says so: "token_user_id" is None.

A classic wrong solution to exercise 11.2: the key is added only when the token is valid.
The check says: "(None)"
"""

from urllib.parse import parse_qs

from channels.middleware import BaseMiddleware

from auth_demo.tokens import user_id_from_token


class TokenIdMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = query.get("token", [None])[0]
        user_id = user_id_from_token(token)
        if user_id is not None:
            scope = dict(scope, token_user_id=user_id)
        return await super().__call__(scope, receive, send)
