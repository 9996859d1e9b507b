"""Check 08.2: save a message, then send it with its id.

The answer names a row of this room that is already saved, with the ORM off the loop, to the sender only; a frame
without text gets an error, saves nothing, and the socket stays open; two sockets saving at once each get their own
row's id; a save that fails never leaves the sender waiting.
"""

import asyncio
import contextlib
import time
from unittest import mock

import pytest
from channels.routing import URLRouter
from django.db import OperationalError
from django.urls import path

from db_demo.models import ChatMessage
from exercises.probes import close_all, connect, failure_not_swallowed, frame, is_error, never_blocks, nothing_more
from exercises.probes import orm_where_it_belongs, proved, queries_by_thread, queries_told_first

EXERCISE = "08.2"
RULE = 'SaveThenSendConsumer saves each text frame in its room first, then answers {"id": <row id>, "message": <text>}'


def row(message_id: int) -> ChatMessage | None:
    """The row with this id, read at once in a thread of its own, as another process (a client's request) would."""
    from django.db import connection

    try:
        return ChatMessage.objects.filter(id=message_id).first()
    finally:
        connection.close()


def slow_saves(others: bool = False):
    """Every save takes a moment longer, as on a busy database: an answer sent before the save shows.

    others: another server process saves a message of the same room and text just after each save.
    """
    save = ChatMessage.save

    def slow(self, *args, **kwargs):
        time.sleep(0.1)
        save(self, *args, **kwargs)
        if others:
            ChatMessage.objects.bulk_create([ChatMessage(room=self.room, text=self.text, sender=ANOTHER_PROCESS)])

    return mock.patch.object(ChatMessage, "save", slow)


@pytest.fixture
def app(module):
    """The consumer at <room>/, as the course routes it: the room is scope["url_route"]["kwargs"]["room"]."""
    return URLRouter([path("<str:room>/", module.SaveThenSendConsumer.as_asgi())])


AS_IT_CAME = "; a message is saved and sent as it came, its spaces and line breaks too: never stripped"


async def saved_answer(communicator, text: str, room: str, at_once: bool = False) -> int:
    """Send `text`; the answer must name a row of `room`, already saved, holding that text.

    at_once: the save is slow, and the row is looked up the moment the answer arrives, from a thread of
    its own (as a client's next request would), not behind the consumer's queries on Django's sync thread.
    """
    with slow_saves() if at_once else contextlib.nullcontext():
        await communicator.send_to(text_data=text)
        got = await frame(communicator)
        if not (isinstance(got, dict) and type(got.get("id")) is int):
            saved = None
        elif at_once:
            saved = await asyncio.to_thread(row, got["id"])
        else:
            saved = await ChatMessage.objects.filter(id=got["id"]).afirst()
    trimmed = isinstance(got, dict) and got.get("message") == text.strip() != text
    assert isinstance(got, dict) and got.get("message") == text and "id" in got, (
        f'expected {{"id": ..., "message": {text!r}}} on the socket that sent it, got {got}'
        + (AS_IT_CAME if trimmed else "")
    )
    assert got["id"] is not None, 'the "id" you sent is None: the row was not saved yet; save first, then send'
    assert type(got["id"]) is int, (
        f'the "id" you sent is {got["id"]!r}: send the row\'s id as it is, a JSON integer, so a client that keeps '
        "the ids it has seen (lesson 12) can match it with the same message's id anywhere else"
    )
    assert saved is not None, (
        f"no saved row has the id you sent ({got['id']}) when the answer arrived: send the id the save returned, "
        "once the save is done"
    )
    assert saved.room == room, (
        f"row {saved.id} was saved in the room {saved.room!r}, not {room!r}: each socket saves in its own room, "
        "the <room> of its route as it is written (never lowercased or trimmed)"
    )
    assert saved.text == text, f"row {saved.id} holds {saved.text!r}, not {text!r}" + (
        AS_IT_CAME if saved.text == text.strip() else ""
    )
    return saved.id


@pytest.mark.django_db(transaction=True)
async def test_the_answer_names_a_row_of_this_room_that_is_already_saved(app):
    await close_all(await connect(app, "/warm-up/"))  # what a process does once stays out of the timing
    with queries_by_thread() as ran, queries_told_first(ran, "Save in a database_sync_to_async function."):
        async with never_blocks():  # the save runs in a thread: the loop keeps serving other sockets
            kitchen, hall = await connect(app, "/kitchen/"), await connect(app, "/Hall_2/")
            listener = await connect(app, "/kitchen/")  # in the same room, sends nothing
            proved("sockets", 3)
            first = await saved_answer(kitchen, "hello", "kitchen")
            await saved_answer(hall, "caf\u00e9 \u2615", "Hall_2")  # a room keeps its case: Hall_2 is not hall_2
            await saved_answer(hall, "  indented,\non two lines\n", "Hall_2")  # a message keeps its spaces
            second = await saved_answer(kitchen, "hello", "kitchen")
            assert second != first, "the same text sent twice is two messages: each frame saves a row of its own"
            for quiet in (hall, listener):
                assert await nothing_more(quiet, 0.05), (
                    "an answer went to a socket that sent nothing (in the same room, or another): answer the sender "
                    "only, on its own socket (self.send)"
                )
        await close_all(kitchen, hall, listener)
    orm_where_it_belongs(ran, "Save in a database_sync_to_async function.")


@pytest.mark.django_db(transaction=True)
async def test_a_frame_without_text_gets_an_error_saves_nothing_and_the_socket_stays_open(app):
    communicator = await connect(app, "/kitchen/")
    for event, what in (
        ({"type": "websocket.receive", "bytes": b"\x00"}, "a binary frame"),
        ({"type": "websocket.receive", "text": ""}, "an empty text frame"),
    ):
        await communicator.send_input(event)
        got = await frame(communicator)
        assert is_error(got), f'{what} has no text to save: expected {{"error": ...}}, the socket kept open, got {got}'
        assert await ChatMessage.objects.acount() == 0, f"{what} saved a row: only a non-empty text is a message"
    proved("bad frames", 2)
    await saved_answer(communicator, "still here", "kitchen", at_once=True)
    await close_all(communicator)


ANOTHER_PROCESS = "another server process"
SAVED_ROWS_ID = (
    "answer with the id of the row this save made (create() returns it), never a row looked up after the save "
    "(the newest, a count, one with the same text): another socket's or process's save can come in between"
)


@pytest.mark.django_db(transaction=True)
async def test_two_sockets_saving_at_once_each_get_their_own_rows_id(app):
    ada, bob = await connect(app, "/kitchen/"), await connect(app, "/kitchen/")
    proved("sockets", 2)
    for texts in (("from ada", "from bob"), ("hello", "hello")):  # two texts, then the same text twice
        with slow_saves(others=True):  # both frames arrive before either save is done
            await asyncio.gather(ada.send_to(text_data=texts[0]), bob.send_to(text_data=texts[1]))
            answers = await asyncio.gather(frame(ada), frame(bob))
        rows = {row.id: row async for row in ChatMessage.objects.filter(room="kitchen")}
        ids = [got.get("id") if isinstance(got, dict) else None for got in answers]
        for name, text, got, message_id in zip(("ada", "bob"), texts, answers, ids, strict=True):
            row = rows.get(message_id)
            whose = "no row" if row is None else f"the row {row.text!r}" + (f" of {row.sender}" if row.sender else "")
            assert row is not None and (row.text, row.sender) == (text, ""), (
                f"ada sent {texts[0]!r} and bob {texts[1]!r} at the same moment, while another server process saved "
                f"messages too, and {name} was told {got}, the id of {whose}: {SAVED_ROWS_ID}"
            )
        assert ids[0] != ids[1], (
            f"ada sent {texts[0]!r} and bob {texts[1]!r} at the same moment, and both were told the id {ids[0]}: each "
            f"frame saves a row of its own. {SAVED_ROWS_ID}"
        )
    await close_all(ada, bob)


@pytest.mark.django_db(transaction=True)
async def test_a_save_that_fails_never_leaves_the_sender_waiting(app):
    communicator = await connect(app, "/kitchen/")

    def locked(self, *args, **kwargs):  # what SQLite raises while another process holds its write lock too long
        raise OperationalError("database is locked")

    with mock.patch.object(ChatMessage, "save", locked):
        await communicator.send_to(text_data="lost")
        await failure_not_swallowed(
            communicator,
            'the save raised OperationalError ("database is locked")',
            "the sender",
            "its message was not saved, and a sender told nothing waits for ever (or believes it was sent)",
            wrong="id",
        )
