"""Check 07.1: refuse anonymous users with 4401."""

from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser, User

from exercises.checks import answer, frame, target


async def test_an_anonymous_user_is_closed_4401_before_any_data_frame():
    communicator = WebsocketCommunicator(target("07.1").MembersOnlyConsumer.as_asgi(), "/")
    communicator.scope["user"] = AnonymousUser()
    await communicator.send_input({"type": "websocket.connect"})
    first, second = await answer(communicator), await answer(communicator)
    assert first == {"type": "websocket.accept"}, f"accept first, then close with 4401: a refused handshake tells the page nothing, got {first}"
    assert second == {"type": "websocket.close", "code": 4401}, f"an anonymous user (an AnonymousUser, never None: test user.is_authenticated) must be closed with 4401, got {second}"


async def test_a_logged_in_user_is_greeted_by_name():
    communicator = WebsocketCommunicator(target("07.1").MembersOnlyConsumer.as_asgi(), "/")
    communicator.scope["user"] = User(username="ada")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    got = await frame(communicator)
    assert got == {"hello": "ada"}, f'expected {{"hello": "ada"}}, got {got}'
    await communicator.disconnect()
