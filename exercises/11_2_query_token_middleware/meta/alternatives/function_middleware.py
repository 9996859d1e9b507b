"""Alternative 11.2, a function that returns the application (a closure), the way Channels' docs sketch middleware.

Still right: TokenIdMiddleware(inner) returns a new async function that wraps inner, so the router
calls it as it calls any ASGI application; nothing is kept between connections, since the closure
holds only `inner`; the query string is parsed with parse_qs (the first token counts), and the copy
is a new dict made with the | operator, for every kind of scope.
"""

from urllib.parse import parse_qs

from auth_demo.tokens import user_id_from_token


def TokenIdMiddleware(inner):  # noqa: N802  (called as a class is, by the router's author)
    async def application(scope, receive, send):
        """Called once per connection, before the inner application exists."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        tokens = query.get("token") or [None]
        return await inner(scope | {"token_user_id": user_id_from_token(tokens[0])}, receive, send)

    return application
