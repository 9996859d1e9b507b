"""Lesson 17: a student's socket (ws/workshop/student/): the token first, then each frame answered and saved."""

import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from harness.patience import FRAME
from tests.helpers.workshop import a_room, answer_to, student_socket
from workshop import limits, room
from workshop.models import Share, Status, Student
from workshop.student_socket import StudentConsumer

pytestmark = pytest.mark.django_db(transaction=True)
NOT_AUTHENTICATED = {"type": "websocket.close", "code": 4401}
REPORT = {"report": {"exercise": "04.2", "status": "failing", "check": "a socket leaves its group"}}


@database_sync_to_async
def row(model, **lookup):
    return model.objects.get(**lookup)


async def first_answer(frame: dict) -> dict:
    """What the socket answers a first frame (a raw websocket.receive) with."""
    communicator = await student_socket()
    await communicator.send_input({"type": "websocket.receive", **frame})
    answer = await communicator.receive_output(FRAME)
    await communicator.disconnect(timeout=FRAME)
    return answer


async def test_a_valid_token_is_answered_joined_with_the_name_and_last_message():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    communicator = await student_socket()
    assert await answer_to(communicator, {"token": token}) == {"joined": "alice", "last_message": 0}
    await communicator.disconnect(timeout=FRAME)


@pytest.mark.parametrize(
    "frame",
    [
        {"text": json.dumps({"token": "forged"})},
        {"text": json.dumps({"token": 42})},
        {"text": json.dumps({"report": REPORT["report"]})},
        {"text": "not json"},
        {"text": "[" * 5000},
        {"text": "[]"},
        {"bytes": b'{"token": "a binary frame"}'},
    ],
    ids=["forged", "number", "report-first", "not-json", "deep", "array", "binary"],
)
async def test_any_first_frame_but_a_token_closes_4401_before_any_data_frame(frame):
    assert await first_answer(frame) == NOT_AUTHENTICATED


@pytest.mark.parametrize("extra", [{"since": -1}, {"since": 1.5}, {"since": "3"}, {"since": True}, {"name": "bob"}])
async def test_a_token_with_a_since_that_is_not_an_id_or_another_key_closes_4401(extra):
    _, (token,) = await database_sync_to_async(a_room)("alice")
    assert await first_answer({"text": json.dumps({"token": token} | extra)}) == NOT_AUTHENTICATED


async def test_a_token_with_one_character_changed_closes_4401():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert await first_answer({"text": json.dumps({"token": forged})}) == NOT_AUTHENTICATED


async def test_a_silent_socket_is_closed_4401_when_the_deadline_passes(monkeypatch):
    monkeypatch.setattr(StudentConsumer, "FIRST_FRAME_TIMEOUT", 0.05)
    communicator = WebsocketCommunicator(StudentConsumer.as_asgi(), "/ws/workshop/student/")
    assert (await communicator.connect(FRAME))[0]
    assert await communicator.receive_output(FRAME) == NOT_AUTHENTICATED
    await communicator.disconnect(timeout=FRAME)


def test_the_first_frame_deadline_is_ten_seconds():
    assert StudentConsumer.FIRST_FRAME_TIMEOUT == 10


async def test_a_report_is_answered_ok_and_saved_with_its_failing_check():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    communicator = await student_socket(token)
    assert await answer_to(communicator, REPORT) == {"ok": "report"}
    status = await row(Status, student__name="alice", exercise="04.2")
    assert (status.status, status.failed_check) == ("failing", "a socket leaves its group")
    await communicator.disconnect(timeout=FRAME)


async def test_a_report_moves_changed_only_when_the_status_or_the_check_changes():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    communicator = await student_socket(token)
    await answer_to(communicator, REPORT)
    first = (await row(Status, exercise="04.2")).changed_at
    await answer_to(communicator, REPORT)
    assert (await row(Status, exercise="04.2")).changed_at == first
    await answer_to(communicator, {"report": {"exercise": "04.2", "status": "passing", "check": None}})
    status = await row(Status, exercise="04.2")
    assert (status.status, status.failed_check) == ("passing", "")
    assert status.changed_at > first
    await communicator.disconnect(timeout=FRAME)


async def test_a_doctor_verdict_is_answered_ok_and_saved():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    verdict = {"ready": False, "problems": ["Redis is not running"], "python": "3.12.3", "django": "5.2.19"}
    communicator = await student_socket(token)
    assert await answer_to(communicator, {"doctor": verdict}) == {"ok": "doctor"}
    assert (await row(Student, name="alice")).doctor == verdict
    await communicator.disconnect(timeout=FRAME)


async def test_help_true_raises_the_hand_and_help_false_lowers_it():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    communicator = await student_socket(token)
    assert await answer_to(communicator, {"help": True}) == {"ok": "help"}
    raised = (await row(Student, name="alice")).hand_raised_at
    assert await answer_to(communicator, {"help": False}) == {"ok": "help"}
    assert raised is not None and (await row(Student, name="alice")).hand_raised_at is None
    await communicator.disconnect(timeout=FRAME)


async def test_a_share_is_answered_ok_and_saves_the_file():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    share = {"exercise": "01.1", "path": "exercises/01_1_sync_echo/echo.py", "code": "print('hi')\n"}
    communicator = await student_socket(token)
    assert await answer_to(communicator, {"share": share}) == {"ok": "share"}
    saved = await row(Share, student__name="alice")
    assert (saved.exercise, saved.path, saved.code) == ("01.1", share["path"], share["code"])
    await communicator.disconnect(timeout=FRAME)


async def test_a_heartbeat_is_not_answered():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    communicator = await student_socket(token)
    await communicator.send_json_to({"here": True})
    assert await answer_to(communicator, REPORT) == {"ok": "report"}  # the next answer is the report's
    await communicator.disconnect(timeout=FRAME)


async def test_the_token_decides_whose_rows_a_frame_writes_never_a_name_in_it():
    _, (alice, _) = await database_sync_to_async(a_room)("alice", "bob")
    bob = await row(Student, name="bob")
    communicator = await student_socket(alice)
    report = {"exercise": "01.1", "status": "passing", "name": "bob", "student": bob.pk}
    assert await answer_to(communicator, {"report": report}) == {"ok": "report"}
    assert "error" in await answer_to(communicator, {"report": REPORT["report"], "name": "bob"})
    assert [s.student.name async for s in Status.objects.select_related("student")] == ["alice"]
    await communicator.disconnect(timeout=FRAME)


async def test_each_accepted_frame_reaches_the_staff_group_as_that_students_entry():
    workshop, (token,) = await database_sync_to_async(a_room)("alice")
    layer = get_channel_layer()
    staff = await layer.new_channel()
    await layer.group_add(f"workshop-{workshop.pk}-staff", staff)
    communicator = await student_socket(token)
    await answer_to(communicator, REPORT)
    event = await layer.receive(staff)
    assert event["type"] == "room.student"
    assert event["student"]["name"] == "alice"
    assert event["student"]["exercises"]["04.2"]["check"] == "a socket leaves its group"
    await communicator.disconnect(timeout=FRAME)


async def test_a_heartbeat_moves_last_seen_and_brings_the_student_back_online(monkeypatch):
    now = [5000.0]
    monkeypatch.setattr(limits, "clock", lambda: now[0])
    workshop, (token,) = await database_sync_to_async(a_room)("alice")
    staff = await get_channel_layer().new_channel()
    await get_channel_layer().group_add(f"workshop-{workshop.pk}-staff", staff)
    communicator = await student_socket(token)
    asleep = (await row(Student, name="alice")).last_seen - room.ACTIVE - timedelta(minutes=2)
    await Student.objects.filter(name="alice").aupdate(last_seen=asleep)
    now[0] += limits.SEEN_EVERY  # the next frame may write last_seen again
    await communicator.send_json_to({"here": True})
    assert (await get_channel_layer().receive(staff))["student"]["online"] is True
    assert (await row(Student, name="alice")).last_seen > asleep + timedelta(minutes=1)
    await communicator.disconnect(timeout=FRAME)


async def test_last_seen_is_written_at_most_every_few_seconds(monkeypatch):
    monkeypatch.setattr(limits, "clock", lambda: 5000.0)  # the login wrote it; the clock stands still
    _, (token,) = await database_sync_to_async(a_room)("alice")
    communicator = await student_socket(token)
    asleep = (await row(Student, name="alice")).last_seen - timedelta(minutes=2)
    await Student.objects.filter(name="alice").aupdate(last_seen=asleep)
    await communicator.send_json_to({"here": True})
    assert "error" in await answer_to(communicator, {"here": False})  # both handled, neither saved anything
    assert (await row(Student, name="alice")).last_seen == asleep
    await communicator.disconnect(timeout=FRAME)


async def test_a_student_deleted_while_connected_is_closed_4401_at_their_next_report():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    communicator = await student_socket(token)
    await Student.objects.filter(name="alice").adelete()
    await communicator.send_json_to(REPORT)
    assert await communicator.receive_output(FRAME) == NOT_AUTHENTICATED
    await communicator.disconnect(timeout=FRAME)
