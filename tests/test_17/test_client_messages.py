"""Lesson 17: every joined student hears the instructor, at once in a watch, else at their next `exercise` run.

Against the FakeRoom (tests/helpers/workshop_rooms.py), which replays the messages after `since` and
answers each frame `ok`. A run prints what the laptop missed after its own result, each message once,
in order, and tells the room which it printed ({"seen": id}); a watch does the same as each one comes.
"""

from io import StringIO

from course.kit.registry import get_exercise
from course.management.commands.exercise import Command as ExerciseCommand
from tests.helpers.workshop_rooms import TOKEN, wait_for, watching
from tests.test_17.test_client import FAILING
from workshop import client


def exercise_run() -> str:
    """What `exercise 01.1` prints after its own result, joined (the hook the command calls)."""
    out = StringIO()
    ExerciseCommand(stdout=out, stderr=StringIO()).tell_the_workshop(get_exercise("01.1"), FAILING)
    return out.getvalue()


def test_an_exercise_run_prints_each_message_it_missed_once_in_order(room):
    room.say("break until 11:00")
    room.say("open lesson 04")
    assert exercise_run() == "\nFrom the instructor: break until 11:00\n\nFrom the instructor: open lesson 04\n"
    assert exercise_run() == ""
    room.say("lesson 05 now")
    assert exercise_run() == "\nFrom the instructor: lesson 05 now\n"


def test_a_run_asks_from_the_last_message_printed_and_tells_the_room_what_it_printed(room):
    room.say("one")
    exercise_run()
    exercise_run()
    assert [frame for frame in room.frames if "token" in frame or "seen" in frame] == [
        {"token": TOKEN, "since": 0},
        {"seen": 1},
        {"token": TOKEN, "since": 1},
    ]
    assert client.load()["last_message"] == 1


def test_a_run_while_this_process_watches_leaves_the_messages_to_the_watch(room):
    out = StringIO()
    with watching(out):
        room.say("heard by the watch")
        wait_for(lambda: {"seen": 1} in room.frames)  # the watch printed it and told the room
        client.save({**client.load(), "last_message": 0})  # as if the file had not kept up: the run must not print it
        assert exercise_run() == ""
    assert out.getvalue() == "\nFrom the instructor: heard by the watch\n"
    assert {"token": TOKEN} in room.frames  # the run's report asked for no backlog


def test_the_doctor_and_a_raised_hand_ask_for_no_messages(room):
    room.say("not now")
    client.report_doctor([], [], StringIO())
    client.deliver([{"help": True}])
    assert [frame for frame in room.frames if "token" in frame] == [{"token": TOKEN}, {"token": TOKEN}]
