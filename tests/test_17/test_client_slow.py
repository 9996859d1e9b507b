"""Lesson 17's student side on real processes: `exercise` and `doctor` joined to a room that is dead, hung or real.

The student's own work never depends on the room: the same output and exit
status as without a workshop, and at most 1 s longer when the room cannot answer.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from course.kit.registry import get_exercise
from harness.servers import REPO_DIR, ServerProcess, daphne_env, free_fixed_port, free_port
from tests.helpers.workshop_rooms import TOKEN, SilentServer, room_json, staff_cookie, staff_says

pytestmark = pytest.mark.slow


def student_env(folder: Path) -> dict[str, str]:
    """A student's checkout in `folder`: its own progress and workshop files, a database of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CHANNEL_LAYER"}}
    env.update(EXERCISES_STATE=str(folder / "state.json"), WORKSHOP_FILE=str(folder / ".workshop.json"))
    env.update(DATABASE_URL=f"sqlite:///{folder / 'fresh.sqlite3'}", PYTHONUNBUFFERED="1")  # never the developer's
    return env


def manage(folder: Path, *argv: str, room: str | None = None) -> tuple[subprocess.CompletedProcess, float]:
    """`python manage.py <argv>` in the checkout `folder` and, given a room's URL, a connection to it saved."""
    env = student_env(folder)
    if room is not None:
        connection = {"url": room, "name": "alice", "token": TOKEN, "last_message": 0}
        (folder / ".workshop.json").write_text(json.dumps(connection), encoding="utf-8")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "manage.py", *argv], cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    return done, time.monotonic() - started


def did_not_arrive(url: str) -> str:
    return f"workshop: this result did not reach {url} ("


def test_joined_to_a_dead_server_exercise_prints_and_exits_exactly_as_alone(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    alone, _ = manage(tmp_path / "alone", "exercise", "01.1")
    joined, _ = manage(tmp_path / "joined", "exercise", "01.1", room=dead)
    assert "01.1 failed." in alone.stdout and alone.stderr == ""
    assert (joined.stdout, joined.returncode) == (alone.stdout, alone.returncode)
    assert joined.stderr.count("\n") == 1 and joined.stderr.startswith(did_not_arrive(dead))
    assert joined.stderr.endswith("; your own result above is unchanged.\n")


def test_joined_to_a_server_that_never_answers_exercise_takes_at_most_1_s_more(tmp_path):
    with SilentServer() as hung:  # accepts the connection, never says a byte
        timings = {"alone": [], "joined": []}
        for run in range(2):  # interleaved, so that a busy moment of the machine falls on both
            alone, took = manage(tmp_path / f"alone{run}", "exercise", "01.1")
            timings["alone"].append(took)
            joined, took = manage(tmp_path / f"joined{run}", "exercise", "01.1", room=hung.url)
            timings["joined"].append(took)
            assert (joined.stdout, joined.returncode) == (alone.stdout, alone.returncode)
            assert joined.stderr.count("\n") == 1 and joined.stderr.startswith(did_not_arrive(hung.url))
    # The contract: at most 1 s more. Each run starts Python, Django and a pytest process for the check,
    # whose start-up varies by a few tenths of a second from run to run on a shared 2-core machine: the
    # fastest run of each kind is compared, with 0.5 s allowed for that noise only.
    assert min(timings["joined"]) - min(timings["alone"]) < 1.0 + 0.5, timings


def test_a_join_no_server_answers_gives_up_after_5_s_and_saves_nothing(tmp_path):
    with SilentServer() as hung:
        done, _ = manage(tmp_path, "workshop", "join", hung.url, "K7Q2M9XA", "--name", "alice")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"workshop: no answer from {hung.url} within 5 s\n"
    assert not (tmp_path / ".workshop.json").exists()


def test_joined_to_a_dead_server_the_doctor_prints_and_exits_exactly_as_alone(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    alone, _ = manage(tmp_path / "alone", "doctor")
    joined, _ = manage(tmp_path / "joined", "doctor", room=dead)
    assert "FAIL  migrations applied" in alone.stdout  # a fresh database: the doctor has a verdict to send
    assert (joined.stdout, joined.returncode) == (alone.stdout, alone.returncode)
    assert joined.stderr.count("\n") == 1 and joined.stderr.startswith(did_not_arrive(dead))


# --- the real room: a Daphne on the test database -------------------------------------------------


def open_and_join(url: str, folder: Path) -> None:
    """The instructor's `workshop open` (on the test database), then the student's real `workshop join`."""
    out = StringIO()
    call_command("workshop", "open", stdout=out)
    joined, _ = manage(folder, "workshop", "join", url, out.getvalue().splitlines()[-1], "--name", "alice")
    assert joined.returncode == 0 and "joined" in joined.stdout, joined.stderr


def alices_01_1(url: str, cookie: str, status: str, since: float) -> dict:
    """alice's 01.1 in room.json once it says `status`: asked again and again, for 2 s from `since` at most."""
    while True:
        [alice] = [entry for entry in room_json(url, cookie)["students"] if entry["name"] == "alice"]
        if alice["exercises"].get("01.1", {}).get("status") == status:
            return alice["exercises"]["01.1"]
        assert time.monotonic() - since < 2.0, f"room.json says {alice} 2 s after the run"  # the contract's bound
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_each_check_of_a_joined_checkout_reaches_room_json_within_2_s(daphne, tmp_path, own_starters):
    server, cookie = daphne(), staff_cookie()
    open_and_join(server.http_url, tmp_path)
    failing, _ = manage(tmp_path, "exercise", "01.1")
    assert (failing.returncode, failing.stderr) == (1, "")
    assert alices_01_1(server.http_url, cookie, "failing", time.monotonic())["check"] == "it accepts the socket"
    exercise = get_exercise("01.1")  # own_starters: the test's own copy of the student's file
    exercise.starter_path.write_bytes(exercise.solution_path.read_bytes())
    passing, _ = manage(tmp_path, "exercise", "01.1")
    assert (passing.returncode, passing.stderr) == (0, "")
    alices_01_1(server.http_url, cookie, "passing", time.monotonic())


@pytest.mark.django_db(transaction=True)
def test_the_real_room_refuses_a_wrong_code_and_nothing_is_saved(daphne, tmp_path):
    server = daphne()
    call_command("workshop", "open", stdout=StringIO())
    wrong = "WRONG234"  # never a code: codes leave out O (workshop open)
    done, _ = manage(tmp_path, "workshop", "join", server.http_url, wrong, "--name", "alice")
    assert (done.returncode, done.stderr) == (1, "workshop: unknown or closed join code\n")
    assert not (tmp_path / ".workshop.json").exists()


@pytest.mark.django_db(transaction=True)
def test_a_shared_file_is_listed_in_room_json(daphne, tmp_path):
    server, cookie = daphne(), staff_cookie()
    open_and_join(server.http_url, tmp_path)
    done, _ = manage(tmp_path, "workshop", "share", "01.1")
    assert done.returncode == 0 and "shared exercises/01_1_sync_echo/sync_echo.py" in done.stdout
    [alice] = room_json(server.http_url, cookie)["students"]
    assert alice["shared"] == ["01.1"]


@pytest.mark.django_db(transaction=True)
def test_with_its_room_killed_a_joined_exercise_exits_as_alone_within_1_s_more(daphne, tmp_path):
    server = daphne()
    open_and_join(server.http_url, tmp_path / "joined")
    server.process.kill()
    server.process.wait()
    shutil.copytree(tmp_path / "joined", tmp_path / "joined again")  # a first run each: the same hint
    timings = {"alone": [], "joined": []}
    for run, checkout in enumerate(["joined", "joined again"]):  # interleaved, the fastest compared, as above
        alone, took = manage(tmp_path / f"alone{run}", "exercise", "01.1")
        timings["alone"].append(took)
        joined, took = manage(tmp_path / checkout, "exercise", "01.1")
        timings["joined"].append(took)
        assert (joined.stdout, joined.returncode) == (alone.stdout, alone.returncode)
        assert joined.stderr.count("\n") == 1 and joined.stderr.startswith(did_not_arrive(server.http_url))
    assert min(timings["joined"]) - min(timings["alone"]) < 1.0 + 0.5, timings  # the contract's 1 s, as above


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
    server = ServerProcess("daphne", argv, daphne_env(connection.settings_dict), port)
    url, cookie, printed = server.http_url, staff_cookie(), tmp_path / "watch.txt"
    open_and_join(url, tmp_path)
    with printed.open("w") as out:
        watch = subprocess.Popen(
            [sys.executable, "manage.py", "exercise", "01.1", "--watch"],
            **{"cwd": REPO_DIR, "env": student_env(tmp_path), "stdout": out, "stderr": subprocess.STDOUT},
        )
    try:
        wait_for_text(printed, "Waiting for a save", 60)  # the starter checked (and failed) once
        staff_says(url, cookie, "before the restart")
        wait_for_text(printed, "From the instructor: before the restart", 10)
        server.process.kill()
        server.stop()
        # Saved while no server runs: the restarted room can only replay it (since), never send it live.
        Message.objects.create(workshop=Workshop.objects.latest("pk"), text="while you were away")
        server = ServerProcess("daphne", argv, daphne_env(connection.settings_dict), port)
        wait_for_text(printed, "From the instructor: while you were away", 30)  # backoff caps at 10 s
        staff_says(url, cookie, "after the restart")
        seen = wait_for_text(printed, "From the instructor: after the restart", 10)
    finally:
        watch.kill()
        watch.wait()
        server.stop()
    said = ("before the restart", "while you were away", "after the restart")
    assert [seen.count(f"From the instructor: {text}\n") for text in said] == [1, 1, 1], seen
