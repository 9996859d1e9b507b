"""The exercise kit: one folder per exercise, its data read from exercise.toml; the `exercise` command works."""

import json
import os
import sys
from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from course.catalogue import LESSONS, REPO_DIR
from course.kit import runner
from course.kit.registry import EXERCISES, digest, get_exercise, pristine_digests
from harness.patience import COMMAND
from harness.servers import WarmDaphnes

# Each test keeps its progress in a file of its own, never the student's .exercises-state.json.
pytestmark = pytest.mark.usefixtures("own_exercise_state")


def test_there_are_at_least_twenty_exercises_over_at_least_eight_lessons():
    assert len(EXERCISES) >= 20
    assert len({exercise.lesson for exercise in EXERCISES}) >= 8
    assert {exercise.lesson for exercise in EXERCISES} <= {lesson.number for lesson in LESSONS}


def test_there_are_at_least_forty_exercises_fifteen_of_them_fix():
    assert len(EXERCISES) >= 40
    assert sum(exercise.kind == "fix" for exercise in EXERCISES) >= 15


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_every_fix_exercise_names_the_upstream_page_where_users_met_the_mistake(exercise):
    assert exercise.kind in {"build", "fix"}
    assert (exercise.kind == "fix") == (exercise.upstream is not None)
    assert exercise.upstream is None or exercise.upstream.startswith("https://")


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_every_exercise_folder_holds_its_file_check_solution_and_hints(exercise):
    assert exercise.starter_path.is_file() and exercise.check_path.is_file() and exercise.solution_path.is_file()
    assert exercise.starter_path.parent == exercise.check_path.parent == exercise.solution_path.parent.parent
    assert exercise.hints and "TODO" in exercise.starter_path.read_text(encoding="utf-8")


def test_the_shipped_starters_are_the_ones_not_started_means():
    """exercise.toml's starter_sha256 is its file's digest: change a starter, update it (sha256sum the file)."""
    assert pristine_digests() == {exercise.id: digest(exercise.starter_path) for exercise in EXERCISES}


def test_the_list_shows_every_exercise_not_started_on_a_fresh_clone():
    out = StringIO()
    call_command("exercise", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(EXERCISES)
    assert all("not started" in line for line in lines)
    assert lines[0].startswith(EXERCISES[0].id) and EXERCISES[0].starter_path.name in lines[0]


def test_a_file_saved_since_its_last_check_is_listed_as_changed_since_last_check(own_starters):
    starter = own_starters / "12_2_exactly_once" / "exactly_once.py"
    starter.write_text(starter.read_text() + "# my first try\n")
    runner.save_state({"12.2": {"tried": True, "result": "passing", "digest": digest(starter)}})
    assert "passing" in listed("12.2")
    starter.write_text(starter.read_text() + "# my second try\n")
    assert "changed since last check" in listed("12.2")


def test_the_list_shows_each_exercises_kind_and_a_fix_exercises_upstream(monkeypatch):
    from course.management.commands import exercise as command

    fix = replace(get_exercise("01.1"), kind="fix", upstream="https://github.com/django/channels/issues/1163")
    monkeypatch.setattr(command, "EXERCISES", (fix, get_exercise("01.2")))
    out = StringIO()
    call_command("exercise", stdout=out)
    first, second = out.getvalue().splitlines()
    assert first.startswith("01.1  fix  ") and first.endswith(
        "(upstream: https://github.com/django/channels/issues/1163)"
    )
    assert second.startswith("01.2  build  ") and "upstream" not in second


def test_a_lesson_page_shows_each_exercises_kind_and_a_fix_exercises_upstream(client, monkeypatch):
    from course import catalogue

    fix = replace(get_exercise("04.2"), kind="fix", upstream="https://github.com/django/channels/issues/1466")
    monkeypatch.setattr(catalogue, "EXERCISES", (get_exercise("04.1"), fix))
    page = client.get("/lessons/04/").content.decode()
    assert '<span class="kind kind-build">build</span> Whisper to one socket' in page
    assert '<span class="kind kind-fix">fix</span> Tell the room' in page
    assert '<a href="https://github.com/django/channels/issues/1466">' in page


def listed(exercise_id: str) -> str:
    """The line of `python manage.py exercise` about one exercise."""
    out = StringIO()
    call_command("exercise", stdout=out)
    return next(line for line in out.getvalue().splitlines() if line.startswith(exercise_id))


def test_an_unknown_exercise_is_a_clear_error():
    with pytest.raises(CommandError, match="no exercise '99.9'"):
        call_command("exercise", "99.9")


def test_the_solution_stays_hidden_until_the_student_has_tried():
    with pytest.raises(CommandError, match="try it first"):
        call_command("exercise", "04.1", "--solution")
    runner.save_state({"04.1": {"tried": True, "result": "failing"}})
    out = StringIO()
    call_command("exercise", "04.1", "--solution", stdout=out)
    assert "exercises/04_1_whisper/meta/solution.py" in out.getvalue()


def test_a_starter_with_a_syntax_error_gets_one_sentence_and_the_line(tmp_path):
    broken = tmp_path / "whisper.py"
    broken.write_text("def broken(:\n", encoding="utf-8")
    outcome = runner.run_check(get_exercise("04.1"), broken)
    assert (outcome.passed, outcome.message) == (False, "your file does not compile: invalid syntax")
    assert outcome.traceback == "whisper.py, line 1: def broken(:"


@pytest.mark.slow
def test_a_2000_character_failure_message_reaches_the_students_terminal_whole(tmp_path, monkeypatch):
    from course.management.commands import exercise as command

    says = "\n".join(
        f'Rule {n}: a "quoted" <tag> & a back\\slash, and why it matters, word by word.' for n in range(30)
    )
    assert len(says) >= 2000  # pytest's junit report cuts a message attribute at 500 characters
    (tmp_path / "check.py").write_text(f"def test_it_says_it_all():\n    raise AssertionError({says!r})\n")
    monkeypatch.setattr(command, "get_exercise", lambda _: replace(get_exercise("04.2"), folder=tmp_path))
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("exercise", "04.2", stdout=out)
    assert f"What it says: {says}\nYour file: " in out.getvalue()


@pytest.mark.slow
def test_checking_an_untouched_starter_exits_1_with_the_failing_check_and_a_hint():
    env = {**os.environ, "EXERCISES_STATE": str(runner.STATE_PATH)}
    done = WarmDaphnes.run([sys.executable, "manage.py", "exercise", "04.1"], REPO_DIR, env, COMMAND)
    assert done.returncode == 1
    assert "04.1 failed." in done.stdout and "Hint 1 of " in done.stdout
    assert json.loads(runner.STATE_PATH.read_text())["04.1"]["result"] == "failing"


def test_the_exercise_routes_exist_in_development_only(settings):
    from course.kit.routes import websocket_urlpatterns

    settings.DEBUG = True
    assert "ws/exercises/04-1/" in [str(pattern.pattern) for pattern in websocket_urlpatterns()]
    settings.DEBUG = False
    assert websocket_urlpatterns() == []


async def test_a_students_consumer_is_live_on_its_exercise_route():
    from channels.testing import WebsocketCommunicator

    from course.kit.routes import StudentConsumer

    communicator = WebsocketCommunicator(StudentConsumer(get_exercise("01.2")), "/ws/exercises/01-2/")
    assert (await communicator.connect())[0]
    await communicator.send_to(text_data="hi")
    assert await communicator.receive_from() == "hi"  # the untouched starter's echo, not yet a shout
    await communicator.disconnect()


async def test_a_starter_that_does_not_import_answers_4503_and_the_server_stays_up(monkeypatch, caplog):
    from channels.testing import WebsocketCommunicator

    from course.kit.routes import StudentConsumer

    def broken_file(self):
        raise SyntaxError("invalid syntax (shout.py, line 3)")

    monkeypatch.setattr(StudentConsumer, "load", broken_file)
    communicator = WebsocketCommunicator(StudentConsumer(get_exercise("01.2")), "/ws/exercises/01-2/")
    assert (await communicator.connect())[0]
    assert "does not import yet" in (await communicator.receive_json_from())["error"]
    assert (await communicator.receive_output())["code"] == 4503
    assert "shout.py" in caplog.text


def test_a_pass_says_every_kind_of_thing_its_check_proved(tmp_path):
    report, log = tmp_path / "report.xml", tmp_path / "proved.jsonl"
    report.write_text('<testsuites><testsuite><testcase name="a"/><testcase name="b"/></testsuite></testsuites>')
    notes = [("sockets", 3), ("processes", 2), ("broken echoes", 1), ("broken echoes", 2), ("cancellation", 1)]
    log.write_text("".join(json.dumps({"kind": kind, "amount": amount}) + "\n" for kind, amount in notes))
    assert runner.what_it_proved(report, log) == (
        "2 behaviours, 3 sockets at once, 2 server processes, cancellation, broken echoes: 3 "
        "(not tried by this check: bad frames, no blocking)"
    )
