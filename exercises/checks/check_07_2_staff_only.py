"""Check 07.2: only staff may enter."""

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser, User

from exercises.checks import answer, target


@pytest.mark.parametrize(
    ("user", "code"), [(AnonymousUser(), 4401), (User(username="bob"), 4403)], ids=["anonymous", "not-staff"]
)
async def test_others_are_closed_with_the_right_code(user, code):
    communicator = WebsocketCommunicator(target("07.2").StaffOnlyConsumer.as_asgi(), "/")
    communicator.scope["user"] = user
    await communicator.send_input({"type": "websocket.connect"})
    first, second = await answer(communicator), await answer(communicator)
    assert first == {"type": "websocket.accept"}, f"expected the socket accepted first, got {first}"
    assert second == {"type": "websocket.close", "code": code}, f"expected a close with {code}, got {second}"


async def test_staff_get_in():
    communicator = WebsocketCommunicator(target("07.2").StaffOnlyConsumer.as_asgi(), "/")
    communicator.scope["user"] = User(username="ada", is_staff=True)
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    got = await communicator.receive_json_from(timeout=1)
    assert got == {"staff": "ada"}, f'expected {{"staff": "ada"}}, got {got}'
    await communicator.disconnect()
