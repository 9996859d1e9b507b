"""Solution 09.3: route the consumer in the test, as the project does: URLRouter([path(...)]).

Why: scope["url_route"] (the URL's args and kwargs) is put in place by
URLRouter when it matches a route; a communicator built on the bare
consumer has a path but no route, so the consumer's
scope["url_route"]["kwargs"]["room"] raises KeyError. Testing through a
URLRouter with the same pattern tests what production runs. (Passing
scope["url_route"] by hand would work too, but tests a route nobody uses.)
Two rooms at once: a consumer that keeps the room on its class greets the
second socket with the first one's room, and only a second socket shows it.
The disconnects go in a finally: a test that fails leaves no consumer running.
"""

from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path


async def test_the_room_greets_its_client(consumer):
    """`consumer` is the room consumer class under test."""
    application = URLRouter([path("ws/fixroom/<str:room>/", consumer.as_asgi())])
    lobby = WebsocketCommunicator(application, "/ws/fixroom/lobby/")
    kitchen = WebsocketCommunicator(application, "/ws/fixroom/kitchen/")
    try:
        for communicator in (lobby, kitchen):
            connected, _ = await communicator.connect()
            assert connected
        for communicator, room in ((lobby, "lobby"), (kitchen, "kitchen")):
            assert await communicator.receive_json_from() == {"room": room}
    finally:  # when an assertion fails too: a test ends every socket it opened
        for communicator in (lobby, kitchen):
            if not communicator.future.done():  # a wait that gave up has cancelled its consumer already
                await communicator.disconnect()
