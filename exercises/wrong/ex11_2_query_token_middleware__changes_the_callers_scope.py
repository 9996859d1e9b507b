"""Never assign into the scope you were given: copy it.

A classic wrong solution to exercise 11.2: the key is written into the caller's own scope.
The check says: "copy it"
"""

from urllib.parse import parse_qs

from channels.middleware import BaseMiddleware

from auth_demo.tokens import user_id_from_token


class TokenIdMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = query.get("token", [None])[0]
        scope["token_user_id"] = user_id_from_token(token)
        return await super().__call__(scope, receive, send)
