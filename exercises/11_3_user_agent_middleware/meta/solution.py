"""Solution 11.3: an ASGI 3 middleware is one async callable, `async def __call__(self, scope, receive, send)`.

Why: since Channels 3 (ASGI 3), a server calls an application once per
connection with scope, receive and send, and awaits it. A middleware is an
application that calls the next one the same way, with a copy of the scope
(dict(scope, user_agent=...)): the caller's scope stays unchanged. Channels
2's "instance = inner(scope)" double call is gone. channels.middleware.
BaseMiddleware has this shape too.
"""


class UserAgentMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        agent = dict(scope.get("headers", [])).get(b"user-agent", b"").decode("latin-1")
        return await self.inner(dict(scope, user_agent=agent), receive, send)
