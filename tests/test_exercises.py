"""The exercise kit: every check passes on its solution and fails on its untouched starter; the command works."""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from exercises import runner
from exercises.registry import EXERCISES, digest, get_exercise, pristine_digests
from lessons.catalogue import LESSONS, REPO_DIR

# Each test keeps its progress in a file of its own, never the student's .exercises-state.json.
pytestmark = pytest.mark.usefixtures("own_exercise_state")


def test_there_are_at_least_twenty_exercises_over_at_least_eight_lessons():
    assert len(EXERCISES) >= 20
    assert len({exercise.lesson for exercise in EXERCISES}) >= 8
    assert {exercise.lesson for exercise in EXERCISES} <= {lesson.number for lesson in LESSONS}


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_every_exercise_has_a_starter_a_check_a_solution_and_hints(exercise):
    assert exercise.starter_path.is_file() and exercise.check_path.is_file() and exercise.solution_path.is_file()
    assert exercise.hints and "TODO" in exercise.starter_path.read_text(encoding="utf-8")


def test_the_shipped_starters_are_the_ones_not_started_means():
    """exercises/starters.json holds each starter's digest: change a starter, update it (see exercises/registry.py)."""
    assert pristine_digests() == {exercise.id: digest(exercise.starter_path) for exercise in EXERCISES}


def test_the_list_shows_every_exercise_not_started_on_a_fresh_clone():
    out = StringIO()
    call_command("exercise", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(EXERCISES)
    assert all("not started" in line for line in lines)
    assert lines[0].startswith("01.1") and "exercises/ex01_1_sync_echo.py" in lines[0]


def test_an_unknown_exercise_is_a_clear_error():
    with pytest.raises(CommandError, match="no exercise '99.9'"):
        call_command("exercise", "99.9")


def test_the_solution_stays_hidden_until_the_student_has_tried():
    with pytest.raises(CommandError, match="try it first"):
        call_command("exercise", "04.1", "--solution")
    runner.save_state({"04.1": {"tried": True, "result": "failing"}})
    out = StringIO()
    call_command("exercise", "04.1", "--solution", stdout=out)
    assert "exercises/solutions/ex04_1_whisper.py" in out.getvalue()


def test_a_starter_with_a_syntax_error_gets_one_sentence_and_the_line(tmp_path):
    broken = tmp_path / "ex04_1_whisper.py"
    broken.write_text("def broken(:\n", encoding="utf-8")
    exercise = SimpleNamespace(starter_path=broken, solution_path=broken, check_path=get_exercise("04.1").check_path)
    outcome = runner.run_check(exercise)
    assert (outcome.passed, outcome.message) == (False, "your file does not compile: invalid syntax")
    assert outcome.traceback == "ex04_1_whisper.py, line 1: def broken(:"


@pytest.mark.slow
def test_every_check_passes_on_its_reference_solution(tmp_path):
    checks = [str(exercise.check_path) for exercise in EXERCISES]
    env = {**os.environ, "EXERCISE_TARGET": "solution", "INSPECTOR": "0"}
    env["TEST_DATABASE_NAME"] = str(tmp_path / "test_db.sqlite3")  # never this run's own test database
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--timeout=10", *checks]
    done = subprocess.run(argv, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.slow
def test_every_check_fails_on_its_untouched_starter():
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = dict(zip([e.id for e in EXERCISES], pool.map(runner.run_check, EXERCISES), strict=True))
    passing = [exercise_id for exercise_id, outcome in outcomes.items() if outcome.passed]
    assert passing == [], f"these checks pass on the untouched starter, so they prove nothing: {passing}"
    # Every failure reaches the student as a sentence.
    assert all(outcome.message for outcome in outcomes.values())


@pytest.mark.slow
def test_checking_an_untouched_starter_exits_1_with_the_failing_check_and_a_hint():
    env = {**os.environ, "EXERCISES_STATE": str(runner.STATE_PATH)}
    done = subprocess.run(
        [sys.executable, "manage.py", "exercise", "04.1"], cwd=REPO_DIR, env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "04.1 failed." in done.stdout and "Hint 1 of 3:" in done.stdout
    assert json.loads(runner.STATE_PATH.read_text())["04.1"]["result"] == "failing"


def test_the_exercise_routes_exist_in_development_only(settings):
    from exercises.routing import websocket_urlpatterns

    settings.DEBUG = True
    assert "ws/exercises/04-1/" in [str(pattern.pattern) for pattern in websocket_urlpatterns()]
    settings.DEBUG = False
    assert websocket_urlpatterns() == []


async def test_a_students_consumer_is_live_on_its_exercise_route():
    from channels.testing import WebsocketCommunicator

    from exercises.routing import StudentConsumer

    communicator = WebsocketCommunicator(StudentConsumer(get_exercise("01.2")), "/ws/exercises/01-2/")
    assert (await communicator.connect())[0]
    await communicator.send_to(text_data="hi")
    assert await communicator.receive_from() == "hi"  # the untouched starter's echo, not yet a shout
    await communicator.disconnect()


async def test_a_starter_that_does_not_import_answers_4503_and_the_server_stays_up(monkeypatch, caplog):
    from channels.testing import WebsocketCommunicator

    from exercises.routing import StudentConsumer

    def broken_file(self):
        raise SyntaxError("invalid syntax (ex01_2_shout.py, line 3)")

    monkeypatch.setattr(StudentConsumer, "load", broken_file)
    communicator = WebsocketCommunicator(StudentConsumer(get_exercise("01.2")), "/ws/exercises/01-2/")
    assert (await communicator.connect())[0]
    assert "does not import yet" in (await communicator.receive_json_from())["error"]
    assert (await communicator.receive_output())["code"] == 4503
    assert "ex01_2_shout.py" in caplog.text
