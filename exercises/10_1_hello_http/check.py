"""Check 10.1: a raw HTTP consumer that says hello: one complete response per request, after the last body part.

The task's rules, in its order: 1. a name gets hello as plain text, in UTF-8 beyond ASCII; 2. no name gets 400; 3. the
name is read as a form reads its query string; 4. any bytes get an answer, not a crash; 5. the answer waits for the
last part of the body, and two requests at once get their own answers; 6. the consumer ends after its response (by
itself or on the http.disconnect that follows it), and cleanly when the client leaves mid-body; 7. (the battery)
nothing sets DJANGO_ALLOW_ASYNC_UNSAFE.
"""

import asyncio

import pytest

from exercises.probes import FRAME, answer, ends_when_the_client_leaves, http_request, never_blocks, nothing_more
from exercises.probes import proved, target
from exercises.probes.http_tokens import response


def request(query: bytes, method: str = "GET"):
    """A request to a fresh HelloConsumer, driven event by event as Daphne drives it."""
    return http_request(target("10.1").HelloConsumer.as_asgi(), method, query)


async def get(query: bytes) -> tuple[int, bytes, bytes]:
    """(status, body, content-type) of GET /?query; whether the consumer ends is test_the_consumer_ends_...'s to say."""
    communicator = request(query)
    await communicator.send_input({"type": "http.request", "body": b""})  # no more_body: it defaults to false
    got = await response(communicator, ends=False)
    return got.status, got.body, got.content_type


@pytest.mark.rule(1)
async def test_a_name_gets_hello_as_plain_text():
    status, body, content_type = await get(b"name=Ada")
    assert (status, body) == (200, b"Hello, Ada"), f"GET /?name=Ada: expected 200 b'Hello, Ada', got {status} {body!r}"
    assert content_type.startswith(b"text/plain"), f"expected a text/plain content-type header, got {content_type!r}"


@pytest.mark.rule(1)
async def test_a_name_beyond_ascii_is_greeted_in_utf_8():
    status, body, content_type = await get(b"name=%C5%81ucja")  # "Łucja", as a browser sends it
    assert (status, body) == (200, "Hello, \u0141ucja".encode()), (
        f"GET /?name=%C5%81ucja: expected 200 and 'Hello, \u0141ucja' in UTF-8, got {status} {body!r}: "
        "the query string is percent-encoded UTF-8, and a body is bytes: encode the text as UTF-8"
    )
    assert b"charset=utf-8" in content_type.lower(), (
        f"a UTF-8 body must say so in its content-type (text/plain; charset=utf-8), got {content_type!r}"
    )


@pytest.mark.rule(2)
async def test_no_name_gets_400():
    for query in (b"", b"name=", b"nom=Ada", b"nickname=Ada"):
        status, body, _ = await get(query)
        assert status == 400, f"GET /?{query.decode()}: expected 400 (no name to greet), got {status} {body!r}"
    proved("boundaries", 4)


@pytest.mark.rule(3)
async def test_the_name_is_read_as_a_form_reads_its_query_string():
    for query, name in ((b"name=Vincent+van+Gogh&lang=en", "Vincent van Gogh"), (b"lang=en&name=Ada%26Co", "Ada&Co")):
        status, body, _ = await get(query)
        assert (status, body) == (200, f"Hello, {name}".encode()), (
            f"GET /?{query.decode()}: expected 200 {f'Hello, {name}'!r}, got {status} {body!r}: parameters are "
            "separated by &, a + is a space and %26 an &; parse_qsl reads a query string as a browser's form wrote it; "
            "and a name is greeted as it was written (.title() or .capitalize() turns 'van' into 'Van')"
        )


@pytest.mark.rule(4)
async def test_a_query_string_of_any_bytes_gets_an_answer_not_a_crash():
    for query in (b"name=\xff", b"name=%FF", b"name", b"%", b"name=Ada&name=Grace"):
        status, _, _ = await get(query)
        assert status in (200, 400), f"GET /?{query!r}: expected 200 or 400, got {status}"
    proved("bad frames", 5)


@pytest.mark.rule(5)
async def test_the_answer_waits_for_the_last_part_of_the_body():
    for query, expected in ((b"name=Ada", 200), (b"", 400)):  # a refusal waits for the whole request too
        communicator = request(query, "POST")
        await communicator.send_input({"type": "http.request", "body": b"part one", "more_body": True})
        assert await nothing_more(communicator, 0.2), (
            f"POST /?{query.decode()}: it answered before the request had fully arrived: while more_body is true, "
            "more http.request events follow, and the answer (a 400 too) comes after the last one"
        )
        await communicator.send_input({"type": "http.request", "body": b"part two", "more_body": False})
        status, body, _ = await response(communicator, ends=False)
        assert status == expected and (expected == 400 or body == b"Hello, Ada"), (
            f"POST /?{query.decode()}: expected {expected} after the last part, got {status} {body!r}"
        )


@pytest.mark.rule(5, 6)
async def test_two_requests_at_once_get_their_own_answers():
    ada, grace = request(b"name=Ada", "POST"), request(b"name=Grace", "POST")
    async with never_blocks(0.25):  # well over a busy machine's hiccups, well under any blocking call worth finding
        await ada.send_input({"type": "http.request", "body": b"1", "more_body": True})
        await grace.send_input({"type": "http.request", "body": b"2", "more_body": True})
        await grace.send_input({"type": "http.request", "body": b"", "more_body": False})
        got_grace = await response(grace, ends=False)
        await ada.send_input({"type": "http.request", "body": b"", "more_body": False})
        got_ada = await response(ada, ends=False)
    proved("sockets", 2)
    assert got_grace[:2] == (200, b"Hello, Grace"), f"Grace's request got {got_grace[:2]}, expected 200 b'Hello, Grace'"
    assert got_ada[:2] == (200, b"Hello, Ada"), (
        f"Ada's request, answered after Grace's, got {got_ada[:2]}: each request has its own consumer instance"
    )


@pytest.mark.rule(6)
async def test_the_consumer_ends_after_its_response():
    for query in (b"name=Ada", b""):  # the 200 and the 400
        communicator = request(query)
        await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
        await answer(communicator)
        await answer(communicator)
        if not communicator.future.done():  # Daphne's word that the response is complete
            await communicator.send_input({"type": "http.disconnect"})
        done, _ = await asyncio.wait([communicator.future], timeout=FRAME)
        communicator.future.cancel()
        assert done and not communicator.future.cancelled(), (
            f"GET /?{query.decode()}: the consumer was still running after its response and the http.disconnect "
            "the server sends once a response is complete: a raw consumer ends itself (StopConsumer) after its "
            "response or on that event, whatever the status"
        )


@pytest.mark.rule(6)
async def test_a_client_that_leaves_mid_body_ends_the_consumer_cleanly():
    communicator = request(b"name=Ada", "POST")
    await communicator.send_input({"type": "http.request", "body": b"part one", "more_body": True})
    await ends_when_the_client_leaves(communicator, "POST /?name=Ada sent b'part one' with more_body: true")


# The standard battery of what this exercise builds (HTTP consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.others import (  # noqa: E402, F401
    test_it_ends_when_the_client_leaves_mid_body,
    test_a_query_and_a_header_not_in_utf8_get_an_answer,
)
