"""Wrong: a test checks the behaviour the consumer promises (the greeting), not only that the socket opened.

Routed properly now, but it asserts the accept alone: a consumer that
greets with the wrong room, or not at all, passes.

The check says: "your test passed on GreetsInCapitals: a test that cannot fail"
"""

from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path


async def test_the_room_greets_its_client(consumer):
    """`consumer` is the room consumer class under test."""
    application = URLRouter([path("ws/fixroom/<str:room>/", consumer.as_asgi())])
    communicator = WebsocketCommunicator(application, "/ws/fixroom/lobby/")
    connected, _ = await communicator.connect(timeout=1)
    assert connected
    await communicator.disconnect()
