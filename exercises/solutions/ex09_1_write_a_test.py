"""Solution 09.1: a test that catches broken echoes.

Why this way: one communicator, both kinds of frame, and the end of the
consumer checked explicitly: each broken echo fails a different assertion
(lesson 09).
"""

from channels.testing import WebsocketCommunicator


async def test_echo(consumer):
    communicator = WebsocketCommunicator(consumer.as_asgi(), "/")
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_to(text_data="hello")
    assert await communicator.receive_from() == "hello"
    await communicator.send_to(bytes_data=b"\x00\xff")
    assert await communicator.receive_from() == b"\x00\xff"
    await communicator.disconnect()
    assert not communicator.future.cancelled(), "the consumer did not stop by itself (StopConsumer)"
