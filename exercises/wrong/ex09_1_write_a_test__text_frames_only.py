"""A test of an echo sends both kinds of frame: a bug in the bytes path hides otherwise.

A classic wrong solution to exercise 09.1: the test never sends a binary frame.
The check says: "binary frame"
"""

from channels.testing import WebsocketCommunicator


async def test_echo(consumer):
    communicator = WebsocketCommunicator(consumer.as_asgi(), "/")
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_to(text_data="hello")
    assert await communicator.receive_from() == "hello"
    await communicator.disconnect()
    assert not communicator.future.cancelled(), "the consumer did not stop by itself (StopConsumer)"
