"""Check 11.2: a middleware that reads ?token= into the scope, on a copy."""

import pytest

from auth_demo.tokens import sign_user_id
from exercises.checks import target


async def scope_inside(query: bytes) -> tuple[dict, dict]:
    """(the scope given to the middleware, the scope its inner application received)."""
    given = {"type": "websocket", "path": "/", "query_string": query, "headers": []}
    seen = {}

    async def inner(scope, receive, send):
        seen.update(scope)

    await target("11.2").TokenIdMiddleware(inner)(given, None, None)
    return given, seen


async def test_a_valid_token_puts_its_user_id_in_the_inner_scope():
    _, seen = await scope_inside(b"token=" + sign_user_id(7).encode())
    assert seen.get("token_user_id") == 7, (
        f'expected scope["token_user_id"] == 7, got {seen.get("token_user_id", "no such key")!r}'
    )


@pytest.mark.parametrize("query", [b"", b"token=forged", b"name=ada"])
async def test_no_valid_token_puts_none_in_the_inner_scope(query):
    _, seen = await scope_inside(query)
    assert "token_user_id" in seen, f'{query!r}: expected the key "token_user_id" (None) in the inner scope'
    assert seen["token_user_id"] is None, f"{query!r}: expected None, got {seen['token_user_id']!r}"


async def test_the_scope_the_middleware_was_given_is_unchanged():
    given, _ = await scope_inside(b"token=" + sign_user_id(7).encode())
    assert "token_user_id" not in given, "the caller's scope changed: copy it (dict(scope, token_user_id=...))"
