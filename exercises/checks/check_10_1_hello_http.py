"""Check 10.1: a raw HTTP consumer that says hello."""

from channels.testing import HttpCommunicator

from exercises.checks import target


async def test_a_name_gets_hello():
    communicator = HttpCommunicator(target("10.1").HelloConsumer.as_asgi(), "GET", "/?name=Ada")
    response = await communicator.get_response(timeout=1)
    assert (response["status"], response["body"]) == (200, b"Hello, Ada"), f"expected 200 Hello, Ada, got {response}"


async def test_no_name_gets_400():
    communicator = HttpCommunicator(target("10.1").HelloConsumer.as_asgi(), "GET", "/")
    response = await communicator.get_response(timeout=1)
    assert response["status"] == 400, f"expected 400 without ?name=, got {response['status']}"
