# scope["url_route"] set by hand on each communicator, as the router would put it (the solution's note: works, but tests a route nobody uses).
"""Alternative 09.3: the communicator's scope given the url_route a router would give it.

WebsocketCommunicator keeps its scope in .scope; a test may put
{"args": (), "kwargs": {"room": ...}} there before connecting, which is
all URLRouter adds for a matched path().
"""

from channels.testing import WebsocketCommunicator


def socket_for(consumer, room: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(consumer.as_asgi(), f"/ws/fixroom/{room}/")
    communicator.scope["url_route"] = {"args": (), "kwargs": {"room": room}}
    return communicator


async def test_the_room_greets_its_client(consumer):
    """`consumer` is the room consumer class under test."""
    sockets = {room: socket_for(consumer, room) for room in ("lobby", "kitchen")}
    try:
        for communicator in sockets.values():
            assert (await communicator.connect())[0], "the room consumer must accept"
        for room, communicator in sockets.items():
            greeting = await communicator.receive_json_from()
            assert greeting == {"room": room}, f"the socket of {room} was greeted with {greeting}"
    finally:
        for communicator in sockets.values():
            if not communicator.future.done():
                await communicator.disconnect()
