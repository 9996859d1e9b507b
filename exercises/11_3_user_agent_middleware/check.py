"""Check 11.3 (fix): an ASGI 3 middleware: `async def __call__(scope, receive, send)`, awaiting the inner app with a copy.

The inner application gets scope["user_agent"] ("" without the header, text whatever its bytes); the caller's scope
is unchanged and the copy keeps all of it; a server takes the middleware for ASGI 3; an error inside the inner
application reaches the server; a scope without headers passes through; two sockets at once each get their own.
"""

import asyncio
import gc
import warnings

import pytest
from asgiref.compatibility import is_double_callable
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

from exercises.probes import NOTHING, close_all, connect, crashed, frame, never_blocks, proved

EXERCISE, CURL, FIREFOX = "11.3", [(b"user-agent", b"curl/8.5")], [(b"user-agent", b"Firefox/133.0")]
RULE = (
    "Since Channels 3 (ASGI 3) a server calls an application once per connection with scope, receive and "
    "send, and awaits it; a middleware is such an application, and calls the one it wraps the same way"
)


async def through_the_middleware(module, headers: list = (), given: dict | None = None) -> tuple[dict, str]:
    """(the scope the inner application saw, {} if it never ran; its user agent), given `given` or a websocket scope."""
    given, seen = given or {"type": "websocket", "headers": list(headers)}, {}

    async def inner(scope, receive, send):
        seen.update(scope)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            await module.UserAgentMiddleware(inner)(given, None, None)  # what URLRouter and Daphne do with it
        except Exception as error:
            if "headers" not in given:  # the student's middleware read a key this scope does not have
                pytest.fail(
                    f"a {given['type']!r} scope, which has no headers, crashed your middleware with "
                    f"{type(error).__name__}: {error}: wrapped around a whole application (uvicorn sends a lifespan "
                    'scope at start) it must pass on every scope, headers or not: read them with scope.get("headers", [])',
                    pytrace=False,
                )
            if isinstance(error, TypeError):
                raise AssertionError(f"the server's call crashed: TypeError: {error}. {RULE}") from error
            pytest.fail(crashed(error), pytrace=False)  # the student's middleware raised: a crashed handshake
        gc.collect()
    never_awaited = [str(w.message) for w in caught if "never awaited" in str(w.message)]
    assert not never_awaited, f"the inner application never ran: RuntimeWarning: {never_awaited[0]}. {RULE}"
    return seen, seen.get("user_agent", "no such key")


async def test_the_inner_application_gets_the_user_agent(module):
    seen, agent = await through_the_middleware(module, CURL)
    assert seen, f"the inner application never ran. {RULE}"
    assert agent == "curl/8.5", f'expected scope["user_agent"] == "curl/8.5", got {agent!r}'


async def test_no_user_agent_header_gives_an_empty_string(module):
    _, agent = await through_the_middleware(module, [])
    assert agent == "", f'expected scope["user_agent"] == "", got {agent!r}'


async def test_the_given_scope_is_unchanged_and_the_copy_keeps_all_of_it(module):
    headers = [(b"user-agent", b"curl/8.5"), (b"origin", b"http://127.0.0.1:8000")]
    given = {"type": "websocket", "path": "/", "query_string": b"", "headers": list(headers)}
    seen, _ = await through_the_middleware(module, given=given)
    assert "user_agent" not in given, (
        "the caller's scope changed: a middleware never writes into the scope it was given, it passes on a copy"
    )
    assert given["headers"] == headers, (
        f"the caller's scope changed: its headers were {headers}, they are now {given['headers']}. dict(scope) "
        "copies the dict, not the list inside it: a middleware never changes the scope it was given, its lists "
        "included: pass the headers on as they came"
    )
    lost = sorted(key for key, value in given.items() if seen.get(key) != value)
    assert not lost, (
        f"the inner scope lost or changed {lost}: pass on a copy of the whole scope with one key added (what runs "
        "after your middleware, the cookie and session middlewares, an origin check, a consumer, reads the rest)"
    )


async def test_the_user_agent_is_text_whatever_its_bytes(module):
    _, agent = await through_the_middleware(module, [(b"user-agent", b"Mozilla/5.0 (caf\xe9)")])
    assert agent == "Mozilla/5.0 (caf\u00e9)", (
        f'a header of bytes b"Mozilla/5.0 (caf\\xe9)" must become the str "Mozilla/5.0 (caf\u00e9)", got '
        f"{agent!r}: header values are bytes, decode them as latin-1"
    )
    proved("bad frames", 1)


def test_a_server_takes_the_middleware_for_an_asgi_3_application(module):
    assert not is_double_callable(module.UserAgentMiddleware(None)), (
        "asgiref, which Daphne and the test communicator use to tell the two kinds apart, takes UserAgentMiddleware "
        "for an ASGI 2 application (its __call__ is no coroutine function) and would call it with the scope alone: "
        f"make __call__ an async def that awaits the inner application. {RULE}"
    )


async def test_an_error_inside_the_inner_application_reaches_the_server(module):
    calls, crash = [], TypeError("the consumer crashed")  # a TypeError: what a Channels 2 fallback would catch

    async def crashing(scope, receive, send):
        calls.append(scope.get("user_agent"))
        raise crash

    call = module.UserAgentMiddleware(crashing)({"type": "websocket", "headers": CURL}, None, None)
    [raised] = await asyncio.gather(call, return_exceptions=True)  # its error, or None if it swallowed it
    assert raised is crash and calls == ["curl/8.5"], (
        f"the inner application raised {crash!r}; the middleware ran it {len(calls)} time(s) and "
        f"{f'raised {raised!r}' if raised else 'swallowed the error'}: a middleware calls its application once, the "
        "ASGI 3 way only, and the error inside it must reach the server as it was (which logs it, closes with 1011)"
    )


async def test_a_scope_without_headers_passes_through_to_the_inner_application(module):
    # Wrapped around a whole application, a middleware sees every scope its server opens: uvicorn's lifespan
    # (no headers) at start, a worker's channel scope (lesson 06). Those are not its business: it passes them on.
    for given in ({"type": "lifespan", "asgi": {"version": "3.0"}}, {"type": "channel", "channel": "thumbnails"}):
        seen, _ = await through_the_middleware(module, given=dict(given))
        lost = sorted(key for key, value in given.items() if seen.get(key) != value)
        assert seen and not lost, (
            f"a {given['type']!r} scope never reached the inner application"
            f"{f' whole (it lost or changed {lost})' if seen else ''}: a middleware passes on every scope it is "
            "given, with every key, even the types it adds nothing to"
        )


async def which_agent(scope, receive, send):
    """The routed application: it accepts, then answers each frame with the user agent its scope holds."""
    while (event := await receive())["type"] != "websocket.disconnect":
        answer = {"type": "websocket.send", "text": scope.get("user_agent", "missing")}
        await send({"type": "websocket.accept"} if event["type"] == "websocket.connect" else answer)


async def test_two_sockets_at_once_each_get_their_own_user_agent(module):
    middleware = module.UserAgentMiddleware(URLRouter([path("ws/ua/", which_agent)]))
    application = ProtocolTypeRouter({"websocket": middleware})  # as in a project's asgi.py
    async with never_blocks(0.5):  # over a busy machine's hiccups, under a query, a request or time.sleep(1)
        curl, bare, firefox = [await connect(application, "/ws/ua/", headers=ua) for ua in (CURL, [], FIREFOX)]
        proved("sockets", 3)
        got = []
        for communicator in (bare, firefox, curl):
            await communicator.send_to(text_data="which?")
            got.append(await frame(communicator))
        await close_all(curl, bare, firefox)
    why = "each connection's user agent belongs to its own copy of the scope"
    if NOTHING in got:
        why = "the consumer's answers never reached the client: pass receive and send on as they came"
    assert got == ["", "Firefox/133.0", "curl/8.5"], (
        f"three sockets open at once through the routed middleware (no header, Firefox, curl) saw {got}: {why}"
    )
    held = {**vars(type(middleware)), **getattr(middleware, "__dict__", {})}  # on the class or on self
    kept = [(name, value) for name, value in held.items() if "curl/8.5" in repr(value) or "Firefox" in repr(value)]
    assert not kept, (
        f"after three sockets the middleware still holds self.{kept[0][0]} = {kept[0][1]!r:.80}: one "
        "middleware object serves every connection of its route, so keep nothing about one on self, only in the "
        "scope copy (a connection's data on self is the next connection's as soon as an await comes in between)"
    )
