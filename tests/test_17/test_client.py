"""Lesson 17, the student's side (workshop/client.py, workshop/students.py): join, report, share, the watch.

Against small real servers (tests/helpers/workshop_rooms.py); the real room, in a Daphne: *_client_slow.py.
"""

import json
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from course.kit.registry import get_exercise
from course.kit.runner import Outcome
from course.management.commands.exercise import Command as ExerciseCommand
from harness.patience import FRAME
from harness.servers import free_port
from tests.helpers.workshop_rooms import TOKEN, FakeRoom, JoinServer, SilentServer, wait_for, watching
from workshop import client, students

FAILING = Outcome(False, "text frames come back unchanged and in order", "expected 'hi'", "echo.py, line 3")


def run(subcommand, *args) -> tuple[int, str, str]:
    """A student subcommand's exit status, stdout and stderr."""
    out, err = StringIO(), StringIO()
    return subcommand(*args, out, err), out.getvalue(), err.getvalue()


def test_join_saves_the_connection_and_prints_a_line_with_joined(workshop_file):
    with JoinServer(201, {"token": TOKEN, "name": "alice", "socket": "/ws/workshop/student/"}) as server:
        status, out, err = run(students.join, server.url + "/", "k7q2m9xa", "alice")
    assert (status, out, err) == (0, f"joined the workshop at {server.url} as alice\n", "")
    assert json.loads(server.bodies[0]) == {"code": "k7q2m9xa", "name": "alice"}
    saved = {"url": server.url, "name": "alice", "token": TOKEN, "last_message": 0}
    assert json.loads(workshop_file.read_text()) == saved


@pytest.mark.parametrize(
    "status, body, why",
    [
        (403, {"error": "unknown or closed join code"}, "unknown or closed join code"),
        (409, {"error": "the name alice is taken in this workshop: choose another"}, "the name alice is taken"),
        (429, {"error": "too many join attempts: wait a minute"}, "too many join attempts"),
        (200, b"<html>It works!</html>", "without the workshop's JSON"),
        (201, {"name": "alice"}, "without a token"),
    ],
)
def test_a_refused_join_says_why_in_one_line_and_saves_nothing(workshop_file, status, body, why):
    with JoinServer(status, body) as server:
        exit_status, out, err = run(students.join, server.url, "K7Q2M9XA", "alice")
    assert exit_status != 0 and out == ""
    assert err.startswith("workshop: ") and why in err and err.count("\n") == 1
    assert "K7Q2M9XA" not in err  # the join code is a secret
    assert not workshop_file.exists()


def test_a_join_no_server_answers_in_time_fails_and_saves_nothing(workshop_file, monkeypatch):
    monkeypatch.setattr(client, "JOIN_TIMEOUT", 0.02)  # the contract's 5 s, shortened for a fast test
    with SilentServer() as server:
        status, _, err = run(students.join, server.url, "K7Q2M9XA", "alice")
    assert (status, err) == (1, f"workshop: no answer from {server.url} within 0.02 s\n")
    assert not workshop_file.exists()


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}", "192.168.1.20:8000"])
def test_a_join_where_nothing_listens_fails_and_saves_nothing(workshop_file, url):
    status, _, err = run(students.join, url.format(port=free_port()), "K7Q2M9XA", "alice")
    assert status == 1 and err.startswith("workshop: ") and err.count("\n") == 1 and not workshop_file.exists()


def test_a_report_sends_the_token_then_the_exercise_status_check_and_what_it_says(room):
    assert client.report_check("01.1", FAILING, StringIO())
    report = {"exercise": "01.1", "status": "failing", "check": FAILING.failed_check, "says": "expected 'hi'"}
    assert room.frames == [{"token": TOKEN}, {"report": report}]  # no traceback: never code
    assert room.origins == [room.url]


def test_a_passing_report_names_no_check(room):
    assert client.report_check("01.1", Outcome(True, proved="8 behaviours"), StringIO())
    assert room.frames[1] == {"report": {"exercise": "01.1", "status": "passing", "check": None}}


def test_a_failure_outside_every_check_is_reported_by_the_kits_words_only(room):
    outcome = Outcome(False, None, "your file does not compile: invalid syntax", "echo.py, line 1: def f(:")
    client.report_check("01.1", outcome, StringIO())
    assert room.frames[1]["report"]["check"] == "your file does not compile"


def test_a_report_that_does_not_arrive_says_so_once_on_stderr(workshop_file):
    with FakeRoom(nonsense=True) as room:
        client.save({"url": room.url, "name": "alice", "token": TOKEN, "last_message": 0})
        err = StringIO()
        assert client.report_check("01.1", FAILING, err) is False
    assert err.getvalue() == (
        f"workshop: this result did not reach {room.url} (it answered something that is not the workshop's JSON); "
        "your own result above is unchanged.\n"
    )


def test_a_report_to_a_server_that_never_answers_gives_up_at_its_budget(workshop_file):
    # The server never answers and never closes: deliver() can only return because its own deadline passed,
    # and says which. What a report costs an `exercise` run is bench/speed/workshop.py's figure, not a stopwatch here.
    with SilentServer() as server:
        client.save({"url": server.url, "name": "alice", "token": TOKEN, "last_message": 0})
        why = str(client.deliver([{"help": True}], budget=0.02))
    assert why in ("no answer within 0.02 s", "no answer in time")  # within()'s, or the handshake's cut from it


def test_a_token_the_room_refuses_asks_the_student_to_join_again(room):
    client.save({**client.load(), "token": "forged"})
    assert str(client.deliver([{"help": True}])) == "the room does not know this laptop: join again"


def test_after_leave_nothing_is_reported(room, workshop_file):
    status, out, _ = run(students.leave)
    err = StringIO()
    ExerciseCommand(stdout=StringIO(), stderr=err).tell_the_workshop(get_exercise("01.1"), FAILING)
    assert (status, out) == (0, f"left the workshop at {room.url}\n")
    assert not workshop_file.exists() and room.frames == [] and err.getvalue() == ""


def test_the_exercise_hook_imports_no_workshop_module_when_not_joined(workshop_file, monkeypatch):
    for name in ("workshop.client", "websockets"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    ExerciseCommand(stdout=StringIO(), stderr=StringIO()).tell_the_workshop(get_exercise("01.1"), FAILING)
    assert "workshop.client" not in sys.modules and "websockets" not in sys.modules


def test_share_sends_the_file_the_student_edits_and_says_so(room, own_starters):
    mine = get_exercise("01.1").starter_path
    mine.write_text("# my own echo, a work in progress\n", encoding="utf-8")
    status, out, _ = run(students.share, "01.1")
    path = "exercises/01_1_sync_echo/sync_echo.py"
    assert (status, out) == (0, f"shared {path} with the instructor (exercise 01.1)\n")
    assert room.frames[1] == {"share": {"exercise": "01.1", "path": path, "code": mine.read_text()}}


@pytest.mark.parametrize("down, frame, said", [(False, {"help": True}, "hand is up"), (True, {"help": False}, "down")])
def test_help_raises_the_hand_and_down_lowers_it(room, down, frame, said):
    status, out, _ = run(students.help, down)
    assert status == 0 and said in out
    assert room.frames[1:] == [frame]


@pytest.mark.parametrize("subcommand, args", [(students.help, (False,)), (students.share, ("01.1",))])
def test_help_and_share_without_a_connection_exit_1_with_one_line(workshop_file, subcommand, args):
    status, out, err = run(subcommand, *args)
    assert (status, out) == (1, "")
    assert err.startswith("workshop: not in a workshop") and err.count("\n") == 1


def test_the_doctor_reports_its_verdict_and_each_line_not_ok_once_joined(room, settings, db, quick_doctor):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there: "Redis reachable" fails
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("doctor", stdout=out)
    verdict = room.frames[1]["doctor"]
    assert verdict["problems"] == [line[:300] for line in out.getvalue().splitlines() if line[:4] in ("FAIL", "warn")]
    assert verdict["ready"] is False and verdict["python"] == ".".join(map(str, sys.version_info[:3]))


def test_the_watch_prints_instructor_messages_and_remembers_the_last(room):
    out = StringIO()
    with watching(out):
        room.say("look at the projector: 04.2 next")
        wait_for(lambda: client.load()["last_message"] == 1)
    assert out.getvalue() == "\nFrom the instructor: look at the projector: 04.2 next\n"
    assert room.frames[0] == {"token": TOKEN, "since": 0}


def test_a_watch_whose_server_restarts_gets_what_it_missed_exactly_once(room, monkeypatch):
    monkeypatch.setattr(client, "BACKOFF_BASE", 0.01)  # proven here: the replay, not the jitter's pace
    out = StringIO()
    with watching(out):
        room.say("first")
        wait_for(lambda: "first" in out.getvalue())
        room.stop()
        room.say("said while you were away")  # stored: the restarted room still has it
        room.start()
        wait_for(lambda: "while you were away" in out.getvalue())
    assert out.getvalue().count("From the instructor:") == 2
    assert {"token": TOKEN, "since": 1} in room.frames


def test_the_watch_says_here_as_its_heartbeat_until_the_student_leaves(room, monkeypatch):
    monkeypatch.setattr(client.random, "uniform", lambda low, high: 3600)  # a backoff would outlast the join
    listener = client.Listener(StringIO(), StringIO(), heartbeat=0.01)
    listener.start()
    wait_for(lambda: {"here": True} in room.frames)
    client.forget()  # `workshop leave`, in another terminal
    listener.join(timeout=FRAME)
    assert not listener.is_alive(), "the watch kept its socket, or waited out a backoff, after leave"


def test_an_instructor_message_cannot_drive_the_students_terminal(room):
    out = StringIO()
    client.Listener(out, StringIO()).show(json.dumps({"instructor": {"id": 1, "text": "\x1b[2Jhi\x07"}}), TOKEN)
    assert out.getvalue() == "\nFrom the instructor: ?[2Jhi?\n"


def test_a_watch_the_room_no_longer_knows_says_so_once_and_stops(room):
    client.save({**client.load(), "token": "from-an-older-workshop"})
    err = StringIO()
    listener = client.Listener(StringIO(), err)
    listener.start()
    listener.join(timeout=FRAME)
    assert not listener.is_alive() and err.getvalue().count("\n") == 1
    assert err.getvalue().startswith(f"workshop: the watch stops listening to {room.url}: the room does not know")
