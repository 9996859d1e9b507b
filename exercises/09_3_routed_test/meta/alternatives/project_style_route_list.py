# A module-level websocket_urlpatterns list, as a project's routing.py has, served through URLRouter; raw receive_output() read and json.loads().
"""Alternative 09.3: the route written as a routing.py would write it, the greeting read as the raw event.

The consumer is served by URLRouter(websocket_urlpatterns), so the router
puts scope["url_route"] in place; receive_output() gives the whole event,
so a greeting sent as bytes shows (it has no "text").
"""

import json

from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import re_path


def routes(consumer) -> list:
    return [re_path(r"^ws/fixroom/(?P<room>[^/]+)/$", consumer.as_asgi())]


async def test_the_room_greets_its_client(consumer):
    """`consumer` is the room consumer class under test."""
    application = URLRouter(routes(consumer))
    opened = []
    try:
        for room in ("lobby", "kitchen"):
            communicator = WebsocketCommunicator(application, f"/ws/fixroom/{room}/")
            opened.append((room, communicator))
            connected, _ = await communicator.connect()
            assert connected
        for room, communicator in opened:
            event = await communicator.receive_output()
            assert event["type"] == "websocket.send" and "text" in event and event.get("bytes") is None, event
            assert json.loads(event["text"]) == {"room": room}
    finally:
        for _, communicator in opened:
            if not communicator.future.done():
                await communicator.disconnect()
