"""Check 03.2: a WebsocketConsumer that echoes text and refuses binary frames politely."""

from channels.generic.websocket import WebsocketConsumer
from channels.testing import WebsocketCommunicator

from exercises.checks import answer, frame, target


def test_it_is_a_websocket_consumer():
    assert issubclass(target("03.2").TextOnlyConsumer, WebsocketConsumer), "subclass WebsocketConsumer"


async def test_a_binary_frame_gets_an_error_and_text_still_echoes():
    communicator = WebsocketCommunicator(target("03.2").TextOnlyConsumer.as_asgi(), "/")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    await communicator.send_to(bytes_data=b"\x00")
    got = await answer(communicator)
    assert isinstance(got, dict) and got.get("text") is not None, (
        f'a binary frame gets a text frame {{"error": ...}} and the socket stays open, got {got}'
    )
    await communicator.send_to(bytes_data=b"\x00")
    await answer(communicator)
    await communicator.send_to(text_data="still here")
    got = await frame(communicator)
    assert got == "still here", f'after an error the socket stays open: expected "still here" back, got {got!r}'
    await communicator.disconnect()


async def test_the_error_is_a_json_object_with_an_error_key():
    communicator = WebsocketCommunicator(target("03.2").TextOnlyConsumer.as_asgi(), "/")
    await communicator.connect(timeout=1)
    await communicator.send_to(bytes_data=b"\x00")
    got = await frame(communicator)
    assert isinstance(got, dict) and "error" in got, f'expected the text frame {{"error": ...}}, got {got!r}'
    await communicator.disconnect()
