"""Lesson 17's student side on real processes: `exercise` and `doctor` joined to a room that is dead, hung or real.

The student's own work never depends on the room: the same output and exit status as without a workshop,
and a report the room does not answer is given up at the client's own budget (REPORT_BUDGET), with one
line on stderr. How many seconds that costs a run, and how soon the room shows a run, are figures of
bench/speed/workshop.py (`make bench`), never a stopwatch here: every wait below is for an event.
"""

import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from course.kit.registry import get_exercise
from harness.patience import COMMAND, CONDITION, FRAME
from harness.servers import REPO_DIR, ServerProcess, WarmDaphnes, daphne_env, free_fixed_port, free_port
from tests.helpers.workshop_rooms import TOKEN, SilentServer, room_json, staff_cookie, staff_says
from tests.helpers.workshop_server import REPORTS_ARRIVE
from workshop.client import REPORT_BUDGET

pytestmark = pytest.mark.slow


def student_env(folder: Path) -> dict[str, str]:
    """A student's checkout in `folder`: its own progress and workshop files, a database of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CHANNEL_LAYER"}}
    env.update(EXERCISES_STATE=str(folder / "state.json"), WORKSHOP_FILE=str(folder / ".workshop.json"))
    env.update(DATABASE_URL=f"sqlite:///{folder / 'fresh.sqlite3'}", PYTHONUNBUFFERED="1")  # never the developer's
    return env


def manage(folder: Path, *argv: str, room: str | None = None, env=None) -> subprocess.CompletedProcess:
    """`python manage.py <argv>` in the checkout `folder` and, given a room's URL, a connection to it saved."""
    env = student_env(folder) | (env or {})
    if room is not None:
        connection = {"url": room, "name": "alice", "token": TOKEN, "last_message": 0}
        (folder / ".workshop.json").write_text(json.dumps(connection), encoding="utf-8")
    return WarmDaphnes.run([sys.executable, "manage.py", *argv], REPO_DIR, env, COMMAND)


def did_not_arrive(url: str) -> str:
    return f"workshop: this result did not reach {url} ("


@functools.cache
def alone() -> subprocess.CompletedProcess:
    """`exercise 01.1` on the untouched starter in a checkout that never joined (once a run): what joined runs print."""
    with tempfile.TemporaryDirectory() as folder:
        done = manage(Path(folder), "exercise", "01.1")
    assert "01.1 failed." in done.stdout and done.stderr == ""
    return done


def test_joined_to_a_dead_server_exercise_prints_and_exits_exactly_as_alone(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    joined = manage(tmp_path, "exercise", "01.1", room=dead)
    assert (joined.stdout, joined.returncode) == (alone().stdout, alone().returncode)
    assert joined.stderr.count("\n") == 1 and joined.stderr.startswith(did_not_arrive(dead))
    assert joined.stderr.endswith("; your own result above is unchanged.\n")


def test_joined_to_a_hung_room_exercise_gives_up_its_report_and_exits_as_alone(tmp_path):
    with SilentServer() as hung:  # accepts the connection, never says a byte, never closes it
        joined = manage(tmp_path, "exercise", "01.1", room=hung.url)
    assert (joined.stdout, joined.returncode) == (alone().stdout, alone().returncode)
    # The room never answered, so the run ended only because the client gave up: at its own deadline, it says.
    gave_up = [f"no answer within {REPORT_BUDGET:g} s", "no answer in time"]  # within()'s, or the handshake's
    said = [f"{did_not_arrive(hung.url)}{why}); your own result above is unchanged.\n" for why in gave_up]
    assert joined.stderr in said


def test_a_join_no_server_answers_gives_up_saying_so_and_saves_nothing(tmp_path):
    with SilentServer() as hung:
        done = manage(tmp_path, "workshop", "join", hung.url, "K7Q2M9XA", "--name", "alice")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"workshop: no answer from {hung.url} within 5 s\n"
    assert not (tmp_path / ".workshop.json").exists()


def test_joined_to_a_dead_server_the_doctor_prints_and_exits_exactly_as_alone(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    unjoined = manage(tmp_path / "alone", "doctor")
    joined = manage(tmp_path / "joined", "doctor", room=dead)
    assert "FAIL  migrations applied" in unjoined.stdout  # a fresh database: the doctor has a verdict to send
    assert (joined.stdout, joined.returncode) == (unjoined.stdout, unjoined.returncode)
    assert joined.stderr.count("\n") == 1 and joined.stderr.startswith(did_not_arrive(dead))


# --- the real room: a Daphne on the test database -------------------------------------------------


def open_and_join(url: str, folder: Path) -> None:
    """The instructor's `workshop open` (on the test database), then the student's real `workshop join`."""
    out = StringIO()
    call_command("workshop", "open", stdout=out)
    joined = manage(folder, "workshop", "join", url, out.getvalue().splitlines()[-1], "--name", "alice")
    assert joined.returncode == 0 and "joined" in joined.stdout, joined.stderr


def alices_01_1(url: str, cookie: str) -> dict:
    """alice's 01.1 as room.json shows it: a run whose report was answered `ok` is there (saved before `ok`)."""
    [alice] = [entry for entry in room_json(url, cookie)["students"] if entry["name"] == "alice"]
    return alice["exercises"].get("01.1", {})


@pytest.mark.django_db(transaction=True)
def test_each_check_of_a_joined_checkout_reaches_room_json(daphne, tmp_path, own_starters):
    server, cookie = daphne(), staff_cookie()
    open_and_join(server.http_url, tmp_path)
    failing = manage(tmp_path, "exercise", "01.1", env=REPORTS_ARRIVE)
    assert (failing.returncode, failing.stderr) == (1, "")  # no line on stderr: the room answered `ok`
    shown = alices_01_1(server.http_url, cookie)
    assert (shown["status"], shown["check"]) == ("failing", "it accepts the socket")
    exercise = get_exercise("01.1")  # own_starters: the test's own copy of the student's file
    exercise.starter_path.write_bytes(exercise.solution_path.read_bytes())
    passing = manage(tmp_path, "exercise", "01.1", env=REPORTS_ARRIVE)
    assert (passing.returncode, passing.stderr) == (0, "")
    assert alices_01_1(server.http_url, cookie)["status"] == "passing"


@pytest.mark.django_db(transaction=True)
def test_the_real_room_refuses_a_wrong_code_and_nothing_is_saved(daphne, tmp_path):
    server = daphne()
    call_command("workshop", "open", stdout=StringIO())
    wrong = "WRONG234"  # never a code: codes leave out O (workshop open)
    done = manage(tmp_path, "workshop", "join", server.http_url, wrong, "--name", "alice")
    assert (done.returncode, done.stderr) == (1, "workshop: unknown or closed join code\n")
    assert not (tmp_path / ".workshop.json").exists()


@pytest.mark.django_db(transaction=True)
def test_a_shared_file_is_listed_in_room_json(daphne, tmp_path):
    server, cookie = daphne(), staff_cookie()
    open_and_join(server.http_url, tmp_path)
    done = manage(tmp_path, "workshop", "share", "01.1")
    assert done.returncode == 0 and "shared exercises/01_1_sync_echo/sync_echo.py" in done.stdout
    [alice] = room_json(server.http_url, cookie)["students"]
    assert alice["shared"] == ["01.1"]


@pytest.mark.django_db(transaction=True)
def test_with_its_room_killed_a_joined_exercise_prints_and_exits_as_alone(daphne, tmp_path):
    server = daphne()
    open_and_join(server.http_url, tmp_path)
    server.process.kill()
    server.process.wait()
    joined = manage(tmp_path, "exercise", "01.1")
    assert (joined.stdout, joined.returncode) == (alone().stdout, alone().returncode)
    assert joined.stderr.count("\n") == 1 and joined.stderr.startswith(did_not_arrive(server.http_url))


def wait_for_text(path: Path, text: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while text not in (seen := path.read_text(encoding="utf-8")):
        assert time.monotonic() < deadline, f"no {text!r} within {timeout} s; the watch said:\n{seen}"
        time.sleep(0.1)
    return seen


@pytest.mark.django_db(transaction=True)
def test_a_watch_whose_room_restarts_prints_what_it_missed_once(tmp_path):
    from django.db import connection

    from workshop.models import Message, Workshop

    port = free_fixed_port()  # the restarted Daphne binds it again
    argv = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "lessons.asgi:application"]
    server, watch = ServerProcess("daphne", argv, daphne_env(connection.settings_dict), port), None
    url, cookie, printed = server.http_url, staff_cookie(), tmp_path / "watch.txt"
    try:
        open_and_join(url, tmp_path)
        with printed.open("w") as out:
            watch = subprocess.Popen(
                [sys.executable, "manage.py", "exercise", "01.1", "--watch"],
                **{"cwd": REPO_DIR, "env": student_env(tmp_path), "stdout": out, "stderr": subprocess.STDOUT},
            )
        wait_for_text(printed, "Waiting for a save", COMMAND)  # the starter checked (and failed) once
        staff_says(url, cookie, "before the restart")
        wait_for_text(printed, "From the instructor: before the restart", FRAME)
        server.process.kill()
        server.stop()
        # Saved while no server runs: the restarted room can only replay it (since), never send it live.
        Message.objects.create(workshop=Workshop.objects.latest("pk"), text="while you were away")
        server = ServerProcess("daphne", argv, daphne_env(connection.settings_dict), port)
        wait_for_text(printed, "From the instructor: while you were away", CONDITION)  # backoff caps at 10 s
        staff_says(url, cookie, "after the restart")
        seen = wait_for_text(printed, "From the instructor: after the restart", FRAME)
    finally:
        if watch is not None:
            watch.kill()
            watch.wait()
        server.stop()
    said = ("before the restart", "while you were away", "after the restart")
    assert [seen.count(f"From the instructor: {text}\n") for text in said] == [1, 1, 1], seen
