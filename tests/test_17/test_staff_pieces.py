"""Lesson 17: the room reaches the instructor's socket in pieces, then as changes, whatever it holds.

Daphne sends no frame over 1 MiB; a room of sixty students with every exercise of the catalogue
and long messages holds more. Each test reads the frames the staff socket sends, as the page does.
"""

import json

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from harness.patience import FRAME
from tests.helpers.workshop import a_room, next_frame_with, staff_socket, staff_view, view_of
from workshop.models import Status, Student
from workshop.pieces import PIECE_BYTES
from workshop.staff_socket import StaffConsumer

pytestmark = pytest.mark.django_db(transaction=True)
MIB = 1024 * 1024
IDS = [f"{lesson:02}.{k}" for lesson in range(19) for k in range(1, 4)]  # 57 ids, about the catalogue's 58


def failing(names: list[str], ids: list[str]) -> None:
    """Each student failing each exercise, with a check's name and a line it says as long as a report may carry."""
    now = timezone.now()
    Status.objects.bulk_create(
        Status(
            student=student, exercise=exercise, status="failing", failed_check="c" * 200, says="s" * 300, changed_at=now
        )
        for student in Student.objects.filter(name__in=names)
        for exercise in ids
    )


async def room_json(client) -> bytes:
    return (await database_sync_to_async(client.get)("/workshop/room.json")).content


async def test_a_room_past_one_mebibyte_arrives_in_pieces_each_far_below_the_frame_limit(staff_session_key, client):
    names = [f"student {n:02}" for n in range(60)]
    await database_sync_to_async(a_room)(*names)
    await database_sync_to_async(failing)(names, IDS)
    whole, texts = await room_json(client), []
    staff = await staff_socket(staff_session_key)
    view = await view_of(staff, texts)
    assert len(whole) > MIB and len(texts) > 16
    assert max(len(text.encode()) for text in texts) <= PIECE_BYTES
    assert view["students"] == json.loads(whole)["students"]
    await staff.disconnect(timeout=FRAME)


async def test_a_student_with_more_statuses_than_a_piece_holds_arrives_in_parts(staff_session_key, client):
    await database_sync_to_async(a_room)("alice", "bob")
    many = [f"{lesson:02}.{k}" for lesson in range(10) for k in range(1, 100)]  # 990 statuses of ~560 bytes
    await database_sync_to_async(failing)(["alice"], many)
    whole, texts = await room_json(client), []
    staff = await staff_socket(staff_session_key)
    view = await view_of(staff, texts)
    assert max(len(text.encode()) for text in texts) <= PIECE_BYTES
    assert view["students"] == json.loads(whole)["students"]
    await staff.disconnect(timeout=FRAME)


async def test_a_change_to_such_a_student_arrives_in_parts_too(staff_session_key, monkeypatch):
    monkeypatch.setattr(StaffConsumer, "REFRESH", 0.01)
    await database_sync_to_async(a_room)("alice")
    await database_sync_to_async(failing)(
        ["alice"], [f"{lesson:02}.{k}" for lesson in range(10) for k in range(1, 100)]
    )
    staff, _ = await staff_view(staff_session_key)
    await database_sync_to_async(Student.objects.filter(name="alice").update)(hand_raised_at=timezone.now())
    texts = [await staff.receive_from(FRAME)]  # at the next refresh: the layer was never told
    first = json.loads(texts[0])["student"]
    parts, count = [], len(first["exercises"])
    while count < 990:
        texts.append(await staff.receive_from(FRAME))
        parts.append(json.loads(texts[-1])["student"])
        count += len(parts[-1]["exercises"])
    assert first["hand"] is True and "part" not in first
    assert parts and all(part["part"] is True and part["name"] == "alice" for part in parts)
    assert max(len(text.encode()) for text in texts) <= PIECE_BYTES
    await staff.disconnect(timeout=FRAME)


async def test_after_the_first_view_a_refresh_sends_only_the_students_who_changed(staff_session_key, monkeypatch):
    monkeypatch.setattr(StaffConsumer, "REFRESH", 0.01)  # a refresh every 10 ms: unchanged students would come first
    await database_sync_to_async(a_room)("alice", "bob")
    staff, _ = await staff_view(staff_session_key)
    await database_sync_to_async(Student.objects.filter(name="bob").update)(hand_raised_at=timezone.now())
    frame = await staff.receive_json_from(FRAME)
    assert frame["student"]["name"] == "bob" and frame["student"]["hand"] is True
    await staff.disconnect(timeout=FRAME)


async def test_a_student_gone_without_a_word_to_the_layer_is_left_at_the_next_refresh(staff_session_key, monkeypatch):
    monkeypatch.setattr(StaffConsumer, "REFRESH", 0.01)
    await database_sync_to_async(a_room)("alice", "bob")
    staff, _ = await staff_view(staff_session_key)
    await database_sync_to_async(Student.objects.filter(name="bob").delete)()  # in the admin, say
    assert await next_frame_with(staff, "left") == {"left": "bob"}
    await staff.disconnect(timeout=FRAME)
