"""Lesson 17: what a student's terminal says when a report does not come back: never "did not reach" a room that has it."""

from io import StringIO

from tests.helpers.workshop_rooms import TOKEN, FakeRoom
from workshop import client

REPORT = {"report": {"exercise": "01.1", "status": "failing", "check": "it accepts the socket"}}


def test_after_the_workshop_closed_a_report_says_it_ended_not_join_again(workshop_file):
    with FakeRoom(ended=True) as room:
        client.save({"url": room.url, "name": "alice", "token": TOKEN, "last_message": 0})
        err = StringIO()
        assert client.tell(REPORT, err) is False
    assert (
        err.getvalue() == f"workshop: the workshop at {room.url} has ended, so this checkout reports to it no more.\n"
    )
    assert not workshop_file.exists()  # nothing more to report: the next run says nothing


def test_a_report_the_room_took_but_never_answered_is_not_said_to_have_missed_it(workshop_file):
    with FakeRoom(unanswered=True) as room:
        client.save({"url": room.url, "name": "alice", "token": TOKEN, "last_message": 0})
        err = StringIO()
        assert client.tell(REPORT, err) is False
    assert room.frames[1] == REPORT  # it reached the room
    assert "did not reach" not in err.getvalue()
    assert err.getvalue().startswith(f"workshop: this result was sent to {room.url}, but its answer did not come back")
