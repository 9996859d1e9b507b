"""Check 10.2: an AsyncHttpConsumer that measures bodies, up to a limit."""

import json

from channels.generic.http import AsyncHttpConsumer
from channels.testing import HttpCommunicator

from exercises.checks import target


def test_it_is_an_async_http_consumer():
    assert issubclass(target("10.2").BodySizeConsumer, AsyncHttpConsumer), "subclass AsyncHttpConsumer"


async def test_a_body_is_measured_as_json():
    communicator = HttpCommunicator(target("10.2").BodySizeConsumer.as_asgi(), "POST", "/", body=b"x" * 10)
    response = await communicator.get_response(timeout=1)
    assert response["status"] == 200, f"expected 200, got {response['status']}"
    try:
        got = json.loads(response["body"])
    except ValueError:
        got = response["body"]
    assert got == {"bytes": 10}, f'expected the JSON body {{"bytes": 10}}, got {got!r}'
    content_type = dict(response["headers"]).get(b"content-type", b"")
    assert content_type == b"application/json", f"expected the content-type application/json, got {content_type!r}"


async def test_a_body_of_exactly_1024_bytes_is_still_measured():
    communicator = HttpCommunicator(target("10.2").BodySizeConsumer.as_asgi(), "POST", "/", body=b"x" * 1024)
    response = await communicator.get_response(timeout=1)
    assert response["status"] == 200, f"1024 bytes is the limit, not over it: expected 200, got {response['status']}"


async def test_a_body_over_1024_bytes_gets_413():
    communicator = HttpCommunicator(target("10.2").BodySizeConsumer.as_asgi(), "POST", "/", body=b"x" * 1025)
    response = await communicator.get_response(timeout=1)
    assert response["status"] == 413, f"expected 413, got {response['status']}"
