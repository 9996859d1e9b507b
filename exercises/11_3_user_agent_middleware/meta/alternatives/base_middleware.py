"""Alternative 11.3, channels.middleware.BaseMiddleware: only __call__ is written, super() awaits the inner application.

Still right: BaseMiddleware.__init__ keeps the inner application, and its async __call__ copies the
scope again and awaits self.inner(scope, receive, send), the ASGI 3 call; this __call__ adds
user_agent to a copy first (a header list read with a loop, the first User-Agent counting, "" when
there is none or no headers at all), so the caller's scope never changes.
"""

from channels.middleware import BaseMiddleware


class UserAgentMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        agent = ""
        for name, value in scope.get("headers", []):
            if name == b"user-agent":
                agent = value.decode("latin-1")
                break
        return await super().__call__(dict(scope, user_agent=agent), receive, send)
