"""Check 08.2: save a message, then send it with its id."""

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path

from db_demo.models import ChatMessage
from exercises.checks import target


@pytest.mark.django_db(transaction=True)
async def test_the_answer_names_a_row_that_is_already_saved():
    app = URLRouter([path("<str:room>/", target("08.2").SaveThenSendConsumer.as_asgi())])
    communicator = WebsocketCommunicator(app, "/lobby/")
    assert (await communicator.connect(timeout=2))[0], "expected the socket to be accepted"
    await communicator.send_to(text_data="hello")
    got = await communicator.receive_json_from(timeout=2)
    assert got.get("message") == "hello" and "id" in got, f'expected {{"id": ..., "message": "hello"}}, got {got}'
    saved = await ChatMessage.objects.filter(id=got["id"]).afirst()
    assert saved is not None and (saved.room, saved.text) == ("lobby", "hello"), "no saved row has the id you sent"
    await communicator.disconnect()
