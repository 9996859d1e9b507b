"""Lesson 17: a student's socket refuses bad frames with an error and stays open; its rate limit is the student's."""

import json

import pytest
from channels.db import database_sync_to_async

from harness.patience import FRAME
from tests.helpers.workshop import a_room, answer_to, student_socket
from workshop import limits
from workshop.frames import MAX_CODE, MAX_PROBLEM
from workshop.models import Status

pytestmark = pytest.mark.django_db(transaction=True)
REPORT = {"report": {"exercise": "01.1", "status": "passing"}}
SLOW_DOWN = {"error": "too many frames: slow down"}
SHARE = {"exercise": "01.1", "path": "echo.py", "code": "x"}

BAD_FRAMES = {
    "not-json": "{'report': 1}",
    "nested-too-deep": "[" * 100_000,
    "array": [],
    "string": "report",
    "empty-object": {},
    "unknown-key": {"message": "hello"},
    "two-keys": {"help": True, "here": True},
    "token-again": {"token": "x"},
    "client-chosen-type": {"type": "websocket.disconnect"},
    "report-not-object": {"report": "01.1 passing"},
    "exercise-shape": {"report": {"exercise": "1.1", "status": "passing"}},
    "exercise-too-long": {"report": {"exercise": "01.123", "status": "passing"}},
    "exercise-other-digits": {"report": {"exercise": "٠١.١", "status": "passing"}},
    "exercise-missing": {"report": {"status": "passing"}},
    "exercise-not-in-the-course": {"report": {"exercise": "99.9", "status": "passing"}},
    "exercise-one-past-the-last": {"report": {"exercise": "01.9", "status": "failing", "check": "x"}},
    "status-unknown": {"report": {"exercise": "01.1", "status": "passed"}},
    "check-too-long": {"report": {"exercise": "01.1", "status": "failing", "check": "x" * 201}},
    "check-number": {"report": {"exercise": "01.1", "status": "failing", "check": 7}},
    "check-lone-surrogate": {"report": {"exercise": "01.1", "status": "failing", "check": "\ud800"}},
    "doctor-not-object": {"doctor": True},
    "doctor-line-too-long": {"doctor": {"ready": False, "problems": ["x" * (MAX_PROBLEM + 1)]}},
    "doctor-nan": '{"doctor": {"ready": NaN}}',
    "help-not-bool": {"help": "yes"},
    "share-not-object": {"share": "01.1"},
    "share-code-too-big": {"share": SHARE | {"code": "x" * (MAX_CODE + 1)}},
    "share-code-missing": {"share": {"exercise": "01.1", "path": "echo.py"}},
    "share-path-empty": {"share": SHARE | {"path": ""}},
    "share-nul": {"share": SHARE | {"path": "echo\x00.py"}},
    "share-exercise-not-in-the-course": {"share": SHARE | {"exercise": "42.0"}},
    "here-false": {"here": False},
}


def frozen(monkeypatch) -> list[float]:
    """The rate limit's clock, stopped; move it by changing the list's one item."""
    now = [1000.0]
    monkeypatch.setattr(limits, "clock", lambda: now[0])
    return now


async def test_each_bad_frame_gets_an_error_and_the_socket_stays_open(monkeypatch, subtests):
    # One socket takes every bad frame in turn: each must leave it answering the next report.
    now = frozen(monkeypatch)
    _, (token,) = await database_sync_to_async(a_room)("alice")
    communicator = await student_socket(token)
    for name, frame in BAD_FRAMES.items():
        with subtests.test(frame=name):
            now[0] += 1.0  # the bucket gets back the two frames each case sends: the rate limit answers none
            answer = await answer_to(communicator, frame if isinstance(frame, str) else json.dumps(frame))
            assert list(answer) == ["error"] and answer["error"]
            assert await answer_to(communicator, REPORT) == {"ok": "report"}
    await communicator.disconnect(timeout=FRAME)


async def test_a_binary_frame_gets_an_error_and_the_socket_stays_open():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    communicator = await student_socket(token)
    await communicator.send_to(bytes_data=json.dumps(REPORT).encode())
    assert "binary" in (await communicator.receive_json_from(FRAME))["error"]
    assert await answer_to(communicator, REPORT) == {"ok": "report"}
    await communicator.disconnect(timeout=FRAME)


async def test_a_bad_frame_saves_nothing():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    communicator = await student_socket(token)
    await answer_to(communicator, BAD_FRAMES["status-unknown"])
    assert not await Status.objects.aexists()
    await communicator.disconnect(timeout=FRAME)


async def test_twenty_frames_at_once_pass_and_the_next_is_refused(monkeypatch):
    frozen(monkeypatch)
    _, (token,) = await database_sync_to_async(a_room)("alice")
    communicator = await student_socket(token)
    for _ in range(19):
        await communicator.send_json_to({"here": True})
    assert await answer_to(communicator, REPORT) == {"ok": "report"}  # the 20th
    assert await answer_to(communicator, REPORT) == SLOW_DOWN
    await communicator.disconnect(timeout=FRAME)


async def test_the_bucket_refills_five_frames_a_second(monkeypatch):
    now = frozen(monkeypatch)
    _, (token,) = await database_sync_to_async(a_room)("alice")
    communicator = await student_socket(token)
    for _ in range(20):
        await communicator.send_json_to({"here": True})
    assert await answer_to(communicator, REPORT) == SLOW_DOWN  # the bucket is empty now, not later
    now[0] += 1.0
    answers = [await answer_to(communicator, REPORT) for _ in range(6)]
    assert answers == [{"ok": "report"}] * 5 + [SLOW_DOWN]
    await communicator.disconnect(timeout=FRAME)


async def test_one_students_sockets_share_one_bucket(monkeypatch):
    frozen(monkeypatch)
    _, (token,) = await database_sync_to_async(a_room)("alice")
    first, second = await student_socket(token), await student_socket(token)
    for _ in range(20):
        await first.send_json_to({"here": True})
    assert await answer_to(first, REPORT) == SLOW_DOWN
    assert await answer_to(second, REPORT) == SLOW_DOWN
    await first.disconnect(timeout=FRAME)
    await second.disconnect(timeout=FRAME)


async def test_another_students_bucket_is_untouched(monkeypatch):
    frozen(monkeypatch)
    _, (alice, bob) = await database_sync_to_async(a_room)("alice", "bob")
    flooder, other = await student_socket(alice), await student_socket(bob)
    for _ in range(20):
        await flooder.send_json_to({"here": True})
    assert await answer_to(flooder, REPORT) == SLOW_DOWN
    assert await answer_to(other, REPORT) == {"ok": "report"}
    await flooder.disconnect(timeout=FRAME)
    await other.disconnect(timeout=FRAME)


async def test_after_100_refused_frames_the_socket_is_closed_4429(monkeypatch):
    frozen(monkeypatch)
    _, (token,) = await database_sync_to_async(a_room)("alice")
    communicator = await student_socket(token)
    for _ in range(20 + 100):
        await communicator.send_json_to({"here": True})
    refusals = [await communicator.receive_json_from(FRAME) for _ in range(100)]
    assert refusals == [SLOW_DOWN] * 100
    assert await communicator.receive_output(FRAME) == {"type": "websocket.close", "code": 4429}
    await communicator.disconnect(timeout=FRAME)
