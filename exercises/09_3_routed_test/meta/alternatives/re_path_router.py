"""Alternative 09.3, a regex route and the raw greeting event: URLRouter([re_path(...)]), read with receive_output().

Still right: a URLRouter matching the same URL puts scope["url_route"] in place (a named group is a
kwarg, as path()'s converter is); both rooms are open before either greeting is read; the greeting must
be a text frame whose JSON decodes to {"room": <its room>}, however it is spaced; try/finally
disconnects both sockets even when an assertion fails.
"""

import asyncio
import json

from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import re_path

ROOMS = ("lobby", "kitchen")


async def test_the_room_greets_its_client(consumer):
    """`consumer` is the room consumer class under test."""
    application = URLRouter([re_path(r"^ws/fixroom/(?P<room>[^/]+)/$", consumer.as_asgi())])
    sockets = [WebsocketCommunicator(application, f"/ws/fixroom/{room}/") for room in ROOMS]
    try:
        results = await asyncio.gather(*(socket.connect() for socket in sockets))
        assert [connected for connected, _ in results] == [True, True]
        for socket, room in zip(sockets, ROOMS, strict=True):
            event = await socket.receive_output()
            assert event["type"] == "websocket.send" and event.get("text") is not None, f"no text greeting: {event!r}"
            assert json.loads(event["text"]) == {"room": room}
    finally:
        for socket in sockets:
            if not socket.future.done():  # a receive that timed out has already cancelled its consumer
                await socket.disconnect()
