"""Check 11.3 (fix): an ASGI 3 middleware, `async def __call__(scope, receive, send)`, awaits the inner app with a copy.

The task's rules, in its order, the scope rules driven with a websocket scope and an http scope: 1. the inner
application gets scope["user_agent"]; 2. "" without the header; 3. text whatever its bytes; 4. the caller's scope is
unchanged and the copy keeps all of it; 5. a server takes the middleware for ASGI 3; 6. an error inside the inner
application reaches the server; 7. a scope without headers passes through; 8. two sockets at once each get their
own, nothing kept on self; 9. DJANGO_ALLOW_ASYNC_UNSAFE stays unset (the battery proves 3, 4, 9).
"""

import pytest
from asgiref.compatibility import is_double_callable
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

from exercises.probes import NOTHING, close_all, connect, frame, never_blocks, proved
from exercises.probes.tokens_and_middleware import error_from_inside, kept_on, through_the_middleware, which_agent

EXERCISE, CURL, FIREFOX = "11.3", [(b"user-agent", b"curl/8.5")], [(b"user-agent", b"Firefox/133.0")]
RULE = (
    "Since Channels 3 (ASGI 3) a server calls an application once per connection with scope, receive and "
    "send, and awaits it; a middleware is such an application, and calls the one it wraps the same way"
)


@pytest.fixture(params=["websocket", "http"])
def kind(request):
    """Each test that takes it runs twice: a socket's handshake, then a page's request (the middleware wraps both)."""
    return request.param


def scope_of(kind: str, headers: list) -> dict:
    """A scope of `kind` as a server opens it, with these headers."""
    scope = {"type": kind, "path": "/", "query_string": b"", "headers": list(headers)}
    return scope | {"method": "GET", "http_version": "1.1"} if kind == "http" else scope


@pytest.mark.rule(1)
async def test_the_inner_application_gets_the_user_agent(module, kind):
    seen, agent = await through_the_middleware(module.UserAgentMiddleware, RULE, given=scope_of(kind, CURL))
    assert seen, (
        f"a {kind!r} scope: the middleware returned and the inner application had not run: a middleware awaits the "
        f"application it wraps, for every scope it is given. {RULE}"
    )
    assert agent == "curl/8.5", f'a {kind!r} scope: expected scope["user_agent"] == "curl/8.5", got {agent!r}' + (
        " (wrapped around the whole project, the middleware serves a page's request as it serves a socket: both "
        "carry the header)" * (kind == "http")
    )


@pytest.mark.rule(2)
async def test_no_user_agent_header_gives_an_empty_string(module, kind):
    _, agent = await through_the_middleware(module.UserAgentMiddleware, RULE, given=scope_of(kind, []))
    assert agent == "", f'a {kind!r} scope without the header: expected scope["user_agent"] == "", got {agent!r}'


@pytest.mark.rule(4)
async def test_the_given_scope_is_unchanged_and_the_copy_keeps_all_of_it(module, kind):
    headers = [(b"user-agent", b"curl/8.5"), (b"origin", b"http://127.0.0.1:8000")]
    given = scope_of(kind, headers)
    seen, _ = await through_the_middleware(module.UserAgentMiddleware, RULE, given=given)
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


@pytest.mark.rule(3)
async def test_the_user_agent_is_text_whatever_its_bytes(module, kind):
    latin_1 = [(b"user-agent", b"Mozilla/5.0 (caf\xe9)")]  # é in latin-1, as a header carries it: no UTF-8
    _, agent = await through_the_middleware(module.UserAgentMiddleware, RULE, given=scope_of(kind, latin_1))
    assert agent == "Mozilla/5.0 (caf\u00e9)", (
        f'a header of bytes b"Mozilla/5.0 (caf\\xe9)" must become the str "Mozilla/5.0 (caf\u00e9)", got '
        f"{agent!r}: header values are bytes, decode them as latin-1"
    )
    proved("bad frames", 1)


@pytest.mark.rule(5)
def test_a_server_takes_the_middleware_for_an_asgi_3_application(module):
    assert not is_double_callable(module.UserAgentMiddleware(None)), (
        "asgiref, which Daphne and the test communicator use to tell the two kinds apart, takes UserAgentMiddleware "
        "for an ASGI 2 application (its __call__ is no coroutine function) and would call it with the scope alone: "
        f"make __call__ an async def that awaits the inner application. {RULE}"
    )


@pytest.mark.rule(6)
async def test_an_error_inside_the_inner_application_reaches_the_server(module):
    scope = {"type": "websocket", "headers": CURL}
    raised, crash, calls = await error_from_inside(module.UserAgentMiddleware, scope)  # it raises TypeError
    assert raised is crash and calls == ["curl/8.5"], (
        f"the inner application raised {crash!r}; the middleware ran it {len(calls)} time(s) and "
        f"{f'raised {raised!r}' if raised else 'swallowed the error'}: a middleware calls its application once, the "
        "ASGI 3 way only, and the error inside it must reach the server as it was (which logs it, closes with 1011)"
    )


@pytest.mark.rule(7)
async def test_a_scope_without_headers_passes_through_to_the_inner_application(module):
    # Wrapped around a whole application, a middleware sees every scope its server opens: uvicorn's lifespan
    # (no headers) at start, a worker's channel scope (lesson 06). Those are not its business: it passes them on.
    for given in ({"type": "lifespan", "asgi": {"version": "3.0"}}, {"type": "channel", "channel": "thumbnails"}):
        seen, _ = await through_the_middleware(module.UserAgentMiddleware, RULE, given=dict(given))
        lost = sorted(key for key, value in given.items() if seen.get(key) != value)
        assert seen and not lost, (
            f"a {given['type']!r} scope never reached the inner application"
            f"{f' whole (it lost or changed {lost})' if seen else ''}: a middleware passes on every scope it is "
            "given, with every key, even the types it adds nothing to"
        )


@pytest.mark.rule(5, 8)
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
    assert not (kept := kept_on(middleware, "curl/8.5", "Firefox")), (
        f"after three sockets the middleware still holds self.{kept[0][0]} = {kept[0][1]!r:.80}: one "
        "middleware object serves every connection of its route, so keep nothing about one on self, only in the "
        "scope copy (a connection's data on self is the next connection's as soon as an await comes in between)"
    )


# The standard battery of what this exercise builds (middleware), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.others import (  # noqa: E402, F401
    test_it_leaves_the_scope_it_was_given_unchanged,
    test_a_query_and_a_header_not_in_utf8_reach_the_inner_application,
)
