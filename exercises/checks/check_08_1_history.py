"""Check 08.1: send a room's saved history on connect."""

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path

from db_demo.models import ChatMessage
from exercises.checks import frame, target


@pytest.mark.django_db(transaction=True)
async def test_the_first_frame_is_the_rooms_last_five_texts_oldest_first():
    for n in range(7):
        await ChatMessage.objects.acreate(room="lobby", text=f"m{n}")
    await ChatMessage.objects.acreate(room="kitchen", text="elsewhere")
    app = URLRouter([path("<str:room>/", target("08.1").HistoryConsumer.as_asgi())])
    communicator = WebsocketCommunicator(app, "/lobby/")
    assert (await communicator.connect(timeout=2))[0], "expected the socket to be accepted"
    got = await frame(communicator, timeout=2)
    expected = {"history": ["m2", "m3", "m4", "m5", "m6"]}
    assert got == expected, (
        f"expected {expected}: the last five texts of this socket's room only "
        f'(self.scope["url_route"]["kwargs"]["room"]), oldest first, got {got}'
    )
    await communicator.disconnect()
