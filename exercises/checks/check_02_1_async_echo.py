"""Check 02.1: a raw AsyncConsumer echo."""

from channels.consumer import AsyncConsumer
from channels.testing import WebsocketCommunicator

from exercises.checks import NOTHING, answer, target


def consumer():
    return target("02.1").EchoConsumer


def test_it_is_a_raw_async_consumer():
    assert issubclass(consumer(), AsyncConsumer), "EchoConsumer should subclass channels.consumer.AsyncConsumer"


async def test_the_consumer_stops_after_disconnect():
    communicator = WebsocketCommunicator(consumer().as_asgi(), "/")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    await communicator.disconnect(timeout=1)
    assert not communicator.future.cancelled(), "the consumer never ended: raise StopConsumer() in websocket_disconnect"


async def test_text_and_binary_frames_come_back_unchanged_in_order():
    communicator = WebsocketCommunicator(consumer().as_asgi(), "/")
    connected, _ = await communicator.connect(timeout=1)
    assert connected, "expected the socket to be accepted"
    await communicator.send_to(text_data="one")
    await communicator.send_to(bytes_data=b"two")
    first, second = await answer(communicator), await answer(communicator)
    assert first != NOTHING, "nothing came back: an AsyncConsumer's self.send(...) sends only when awaited"
    assert first == {"type": "websocket.send", "text": "one"}, f'expected "one" back first, got {first}'
    assert second == {"type": "websocket.send", "bytes": b"two"}, f'expected b"two" back second, got {second}'
    await communicator.disconnect()
