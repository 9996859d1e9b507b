"""Check 08.3 (fix): the ORM never runs on the event loop: database_sync_to_async (or the async ORM), awaited.

The task's rules, in its order: 1. an entry is saved as it came, a long one too, and answered with its id; 2. and
counted in the database after the save; 3. with every query on Django's sync thread (and the battery: nothing sets
DJANGO_ALLOW_ASYNC_UNSAFE); 4. a binary frame gets an error and the socket stays open; 5. a failed save is told;
6. (the battery) it ends on websocket.disconnect.
"""

import pytest

from db_demo.models import ChatMessage
from exercises.probes import close_all, connect, failure_not_swallowed, frame, never_blocks, orm_where_it_belongs
from exercises.probes import proved, queries_by_thread, queries_told_first
from exercises.probes.saving import LOCKED, another_process_saves_too, loaded_async_safe, saves_fail
from exercises.probes.saving import guestbook_entry as entry

LONG = ("x" * 4_999 + "!", "y" * 69_999 + "!")  # past lesson 08's 4,096 a message and 64 KiB a frame: entries too
RULE = (
    "The ORM is synchronous: never query on the event loop; put the queries in a database_sync_to_async "
    "function and await it"
)


def guestbook_consumer():
    """The student's consumer class; a module that sets DJANGO_ALLOW_ASYNC_UNSAFE fails the check."""
    return loaded_async_safe("08.3", RULE).GuestbookConsumer


@pytest.mark.rule(1, 2, 3)
@pytest.mark.django_db(transaction=True)
async def test_an_entry_is_saved_and_counted():
    consumer = guestbook_consumer()
    await ChatMessage.objects.acreate(room="guestbook", text="an older entry")
    await ChatMessage.objects.acreate(room="lobby", text="not a guestbook entry")
    with queries_by_thread() as ran, queries_told_first(ran, RULE):
        first = await connect(consumer.as_asgi(), "/")
        await entry(first, "a warm-up")  # what a process does once (a connection, imports) stays out of the timing
        second = await connect(consumer.as_asgi(), "/")
        proved("sockets", 2)
        async with never_blocks():  # the queries run in a thread: the loop keeps serving other sockets
            counts = [(await entry(first, "lovely stay"))["entries"], (await entry(second, "great view"))["entries"]]
        await ChatMessage.objects.acreate(room="guestbook", text="written through another server process")
        async with never_blocks():
            counts.append((await entry(first, "will come back"))["entries"])
            with another_process_saves_too():
                same_moment = (await entry(second, "see you"))["entries"]
        await close_all(first, second)
    rows = [sql for sqls in ran.values() for sql in sqls if sql.lstrip().upper().startswith("SELECT")]
    whole = [
        sql for sql in rows if "db_demo_chatmessage" in sql and not ("COUNT(" in sql.upper() or "LIMIT" in sql.upper())
    ]
    orm_where_it_belongs(ran, RULE)
    assert counts == [3, 4, 6], (
        f"the guestbook held 2 entries (and the room lobby one message); two sockets wrote one entry each, another "
        f"server process one, then a socket one more: the answers counted {counts}, expected [3, 4, 6]: "
        "count the guestbook's entries only, in the database (a count kept in this process misses other "
        "processes' entries), after this entry is saved"
    )
    assert same_moment == 8, (
        f"the guestbook held 6 entries; a socket wrote one while another server process saved one at the same "
        f"moment, and the answer counted {same_moment}, expected 8: count in the database after the save, never a "
        "count taken before it plus one (another process's entries land in between)"
    )
    assert not whole, (
        f"to count the guestbook, a query read its every row ({whole[0][:80]}...): len() of a queryset loads them "
        "all, for every entry written; ask the database for the number (count()), which reads no row"
    )


@pytest.mark.rule(4)
@pytest.mark.django_db(transaction=True)
async def test_a_binary_frame_gets_an_error_and_the_socket_stays_open():
    communicator = await connect(guestbook_consumer().as_asgi(), "/")
    await communicator.send_to(bytes_data=b"lovely stay")
    got = await frame(communicator)
    assert isinstance(got, dict) and isinstance(got.get("error"), str) and got["error"], (
        f'a binary frame holds no entry: expected {{"error": ...}} on a socket that stays open, got {got}'
    )
    counted = (await entry(communicator, "great view"))["entries"]
    assert counted == 1, (
        f"after a binary frame and one entry the guestbook counted {counted}, expected 1: save no bytes"
    )
    proved("bad frames", 1)
    await close_all(communicator)


@pytest.mark.rule(5)
@pytest.mark.django_db(transaction=True)
async def test_a_save_that_fails_never_leaves_the_writer_waiting():
    communicator = await connect(guestbook_consumer().as_asgi(), "/")
    with saves_fail():
        await communicator.send_to(text_data="lovely stay")
        harm = "the entry was not saved, and a writer told nothing waits for ever (or believes it was kept)"
        failure = f"the save raised {LOCKED}"
        await failure_not_swallowed(communicator, failure, "the writer", harm, wrong="id")


@pytest.mark.rule(1)
@pytest.mark.django_db(transaction=True)
async def test_a_long_entry_is_saved_whole():
    communicator = await connect(guestbook_consumer().as_asgi(), "/")
    for long in LONG:
        await communicator.send_to(text_data=long)
        got = await frame(communicator)
        row = await ChatMessage.objects.filter(id=got.get("id") if isinstance(got, dict) else None).afirst()
        assert row is not None and row.text == long, (
            f"an entry of {len(long):,} characters got {str(got)[:160]}, and "
            f"{f'its row holds {len(row.text):,} characters' if row else 'no row holds it'}: every text frame is an "
            "entry, saved whole; lesson 08's limits (4,096 characters a message, 64 KiB a frame) are its chat's, and "
            "this task sets none"
        )
    proved("boundaries", len(LONG))
    await close_all(communicator)


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_bad_frame_gets_the_answer_its_exercise_names,
    test_a_message_is_saved_as_it_was_sent,
)
