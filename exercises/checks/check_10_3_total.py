"""Check 10.3 (fix): a request body may come in several http.request events; collect them all, per request."""

import json

from asgiref.testing import ApplicationCommunicator

from exercises.checks.fixlab import load

RULE = (
    'A server may hand the body over in several http.request events ("more_body": true on all but the last): '
    "collect every part on the consumer instance and parse the whole"
)


async def post(parts: list[bytes]) -> tuple[int, dict]:
    """POST a body in these parts, as Daphne or uvicorn hand over a big one; (status, JSON answer)."""
    scope = {"type": "http", "http_version": "1.1", "method": "POST", "path": "/", "query_string": b"", "headers": []}
    communicator = ApplicationCommunicator(load("10.3", RULE).TotalConsumer.as_asgi(), scope)
    for number, part in enumerate(parts, 1):
        await communicator.send_input({"type": "http.request", "body": part, "more_body": number < len(parts)})
    start = await communicator.receive_output(timeout=1)
    body = await communicator.receive_output(timeout=1)
    await communicator.wait(timeout=1)
    return start["status"], json.loads(body["body"])


async def test_a_body_in_one_part_is_added_up():
    assert await post([b"[1, 2, 3.5]"]) == (200, {"total": 6.5})


async def test_a_body_in_several_parts_is_added_up():
    body = json.dumps(list(range(3000))).encode()
    parts = [body[i : i + 4096] for i in range(0, len(body), 4096)]
    status, content = await post(parts)
    assert (status, content) == (200, {"total": sum(range(3000))}), (
        f"a valid body in {len(parts)} parts got {status} {content}. {RULE}"
    )


async def test_each_request_is_parsed_on_its_own():
    await post([b"[1, ", b"2]"])
    status, content = await post([b"[10, ", b"20]"])
    assert (status, content) == (200, {"total": 30}), (
        f"the second request [10, 20] got {status} {content}: parts of the first request were still there. {RULE}"
    )


async def test_a_body_that_is_not_a_list_of_numbers_gets_400():
    status, content = await post([b'{"not": ', b'"a list"}'])
    assert status == 400 and "error" in content, f'expected 400 {{"error": ...}}, got {status} {content}'
