"""Check 01.1: a raw SyncConsumer echo."""

from channels.consumer import SyncConsumer
from channels.testing import WebsocketCommunicator

from exercises.checks import answer, target


def consumer():
    return target("01.1").EchoConsumer


def test_it_is_a_raw_sync_consumer():
    assert issubclass(consumer(), SyncConsumer), "EchoConsumer should subclass channels.consumer.SyncConsumer"


async def test_it_accepts_the_socket():
    communicator = WebsocketCommunicator(consumer().as_asgi(), "/")
    connected, _ = await communicator.connect(timeout=1)
    assert connected, 'expected {"type": "websocket.accept"} after websocket.connect, got no accept'
    await communicator.disconnect()


async def test_the_consumer_stops_after_disconnect():
    communicator = WebsocketCommunicator(consumer().as_asgi(), "/")
    await communicator.connect(timeout=1)
    await communicator.disconnect(timeout=1)
    assert not communicator.future.cancelled(), "the consumer never ended: raise StopConsumer() in websocket_disconnect"


async def test_a_text_frame_comes_back_unchanged():
    communicator = WebsocketCommunicator(consumer().as_asgi(), "/")
    await communicator.connect(timeout=1)
    await communicator.send_to(text_data="hello")
    got = await answer(communicator)
    assert got == {"type": "websocket.send", "text": "hello"}, f'expected the text "hello" back, got {got}'
    await communicator.disconnect()


async def test_a_binary_frame_comes_back_unchanged():
    communicator = WebsocketCommunicator(consumer().as_asgi(), "/")
    await communicator.connect(timeout=1)
    await communicator.send_to(bytes_data=b"\x00\xff")
    got = await answer(communicator)
    assert got == {"type": "websocket.send", "bytes": b"\x00\xff"}, f'a binary frame arrives as "bytes" and goes back as "bytes": expected b"\\x00\\xff" back, got {got}'
    await communicator.disconnect()
