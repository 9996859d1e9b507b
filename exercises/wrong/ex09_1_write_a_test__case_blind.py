"""An echo test compares exactly: what comes back is what was sent.

A classic wrong solution to exercise 09.1: the test compares the text case-insensitively.
The check says: "exactly"
"""

from channels.testing import WebsocketCommunicator


async def test_echo(consumer):
    communicator = WebsocketCommunicator(consumer.as_asgi(), "/")
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_to(text_data="hello")
    assert (await communicator.receive_from()).lower() == "hello"
    await communicator.send_to(bytes_data=b"\x00\xff")
    assert await communicator.receive_from() == b"\x00\xff"
    await communicator.disconnect()
    assert not communicator.future.cancelled(), "the consumer did not stop by itself (StopConsumer)"
