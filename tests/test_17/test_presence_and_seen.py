"""Lesson 17: "online" means at work in the last few minutes, and the page learns who has seen each message.

Any frame is activity: a student who ran a check four minutes ago and is editing is online. Each
entry says when the last check ran (the tile's "checked 3 min ago") and the newest message of the
instructor the laptop printed, told by {"seen": id} or by the `since` of its first frame.
"""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from harness.patience import FRAME
from tests.helpers.workshop import a_room, answer_to, next_frame_with, staff_view, student_socket
from workshop import limits, room
from workshop.models import Student

pytestmark = pytest.mark.django_db(transaction=True)
REPORT = {"report": {"exercise": "04.2", "status": "failing", "check": "a socket leaves its group"}}


def alice() -> Student:
    return Student.objects.get(name="alice")


def test_a_student_who_ran_a_check_four_minutes_ago_and_is_editing_is_online(client, staff_session_key):
    a_room("alice")
    Student.objects.update(last_seen=timezone.now() - timedelta(minutes=4))
    assert client.get("/workshop/room.json").json()["students"][0]["online"] is True


async def test_a_report_says_when_the_last_check_ran_and_a_heartbeat_leaves_that_alone(monkeypatch):
    now = [5000.0]
    monkeypatch.setattr(limits, "clock", lambda: now[0])
    _, (token,) = await database_sync_to_async(a_room)("alice")
    communicator = await student_socket(token)
    assert await answer_to(communicator, REPORT) == {"ok": "report"}
    checked = (await database_sync_to_async(alice)()).last_report_at
    now[0] += limits.SEEN_EVERY
    await communicator.send_json_to({"here": True})
    assert await answer_to(communicator, {"help": True}) == {"ok": "help"}
    entry = await database_sync_to_async(room.student_entry)((await database_sync_to_async(alice)()).pk)
    assert checked is not None and entry["last_report"] == checked.isoformat()
    await communicator.disconnect(timeout=FRAME)


async def test_a_seen_frame_counts_the_message_seen_and_every_staff_page_hears_it(staff_session_key):
    _, (token,) = await database_sync_to_async(a_room)("alice")
    _, message = await room.save_message("break until 11:00")
    staff, _ = await staff_view(staff_session_key)
    communicator = await student_socket(token)
    assert await answer_to(communicator, {"seen": message["id"]}) == {"ok": "seen"}
    assert (await next_frame_with(staff, "student"))["student"]["message_seen"] == message["id"]
    await communicator.disconnect(timeout=FRAME)
    await staff.disconnect(timeout=FRAME)


async def test_the_since_of_a_first_frame_counts_every_message_up_to_it_as_seen():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    await room.save_message("one")
    _, two = await room.save_message("two")
    communicator = await student_socket(token, since=two["id"])
    await communicator.disconnect(timeout=FRAME)
    assert (await database_sync_to_async(alice)()).message_seen == two["id"]


async def test_seen_never_goes_back_nor_past_the_newest_message():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    _, message = await room.save_message("the only one")
    communicator = await student_socket(token)
    await answer_to(communicator, {"seen": message["id"] + 100})
    await answer_to(communicator, {"seen": 0})
    assert (await database_sync_to_async(alice)()).message_seen == message["id"]
    await communicator.disconnect(timeout=FRAME)


@pytest.mark.parametrize("value", [True, 1.5, -1, "3", None, 10**18])
async def test_a_seen_that_is_not_a_message_id_gets_an_error(value):
    _, (token,) = await database_sync_to_async(a_room)("alice")
    communicator = await student_socket(token)
    assert list(await answer_to(communicator, {"seen": value})) == ["error"]
    await communicator.disconnect(timeout=FRAME)


async def test_a_message_sent_from_one_staff_page_is_listed_on_every_staff_page(staff_session_key):
    await database_sync_to_async(a_room)("alice")
    sender, _ = await staff_view(staff_session_key)
    other, _ = await staff_view(staff_session_key)
    sent = (await answer_to(sender, {"message": "look at the projector"}))["sent"]
    listed = (await next_frame_with(other, "message"))["message"]
    assert (listed["id"], listed["text"]) == (sent, "look at the projector")
    await sender.disconnect(timeout=FRAME)
    await other.disconnect(timeout=FRAME)


async def test_a_view_lists_the_newest_messages_oldest_first_and_what_online_means(staff_session_key):
    await database_sync_to_async(a_room)("alice")
    for n in range(room.MESSAGES_SHOWN + 2):
        await room.save_message(f"message {n}")
    staff, view = await staff_view(staff_session_key)
    assert [m["text"] for m in view["messages"]] == [f"message {n}" for n in range(2, room.MESSAGES_SHOWN + 2)]
    assert view["active_minutes"] == room.ACTIVE_MINUTES == 5
    await staff.disconnect(timeout=FRAME)
