"""A middleware serves every connection: keep nothing on self, put it in the scope's copy.

A classic wrong solution to exercise 11.2: the user id is kept on the middleware instance, set only when a token is valid.
The check says: "keep nothing on self"
"""

from urllib.parse import parse_qs

from channels.middleware import BaseMiddleware

from auth_demo.tokens import user_id_from_token


class TokenIdMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = query.get("token", [None])[0]
        if token is not None and user_id_from_token(token) is not None:
            self.user_id = user_id_from_token(token)
        scope = dict(scope, token_user_id=getattr(self, "user_id", None))
        return await super().__call__(scope, receive, send)
