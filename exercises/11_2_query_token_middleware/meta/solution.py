"""Solution 11.2: a middleware that reads ?token= into the scope, on a copy.

Why this way: lesson 11's QueryStringTokenAuthMiddleware without the
database. dict(scope, ...) makes the copy, so the caller's scope (the
router's, the auth stack's) never sees what this route added; BaseMiddleware
then calls the inner application with it.
"""

from urllib.parse import parse_qs

from channels.middleware import BaseMiddleware

from auth_demo.tokens import user_id_from_token


class TokenIdMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        # keep_blank_values: an empty first token still counts, so a later one cannot stand in for it
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        token = query.get("token", [None])[0]
        scope = dict(scope, token_user_id=user_id_from_token(token))
        return await super().__call__(scope, receive, send)
