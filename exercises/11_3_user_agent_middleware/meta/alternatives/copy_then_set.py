"""Alternative 11.3, a plain class that copies the scope with scope.copy() and sets one key on the copy.

Still right: scope.copy() is a new dict (its lists shared, and none of them written to), so setting
user_agent on it leaves the caller's scope as it was; `scope.get("headers") or []` lets a scope without
headers through; async __call__ awaits the inner application once with the copy, receive and send
(ASGI 3), and returns nothing, which is all a server expects of an application.
"""


class UserAgentMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers") or [])
        inner_scope = scope.copy()
        inner_scope["user_agent"] = headers.get(b"user-agent", b"").decode("latin-1")
        await self.inner(inner_scope, receive, send)
