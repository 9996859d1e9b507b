"""Wrong: a middleware passes on a copy of the scope; writing into the scope it was given changes the caller's.

The signature is fixed, but scope["user_agent"] = ... mutates a dict that
the server and the outer middleware share (lesson 11).

The check says: "the caller's scope changed: pass on a copy, dict(scope"
"""


class UserAgentMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        scope["user_agent"] = dict(scope.get("headers", [])).get(b"user-agent", b"").decode("latin-1")
        return await self.inner(scope, receive, send)
