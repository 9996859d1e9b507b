"""Lesson 17, the workshop's ties to the rest of the course, each made in one place.

Where a checkout keeps its connection to the room is one rule (workshop/connection.py): `workshop
join` saves it, workshop/client.py reads it, and `exercise` and `doctor` look for it before they
import the client. `workshop share` finds a student's file as the checks do (exercises/targets.py),
without the kit (course/kit/).
"""

import ast
import json
import sys
from io import StringIO

import pytest

from course.catalogue import REPO_DIR
from tests.helpers.workshop_rooms import TOKEN, JoinServer
from workshop import connection, students

RULE = ("WORKSHOP_FILE", ".workshop.json")  # the variable that moves the file, and its name


def spelt_in(path) -> bool:
    text = path.read_text(encoding="utf-8")
    if not any(word in text for word in RULE):  # most files: nothing to parse (parsing them all took 0.2 s)
        return False
    return any(isinstance(node, ast.Constant) and node.value in RULE for node in ast.walk(ast.parse(text)))


def test_only_workshop_connection_spells_where_the_connection_file_is():
    sources = [path for folder in ("course", "lessons", "workshop") for path in (REPO_DIR / folder).rglob("*.py")]
    assert [path.relative_to(REPO_DIR).as_posix() for path in sources if spelt_in(path)] == ["workshop/connection.py"]


def test_the_hooks_see_a_connection_once_join_saved_it_where_workshop_file_says(workshop_file):
    assert not connection.joined()
    with JoinServer(201, {"token": TOKEN, "name": "alice", "socket": "/ws/workshop/student/"}) as server:
        assert students.join(server.url, "k7q2m9xa", "alice", StringIO(), StringIO()) == 0
    assert connection.joined() and json.loads(workshop_file.read_text())["token"] == TOKEN


def test_share_finds_the_students_file_as_the_checks_do_without_the_kit(room, own_starters, monkeypatch):
    for name in [name for name in sys.modules if name.startswith("course.kit")]:
        monkeypatch.delitem(sys.modules, name)
    path = own_starters / "04_2_presence" / "presence.py"
    path.write_text("# alice's presence, half done\n", encoding="utf-8")
    assert students.share("04.2", StringIO(), StringIO()) == 0
    sent = {"exercise": "04.2", "path": "exercises/04_2_presence/presence.py", "code": path.read_text()}
    assert room.frames[1] == {"share": sent}
    assert not [name for name in sys.modules if name.startswith("course.kit")]


@pytest.mark.parametrize("exercise_id", ["4.2", "99.9", "0[4].2", "04.2.1", "*"])
def test_share_of_no_exercise_says_so_in_one_line_and_sends_nothing(room, exercise_id):
    err = StringIO()
    assert students.share(exercise_id, StringIO(), err) == 1
    assert err.getvalue().startswith("workshop: no exercise") and err.getvalue().count("\n") == 1
    assert room.frames == []


@pytest.mark.parametrize("given, budget", [(None, 0.8), ("2", 2.0), ("2 s", 0.8), ("0", 0.1)])
def test_a_reports_budget_is_0_8_s_unless_workshop_report_budget_says_otherwise(monkeypatch, given, budget):
    from workshop.client import report_budget

    if given is None:
        monkeypatch.delenv("WORKSHOP_REPORT_BUDGET", raising=False)
    else:
        monkeypatch.setenv("WORKSHOP_REPORT_BUDGET", given)
    assert report_budget() == budget  # a typo keeps 0.8 s: it must not break the student's own command
