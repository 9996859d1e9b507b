"""Lesson 17: from the page, the instructor removes a student or clears one status; no one else can.

Over the staff socket (staff only, behind the origin check as every socket): {"remove": name}
and {"clear": {"name", "exercise"}}, each saved, answered, and shown on every staff page.
"""

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from harness.patience import FRAME
from tests.helpers.workshop import a_room, answer_to, next_frame_with, staff_socket, staff_view, student_socket
from workshop.models import Status, Student

pytestmark = pytest.mark.django_db(transaction=True)
NOT_AUTHENTICATED = {"type": "websocket.close", "code": 4401}


def alice_and_bob_at_work() -> list[str]:
    """alice and bob, each failing 01.1 and passing 02.1; their tokens."""
    _, tokens = a_room("alice", "bob")
    for student in Student.objects.all():
        for exercise, status in (("01.1", "failing"), ("02.1", "passing")):
            Status.objects.create(student=student, exercise=exercise, status=status, changed_at=timezone.now())
    return tokens


async def test_the_instructor_removes_a_student_and_every_staff_page_takes_them_off(staff_session_key):
    await database_sync_to_async(alice_and_bob_at_work)()
    staff, _ = await staff_view(staff_session_key)
    other, _ = await staff_view(staff_session_key)  # a second tab
    assert await answer_to(staff, {"remove": "bob"}) == {"removed": "bob"}
    assert await next_frame_with(staff, "left") == {"left": "bob"}
    assert await next_frame_with(other, "left") == {"left": "bob"}
    assert [name async for name in Student.objects.values_list("name", flat=True)] == ["alice"]
    await staff.disconnect(timeout=FRAME)
    await other.disconnect(timeout=FRAME)


async def test_a_removed_students_token_opens_nothing_more(staff_session_key):
    _, bob = await database_sync_to_async(alice_and_bob_at_work)()
    watch = await student_socket(bob)  # bob's --watch, still running
    staff, _ = await staff_view(staff_session_key)
    await answer_to(staff, {"remove": "bob"})
    await watch.send_json_to({"help": True})
    assert await watch.receive_output(FRAME) == NOT_AUTHENTICATED
    await watch.disconnect(timeout=FRAME)
    await staff.disconnect(timeout=FRAME)


async def test_the_instructor_clears_one_status_and_the_page_gets_the_entry_without_it(staff_session_key):
    await database_sync_to_async(alice_and_bob_at_work)()
    staff, _ = await staff_view(staff_session_key)
    answer = await answer_to(staff, {"clear": {"name": "alice", "exercise": "01.1"}})
    assert answer == {"cleared": {"name": "alice", "exercise": "01.1"}}
    entry = (await next_frame_with(staff, "student"))["student"]
    assert entry["name"] == "alice" and list(entry["exercises"]) == ["02.1"]
    assert await Status.objects.filter(student__name="bob").acount() == 2  # bob's untouched
    await staff.disconnect(timeout=FRAME)


@pytest.mark.parametrize(
    "frame",
    [
        {"remove": "nobody"},
        {"clear": {"name": "alice", "exercise": "03.1"}},
        {"clear": {"name": "zed", "exercise": "01.1"}},
    ],
    ids=["no such student", "no such status", "no such student's status"],
)
async def test_removing_or_clearing_what_is_not_there_gets_an_error_and_changes_nothing(staff_session_key, frame):
    await database_sync_to_async(alice_and_bob_at_work)()
    staff, _ = await staff_view(staff_session_key)
    assert list(await answer_to(staff, frame)) == ["error"]
    assert await Status.objects.acount() == 4
    await staff.disconnect(timeout=FRAME)


@pytest.mark.parametrize(
    "frame",
    [
        {"remove": 7},
        {"remove": "x" * 41},
        {"clear": "alice"},
        {"clear": {"name": "alice"}},
        {"clear": {"name": "alice", "exercise": "1.1"}},
        {"clear": {"name": "alice", "exercise": "01.1", "x": 1}},
    ],
)
async def test_a_bad_remove_or_clear_frame_gets_an_error_and_the_socket_stays_open(staff_session_key, frame):
    await database_sync_to_async(alice_and_bob_at_work)()
    staff, _ = await staff_view(staff_session_key)
    assert list(await answer_to(staff, frame)) == ["error"]
    assert await answer_to(staff, {"remove": "bob"}) == {"removed": "bob"}
    await staff.disconnect(timeout=FRAME)


@pytest.mark.parametrize("session", [None, "ada"], ids=["anonymous", "not staff"])
async def test_no_one_but_staff_can_remove_or_clear(session, ada_session_key):
    await database_sync_to_async(alice_and_bob_at_work)()
    staff = await staff_socket(ada_session_key if session else None)
    await staff.send_json_to({"remove": "bob"})
    await staff.send_json_to({"clear": {"name": "alice", "exercise": "01.1"}})
    assert (await staff.receive_output(FRAME))["type"] == "websocket.close"
    await staff.disconnect(timeout=FRAME)
    assert await Student.objects.acount() == 2 and await Status.objects.acount() == 4
