"""Alternative 11.3, a function middleware: UserAgentMiddleware(inner) returns the ASGI 3 application it wraps around inner.

Still right: what the server calls is one async callable taking (scope, receive, send), awaited once
per connection, as ASGI 3 asks; it passes on a copy of the scope with user_agent (the first
User-Agent header, "" when there is none or no headers at all), and the caller's scope never changes.
"""


def UserAgentMiddleware(inner):  # named as the class it replaces: UserAgentMiddleware(URLRouter(...))
    async def application(scope, receive, send):
        agent = next((value for name, value in scope.get("headers") or () if name == b"user-agent"), b"")
        return await inner({**scope, "user_agent": agent.decode("latin-1")}, receive, send)

    return application
