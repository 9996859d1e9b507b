"""Lesson 17: where a checkout keeps its connection to the room is one rule (workshop/connection.py).

`workshop join` saves it, workshop/client.py reads it, and `exercise` and `doctor` look for it
before they import the client: all four through connection_file(), so none can look elsewhere.
"""

import ast
import json
from io import StringIO

from course.catalogue import REPO_DIR
from tests.helpers.workshop_rooms import TOKEN, JoinServer
from workshop import connection, students

RULE = ("WORKSHOP_FILE", ".workshop.json")  # the variable that moves the file, and its name


def spelt_in(path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.Constant) and node.value in RULE for node in ast.walk(tree))


def test_only_workshop_connection_spells_where_the_connection_file_is():
    sources = [path for folder in ("course", "lessons", "workshop") for path in (REPO_DIR / folder).rglob("*.py")]
    assert [path.relative_to(REPO_DIR).as_posix() for path in sources if spelt_in(path)] == ["workshop/connection.py"]


def test_the_hooks_see_a_connection_once_join_saved_it_where_workshop_file_says(workshop_file):
    assert not connection.joined()
    with JoinServer(201, {"token": TOKEN, "name": "alice", "socket": "/ws/workshop/student/"}) as server:
        assert students.join(server.url, "k7q2m9xa", "alice", StringIO(), StringIO()) == 0
    assert connection.joined() and json.loads(workshop_file.read_text())["token"] == TOKEN
