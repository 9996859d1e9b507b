"""Exercise 11.2: Write a middleware that reads ?token= into the scope, on a copy.

TokenIdMiddleware wraps any ASGI application. For each connection it reads
`token` from the query string (the first one, if it comes twice) and calls the inner application with a copy of
the scope holding "token_user_id": auth_demo.tokens.user_id_from_token(token),
or None when the token is missing, forged or expired. The scope it was given
must not change. It wraps a whole application, so it gets every kind of
scope: a websocket handshake, an http request, uvicorn's lifespan.

Rules (the check proves each one, and nothing else):

1. For a websocket scope and an http scope alike, the inner application's
   scope holds "token_user_id": the user id of a valid token in the query
   string's `token` parameter.
2. The token is found among other parameters, its %-escapes undone; when
   `token` comes twice only the first counts, even an empty one (a forged
   or empty first one gives None).
3. No valid token gives "token_user_id": None, the key always there: no
   query_string at all, an empty or forged or expired token, bytes that are
   no UTF-8, a bad %-escape, a user id the client claims (?user_id=7).
4. Every scope (websocket, http, lifespan) reaches the inner application
   once, with every key it had, unchanged, even bytes that are no UTF-8.
5. The scope the middleware was given never changes, not even while the
   inner application runs: the inner one gets a copy.
6. Nothing about a connection is kept on the middleware, which serves every
   connection: a second connection never gets the first one's user, and a
   token that expired since it was last used gives None.
7. An error raised inside the inner application reaches the server, once.
8. No token, nor its start, is written to a log or to the output.
9. Two sockets open at once each get their own user, and the event loop
   never stalls.
10. Nothing in the file sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
