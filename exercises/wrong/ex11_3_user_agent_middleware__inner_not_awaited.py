"""Wrong: an ASGI 3 middleware awaits the inner application; returning its coroutine runs nothing.

`return self.inner(...)` without await hands back a coroutine that nobody
awaits: the consumer never runs, and Python warns "was never awaited".

The check says: "the inner application never ran: RuntimeWarning: coroutine"
"""


class UserAgentMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        agent = dict(scope.get("headers", [])).get(b"user-agent", b"").decode("latin-1")
        return self.inner(dict(scope, user_agent=agent), receive, send)
