"""Lesson 17: the instructor's socket (ws/workshop/room/): staff only, a view of the room, each change, messages."""

import json

import pytest
from channels.db import database_sync_to_async

from harness.patience import FRAME
from tests.helpers.workshop import a_room, answer_to, next_frame_with, staff_socket, staff_view, student_socket, view_of
from workshop.models import Message
from workshop.staff_socket import StaffConsumer

pytestmark = pytest.mark.django_db(transaction=True)
REPORT = {"report": {"exercise": "04.2", "status": "failing", "check": "leaves its group"}}


async def test_an_anonymous_socket_is_closed_4401_before_any_data_frame():
    communicator = await staff_socket(None)
    assert await communicator.receive_output(FRAME) == {"type": "websocket.close", "code": 4401}
    await communicator.disconnect(timeout=FRAME)


async def test_a_socket_of_a_user_who_is_not_staff_is_closed_4403(ada_session_key):
    communicator = await staff_socket(ada_session_key)
    assert await communicator.receive_output(FRAME) == {"type": "websocket.close", "code": 4403}
    await communicator.disconnect(timeout=FRAME)


async def test_a_staff_socket_gets_the_room_as_room_json_has_it_on_connect(staff_session_key, client):
    await database_sync_to_async(a_room)("alice", "bob")
    communicator, view = await staff_view(staff_session_key)
    expected = (await database_sync_to_async(client.get)("/workshop/room.json")).json()
    assert {key: view[key] for key in expected} == expected
    assert [student["name"] for student in view["students"]] == ["alice", "bob"]
    await communicator.disconnect(timeout=FRAME)


def test_the_room_is_refreshed_every_five_seconds():
    assert StaffConsumer.REFRESH == 5


async def test_a_students_report_reaches_the_staff_socket_as_their_entry(staff_session_key):
    _, (token,) = await database_sync_to_async(a_room)("alice")
    staff, _ = await staff_view(staff_session_key)
    student = await student_socket(token)
    assert await answer_to(student, REPORT) == {"ok": "report"}
    entry = (await staff.receive_json_from(FRAME))["student"]
    assert entry["name"] == "alice"
    assert (
        entry["exercises"]["04.2"]["status"] == "failing" and entry["exercises"]["04.2"]["check"] == "leaves its group"
    )
    await student.disconnect(timeout=FRAME)
    await staff.disconnect(timeout=FRAME)


async def test_a_staff_message_is_saved_answered_with_its_id_and_reaches_students(staff_session_key):
    _, tokens = await database_sync_to_async(a_room)("alice", "bob")
    students = [await student_socket(token) for token in tokens]
    staff, _ = await staff_view(staff_session_key)
    answer = await answer_to(staff, {"message": "break until 11:00"})
    saved = await Message.objects.aget()
    assert answer == {"sent": saved.pk}
    for student in students:
        frame = await student.receive_json_from(FRAME)
        assert frame == {"instructor": {"id": saved.pk, "text": "break until 11:00", "sent": saved.sent_at.isoformat()}}
        await student.disconnect(timeout=FRAME)
    await staff.disconnect(timeout=FRAME)


BAD_STAFF_FRAMES = {
    "not-json": "not json",
    "array": json.dumps([]),
    "empty": json.dumps({"message": ""}),
    "blank": json.dumps({"message": "   "}),
    "too-long": json.dumps({"message": "x" * 501}),
    "number": json.dumps({"message": 42}),
    "other-key": json.dumps({"text": "hi"}),
    "extra-key": json.dumps({"message": "hi", "to": "alice"}),
    "surrogate": json.dumps({"message": "\ud800"}),
}


async def test_each_bad_staff_frame_gets_an_error_saves_nothing_and_keeps_the_socket(staff_session_key, subtests):
    # One socket takes every bad frame in turn; a good message after each shows it still open.
    await database_sync_to_async(a_room)("alice")
    staff, _ = await staff_view(staff_session_key)
    for sent, (name, frame) in enumerate(BAD_STAFF_FRAMES.items()):
        with subtests.test(frame=name):
            assert list(await answer_to(staff, frame)) == ["error"]
            assert await Message.objects.acount() == sent  # only the good messages before it
            assert "sent" in await answer_to(staff, {"message": "still here"})
            assert "message" in await staff.receive_json_from(FRAME)  # every staff page lists it
    await staff.disconnect(timeout=FRAME)


async def test_a_message_of_500_characters_is_sent(staff_session_key):
    await database_sync_to_async(a_room)("alice")
    staff, _ = await staff_view(staff_session_key)
    assert "sent" in await answer_to(staff, {"message": "x" * 500})
    await staff.disconnect(timeout=FRAME)


async def test_with_no_workshop_a_message_gets_an_error(staff_session_key):
    staff, view = await staff_view(staff_session_key)
    assert (view["workshop"], view["students"]) == (None, [])
    assert "workshop open" in (await answer_to(staff, {"message": "hello?"}))["error"]
    await staff.disconnect(timeout=FRAME)


async def test_after_workshop_open_again_the_socket_follows_the_new_room(staff_session_key, monkeypatch):
    monkeypatch.setattr(StaffConsumer, "REFRESH", 0.01)
    await database_sync_to_async(a_room)("alice")
    staff, _ = await staff_view(staff_session_key)
    _, (token,) = await database_sync_to_async(a_room)("zoe")  # a newer workshop
    while [s["name"] for s in (await view_of(staff))["students"]] != ["zoe"]:
        pass
    student = await student_socket(token)
    await answer_to(student, REPORT)
    assert (await next_frame_with(staff, "student"))["student"]["name"] == "zoe"
    await student.disconnect(timeout=FRAME)
    await staff.disconnect(timeout=FRAME)
