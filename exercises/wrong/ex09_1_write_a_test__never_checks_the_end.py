"""A consumer test checks the consumer ended after disconnect (StopConsumer).

A classic wrong solution to exercise 09.1: the test disconnects but never looks at communicator.future.
The check says: "StopConsumer"
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
