"""Check 11.3 (fix): an ASGI 3 middleware: `async def __call__(scope, receive, send)`, awaiting the inner app with a copy."""

import gc
import warnings

from exercises.checks.fixlab import load

RULE = (
    "Since Channels 3 a middleware is one async callable: async def __call__(self, scope, receive, send), "
    "returning await self.inner(dict(scope, ...), receive, send)"
)


async def through_the_middleware(headers: list) -> tuple[dict, dict]:
    """(the scope given to the middleware, the scope the inner application received: {} if it never ran)."""
    given = {"type": "websocket", "path": "/", "query_string": b"", "headers": headers}
    seen = {}

    async def inner(scope, receive, send):
        seen.update(scope)

    middleware = load("11.3", RULE).UserAgentMiddleware(inner)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            await middleware(given, None, None)  # what URLRouter and Daphne do with it
        except TypeError as error:
            raise AssertionError(f"the server's call crashed: TypeError: {error}. {RULE}") from error
        gc.collect()
    never_awaited = [str(w.message) for w in caught if "never awaited" in str(w.message)]
    assert not never_awaited, f"the inner application never ran: RuntimeWarning: {never_awaited[0]}. {RULE}"
    return given, seen


async def test_the_inner_application_gets_the_user_agent():
    _, seen = await through_the_middleware([(b"user-agent", b"curl/8.5")])
    assert seen, f"the inner application never ran. {RULE}"
    assert seen.get("user_agent") == "curl/8.5", (
        f'expected scope["user_agent"] == "curl/8.5", got {seen.get("user_agent", "no such key")!r}'
    )


async def test_no_user_agent_header_gives_an_empty_string():
    _, seen = await through_the_middleware([])
    assert seen.get("user_agent") == "", (
        f'expected scope["user_agent"] == "", got {seen.get("user_agent", "no such key")!r}'
    )


async def test_the_scope_the_middleware_was_given_is_unchanged():
    given, _ = await through_the_middleware([(b"user-agent", b"curl/8.5")])
    assert "user_agent" not in given, f"the caller's scope changed: pass on a copy, dict(scope, user_agent=...). {RULE}"
