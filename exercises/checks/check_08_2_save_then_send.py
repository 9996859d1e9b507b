"""Check 08.2: save a message, then send it with its id."""

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path

from db_demo.models import ChatMessage
from exercises.checks import frame, target


@pytest.mark.django_db(transaction=True)
async def test_the_answer_names_a_row_of_this_room_that_is_already_saved():
    app = URLRouter([path("<str:room>/", target("08.2").SaveThenSendConsumer.as_asgi())])
    communicator = WebsocketCommunicator(app, "/kitchen/")
    assert (await communicator.connect(timeout=2))[0], "expected the socket to be accepted"
    await communicator.send_to(text_data="hello")
    got = await frame(communicator, timeout=2)
    assert isinstance(got, dict) and got.get("message") == "hello" and "id" in got, (
        f'expected {{"id": ..., "message": "hello"}}, got {got}'
    )
    assert got["id"] is not None, 'the "id" you sent is None: the row was not saved yet; save first, then send'
    saved = await ChatMessage.objects.filter(id=got["id"]).afirst()
    assert saved is not None, f"no saved row has the id you sent ({got['id']}): send the id the save returned"
    assert saved.room == "kitchen", (
        f'row {saved.id} was saved in the room {saved.room!r}, not "kitchen": the room comes from the route, '
        'self.scope["url_route"]["kwargs"]["room"]'
    )
    assert saved.text == "hello", f'row {saved.id} holds {saved.text!r}, not "hello"'
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_frame_without_text_gets_an_error_saves_nothing_and_the_socket_stays_open():
    app = URLRouter([path("<str:room>/", target("08.2").SaveThenSendConsumer.as_asgi())])
    communicator = WebsocketCommunicator(app, "/kitchen/")
    await communicator.connect(timeout=2)
    await communicator.send_to(bytes_data=b"\x00")
    got = await frame(communicator, timeout=2)
    assert isinstance(got, dict) and "error" in got, f'a binary frame has no text to save: expected {{"error": ...}}, got {got}'
    assert await ChatMessage.objects.acount() == 0, "a binary frame saved a row: save text frames only"
    await communicator.send_to(text_data="still here")
    got = await frame(communicator, timeout=2)
    assert isinstance(got, dict) and got.get("message") == "still here", f"the socket should stay open, got {got}"
    await communicator.disconnect()
