"""Check 08.2: save a message, then send it with its id.

The task's rules, in its order: 1. the answer names a row of this room that is already saved, long texts too, to the
sender only; 2. with the ORM off the loop; 3. a frame without text gets an error, saves nothing, and the socket stays
open; 4. two sockets saving at once each get their own row's id; 5. a save that fails never leaves the sender waiting;
6. (the battery) it ends on websocket.disconnect, and nothing sets DJANGO_ALLOW_ASYNC_UNSAFE. How an answer is read
and its row looked up, at once and as another process would: exercises/probes/saving.py.
"""

import asyncio

import pytest
from channels.routing import URLRouter
from django.urls import path

from db_demo.models import ChatMessage
from exercises.probes import close_all, connect, failure_not_swallowed, frame, is_error, never_blocks, nothing_more
from exercises.probes import orm_where_it_belongs, proved, queries_by_thread, queries_told_first
from exercises.probes.saving import LOCKED, SAVED_ROWS_ID, saved_answer, saves_fail, slow_saves

EXERCISE = "08.2"
RULE = 'SaveThenSendConsumer saves each text frame in its room first, then answers {"id": <row id>, "message": <text>}'
LONG = ("x" * 4_999 + "!", "y" * 69_999 + "!")  # past lesson 08's 4,096 a message and 64 KiB a frame: saved too
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app(module):
    """The consumer at <room>/, as the course routes it: the room is scope["url_route"]["kwargs"]["room"]."""
    return URLRouter([path("<str:room>/", module.SaveThenSendConsumer.as_asgi())])


@pytest.mark.rule(1, 2)
async def test_the_answer_names_a_row_of_this_room_that_is_already_saved(app):
    await close_all(await connect(app, "/warm-up/"))  # what a process does once stays out of the timing
    with queries_by_thread() as ran, queries_told_first(ran, "Save in a database_sync_to_async function."):
        async with never_blocks():  # the save runs in a thread: the loop keeps serving other sockets
            kitchen, hall, listener = [await connect(app, f"/{room}/") for room in ("kitchen", "Hall_2", "kitchen")]
            proved("sockets", 3)  # the listener, in the kitchen too, sends nothing
            first = await saved_answer(kitchen, "hello", "kitchen")
            await saved_answer(hall, "caf\u00e9 \u2615", "Hall_2")  # a room keeps its case: Hall_2 is not hall_2
            await saved_answer(hall, "  indented,\non two lines\n", "Hall_2")  # a message keeps its spaces
            second = await saved_answer(kitchen, "hello", "kitchen")
            assert second != first, "the same text sent twice is two messages: each frame saves a row of its own"
            for long in LONG:
                await kitchen.send_to(text_data=long)
                got = await frame(kitchen)
                row = await ChatMessage.objects.filter(id=got.get("id") if isinstance(got, dict) else None).afirst()
                assert isinstance(got, dict) and got.get("message") == long and row and row.text == long, (
                    f"a text frame of {len(long):,} characters got {str(got)[:160]}, and "
                    f"{f'its row holds {len(row.text):,} characters' if row else 'no row holds it'}: every text frame is saved and answered whole, a "
                    "long one too; lesson 08's limits (4,096 characters a message, 64 KiB a frame) are its chat's, "
                    "and this task sets none"
                )
            for quiet in (hall, listener):
                assert await nothing_more(quiet, 0.05), (
                    "an answer went to a socket that sent nothing (in the same room, or another): answer the sender "
                    "only, on its own socket (self.send)"
                )
        await close_all(kitchen, hall, listener)
    orm_where_it_belongs(ran, "Save in a database_sync_to_async function.")


@pytest.mark.rule(3)
async def test_a_frame_without_text_gets_an_error_saves_nothing_and_the_socket_stays_open(app):
    communicator = await connect(app, "/kitchen/")
    for key, value, what in (("bytes", b"\x00", "a binary frame"), ("text", "", "an empty text frame")):
        await communicator.send_input({"type": "websocket.receive", key: value})
        got = await frame(communicator)
        assert is_error(got), f'{what} has no text to save: expected {{"error": ...}}, the socket kept open, got {got}'
        assert await ChatMessage.objects.acount() == 0, f"{what} saved a row: only a non-empty text is a message"
    proved("bad frames", 2)
    await saved_answer(communicator, "still here", "kitchen", at_once=True)
    await close_all(communicator)


@pytest.mark.rule(4)
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


@pytest.mark.rule(5)
async def test_a_save_that_fails_never_leaves_the_sender_waiting(app):
    communicator = await connect(app, "/kitchen/")
    with saves_fail():
        await communicator.send_to(text_data="lost")
        harm = "its message was not saved, and a sender told nothing waits for ever (or believes it was sent)"
        failure = f"the save raised {LOCKED}"
        await failure_not_swallowed(communicator, failure, "the sender", harm, wrong="id")


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_bad_frame_gets_the_answer_its_exercise_names,
    test_a_message_arrives_unchanged,
    test_a_message_is_saved_as_it_was_sent,
)
