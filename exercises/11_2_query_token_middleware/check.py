"""Check 11.2: a middleware that reads ?token= into the scope, on a copy, keeping nothing on itself.

The task's rules, in its order, each driven with a websocket scope and an http scope: 1. a valid token's user id
reaches the inner scope; 2. among other parameters, %-escaped, the first counting; 3. no valid token gives None;
4. every scope (lifespan too) reaches the inner application whole; 5. the caller's scope never changes; 6. nothing
kept on self (a second connection, a token expired since); 7. an inner error reaches the server; 8. no token is
logged; 9. two sockets, two users; 10. DJANGO_ALLOW_ASYNC_UNSAFE stays unset (the battery proves 4, 5, 10).
"""

import pytest

from functools import partial

from auth_demo.tokens import sign_user_id
from exercises.probes import close_all, connect, frame, never_blocks, proved, say, shown_part, written_out
from exercises.probes.http_tokens import HANDSHAKE, SEEN, an_hour_later, inner, scope_inside, signed

EXERCISE, RULE = "11.2", "TokenIdMiddleware puts the user id of a valid ?token= in a copy of the scope, else None"
CLAIMS = "only a signed token names a user, never a user id the client claims"
HELD = "copy it, never assign into it or its lists, even to put back: the router and middleware before yours hold it"
CUT = "the query string is parameters joined by & and %-escaped: parse it, do not cut it by hand"
NO_VALID_TOKEN = [None, b"", b"token=", b"token", b"token=forged", b"name=ada", b"token=\xff", b"token=%ZZ", b"&&=&"]
NO_VALID_TOKEN += [b"user_id=7", b"token=forged&user_id=7", b"token_user_id=7"]  # claims, not tokens
token = partial(signed, sign_user_id)  # token(7) is b"token=<a token for user 7>"; token(7, signed_ago=3600) expired
# A middleware around a whole application gets both: a socket's handshake, and a page's request (and a lifespan).
SCOPES = {"websocket": HANDSHAKE, "http": {**HANDSHAKE, "type": "http", "method": "GET", "path": "/api/x/"}}


@pytest.fixture(params=SCOPES)
def kind(request):
    """Each test that takes it runs twice: the middleware given a websocket scope, then an http scope."""
    return request.param


def inside(module, kind: str, query: bytes | None, middleware=None):
    """scope_inside() for a scope of `kind` ("websocket" or "http") whose query string is `query` (None: none)."""
    return scope_inside(module, query, middleware, given=dict(SCOPES[kind], query_string=query))


@pytest.mark.rule(1)
async def test_a_valid_token_puts_its_user_id_in_the_inner_scope(module, kind):
    _, seen = await inside(module, kind, token(7))
    assert (got := seen.get("token_user_id", "no such key")) == 7, (
        f'a {kind!r} scope with a valid token for user 7: expected scope["token_user_id"] == 7, got {got!r}'
        + " (the middleware wraps a whole application: an http request's ?token= counts as a socket's does)"
        * (kind == "http")
    )


@pytest.mark.rule(2)
async def test_the_token_is_found_among_other_parameters_and_unquoted(module, kind):
    escaped = b"token=" + "".join(f"%{byte:02X}" for byte in token(8)[6:]).encode()
    for shown, query, expected, why in [
        ("?room=lobby&token=<valid>", b"room=lobby&" + token(8), 8, CUT),
        ("?token=<valid, every byte %-escaped>&x=1", escaped + b"&x=1", 8, CUT),
        ("?token=<valid>&token=forged", token(8) + b"&token=forged", 8, "when it comes twice, the first one counts"),
        ("?token=forged&token=<valid>", b"token=forged&" + token(8), None, "the first token counts, and it is forged; "
         "trying each token until one is valid lets a client send a thousand guesses in one handshake"),
        ("?token=&token=<valid>", b"token=&" + token(8), None, "the first token counts, and it is empty: parse_qs and "
         "parse_qsl drop a blank value unless keep_blank_values=True, and the second token then counts instead"),
        ("?notatoken=<valid>", b"nota" + token(8), None, "only the parameter named token counts"),
    ]:  # fmt: skip
        _, seen = await inside(module, kind, query)
        assert (got := seen.get("token_user_id")) == expected, (
            f"{shown} in a {kind!r} scope gave {got!r}, expected {expected}: {why}"
        )


@pytest.mark.rule(3)
async def test_no_valid_token_puts_none_in_the_inner_scope(module, kind):
    for query in [*NO_VALID_TOKEN, token(7, signed_ago=3600)]:
        _, seen = await inside(module, kind, query)
        shown, got = "no query_string at all" if query is None else repr(query), seen.get("token_user_id", "no key")
        assert got is None, (
            f'{shown} in a {kind!r} scope: expected the key "token_user_id" (None), got {got!r}: {CLAIMS}'
        )
    proved("bad frames", len(NO_VALID_TOKEN) + 1)


@pytest.mark.rule(4)
async def test_the_inner_scope_keeps_everything_else(module):
    _, seen = await scope_inside(module, token(7))
    missing = sorted(key for key, value in HANDSHAKE.items() if key != "query_string" and seen.get(key) != value)
    assert not missing, f"the inner scope lost or changed {missing}: copy the whole scope and add one key"
    for given in ({**HANDSHAKE, "type": "http", "method": "GET"}, {"type": "lifespan", "asgi": {"version": "3.0"}}):
        _, seen = await scope_inside(module, given=given)  # around a whole application: lifespan too
        missing = sorted(key for key, value in given.items() if seen.get(key) != value)
        assert not missing, f"the inner scope lost or changed {missing} of a {given['type']!r} scope: copy it whole"


@pytest.mark.rule(5)
async def test_the_scope_the_middleware_was_given_is_unchanged(module, kind):
    given, _ = await inside(module, kind, query := token(7))  # one token: a second one may be signed a second later
    assert given == dict(SCOPES[kind], query_string=query), (
        f"the caller's {kind!r} scope changed, it is now {given}: {HELD}"
    )
    assert (meanwhile := SEEN[-1][1]) == given, (
        f"while the inner application ran, the caller's scope was {meanwhile}: {HELD}"
    )


@pytest.mark.rule(6)
async def test_a_second_connection_never_gets_the_first_ones_user(module, kind):
    middleware = module.TokenIdMiddleware(inner)  # one instance serves every connection, as in a router
    await inside(module, kind, token(7), middleware)
    _, second = await inside(module, kind, b"", middleware)
    assert (got := second.get("token_user_id")) is None, f"a second connection got user {got!r}: keep nothing on self"


@pytest.mark.rule(7)
async def test_an_error_inside_the_inner_application_reaches_the_server(module):
    ran, raised = len(SEEN), "swallowed it"
    try:  # the inner application raises RuntimeError
        await module.TokenIdMiddleware(inner)(dict(HANDSHAKE, query_string=token(7), crash=True), None, None)
    except RuntimeError:
        raised = "raised it"
    assert (calls := [seen.get("token_user_id") for seen, _ in SEEN[ran:]]) == [7] and raised == "raised it", (
        f"the middleware ran the inner application with user ids {calls}, which raised, and {raised}: an error "
        "inside must reach the server, once; catch only what reading the token raises"
    )


@pytest.mark.rule(8)
async def test_no_token_is_written_to_a_log_or_the_output(module, caplog, capsys):
    caplog.set_level("DEBUG")
    tokens = {"a valid": token(7), "an expired": token(8, signed_ago=3600)}
    for query in tokens.values():
        await scope_inside(module, b"room=lobby&" + query)
    written = written_out(caplog, capsys)
    for kind, query in tokens.items():  # whole, or 16 characters of it in a row: a line cut short shows its start
        at = written.find(shown_part(written, query.decode().removeprefix("token=")) or query.decode())
        assert at < 0, (
            f"{kind} token was written to a log or the output: {written[max(at - 100, 0) : at + 20]!r}...: whoever "
            "reads it is its user; log the user id, never the token, nor its start (nor in a record's extra fields)"
        )


@pytest.mark.rule(6)
async def test_a_token_that_expired_since_it_was_last_used_gets_none(module, monkeypatch, kind):
    middleware = module.TokenIdMiddleware(inner)
    await inside(module, kind, query := token(7), middleware)
    an_hour_later(monkeypatch)  # past MAX_AGE
    _, again = await inside(module, kind, query, middleware)
    assert (got := again.get("token_user_id")) is None, f"user 7's token, an hour later, gave {got!r}: expired since"


@pytest.mark.rule(9)
async def test_two_sockets_at_once_each_get_their_own_user(module):
    app = module.TokenIdMiddleware(inner)  # one middleware, as routing builds it
    async with never_blocks(0.25):  # well over a busy machine's hiccups, well under any blocking call worth finding
        ada, anonymous, grace = [await connect(app, f"/?{q.decode()}") for q in (token(7), b"token=forged", token(9))]
        proved("sockets", 3)
        for communicator in (anonymous, ada, grace):
            await say(communicator, "who?")
        got = [await frame(communicator) for communicator in (anonymous, ada, grace)]
        await close_all(ada, anonymous, grace)
    assert got == [None, 7, 9], f"three sockets open at once (forged token, user 7, user 9) saw {got}: each its own"


# The standard battery of what this exercise builds (middleware), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.others import (  # noqa: E402, F401
    test_it_leaves_the_scope_it_was_given_unchanged,
    test_a_query_and_a_header_not_in_utf8_reach_the_inner_application,
)
