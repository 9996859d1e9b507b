"""Alternative 11.2, a plain class, no BaseMiddleware: __init__ keeps the inner application, __call__ awaits it.

Still right: an ASGI 3 application is any object awaited as app(scope, receive, send); the class
keeps only the inner application on self (one instance serves every connection); parse_qs with
errors="replace" reads the query string (the first token counts), and the copy is made with
{**scope, ...} for every kind of scope.
"""

from urllib.parse import parse_qs

from auth_demo.tokens import user_id_from_token


class TokenIdMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        """Called once per connection, before the inner application exists."""
        raw = scope.get("query_string") or b""
        tokens = parse_qs(raw.decode("utf-8", errors="replace"), keep_blank_values=True).get("token", [])
        user_id = user_id_from_token(tokens[0]) if tokens else None
        return await self.inner({**scope, "token_user_id": user_id}, receive, send)
