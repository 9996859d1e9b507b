"""Check 10.1: a raw HTTP consumer that says hello."""

import asyncio

from channels.testing import ApplicationCommunicator, HttpCommunicator

from exercises.checks import answer, nothing_more, target


async def test_a_name_gets_hello_as_plain_text():
    communicator = HttpCommunicator(target("10.1").HelloConsumer.as_asgi(), "GET", "/?name=Ada")
    response = await communicator.get_response(timeout=1)
    assert (response["status"], response["body"]) == (200, b"Hello, Ada"), f"expected 200 Hello, Ada, got {response}"
    content_type = dict(response["headers"]).get(b"content-type", b"")
    assert content_type.startswith(b"text/plain"), f"expected a text/plain content-type header, got {content_type!r}"


async def test_no_name_gets_400():
    communicator = HttpCommunicator(target("10.1").HelloConsumer.as_asgi(), "GET", "/")
    response = await communicator.get_response(timeout=1)
    assert response["status"] == 400, f"expected 400 without ?name=, got {response['status']}"


async def test_the_answer_waits_for_the_last_part_of_the_body():
    scope = {"type": "http", "method": "POST", "path": "/", "query_string": b"name=Ada", "headers": []}
    communicator = ApplicationCommunicator(target("10.1").HelloConsumer.as_asgi(), scope)
    await communicator.send_input({"type": "http.request", "body": b"part one", "more_body": True})
    assert await nothing_more(communicator, timeout=0.5), (
        "it answered before the request had fully arrived: while more_body is true, more http.request events follow"
    )
    await communicator.send_input({"type": "http.request", "body": b"part two", "more_body": False})
    got = await answer(communicator)
    assert isinstance(got, dict) and got.get("type") == "http.response.start", (
        f"expected http.response.start after the last part, got {got}"
    )
    communicator.future.cancel()
    await asyncio.gather(communicator.future, return_exceptions=True)


async def test_the_consumer_ends_after_its_response():
    communicator = HttpCommunicator(target("10.1").HelloConsumer.as_asgi(), "GET", "/?name=Ada")
    await communicator.get_response(timeout=1)
    done, _ = await asyncio.wait([communicator.future], timeout=0.5)
    communicator.future.cancel()
    assert done, "the consumer was still running after its response: raise StopConsumer() once the body is sent"
