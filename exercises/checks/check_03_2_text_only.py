"""Check 03.2: a WebsocketConsumer that echoes text and refuses binary frames politely."""

import json

from channels.generic.websocket import WebsocketConsumer
from channels.testing import WebsocketCommunicator

from exercises.checks import target


def test_it_is_a_websocket_consumer():
    assert issubclass(target("03.2").TextOnlyConsumer, WebsocketConsumer), "subclass WebsocketConsumer"


async def test_a_binary_frame_gets_an_error_and_text_still_echoes():
    communicator = WebsocketCommunicator(target("03.2").TextOnlyConsumer.as_asgi(), "/")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    await communicator.send_to(bytes_data=b"\x00")
    got = await communicator.receive_from(timeout=1)
    assert isinstance(got, str) and "error" in json.loads(got), f'expected a text frame {{"error": ...}}, got {got!r}'
    await communicator.send_to(text_data="still here")
    got = await communicator.receive_from(timeout=1)
    assert got == "still here", f'expected "still here" back, got {got!r}'
    await communicator.disconnect()
