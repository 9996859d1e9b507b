"""Exercise 11.2: Write a middleware that reads ?token= into the scope, on a copy.

TokenIdMiddleware wraps any ASGI application. For each connection it reads
`token` from the query string (the first one, if it comes twice) and calls the inner application with a copy of
the scope holding "token_user_id": auth_demo.tokens.user_id_from_token(token),
or None when the token is missing, forged or expired. The scope it was given
must not change.

Edit this file, then check it:

    python manage.py exercise 11.2

The check is exercises/11_2_query_token_middleware/check.py; once you have tried,
`python manage.py exercise 11.2 --solution` shows where the solution is.
"""

from urllib.parse import parse_qs  # noqa: F401  (you will need them)

from channels.middleware import BaseMiddleware

from auth_demo.tokens import user_id_from_token  # noqa: F401


class TokenIdMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        """Called once per connection, before the inner application exists."""
        # TODO: read ?token= from scope["query_string"] (bytes); add "token_user_id" to a copy of the scope
        return await super().__call__(scope, receive, send)
