"""Alternative 11.2, parse_qsl and next(): the first token pair found, the copy made with {**scope}, the inner app called directly.

Still right: parse_qsl keeps the pairs in their order, so next() finds the first token (a blank one
too: keep_blank_values, or parse_qsl drops it and a later token counts instead); the scope the middleware was given is never written to, only the
new dict; calling self.inner is what BaseMiddleware.__call__ would do with it.
"""

from urllib.parse import parse_qsl

from channels.middleware import BaseMiddleware

from auth_demo.tokens import user_id_from_token


class TokenIdMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        """Called once per connection, before the inner application exists."""
        pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        token = next((value for key, value in pairs if key == "token"), None)
        inner_scope = {**scope, "token_user_id": user_id_from_token(token)}
        return await self.inner(inner_scope, receive, send)
