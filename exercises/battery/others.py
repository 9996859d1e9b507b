"""What HTTP consumers, middleware, settings, routing and test-writing exercises must do, whatever their task.

Their [battery] tables in exercise.toml:
    HTTP consumer   serves (the class), path, database (as for a websocket consumer)
    middleware      serves (the class, called with the inner application)
    settings        burst: the most messages one channel must hold at once in the lesson's own scenario;
                    expiry: the fewest seconds a group membership must last
    routing         routes (the name of the file's list of routes) or router (of its URLRouter), and path (one
                    route's own path, which it serves)
    a test          serves (your test function), broken (the check's broken consumers it must fail on)
"""

import copy

import pytest
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import ApplicationCommunicator, WebsocketCommunicator

from exercises.battery.declaration import exercise_of, served
from exercises.probes import FRAME, WAITED, crashed, ends_when_the_client_leaves, proved
from exercises.probes import your_test_fails_and_ends_its_sockets as fails_and_ends

NOT_UTF8 = b"\xff\xfe caf\xe9"  # Latin-1 bytes: any client may send them in a query string or a header


def http_scope(battery: dict, method: str, query: bytes = b"", headers: tuple = ()) -> dict:
    return {
        "type": "http", "http_version": "1.1", "method": method, "scheme": "http", "path": battery.get("path", "/"),
        "raw_path": battery.get("path", "/").encode(), "query_string": query, "root_path": "",
        "headers": [(b"host", b"testserver"), *headers], "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
    }  # fmt: skip


def http_app(request) -> tuple:
    _, battery = exercise_of(request)
    if battery.get("database"):
        request.getfixturevalue("transactional_db")
    return served(request).as_asgi(), battery


async def test_it_ends_when_the_client_leaves_mid_body(request):
    app, battery = http_app(request)
    client = ApplicationCommunicator(app, http_scope(battery, "POST", headers=((b"content-length", b"100"),)))
    await client.send_input({"type": "http.request", "body": b"x" * 10, "more_body": True})
    await ends_when_the_client_leaves(client, "10 bytes of a 100-byte body came")


async def test_a_query_and_a_header_not_in_utf8_get_an_answer(request):
    app, battery = http_app(request)
    scope = http_scope(battery, "GET", b"name=" + NOT_UTF8, headers=((b"user-agent", NOT_UTF8),))
    client = ApplicationCommunicator(app, scope)
    await client.send_input({"type": "http.request", "body": b"", "more_body": False})
    try:
        start = await client.receive_output(timeout=FRAME)
    except TimeoutError:
        pytest.fail(f"a GET whose query and User-Agent are not UTF-8 got no answer within {WAITED}", pytrace=False)
    except Exception as error:
        pytest.fail(f"on a GET whose query and User-Agent are not UTF-8: {crashed(error)}", pytrace=False)
    client.future.cancel()
    assert start.get("type") == "http.response.start" and start.get("status", 500) < 500, (
        f"a GET whose query and User-Agent are not UTF-8 got {str(start)[:200]}: any client may send such bytes; "
        'decode them with errors="replace" (or as latin-1) and answer, 400 at worst, never a crash'
    )


async def inner_called(request, scope: dict) -> dict:
    """Call the middleware under check around an inner application: the scope that application was given."""
    seen = {}

    async def inner(scope, receive, send):
        seen.update(scope)

    async def receive():
        return {"type": "websocket.connect"}

    async def send(message):
        pass

    try:
        await served(request)(inner)(scope, receive, send)
    except Exception as error:
        pytest.fail(f"on a scope whose query and User-Agent are not UTF-8: {crashed(error)}", pytrace=False)
    return seen


def socket_scope() -> dict:
    return {
        "type": "websocket", "path": "/ws/", "query_string": b"token=" + NOT_UTF8,
        "headers": [(b"host", b"testserver"), (b"user-agent", NOT_UTF8)], "subprotocols": [],
    }  # fmt: skip


async def test_it_leaves_the_scope_it_was_given_unchanged(request):
    scope = socket_scope()
    before = copy.deepcopy(scope)
    await inner_called(request, scope)
    assert scope == before, (
        f"the middleware changed the scope it was given ({sorted(set(scope) ^ set(before)) or 'a value'}): the "
        "caller's scope is shared with every route and middleware before it; give the inner application a copy, "
        "dict(scope, key=value)"
    )


async def test_a_query_and_a_header_not_in_utf8_reach_the_inner_application(request):
    seen = await inner_called(request, socket_scope())
    assert seen, "the inner application was never called: a middleware passes every connection on"


def layer_config(request) -> dict:
    _, battery = exercise_of(request)
    return served(request, "CHANNEL_LAYERS")["default"].get("CONFIG", {}), battery


def test_the_channel_layer_holds_the_lessons_burst(request):
    config, battery = layer_config(request)
    capacity, burst = config.get("capacity", 100), battery["burst"]
    assert capacity >= burst, (
        f"capacity {capacity}: a channel holds at most that many messages, and the lesson's own burst is {burst}; "
        "past capacity a group_send drops the message without a word (capacity is per channel, per process)"
    )
    proved("layer settings")


def test_a_group_membership_lasts_as_long_as_a_socket(request):
    config, battery = layer_config(request)
    expiry = config.get("group_expiry", 86400)
    assert expiry >= battery["expiry"], (
        f"group_expiry {expiry} s: after it a socket still open is dropped from its groups without a word and hears "
        f"nothing more; keep it at least {battery['expiry']} s (the default is a day)"
    )


async def test_a_path_with_more_before_or_after_a_route_is_refused(request):
    _, battery = exercise_of(request)
    router = (
        served(request, battery["router"]) if "router" in battery else URLRouter(served(request, battery["routes"]))
    )
    route = battery["path"]
    for near in (route + "extra/", "/evil" + route):
        socket = WebsocketCommunicator(router, near)
        try:
            connected, _ = await socket.connect(timeout=FRAME)
        except ValueError as error:  # "No route found for path": the project's own catch-all refuses it
            assert "No route found" in str(error), f"on {near}: {crashed(error)}"
            continue
        except Exception as error:
            pytest.fail(f"on {near}: {crashed(error)}", pytrace=False)
        await socket.disconnect()
        assert not connected, (
            f"{near} opened a socket: a route claims its own path only. path() matches whole; a re_path() "
            "pattern needs ^ and $ (without them it matches anywhere in the path)"
        )


async def test_your_test_fails_with_an_assertion_and_ends_its_sockets(request):
    _, battery = exercise_of(request)
    get_channel_layer()  # built before your test runs, as a server's is
    for name in battery["broken"]:
        broken = getattr(request.module, name)
        await fails_and_ends(served(request), broken, getattr(request.module, "BROKEN", {}).get(broken, name))
    proved("broken consumers", len(battery["broken"]))


HTTP = (test_it_ends_when_the_client_leaves_mid_body, test_a_query_and_a_header_not_in_utf8_get_an_answer)
MIDDLEWARE = (
    test_it_leaves_the_scope_it_was_given_unchanged,
    test_a_query_and_a_header_not_in_utf8_reach_the_inner_application,
)
SETTINGS = (test_the_channel_layer_holds_the_lessons_burst, test_a_group_membership_lasts_as_long_as_a_socket)
ROUTING = (test_a_path_with_more_before_or_after_a_route_is_refused,)
TESTS = (test_your_test_fails_with_an_assertion_and_ends_its_sockets,)
