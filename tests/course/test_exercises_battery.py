"""The standard battery: every exercise declares what it builds, every check runs that kind's behaviours, last.

exercises/battery/ holds the behaviours; each exercise.toml says `builds = "<kind>"` and, in [battery], how
its contract answers and which behaviour does not apply (with why). The slow kit proof runs every check,
battery included, at every solution, alternative and kept mistake (tests/course/test_exercises_kit_slow.py).
"""

import subprocess
import sys
from pathlib import Path

import pytest

from course.kit.registry import EXERCISES
from exercises.battery import KINDS, battery_of, behaviours, declared, ladders
from exercises.battery.everyone import unsafe_lines
from exercises.targets import REPO_DIR


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_every_exercise_declares_a_kind_the_battery_knows(exercise):
    assert declared(exercise.folder)["builds"] in KINDS


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_every_behaviour_an_exercise_skips_is_one_of_its_kind_and_says_why(exercise):
    battery = declared(exercise.folder)
    skipped = battery.get("skip", {})
    own = {test.__name__ for test in behaviours(battery["builds"])}
    assert set(skipped) <= own and all(len(why) > 20 for why in skipped.values())
    assert set(battery_of(exercise.folder)) == own - set(skipped)


def test_a_kind_the_battery_does_not_know_is_refused_naming_the_kinds_it_knows():
    with pytest.raises(LookupError, match="'websocket consumer'"):
        behaviours("websocket")


def test_every_behaviour_has_a_hint_ladder_and_every_ladder_a_behaviour():
    names = {test.__name__ for kind in KINDS for test in behaviours(kind)}
    assert set(ladders()) == names
    assert all(ladder and all(rung.strip() for rung in ladder) for ladder in ladders().values())


def test_an_exercise_shows_the_battery_ladder_of_a_failing_behaviour():
    exercise = next(e for e in EXERCISES if e.id == "04.3")
    assert exercise.hints_for("test_a_message_arrives_unchanged") == ladders()["test_a_message_arrives_unchanged"]


def test_unsafe_lines_names_the_code_that_sets_it_and_not_a_docstring_or_a_comment():
    source = '"""Never set DJANGO_ALLOW_ASYNC_UNSAFE."""\nimport os\n# DJANGO_ALLOW_ASYNC_UNSAFE is a trap\n'
    source += 'def f():\n    """DJANGO_ALLOW_ASYNC_UNSAFE: no."""\n    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")\n'
    assert unsafe_lines(source) == [6]


def test_unsafe_lines_names_it_spelled_in_pieces_of_constants():
    pieces = [
        'os.environ["DJANGO_ALLOW_" + "ASYNC_UNSAFE"] = "true"',
        'os.environ[f"DJANGO_ALLOW_{\'ASYNC\'}_UNSAFE"] = "true"',
        'os.environ["_".join(["DJANGO", "ALLOW", "ASYNC", "UNSAFE"])] = "true"',
        'os.environ["DJANGO_ALLOW_" + name] = "true"',  # read at run time: not followed
    ]
    assert unsafe_lines("import os\n" + "\n".join(pieces)) == [2, 3, 4]


def collected(check: Path) -> list[str]:
    """The test names pytest collects from one check, in the order they run."""
    argv = [sys.executable, "-m", "pytest", "--collect-only", "-q", "--import-mode=importlib", "-p", "no:cacheprovider"]
    done = subprocess.run([*argv, str(check)], cwd=REPO_DIR, capture_output=True, text=True, timeout=120)
    return [line.split("::")[1].split("[")[0] for line in done.stdout.splitlines() if "::" in line]


def test_a_check_runs_its_own_tests_first_then_the_battery_of_its_kind():
    exercise = next(e for e in EXERCISES if e.id == "04.3")
    names = collected(exercise.check_path)
    battery = list(battery_of(exercise.folder))
    own = [name for name in names if name not in battery]
    assert own and names == own + battery
