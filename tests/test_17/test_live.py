"""Lesson 17: joins, leaves and closes reach the instructor's socket as they happen, not at the 5 s refresh.

A join (POST /workshop/join/) is the new student's entry; `workshop leave` (POST
/workshop/leave/) is {"left": name}, and the student, their rows and their token are gone;
`workshop close` is a new view of the room, by a group message (lesson 06) or, from a process
the layer cannot reach, by the socket's look at the workshop's row each second. Names sort as people read them, accents included.
"""

import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command
from django.utils import timezone

from harness.patience import FRAME
from tests.helpers.workshop import a_room, next_frame_with, post_join, post_leave, staff_view, student_socket, view_of
from workshop import room
from workshop.models import Student, Workshop
from workshop.staff_socket import StaffConsumer

pytestmark = pytest.mark.django_db(transaction=True)


def no_refresh(monkeypatch) -> None:
    """The staff socket's timers put out of the test's way: what arrives was pushed."""
    monkeypatch.setattr(StaffConsumer, "REFRESH", 3600.0)
    monkeypatch.setattr(StaffConsumer, "LOOK", 3600.0)


async def test_a_join_reaches_the_staff_socket_as_the_new_students_entry(client, staff_session_key, monkeypatch):
    no_refresh(monkeypatch)
    await database_sync_to_async(a_room)("alice")
    staff, _ = await staff_view(staff_session_key)
    joined = await database_sync_to_async(post_join)(client, {"code": "K7Q2M9XA", "name": "carol"})
    assert joined.status_code == 201
    assert (await next_frame_with(staff, "student"))["student"]["name"] == "carol"
    await staff.disconnect(timeout=FRAME)


async def test_leave_reaches_the_staff_socket_as_left_with_the_name(client, staff_session_key, monkeypatch):
    no_refresh(monkeypatch)
    _, (token,) = await database_sync_to_async(a_room)("alice")
    staff, _ = await staff_view(staff_session_key)
    assert (await database_sync_to_async(post_leave)(client, {"token": token})).status_code == 200
    assert await next_frame_with(staff, "left") == {"left": "alice"}
    await staff.disconnect(timeout=FRAME)


async def test_a_socket_still_open_at_leave_is_closed_4401_at_its_next_frame(client):
    # A `--watch` left running in another terminal: its token ended with the student.
    _, (token,) = await database_sync_to_async(a_room)("alice")
    student = await student_socket(token)
    await database_sync_to_async(post_leave)(client, {"token": token})
    await student.send_json_to({"help": True})
    assert await student.receive_output(FRAME) == {"type": "websocket.close", "code": 4401}
    assert not await Student.objects.aexists()
    await student.disconnect(timeout=FRAME)


async def test_close_reaches_the_staff_socket_by_a_group_message(staff_session_key, monkeypatch):
    no_refresh(monkeypatch)
    await database_sync_to_async(a_room)("alice")
    staff, _ = await staff_view(staff_session_key)
    await database_sync_to_async(call_command)("workshop", "close")
    assert (await view_of(staff))["workshop"]["open"] is False
    await staff.disconnect(timeout=FRAME)


async def test_close_from_a_process_the_layer_does_not_reach_shows_at_the_next_look(staff_session_key, monkeypatch):
    monkeypatch.setattr(StaffConsumer, "REFRESH", 3600.0)
    monkeypatch.setattr(StaffConsumer, "LOOK", 0.01)
    monkeypatch.setattr(room, "tell_staff_now", lambda *args: None)  # the in-memory layer of another process
    await database_sync_to_async(a_room)("alice")
    staff, _ = await staff_view(staff_session_key)
    await database_sync_to_async(call_command)("workshop", "close")
    assert (await view_of(staff))["workshop"]["open"] is False
    await staff.disconnect(timeout=FRAME)


def test_the_staff_socket_looks_at_the_workshop_every_second():
    assert StaffConsumer.LOOK == 1


def test_a_closed_workshop_says_when_it_closed(client, staff_session_key):
    workshop, _ = a_room()
    Workshop.objects.filter(pk=workshop.pk).update(closed_at=timezone.now())
    workshop.refresh_from_db()
    assert client.get("/workshop/room.json").json()["workshop"]["closed"] == workshop.closed_at.isoformat()


def test_names_sort_as_people_read_them_accents_and_case_aside(client, staff_session_key):
    a_room("Zoë", "oscar", "émile", "Ölaf", "Emma", "eve")
    names = [student["name"] for student in client.get("/workshop/room.json").json()["students"]]
    assert names == ["émile", "Emma", "eve", "Ölaf", "oscar", "Zoë"]
