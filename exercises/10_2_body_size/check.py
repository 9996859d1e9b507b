"""Check 10.2: an AsyncHttpConsumer that measures bodies in bytes, up to a limit, one response a request."""

import asyncio
import json

from channels.generic.http import AsyncHttpConsumer
from channels.testing import ApplicationCommunicator

from exercises.probes import FRAME, answer, never_blocks, nothing_after_close, proved, target

RULE = 'the limit is 1024 bytes of body (bytes, not characters): up to it 200 {"bytes": n}, over it 413'


def request(headers: tuple = ()):
    """A POST to a fresh BodySizeConsumer, driven event by event as a server drives it."""
    scope = {"type": "http", "http_version": "1.1", "method": "POST", "path": "/", "query_string": b""}
    scope["headers"] = list(headers)
    return ApplicationCommunicator(target("10.2").BodySizeConsumer.as_asgi(), scope)


async def send_parts(communicator, parts: list[bytes]) -> None:
    for number, part in enumerate(parts, 1):
        await communicator.send_input({"type": "http.request", "body": part, "more_body": number < len(parts)})


async def response(communicator) -> tuple[int, object, bytes]:
    """(status, the whole body decoded from JSON if it is JSON, the content-type); then nothing more may come."""
    start = await answer(communicator)
    assert isinstance(start, dict) and start.get("type") == "http.response.start", (
        f"expected http.response.start once the whole body had arrived, got {start}"
    )
    headers = list(start.get("headers", []))
    lowercase_bytes = all(isinstance(part, bytes) for pair in headers for part in pair) and all(
        name == name.lower() for name, _ in headers
    )
    assert lowercase_bytes, (
        f"the {start.get('status')} response's headers were {headers!r}: ASGI headers are pairs of bytes, "
        'names in lowercase: write (b"content-type", b"application/json"), never str or b"Content-Type"'
    )
    parts = []  # a body may come in several http.response.body events: the last one says more_body False
    while not parts or parts[-1].get("more_body"):
        body = await answer(communicator)
        unfinished = ": the last part said more_body=True, so the client still waits for the rest of the body"
        assert isinstance(body, dict) and body.get("type") == "http.response.body", (
            f"expected http.response.body after the start, got {body}" + (unfinished if parts else "")
        )
        parts.append(body)
    # A consumer that has ended can send nothing more: wait for its end, then look at what it left queued.
    await asyncio.wait([communicator.future], timeout=FRAME)
    await nothing_after_close(communicator, 0.01 if communicator.future.done() else 0.1)
    assert communicator.future.done(), (
        f"the consumer was still running after its {start.get('status')} response: once the response is complete "
        "the consumer ends (AsyncHttpConsumer raises StopConsumer after handle(); code of your own must too)"
    )
    whole = b"".join(part.get("body", b"") for part in parts)
    length = dict(headers).get(b"content-length")
    assert length in (None, str(len(whole)).encode()), (
        f"the {start.get('status')} response's content-length header said {length!r}, but its body was {len(whole)} "
        f"bytes ({whole[:40]!r}): content-length counts the bytes of the response's own body, never the request's; "
        "a client reads that many bytes and cuts the answer short (or takes the rest for the next response). Leave "
        "it out, the server frames the body, or give len() of the very bytes you send"
    )
    try:
        content = json.loads(whole)
    except ValueError:
        content = whole
    return start["status"], content, dict(headers).get(b"content-type", b"")


async def measure(body: bytes, parts: int = 1, headers: tuple = ()) -> tuple[int, object, bytes]:
    communicator = request(headers)
    size = -(-len(body) // parts) or 1
    await send_parts(communicator, [body[i : i + size] for i in range(0, len(body), size)] or [b""])
    return await response(communicator)


def test_it_is_an_async_http_consumer():
    assert issubclass(target("10.2").BodySizeConsumer, AsyncHttpConsumer), (
        "BodySizeConsumer must subclass AsyncHttpConsumer: it collects the body parts and calls handle(body) once"
    )


async def test_a_body_is_measured_as_json():
    status, content, content_type = await measure(b"  hello \r\n")  # 10 bytes, spaces and line end included
    assert status == 200, f"a body of 10 bytes is under the limit: expected 200, got {status}"
    assert content == {"bytes": 10}, (
        f'expected the JSON body {{"bytes": 10}}, got {content!r}: answer with JSON, and count every byte of the '
        "body as it came, spaces and line ends too (b'  hello \\r\\n' is 10 bytes)"
    )
    assert content_type.startswith(b"application/json"), (
        f"expected the content-type application/json, got {content_type!r}: a JSON answer says it is JSON"
    )


async def test_an_empty_body_measures_0_bytes():
    status, content, _ = await measure(b"")
    assert (status, content) == (200, {"bytes": 0}), (
        f'an empty body must get 200 {{"bytes": 0}}, got {status} {content!r}'
    )


async def test_each_size_up_to_the_limit_is_measured_and_over_it_gets_413():
    for size, expected in ((1023, 200), (1024, 200), (1025, 413), (5000, 413)):
        status, content, _ = await measure(b"x" * size)
        assert status == expected, f"a body of {size} bytes got {status!r}, expected {expected}: {RULE}"
        if expected == 200:  # a 413's body is the consumer's to choose: a text, an error, even the measure
            assert content == {"bytes": size}, f'a body of {size} bytes got {content!r}, expected {{"bytes": {size}}}'
    proved("boundaries", 4)


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


async def test_a_body_over_the_limit_before_its_last_part_gets_one_413():
    for parts in (3, 9):  # over the limit at the second part of three, at the sixth of nine: more parts follow
        status, _, _ = await measure(b"x" * 1800, parts=parts)
        assert status == 413, f"1800 bytes in {parts} parts got {status}, expected 413. {RULE}"
    proved("boundaries", 2)


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
    assert got_first[0] == 413, f"the first request (1200 bytes) got {got_first[0]}, expected 413. {RULE}"
    assert got_second[:2] == (200, {"bytes": 700}), (
        f'the second request (700 bytes), sent at the same time, got {got_second[:2]}, expected 200 {{"bytes": 700}}: '
        "each request has its own consumer instance and its own body"
    )
