"""The task is the contract: every rule a check enforces is stated, numbered, in the file the student opens.

course/kit/contract.py reads the rules under the task's "Rules" heading, the rule(N) marker of each test of
check.py, and exercise.toml's [battery.rules] for each behaviour of the battery that runs for it.
"""

import pytest

from course.kit.contract import HEADING, contract_of, rules_of_tests, stated_rules
from course.kit.registry import EXERCISES
from exercises.battery import battery_of

EACH = pytest.mark.parametrize("exercise", EXERCISES, ids=[exercise.id for exercise in EXERCISES])


@EACH
def test_every_task_states_its_rules_numbered_from_one(exercise):
    rules = contract_of(exercise.folder, exercise.file).rules
    assert rules, f"{exercise.shown_file} states no rules: its docstring needs {HEADING!r} and a numbered list"
    assert list(rules) == list(range(1, len(rules) + 1)), f"{exercise.shown_file} numbers its rules {list(rules)}"


@EACH
def test_every_test_of_a_check_names_a_rule_its_task_states(exercise):
    contract = contract_of(exercise.folder, exercise.file)
    unnamed = [test for test, rules in contract.tests.items() if not rules]
    unstated = {test: rules for test, rules in contract.tests.items() if set(rules) - set(contract.rules)}
    assert unnamed == [], f"{exercise.id}: these tests name no rule (@pytest.mark.rule(N))"
    assert unstated == {}, f"{exercise.id}: these tests prove rules its task does not state"


@EACH
def test_every_battery_behaviour_that_runs_proves_a_stated_rule(exercise):
    contract = contract_of(exercise.folder, exercise.file)
    running = set(battery_of(exercise.folder))
    unmapped = sorted(running - set(contract.battery))
    unstated = {name: rule for name, rule in contract.battery.items() if rule not in contract.rules}
    assert unmapped == [], f"{exercise.id}: map each to its rule in exercise.toml's [battery.rules]"
    assert unstated == {}, f"{exercise.id}: [battery.rules] names rules its task does not state"
    assert set(contract.battery) <= running, f"{exercise.id}: [battery.rules] maps a behaviour that does not run"


@EACH
def test_every_stated_rule_is_proven_by_a_test(exercise):
    contract = contract_of(exercise.folder, exercise.file)
    proven = {rule for rules in contract.tests.values() for rule in rules} | set(contract.battery.values())
    assert contract.rules, f"{exercise.shown_file} states no rules"
    assert set(contract.rules) - proven == set(), f"{exercise.id}: rules no test proves"


def test_a_rule_over_two_lines_is_read_whole_and_a_blank_line_ends_the_list():
    task = f'''"""Exercise 99.1: a task.

{HEADING}

1. The first rule, long enough
   to run over two lines.
2. The second.

Edit this file, then check it:
"""
'''
    assert stated_rules(task) == {1: "The first rule, long enough to run over two lines.", 2: "The second."}


def test_a_test_without_a_marker_names_no_rule_and_a_marker_may_name_several():
    check = "import pytest\n\n@pytest.mark.rule(2, 3)\ndef test_a(): ...\n\nasync def test_b(): ...\n"
    assert rules_of_tests(check) == {"test_a": (2, 3), "test_b": ()}
