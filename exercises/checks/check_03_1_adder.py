"""Check 03.1: a JSON consumer that adds two numbers, and answers bad input with an error."""

import pytest
from channels.testing import WebsocketCommunicator

from exercises.checks import frame, target


async def test_two_numbers_come_back_as_their_sum():
    communicator = WebsocketCommunicator(target("03.1").AdderConsumer.as_asgi(), "/")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    await communicator.send_json_to({"a": 2, "b": 3.5})
    got = await frame(communicator)
    assert got == {"sum": 5.5}, f'expected {{"sum": 5.5}}, got {got}'
    await communicator.disconnect()


@pytest.mark.parametrize("sent", ["not json", '{"a": 1}', '{"a": "1", "b": 2}', '{"a": true, "b": 1}', "[1, 2]"])
async def test_bad_input_gets_an_error_and_the_socket_stays_open(sent):
    communicator = WebsocketCommunicator(target("03.1").AdderConsumer.as_asgi(), "/")
    await communicator.connect(timeout=1)
    await communicator.send_to(text_data=sent)
    got = await frame(communicator)
    assert isinstance(got, dict) and "error" in got, (
        f'{sent!r}: bad input gets {{"error": ...}} (true and false are not numbers), got {got}'
    )
    await communicator.send_json_to({"a": 1, "b": 1})
    got = await frame(communicator)
    assert got == {"sum": 2}, f"{sent!r}: after an error frame the socket stays open and keeps adding, got {got}"
    await communicator.disconnect()
