"""Check 10.2: an AsyncHttpConsumer that measures bodies in bytes, up to a limit, one response a request.

The task's rules, in its order: 1. it is an AsyncHttpConsumer; 2. a body is measured, every byte of it, and answered
as JSON, whatever the request's method; an empty one measures 0; 3. up to 1024 bytes gets 200, over it 413, bytes
counted, not characters; 4. a body in several parts is measured whole, whatever its content-length says, and over the
limit early gets one 413; 5. two requests at once, each its own; 6. (the battery) it ends when the client leaves
mid-body, any bytes in the query or a header get an answer, and nothing sets DJANGO_ALLOW_ASYNC_UNSAFE.
"""

import pytest
from channels.generic.http import AsyncHttpConsumer

from exercises.probes import http_request, never_blocks, proved, send_parts, target
from exercises.probes.http_tokens import response, says_json

METHODS = ("GET", "PUT", "PATCH", "DELETE", "OPTIONS", "POST")  # any request is measured: the task names no method
RULE = 'the limit is 1024 bytes of body (bytes, not characters): up to it 200 {"bytes": n}, over it 413'


def request(headers: tuple = (), method: str = "POST"):
    """A request (a POST unless told) to a fresh BodySizeConsumer, driven event by event as a server drives it."""
    return http_request(target("10.2").BodySizeConsumer.as_asgi(), method, headers=headers)


async def measure(body: bytes, parts: int = 1, headers: tuple = (), method: str = "POST") -> tuple[int, object, bytes]:
    """(status, answer, content-type) of `body` sent in `parts` parts of equal size."""
    size = -(-len(body) // parts) or 1
    communicator = request(headers, method)
    await send_parts(communicator, [body[i : i + size] for i in range(0, len(body), size)] or [b""])
    got = await response(communicator)
    return got.status, got.content, got.content_type


@pytest.mark.rule(1)
def test_it_is_an_async_http_consumer():
    assert issubclass(target("10.2").BodySizeConsumer, AsyncHttpConsumer), (
        "BodySizeConsumer must subclass AsyncHttpConsumer: it collects the body parts and calls handle(body) once"
    )


@pytest.mark.rule(2)
async def test_a_body_is_measured_as_json():
    status, content, content_type = await measure(b"  hello \r\n")  # 10 bytes, spaces and line end included
    assert status == 200, f"a body of 10 bytes is under the limit: expected 200, got {status}"
    assert content == {"bytes": 10}, (
        f'expected the JSON body {{"bytes": 10}}, got {content!r}: answer with JSON, and count every byte of the '
        "body as it came, spaces and line ends too (b'  hello \\r\\n' is 10 bytes)"
    )
    says_json(status, content_type)


@pytest.mark.rule(2)
async def test_an_empty_body_measures_0_bytes():
    status, content, _ = await measure(b"")
    assert (status, content) == (200, {"bytes": 0}), (
        f'an empty body must get 200 {{"bytes": 0}}, got {status} {content!r}'
    )


@pytest.mark.rule(3)
async def test_each_size_up_to_the_limit_is_measured_and_over_it_gets_413():
    for size, expected in ((1023, 200), (1024, 200), (1025, 413), (5000, 413)):
        status, content, _ = await measure(b"x" * size)
        assert status == expected, f"a body of {size} bytes got {status!r}, expected {expected}: {RULE}"
        if expected == 200:  # a 413's body is the consumer's to choose: a text, an error, even the measure
            assert content == {"bytes": size}, f'a body of {size} bytes got {content!r}, expected {{"bytes": {size}}}'
    proved("boundaries", 4)


@pytest.mark.rule(3)
async def test_the_limit_counts_bytes_not_characters():
    body = "\u00e9".encode() * 600  # 600 characters, 1200 bytes of UTF-8
    status, content, _ = await measure(body)
    assert status == 413, (
        f"600 accented letters are 1200 bytes, over the limit: expected 413, got {status} {content!r}. {RULE}"
    )
    status, content, _ = await measure(b"\xff" * 100)  # bytes that are no text at all
    assert (status, content) == (200, {"bytes": 100}), (
        f'100 bytes that are not UTF-8 must get 200 {{"bytes": 100}}, got {status} {content!r}: a body is bytes, never decode it'
    )


@pytest.mark.rule(4)
async def test_a_body_in_several_parts_is_measured_whole():
    status, content, _ = await measure(b"x" * 900, parts=3)
    assert (status, content) == (200, {"bytes": 900}), (
        f"900 bytes in 3 parts got {status} {content!r}: measure the whole body"
    )
    status, _, _ = await measure(b"x" * 1200, parts=3)
    assert status == 413, f"1200 bytes in 3 parts of 400 got {status}: the limit is for the whole body. {RULE}"
    status, content, _ = await measure(b"x" * 1200, parts=3, headers=[(b"content-length", b"120")])
    assert status == 413, (
        f"1200 bytes in 3 parts, sent with a content-length header of 120, got {status} {content!r}: the header "
        f"is only the client's word; measure the body that arrived. {RULE}"
    )


@pytest.mark.rule(4)
async def test_a_body_over_the_limit_before_its_last_part_gets_one_413():
    for parts in (3, 9):  # over the limit at the second part of three, at the sixth of nine: more parts follow
        status, _, _ = await measure(b"x" * 1800, parts=parts)
        assert status == 413, f"1800 bytes in {parts} parts got {status}, expected 413. {RULE}"
    proved("boundaries", 2)


@pytest.mark.rule(5)
async def test_two_requests_at_once_are_measured_apart():
    first, second = request(), request()
    async with never_blocks(0.25):  # well over a busy machine's hiccups, well under any blocking call worth finding
        await first.send_input({"type": "http.request", "body": b"a" * 600, "more_body": True})
        await second.send_input({"type": "http.request", "body": b"b" * 600, "more_body": True})
        await first.send_input({"type": "http.request", "body": b"a" * 600, "more_body": False})
        got_first = await response(first)
        await second.send_input({"type": "http.request", "body": b"b" * 100, "more_body": False})
        got_second = await response(second)
    proved("sockets", 2)
    assert got_first.status == 413, f"the first request (1200 bytes) got {got_first.status}, expected 413. {RULE}"
    assert (got_second.status, got_second.content) == (200, {"bytes": 700}), (
        f"the second request (700 bytes), sent at the same time, got {got_second.status} {got_second.content}, "
        'expected 200 {"bytes": 700}: each request has its own consumer instance and its own body'
    )


@pytest.mark.rule(2)
async def test_a_request_of_any_method_is_measured():
    for method in METHODS:
        status, content, _ = await measure(b"hello", method=method)
        assert (status, content) == (200, {"bytes": 5}), (
            f'a {method} request with a body of 5 bytes got {status} {content!r}, expected 200 {{"bytes": 5}}: the '
            "task measures the body of any request, whatever its method; refuse none of them"
        )
    proved("boundaries", len(METHODS))


# The standard battery of what this exercise builds (HTTP consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.others import (  # noqa: E402, F401
    test_it_ends_when_the_client_leaves_mid_body,
    test_a_query_and_a_header_not_in_utf8_get_an_answer,
)
