"""Check 11.2: a middleware that reads ?token= into the scope, on a copy, keeping nothing on itself."""

import copy
import json
import logging
import time
from types import SimpleNamespace

import pytest
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from django.core import signing

from auth_demo.tokens import sign_user_id
from exercises.probes import close_all, connect, crashed, frame, never_blocks, proved, target

SCOPE = {"type": "websocket", "path": "/ws/x/", "query_string": b"", "headers": [(b"host", b"testserver")]}


CALLERS: list[dict] = []  # the scope each scope_inside() gave the middleware
DURING: list[dict] = []  # that scope, copied while the inner application ran


def middleware_and_seen():
    """One middleware instance, as a router holds it for every connection, and the inner scopes it passed on."""
    seen = []

    async def inner(scope, receive, send):
        seen.append(dict(scope))
        if CALLERS:  # the caller's scope as it is while the inner application runs
            DURING.append(dict(CALLERS[-1]))

    return target("11.2").TokenIdMiddleware(inner), seen


async def scope_inside(query: bytes | None, middleware=None, seen=None) -> tuple[dict, dict]:
    """(the scope given to the middleware, the scope its inner application received); None: no query_string key."""
    if middleware is None:
        middleware, seen = middleware_and_seen()
    given = dict(copy.deepcopy(SCOPE), query_string=query)  # its own headers list too
    if query is None:
        del given["query_string"]  # the ASGI spec makes it optional: missing means empty
    CALLERS.append(given)
    try:
        await middleware(given, None, None)
    except Exception as error:  # the student's middleware raised: a crashed handshake
        pytest.fail(crashed(error), pytrace=False)
    assert seen, "the inner application never ran: a middleware must await the application it wraps"
    return given, seen[-1]


def token(user_id: int) -> bytes:
    return sign_user_id(user_id).encode()


async def test_a_valid_token_puts_its_user_id_in_the_inner_scope():
    _, seen = await scope_inside(b"token=" + token(7))
    assert seen.get("token_user_id") == 7, (
        f'expected scope["token_user_id"] == 7, got {seen.get("token_user_id", "no such key")!r}'
    )


async def test_the_token_is_found_among_other_parameters_and_unquoted():
    for query in (
        b"room=lobby&token=" + token(8),
        b"token=" + "".join(f"%{byte:02X}" for byte in token(8)).encode() + b"&x=1",
    ):
        _, seen = await scope_inside(query)
        assert seen.get("token_user_id") == 8, (
            f"{query[:40]!r}...: expected 8, got {seen.get('token_user_id', 'no such key')!r}: the query string is "
            "parameters joined by & and %-escaped: parse it, do not cut it by hand"
        )
    _, seen = await scope_inside(b"token=" + token(8) + b"&token=forged")
    assert seen.get("token_user_id") == 8, (
        f"?token=<valid>&token=forged gave {seen.get('token_user_id', 'no such key')!r}, expected 8: "
        "when the parameter comes twice, the first one counts (as in lesson 11's middleware)"
    )
    _, seen = await scope_inside(b"token=forged&token=" + token(8))
    assert seen.get("token_user_id") is None, (
        f"?token=forged&token=<valid> gave {seen.get('token_user_id', 'no such key')!r}, expected None: the first "
        "token counts, and it is forged; trying each token until one is valid lets a client send a thousand "
        "guesses in one handshake"
    )
    _, seen = await scope_inside(b"notatoken=" + token(8))
    assert seen.get("token_user_id") is None, (
        f"?notatoken=<a valid token> gave user {seen.get('token_user_id')!r}: only the parameter named token counts"
    )


def expired_token(user_id: int) -> bytes:
    old = time.time() - 3600  # signed an hour ago: past MAX_AGE
    signer = signing.TimestampSigner(salt="auth_demo.tokens", sep=".")
    signer.timestamp = lambda: signing.b62_encode(int(old))
    return signer.sign_object({"user": user_id}).encode()


# b"token=\xff": a query string is raw bytes, not always UTF-8 (decode it as latin-1, as lesson 11 does).
NO_VALID_TOKEN = [None, b"", b"token=", b"token", b"token=forged", b"name=ada", b"token=\xff", b"token=%ZZ", b"&&=&"]
NO_VALID_TOKEN += [b"user_id=7", b"token=forged&user_id=7", b"token_user_id=7"]  # claims, not tokens


async def test_no_valid_token_puts_none_in_the_inner_scope():
    for query in [*NO_VALID_TOKEN, b"token=" + expired_token(7)]:
        _, seen = await scope_inside(query)
        shown = "no query_string at all" if query is None else repr(query)
        assert "token_user_id" in seen, f'{shown}: expected the key "token_user_id" (None) in the inner scope'
        assert seen["token_user_id"] is None, (
            f"{shown}: no valid token, so expected None, got {seen['token_user_id']!r}: only a signed token names a "
            "user, never a user id the client claims"
        )
    proved("bad frames", len(NO_VALID_TOKEN) + 1)


async def test_the_inner_scope_keeps_everything_else():
    _, seen = await scope_inside(b"token=" + token(7))
    missing = {key: value for key, value in SCOPE.items() if key != "query_string" and seen.get(key) != value}
    assert not missing, f"the inner scope lost or changed {sorted(missing)}: copy the whole scope and add one key"
    for given in ({**SCOPE, "type": "http", "method": "GET"}, {"type": "lifespan", "asgi": {"version": "3.0"}}):
        middleware, seen = middleware_and_seen()  # wrapped around a whole application: uvicorn's lifespan too
        try:
            await middleware(dict(given), None, None)
        except Exception as error:  # the student's middleware read a key this scope does not have
            pytest.fail(f"a {given['type']!r} scope: {crashed(error)}", pytrace=False)
        assert seen and all(seen[0].get(key) == value for key, value in given.items()), (
            f"a {given['type']!r} scope never reached the inner application whole: the middleware wraps any ASGI "
            "application, so it passes on every scope it is given, with every key, not only a websocket's"
        )


async def test_the_scope_the_middleware_was_given_is_unchanged():
    query = b"token=" + token(7)
    given, _ = await scope_inside(query)
    assert given == dict(SCOPE, query_string=query), (
        f"the caller's scope changed, it is now {given}: copy it, never assign into the scope you got (nor into its "
        "query_string or headers list: the router and every middleware before yours hold them too)"
    )
    assert DURING[-1] == dict(SCOPE, query_string=query), (
        f"while the inner application ran, the caller's scope was {DURING[-1]}: changed, even if put back after. "
        "The connection lasts as long as the inner application runs, and the router and every middleware before "
        "yours hold that dict the whole time; pass on a copy, dict(scope, token_user_id=...)"
    )


async def test_a_second_connection_never_gets_the_first_ones_user():
    middleware, seen = middleware_and_seen()
    await scope_inside(b"token=" + token(7), middleware, seen)
    _, second = await scope_inside(b"", middleware, seen)
    assert second.get("token_user_id") is None, (
        f"a second, tokenless connection got user id {second.get('token_user_id')!r}: one middleware serves "
        "every connection, so keep nothing on self; keep it in the scope's copy"
    )


async def test_an_error_inside_the_inner_application_reaches_the_server():
    calls = []

    async def crashing(scope, receive, send):
        calls.append(scope.get("token_user_id"))
        raise RuntimeError("the consumer crashed")

    raised = None
    try:
        await target("11.2").TokenIdMiddleware(crashing)(dict(SCOPE, query_string=b"token=" + token(7)), None, None)
    except RuntimeError as error:
        raised = error
    assert raised is not None and calls == [7], (
        f"the inner application raised RuntimeError; the middleware ran it {len(calls)} time(s) (with user ids "
        f"{calls}) and {'raised' if raised else 'swallowed the error'}: a middleware calls its application once, and "
        "an error inside it must reach the server (which logs it and closes with 1011); catch only what reading "
        "the token raises"
    )


async def test_no_token_is_written_to_a_log_or_the_output(caplog, capsys):
    caplog.set_level(logging.DEBUG)
    tokens = {"a valid": sign_user_id(7), "an expired": expired_token(8).decode()}
    for token in tokens.values():
        await scope_inside(b"room=lobby&token=" + token.encode())
    written = caplog.text + "".join(repr(vars(r)) for r in caplog.records) + "".join(capsys.readouterr())
    for kind, token in tokens.items():
        at = written.find(token)
        assert at < 0, (
            f"{kind} token was written to a log or the output: {written[max(at - 100, 0) : at + 20]!r}... Whoever "
            "reads a token can log in with it until it expires (an expired one still names its user): log the user "
            "id if you must, never the token (nor in a record's extra fields, which a JSON or Sentry handler writes)"
        )


async def test_a_token_that_expired_since_it_was_last_used_gets_none(monkeypatch):
    middleware, seen = middleware_and_seen()
    valid = token(7)
    await scope_inside(b"token=" + valid, middleware, seen)
    later = time.time() + 3600  # an hour on: the same token is past MAX_AGE now
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: later))
    _, again = await scope_inside(b"token=" + valid, middleware, seen)
    assert again.get("token_user_id") is None, (
        f"a token for user 7, used again an hour later, gave {again.get('token_user_id')!r}: it has expired since "
        "(MAX_AGE), so it names nobody now; check every token when its connection comes, remember no verdicts"
    )


class WhoAmI(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        await self.send({"type": "websocket.send", "text": json.dumps(self.scope.get("token_user_id", "missing"))})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


async def test_two_sockets_at_once_each_get_their_own_user():
    application = target("11.2").TokenIdMiddleware(WhoAmI.as_asgi())  # one middleware, as routing builds it
    async with never_blocks(0.25):  # well over a busy machine's hiccups, well under any blocking call worth finding
        ada = await connect(application, "/ws/x/?token=" + sign_user_id(7))
        anonymous = await connect(application, "/ws/x/?token=forged")
        grace = await connect(application, "/ws/x/?token=" + sign_user_id(9))
        proved("sockets", 3)
        got = []
        for communicator in (anonymous, ada, grace):
            await communicator.send_to(text_data="who?")
            got.append(await frame(communicator))
        await close_all(ada, anonymous, grace)
    assert got == [None, 7, 9], (
        f"three sockets open at once (forged token, user 7, user 9) saw {got}: each connection's user "
        "belongs to its own scope copy"
    )
