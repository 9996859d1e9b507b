"""The exercise command's hints follow the failing check; --mistakes after a pass; progress survives the new layout."""

import hashlib
from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from course.kit import runner
from course.kit.registry import digest, get_exercise
from course.kit.runner import Outcome, old_layout_text

pytestmark = pytest.mark.usefixtures("own_exercise_state")

LADDERS = {"test_one": ("one, first", "one, second"), "test_two": ("two, first", "two, second", "two, third")}


def hint_when_failing(monkeypatch, check: str) -> str:
    """Run `exercise 04.2` (two checks, each its own ladder) with `check` failing: the hint line it prints."""
    from course.management.commands import exercise as command

    exercise = replace(get_exercise("04.2"), hints=LADDERS)
    monkeypatch.setattr(command, "get_exercise", lambda exercise_id: exercise)
    monkeypatch.setattr(command, "run_check", lambda _: Outcome(False, check, "it broke", "", check))
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("exercise", "04.2", stdout=out)
    return next(line for line in out.getvalue().splitlines() if line.startswith("Hint"))


def test_the_hint_shown_is_the_failing_checks_own(monkeypatch):
    assert hint_when_failing(monkeypatch, "test_one") == "Hint 1 of 2: one, first"
    assert hint_when_failing(monkeypatch, "test_two") == "Hint 1 of 3: two, first"  # another check: its own first
    assert hint_when_failing(monkeypatch, "test_one") == "Hint 2 of 2: one, second"  # the same check again: the next
    assert hint_when_failing(monkeypatch, "test_one") == "Hint 2 of 2: one, second"  # the ladder's last step stays


def test_reset_starts_every_ladder_over(monkeypatch, own_starters):
    hint_when_failing(monkeypatch, "test_one")
    hint_when_failing(monkeypatch, "test_two")
    exercise = get_exercise("04.2")
    exercise.starter_path.write_text(exercise.starter_path.read_text() + "# my try\n")
    call_command("exercise", "04.2", "--reset", "--yes", stdout=StringIO())
    assert hint_when_failing(monkeypatch, "test_one") == "Hint 1 of 2: one, first"
    assert hint_when_failing(monkeypatch, "test_two") == "Hint 1 of 3: two, first"


def test_mistakes_are_shown_only_once_the_exercise_passes(own_starters):
    with pytest.raises(CommandError, match="pass it first"):
        call_command("exercise", "04.2", "--mistakes")


def test_after_a_pass_mistakes_prints_each_diff_and_its_why(own_starters):
    exercise = get_exercise("04.2")
    exercise.starter_path.write_bytes(exercise.solution_path.read_bytes())
    runner.save_state({"04.2": {"layout": 2, "result": "passing", "digest": digest(exercise.starter_path)}})
    out = StringIO()
    call_command("exercise", "04.2", "--mistakes", stdout=out)
    shown = out.getvalue()
    for mistake in exercise.mistakes:
        assert mistake.why in shown and mistake.path.read_text().splitlines()[-1] in shown


def test_a_pass_checked_in_the_old_layout_still_shows_passed(own_starters):
    exercise = get_exercise("04.2")
    exercise.starter_path.write_bytes(exercise.solution_path.read_bytes())
    # The old layout's progress file: a digest of the same code with the old paths in its docstring.
    old = hashlib.sha256(old_layout_text(exercise.starter_path.read_text(), exercise).encode())
    runner.save_state({"04.2": {"tried": True, "result": "passing", "digest": old.hexdigest(), "hints": 2}})
    out = StringIO()
    call_command("exercise", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith("04.2"))
    assert "passing" in line
