"""Lesson 17: the instructor's messages reach every student socket, and `since` replays the missed ones once."""

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from harness.patience import FRAME
from tests.helpers.workshop import a_room, student_socket
from workshop import room
from workshop import student_socket as student_socket_module

pytestmark = pytest.mark.django_db(transaction=True)


async def say(text: str) -> dict:
    """What the staff socket does with a message: save it, then send it to the students' group."""
    workshop_id, message = await room.save_message(text)
    await get_channel_layer().group_send(
        room.students_group(workshop_id), {"type": "workshop.message", "message": message}
    )
    return message


# Sent to the students' group after everything a test said: once it arrives, nothing said earlier
# is still on its way (lesson 09, "Proving silence"), with no time spent waiting for silence.
END = {"id": 0, "text": "(the test's end marker)", "sent": ""}


async def texts(communicator, count: int) -> list[str]:
    """The texts of the next `count` instructor frames, then proof that no other came before the end marker."""
    frames = [(await communicator.receive_json_from(FRAME))["instructor"]["text"] for _ in range(count)]
    workshop_id = await database_sync_to_async(room.newest_workshop_id)()
    await get_channel_layer().group_send(room.students_group(workshop_id), {"type": "workshop.message", "message": END})
    assert await communicator.receive_json_from(FRAME) == {"instructor": END}
    return frames


async def test_a_message_reaches_every_student_socket_with_its_id_and_time():
    _, tokens = await database_sync_to_async(a_room)("alice", "bob")
    sockets = [await student_socket(token) for token in tokens]
    message = await say("break until 11:00")
    for communicator in sockets:
        assert await communicator.receive_json_from(FRAME) == {"instructor": message}
        await communicator.disconnect(timeout=FRAME)
    assert set(message) == {"id", "text", "sent"} and message["text"] == "break until 11:00"


async def test_joined_names_the_newest_message_id():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    await say("one")
    last = await say("two")
    communicator = await student_socket()
    await communicator.send_json_to({"token": token})
    assert await communicator.receive_json_from(FRAME) == {"joined": "alice", "last_message": last["id"]}
    await communicator.disconnect(timeout=FRAME)


async def test_without_since_nothing_is_replayed():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    await say("before you came")
    communicator = await student_socket(token)
    await say("live")
    assert await texts(communicator, 1) == ["live"]
    await communicator.disconnect(timeout=FRAME)


async def test_since_replays_each_later_message_oldest_first_then_the_live_ones():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    seen = await say("seen")
    await say("missed 1")
    await say("missed 2")
    communicator = await student_socket(token, since=seen["id"])
    await say("live")
    assert await texts(communicator, 3) == ["missed 1", "missed 2", "live"]
    await communicator.disconnect(timeout=FRAME)


async def test_since_zero_replays_every_message_of_the_workshop():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    await say("first")
    communicator = await student_socket(token, since=0)
    assert await texts(communicator, 1) == ["first"]
    await communicator.disconnect(timeout=FRAME)


async def test_a_message_saved_while_the_replay_reads_arrives_exactly_once(monkeypatch):
    _, (token,) = await database_sync_to_async(a_room)("alice")
    seen = await say("seen")
    read = room.arrival

    async def say_then_read(token, since):
        await say("sent during the replay")  # saved and group_sent after the socket joined the group
        return await read(token, since)

    monkeypatch.setattr(student_socket_module, "arrival", say_then_read)
    communicator = await student_socket(token, since=seen["id"])
    assert await texts(communicator, 1) == ["sent during the replay"]
    await communicator.disconnect(timeout=FRAME)


async def test_a_reconnect_with_the_last_id_seen_gets_each_missed_message_once():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    communicator = await student_socket(token, since=0)
    last = await say("before the restart")
    assert await texts(communicator, 1) == ["before the restart"]
    await communicator.disconnect(timeout=FRAME)
    await say("while away 1")
    await say("while away 2")
    communicator = await student_socket(token, since=last["id"])
    assert await texts(communicator, 2) == ["while away 1", "while away 2"]
    await communicator.disconnect(timeout=FRAME)
