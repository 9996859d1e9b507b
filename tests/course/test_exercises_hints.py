"""Hints live in meta/hints.toml, one ladder per check, and follow the failing check and how it fails;
--mistakes after a pass."""

import ast
import shutil
import tomllib
from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from course.kit import runner
from course.kit.registry import EXERCISES, digest, get_exercise, read_exercise
from course.kit.runner import REPO_DIR, Outcome, next_hint, own_traceback

pytestmark = pytest.mark.usefixtures("own_exercise_state")

LADDERS = {"test_one": ("one, first", "one, second"), "test_two": ("two, first", "two, second", "two, third")}


def hint_when_failing(monkeypatch, check: str, message: str = "it broke") -> str:
    """Run `exercise 04.2` (two checks, each its own ladder) with `check` failing, saying `message`: its hint line."""
    from course.management.commands import exercise as command

    exercise = replace(get_exercise("04.2"), hints=LADDERS)
    monkeypatch.setattr(command, "get_exercise", lambda exercise_id: exercise)
    monkeypatch.setattr(command, "run_check", lambda _, warm=None: Outcome(False, check, message, "", check))
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("exercise", "04.2", stdout=out)
    return next(line for line in out.getvalue().splitlines() if line.startswith("Hint"))


def test_the_hint_shown_is_the_failing_checks_own(monkeypatch):
    assert hint_when_failing(monkeypatch, "test_one") == "Hint 1 of 2: one, first"
    assert hint_when_failing(monkeypatch, "test_two") == "Hint 1 of 3: two, first"  # another check: its own first
    assert hint_when_failing(monkeypatch, "test_one") == "Hint 2 of 2: one, second"  # the same check again: the next
    assert hint_when_failing(monkeypatch, "test_one") == "Hint 2 of 2: one, second"  # the ladder's last step stays


def test_a_check_failing_in_other_words_starts_its_ladder_over(monkeypatch):
    assert hint_when_failing(monkeypatch, "test_two", "expected 4401, got {'type': 'websocket.send'}") == (
        "Hint 1 of 3: two, first"
    )
    # The same mistake again, what it quotes changed: the next rung.
    assert hint_when_failing(monkeypatch, "test_two", "expected 4401, got {'type': 'websocket.close'}") == (
        "Hint 2 of 3: two, second"
    )
    # That mistake mended, another one fails the same check: the rungs written for the first would mislead.
    assert hint_when_failing(monkeypatch, "test_two", "two users at once must each get their own name") == (
        "Hint 1 of 3: two, first"
    )


def test_each_check_climbs_its_own_ladder_read_from_meta_hints_toml(tmp_path):
    folder = tmp_path / "04_2_presence"
    (folder / "meta").mkdir(parents=True)
    shutil.copy(get_exercise("04.2").folder / "exercise.toml", folder)
    (folder / "meta" / "hints.toml").write_text('test_one = ["say \\"hi\\"", "a back\\\\slash"]\ntest_two = ["two"]\n')
    exercise, entry = read_exercise(folder), {}
    climbed = [next_hint(entry, exercise, check) for check in ("test_one", "test_two", "test_one", "test_one")]
    assert climbed == [(1, 'say "hi"'), (1, "two"), (2, "a back\\slash"), (2, "a back\\slash")]


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
    runner.save_state({"04.2": {"result": "passing", "digest": digest(exercise.starter_path)}})
    out = StringIO()
    call_command("exercise", "04.2", "--mistakes", stdout=out)
    shown = out.getvalue()
    for mistake in exercise.mistakes:
        assert mistake.why in shown and mistake.path.read_text().splitlines()[-1] in shown


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_the_hints_live_in_meta_hints_toml_not_beside_the_students_file(exercise):
    assert "hints" not in tomllib.loads((exercise.folder / "exercise.toml").read_text(encoding="utf-8"))
    ladders = tomllib.loads((exercise.folder / "meta" / "hints.toml").read_text(encoding="utf-8"))
    assert ladders and all(
        ladder and all(isinstance(rung, str) and rung for rung in ladder) for ladder in ladders.values()
    )


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_every_ladder_names_a_test_of_its_check_and_every_test_has_a_ladder(exercise):
    tree = ast.parse(exercise.check_path.read_text(encoding="utf-8"))
    tests = {node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    tests = {name for name in tests if name.startswith("test_")}
    assert set(exercise.hints) - tests == set(), "meta/hints.toml has a ladder for a test its check.py lacks"
    assert tests - set(exercise.hints) == set(), "check.py has a test with no ladder in meta/hints.toml"


def test_where_in_your_code_names_only_the_places_of_the_students_own_file():
    student = REPO_DIR / "exercises" / "11_2_query_token_middleware" / "query_token.py"
    detail = "\n".join(
        [
            f"module = <module 'exercise_11_2' from '{student}'>",  # the check's own frame, showing its arguments
            "kind = 'websocket'",
            "exercises/11_2_query_token_middleware/query_token.py:23: in __call__",
            '    user_id = int(query["token"])',
            f'  File "{student}", line 24, in __call__',
            "    raise KeyError(name)",
            "exercises/11_2_query_token_middleware/check.py:40: AssertionError",
        ]
    )
    assert own_traceback(detail, student).splitlines() == [
        "exercises/11_2_query_token_middleware/query_token.py:23: in __call__",
        'user_id = int(query["token"])',
        f'File "{student}", line 24, in __call__',
        "raise KeyError(name)",
    ]
