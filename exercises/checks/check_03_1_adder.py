"""Check 03.1: a JSON consumer that adds two numbers."""

import pytest
from channels.testing import WebsocketCommunicator

from exercises.checks import target


async def test_two_numbers_come_back_as_their_sum():
    communicator = WebsocketCommunicator(target("03.1").AdderConsumer.as_asgi(), "/")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    await communicator.send_json_to({"a": 2, "b": 3.5})
    got = await communicator.receive_json_from(timeout=1)
    assert got == {"sum": 5.5}, f'expected {{"sum": 5.5}}, got {got}'
    await communicator.disconnect()


@pytest.mark.parametrize("frame", ["not json", '{"a": 1}', '{"a": "1", "b": 2}', '{"a": true, "b": 1}', "[1, 2]"])
async def test_bad_input_gets_an_error_and_the_socket_stays_open(frame):
    communicator = WebsocketCommunicator(target("03.1").AdderConsumer.as_asgi(), "/")
    await communicator.connect(timeout=1)
    await communicator.send_to(text_data=frame)
    got = await communicator.receive_json_from(timeout=1)
    assert "error" in got, f'{frame!r}: expected {{"error": ...}}, got {got}'
    await communicator.send_json_to({"a": 1, "b": 1})
    assert await communicator.receive_json_from(timeout=1) == {"sum": 2}, "the socket should stay open after an error"
    await communicator.disconnect()
