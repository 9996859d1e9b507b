"""An HTTP response read as a client and the ASGI spec read it (checks 10.1, 10.2, 10.3); a token middleware's
scopes watched from inside (11.2).

Each rule of a response's shape is written here once, in the sentence a student reads when theirs breaks it.
"""

import asyncio
import copy
import json
import time
from types import SimpleNamespace
from typing import NamedTuple
from unittest import mock

import pytest
from django.core import signing

from exercises.probes.http import http_request, send_parts
from exercises.probes.waits import answer, crashed, nothing_after_close
from harness.patience import FRAME

UNFINISHED = ": the last part said more_body=True, so the client still waits for the rest of the body (after a part "
UNFINISHED += "saying more_body: true, the rest of the body follows, and the last part leaves more_body out)"


class Response(NamedTuple):
    """One complete response: its status, its body (every part, joined) and its headers (name -> value)."""

    status: int
    body: bytes
    headers: dict

    @property
    def content(self) -> object:
        """The body read as JSON, or the bytes themselves if they are no JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return self.body

    @property
    def content_type(self) -> bytes:
        return self.headers.get(b"content-type", b"")

    @property
    def answer(self) -> tuple[int, object]:
        """(status, content): what a test compares with what it expected."""
        return self.status, self.content


async def posted(application, parts: list[bytes], headers: tuple = (), in_json: bool = False) -> Response:
    """The response to a POST whose body comes in `parts`, one http.request event each, as a server hands it over."""
    await send_parts(communicator := http_request(application, "POST", headers=headers), parts)
    return await response(communicator, in_json=in_json)


async def response(communicator, ends: bool = True, in_json: bool = False, when: str = "") -> Response:
    """The one response to a request, each rule of its shape checked; then nothing more may come.

    The body is read part by part until one leaves more_body out, as a client reads it. With `ends` the consumer must
    have ended within FRAME (once a response is complete, an HTTP consumer ends); without, it gets a grace of 0.5 s
    and the check judges its end in a test of its own. With `in_json` the answer must say it is JSON; `when` says
    when the response was due, if not once the whole request had arrived. Bytes and content-length are judged last,
    once the consumer has had its say, so a response that breaks several rules is told the one its client meets first.
    """
    start = await answer(communicator)
    assert isinstance(start, dict) and start.get("type") == "http.response.start", (
        f"expected http.response.start {when or 'once the whole request had arrived'}, got {start}"
    )
    status, headers, parts = start.get("status"), list(start.get("headers", [])), []
    while not parts or parts[-1].get("more_body"):  # a body may come in parts: the last one leaves more_body out
        body = await answer(communicator)
        assert isinstance(body, dict) and body.get("type") == "http.response.body", (
            f"expected http.response.body after http.response.start, got {body}" + (UNFINISHED if parts else "")
        )
        parts.append(body)
    # Once the response is complete, Daphne sends http.disconnect (the ASGI spec: receive() after a response gives
    # it): a consumer may end itself after its response, or on that event, as lesson 10's demo does.
    if not communicator.future.done():
        await communicator.send_input({"type": "http.disconnect"})
    # A consumer that has ended can send nothing more: wait for its end, then look at what it left queued.
    await asyncio.wait([communicator.future], timeout=FRAME if ends else 0.5)
    await nothing_after_close(communicator, 0.01 if communicator.future.done() else 0.1)
    assert communicator.future.done() or not ends, (
        f"the consumer was still running after its {status} response and the http.disconnect the server sends once "
        "a response is complete: raise StopConsumer after the response, or in http_disconnect (AsyncHttpConsumer "
        "does both for you)"
    )
    got = Response(status, in_bytes(status, headers, [part.get("body", b"") for part in parts]), dict(headers))
    if in_json:
        says_json(got.status, got.content_type)
    return got


def in_bytes(status: int, headers: list, sent: list) -> bytes:
    """The body `sent` in parts, joined, once the headers and the body are found to be bytes, as ASGI says."""
    names, values = [name for name, _ in headers], [value for _, value in headers]
    assert all(isinstance(name, bytes) and name == name.lower() for name in names), (
        f"the {status} response's header names were {names}: ASGI header names are bytes in lowercase (the spec: "
        '\'Header names must be lowercased\'), so send b"content-type", never b"Content-Type" or a str'
    )
    assert all(isinstance(value, bytes) for value in values), (
        f"the {status} response's header values were {values!r}: an ASGI header is a pair of bytes, its value too "
        "(Daphne encodes a str for you, uvicorn's standard install raises TypeError and its client gets no "
        'response), so send b"application/json" or b"text/plain; charset=utf-8"'
    )
    assert all(isinstance(body, bytes) for body in sent), (
        f"the {status} response's body was sent as {sent!r:.200}: an ASGI body is bytes (a server refuses a str), "
        "so encode the text as UTF-8 (.encode(), json.dumps(...).encode())"
    )
    data, length = b"".join(sent), dict(headers).get(b"content-length")
    assert length in (None, str(len(data)).encode()), (
        f"the {status} response's content-length header said {length!r}, but its body was {len(data)} bytes "
        f"({data[:40]!r}): content-length counts the bytes of the response's own body, as encoded (never the "
        "characters of its text, nor the request's bytes); a client reads that many bytes and cuts the answer short "
        "(or takes the rest for the next response). Leave it out, the server frames the body, or give len() of the "
        "very bytes you send"
    )
    return data


def says_json(status: int, content_type: bytes) -> None:
    """A JSON answer says it is JSON, in its content-type."""
    assert content_type.startswith(b"application/json"), (
        f"the {status} response's content-type was {content_type!r}: a JSON answer says it is JSON "
        "(content-type application/json), or a client reads it as something else"
    )


# A handshake's scope as the router hands it to a middleware; each test gives it a query string of its own.
HANDSHAKE = {"type": "websocket", "path": "/ws/x/", "query_string": b"", "headers": [(b"host", b"testserver")]}
SEEN: list[tuple[dict, dict]] = []  # each scope the inner application got, and its caller's scope meanwhile
CALLERS: list[dict] = []  # the scope each scope_inside() gave the middleware


async def inner(scope, receive, send):
    """The wrapped application: notes its scope and its caller's meanwhile; on a socket, answers with its user id."""
    SEEN.append((dict(scope), dict(*CALLERS[-1:])))
    if scope.get("crash"):
        raise RuntimeError("the consumer crashed")
    while receive and (event := await receive())["type"] != "websocket.disconnect":
        said = {"type": "websocket.send", "text": json.dumps(scope.get("token_user_id", "missing"))}
        await send({"type": "websocket.accept"} if event["type"] == "websocket.connect" else said)


async def scope_inside(module, query: bytes | None = b"", middleware=None, given=None) -> tuple[dict, dict]:
    """(the scope given to `middleware`, a new TokenIdMiddleware(inner) if None: a copy of `given`, or HANDSHAKE with
    `query`; the scope the inner application got). A middleware that raises, or never runs the inner one, fails."""
    given = copy.deepcopy(given or dict(HANDSHAKE, query_string=query))  # its own headers list too
    ran = len(SEEN)
    if query is None:
        del given["query_string"]  # the ASGI spec makes it optional: missing means empty
    CALLERS.append(given)
    try:
        await (middleware or module.TokenIdMiddleware(inner))(given, None, None)
    except Exception as error:  # the student's middleware raised: a crashed handshake
        pytest.fail(f"a {given['type']!r} scope: {crashed(error)}", pytrace=False)
    assert len(SEEN) > ran, (
        f"a {given['type']!r} scope never reached the inner application whole (the inner application never ran): "
        "a middleware awaits the application it wraps, for every scope"
    )
    return given, SEEN[-1][0]


def signed(sign, user_id: int, signed_ago: float = 0) -> bytes:
    """b"token=" and the token `sign` makes for user_id, signed `signed_ago` seconds ago (an hour: past MAX_AGE)."""
    with mock.patch.object(signing, "time", SimpleNamespace(time=lambda: time.time() - signed_ago)):
        return b"token=" + sign(user_id).encode()


def an_hour_later(monkeypatch) -> None:
    """django.core.signing's clock set an hour ahead for the rest of the test: a token signed before is past MAX_AGE."""
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: time.time() + 3600))
