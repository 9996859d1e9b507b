"""Check 08.3 (fix): the ORM never runs on the event loop: database_sync_to_async (or the async ORM), awaited."""

import json
import os

import pytest
from channels.testing import WebsocketCommunicator
from django.core.exceptions import SynchronousOnlyOperation

from db_demo.models import ChatMessage
from exercises.checks import answer
from exercises.checks.fixlab import load

RULE = (
    "The ORM is synchronous: never query on the event loop; put the queries in a database_sync_to_async "
    "function and await it"
)


def guestbook_consumer():
    """The student's consumer class; DJANGO_ALLOW_ASYNC_UNSAFE as it was before their module was loaded."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    module = load("08.3", RULE)
    unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    if unsafe != before:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        pytest.fail(
            f"your module sets DJANGO_ALLOW_ASYNC_UNSAFE={unsafe!r}: that hides the error, and the "
            f"queries still block every socket. {RULE}",
            pytrace=False,
        )
    return module.GuestbookConsumer


@pytest.mark.django_db(transaction=True)
async def test_an_entry_is_saved_and_counted():
    consumer = guestbook_consumer()
    await ChatMessage.objects.acreate(room="guestbook", text="an older entry")
    communicator = WebsocketCommunicator(consumer.as_asgi(), "/")
    assert (await communicator.connect(timeout=2))[0], "expected the socket to be accepted"
    await communicator.send_to(text_data="lovely stay")
    try:
        got = await answer(communicator, timeout=2)
    except SynchronousOnlyOperation as error:  # what Daphne logs before closing the socket with 1011
        raise AssertionError(f"the consumer crashed: SynchronousOnlyOperation: {error} {RULE}") from error
    content = json.loads(got.get("text") or "null") if isinstance(got, dict) else got
    assert isinstance(content, dict) and content.get("entries") == 2, f'expected {{"id": ..., "entries": 2}}, got {got}'
    saved = await ChatMessage.objects.filter(id=content.get("id")).afirst()
    assert saved is not None and (saved.room, saved.text) == ("guestbook", "lovely stay"), (
        f"no saved guestbook row has the id {content.get('id')!r} with the text sent"
    )
    await communicator.disconnect()
