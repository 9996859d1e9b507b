"""Exercise 11.3 (fix): a middleware from an old tutorial crashes every socket.

UserAgentMiddleware puts the client's User-Agent header into the scope, as
scope["user_agent"] (a str, "" when there is none), for the consumers it
wraps: UserAgentMiddleware(URLRouter(...)). It was copied from a Channels 2
tutorial. Every socket now crashes on connect, and the server logs

    TypeError: UserAgentMiddleware.__call__() takes 2 positional arguments
    but 4 were given

Channels 3 changed what an application and a middleware are (the 3.0
release notes: "Update to ASGI 3"). Fix the middleware; keep the rule of
lesson 11: never change the scope you were given, pass on a copy. And
wrapped around a whole application it sees every scope its server opens,
some with no headers (uvicorn's "lifespan"): pass every one on.

Rules (the check proves each one, and nothing else):

1. A websocket scope and an http scope alike reach the inner application
   with scope["user_agent"]: the User-Agent header's value, as a str.
2. No User-Agent header gives scope["user_agent"] == "".
3. A header's bytes become text whatever they are: decode them as latin-1
   (b"caf\xe9" is "caf\u00e9"), never an error.
4. The scope the middleware was given never changes, its headers list
   included; the inner application gets a copy with every key it had.
5. It is an ASGI 3 application: awaited once per connection as
   app(scope, receive, send), it awaits the inner application once the same
   way, receive and send passed on as they came.
6. An error raised inside the inner application reaches the server as it
   was, and the inner application ran once.
7. Every scope passes through whole, those without headers too (uvicorn's
   lifespan, a worker's channel scope).
8. Two sockets open at once each get their own user agent; nothing about a
   connection is kept on the middleware; the event loop never stalls.
9. Nothing in the file sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 11.3

The check is exercises/11_3_user_agent_middleware/check.py; once you
have tried, `python manage.py exercise 11.3 --solution` shows where the
solution is.
"""


class UserAgentMiddleware:
    def __init__(self, inner):
        self.inner = inner

    # TODO: how does a server call an ASGI application today?
    def __call__(self, scope):
        agent = dict(scope.get("headers", [])).get(b"user-agent", b"").decode("latin-1")
        return self.inner(dict(scope, user_agent=agent))
