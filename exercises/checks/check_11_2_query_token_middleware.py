"""Check 11.2: a middleware that reads ?token= into the scope, on a copy, keeping nothing on itself."""

import pytest

from auth_demo.tokens import sign_user_id
from exercises.checks import crashed, target


def middleware_and_seen():
    """One middleware instance, as a router holds it for every connection, and the inner scopes it passed on."""
    seen = []

    async def inner(scope, receive, send):
        seen.append(dict(scope))

    return target("11.2").TokenIdMiddleware(inner), seen


async def scope_inside(query: bytes, middleware=None, seen=None) -> tuple[dict, dict]:
    """(the scope given to the middleware, the scope its inner application received)."""
    if middleware is None:
        middleware, seen = middleware_and_seen()
    given = {"type": "websocket", "path": "/", "query_string": query, "headers": []}
    try:
        await middleware(given, None, None)
    except Exception as error:  # the student's middleware raised: a crashed handshake
        pytest.fail(crashed(error), pytrace=False)
    return given, seen[-1] if seen else {}


async def test_a_valid_token_puts_its_user_id_in_the_inner_scope():
    _, seen = await scope_inside(b"token=" + sign_user_id(7).encode())
    assert seen.get("token_user_id") == 7, (
        f'expected scope["token_user_id"] == 7, got {seen.get("token_user_id", "no such key")!r}'
    )


# b"token=\xff": a query string is raw bytes, not always UTF-8 (decode it as latin-1, as lesson 11 does).
@pytest.mark.parametrize("query", [b"", b"token=forged", b"name=ada", b"token=\xff"])
async def test_no_valid_token_puts_none_in_the_inner_scope(query):
    _, seen = await scope_inside(query)
    assert "token_user_id" in seen, f'{query!r}: expected the key "token_user_id" (None) in the inner scope'
    assert seen["token_user_id"] is None, f"{query!r}: expected None, got {seen['token_user_id']!r}"


async def test_the_scope_the_middleware_was_given_is_unchanged():
    given, _ = await scope_inside(b"token=" + sign_user_id(7).encode())
    assert "token_user_id" not in given, "the caller's scope changed: copy it (dict(scope, token_user_id=...))"


async def test_a_second_connection_never_gets_the_first_ones_user():
    middleware, seen = middleware_and_seen()
    await scope_inside(b"token=" + sign_user_id(7).encode(), middleware, seen)
    _, second = await scope_inside(b"", middleware, seen)
    assert second.get("token_user_id") is None, (
        f"a second, tokenless connection got user id {second.get('token_user_id')!r}: one middleware serves "
        "every connection, so keep nothing on self; keep it in the scope's copy"
    )
