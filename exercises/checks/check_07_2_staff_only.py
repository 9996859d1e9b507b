"""Check 07.2: only staff may enter."""

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser, User

from exercises.checks import answer, frame, target


@pytest.mark.parametrize(
    ("user", "code"), [(AnonymousUser(), 4401), (User(username="bob"), 4403)], ids=["anonymous", "not-staff"]
)
async def test_others_are_closed_with_the_right_code(user, code):
    communicator = WebsocketCommunicator(target("07.2").StaffOnlyConsumer.as_asgi(), "/")
    communicator.scope["user"] = user
    await communicator.send_input({"type": "websocket.connect"})
    first, second = await answer(communicator), await answer(communicator)
    assert first == {"type": "websocket.accept"}, f"accept first, then close: a refused handshake tells the page nothing, got {first}"
    assert second == {"type": "websocket.close", "code": code}, f"expected a close with {code} (4401: log in first; 4403: logged in, but not staff), got {second}"


async def test_staff_get_in():
    communicator = WebsocketCommunicator(target("07.2").StaffOnlyConsumer.as_asgi(), "/")
    communicator.scope["user"] = User(username="ada", is_staff=True)
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    got = await frame(communicator)
    assert got == {"staff": "ada"}, f'expected {{"staff": "ada"}} for a user with is_staff, got {got}'
    await communicator.disconnect(timeout=1)
    assert not communicator.future.cancelled(), "the consumer never ended: raise StopConsumer() in websocket_disconnect"
