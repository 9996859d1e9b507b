"""Wrong: a test must fail when the consumer is wrong; catching the crash makes a test that cannot fail.

The KeyError is gone, and so is the test: it now passes for any consumer.

The check says: "your test passed on GreetsInCapitals: a test that cannot fail"
"""

from channels.testing import WebsocketCommunicator


async def test_the_room_greets_its_client(consumer):
    """`consumer` is the room consumer class under test."""
    communicator = WebsocketCommunicator(consumer.as_asgi(), "/ws/fixroom/lobby/")
    try:
        connected, _ = await communicator.connect(timeout=1)
        assert connected
        assert await communicator.receive_json_from(timeout=1) == {"room": "lobby"}
        await communicator.disconnect()
    except KeyError:
        pass  # url_route is missing in tests
