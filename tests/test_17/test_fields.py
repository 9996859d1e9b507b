"""Lesson 17: each field a student's frame carries is checked to its type and size, and nothing else is kept.

Every field of every frame, planted with every JSON type and a 100 KB string:
workshop/frames.py refuses the frame or keeps a value of the field's own type and
size, never the planted one. A verdict saved before these checks (an older
database) reaches the page as null. What a failing check says travels in one line.
"""

import json
from io import StringIO

import pytest
from django.utils import timezone

from course.kit.runner import Outcome
from tests.helpers.workshop import a_room
from workshop import client
from workshop.frames import (
    MAX_CHECK,
    MAX_CODE,
    MAX_PATH,
    MAX_PROBLEM,
    MAX_PROBLEMS,
    MAX_SAYS,
    MAX_VERSION,
    ClientError,
    student_frame,
)
from workshop.models import Student

PLANTED = {
    "number": 7,
    "fraction": 1.5,
    "true": True,
    "false": False,
    "null": None,
    "object": {"toString": 1},
    "list": ["x"],
    "empty-string": "",
    "100 KB string": "x" * 100_000,
}
GOOD = {
    "report": {"exercise": "01.1", "status": "failing", "check": "it accepts", "says": "expected 'hi'"},
    "doctor": {"ready": False, "problems": ["FAIL  redis"], "python": "3.12.1", "django": "5.2.19"},
    "share": {"exercise": "01.1", "path": "echo.py", "code": "x = 1\n"},
}
# Each kept field: its type, and its largest size (characters; the code's in bytes).
KEPT = {
    "exercise": (str, 5),
    "status": (str, 7),
    "check": (str, MAX_CHECK),
    "says": (str, MAX_SAYS),
    "ready": (bool, None),
    "problems": (list, MAX_PROBLEMS),
    "python": (str, MAX_VERSION),
    "django": (str, MAX_VERSION),
    "path": (str, MAX_PATH),
    "code": (str, MAX_CODE),
}
CASES = [(kind, field, planted) for kind in GOOD for field in GOOD[kind] for planted in PLANTED]


def kept(text: str) -> tuple[str, object] | None:
    """What the server would store for this frame, or None if it refuses the frame."""
    try:
        return student_frame(text)
    except ClientError:
        return None


@pytest.mark.parametrize("kind, field, planted", CASES)
def test_a_field_of_any_json_value_is_refused_or_kept_as_its_own_type_and_size(kind, field, planted):
    result = kept(json.dumps({kind: GOOD[kind] | {field: PLANTED[planted]}}))
    if result is not None:
        value = result[1]
        assert set(value) == set(GOOD[kind])  # the fields the page reads, and only those
        for name, (expected_type, limit) in KEPT.items():
            if name in value:
                assert type(value[name]) is expected_type
                assert expected_type is bool or len(value[name]) <= limit
        assert all(type(line) is str and len(line) <= MAX_PROBLEM for line in value.get("problems", []))


@pytest.mark.parametrize("kind", ["help", "here"])
@pytest.mark.parametrize("planted", PLANTED)
def test_a_flag_frame_takes_a_boolean_only(kind, planted):
    result = kept(json.dumps({kind: PLANTED[planted]}))
    assert result is None or type(result[1]) is bool


@pytest.mark.parametrize("kind", GOOD)
def test_a_key_the_page_does_not_read_is_dropped(kind):
    assert kept(json.dumps({kind: GOOD[kind] | {"toString": {"x": 1}}})) == (kind, GOOD[kind])


def test_a_doctor_whose_python_is_an_object_is_refused():
    # The frame that once made room.js throw and the page say "No student has joined yet".
    assert kept(json.dumps({"doctor": {"ready": True, "python": {"toString": 1}}})) is None


@pytest.mark.django_db
def test_a_verdict_saved_before_the_checks_reaches_room_json_as_null(client, staff_session_key):
    workshop, _ = a_room("alice")
    Student.objects.filter(name="alice").update(doctor={"python": {"toString": 1}}, last_seen=timezone.now())
    assert client.get("/workshop/room.json").json()["students"][0]["doctor"] is None


def test_what_it_says_is_its_first_line_with_a_urls_password_masked():
    outcome = Outcome(False, "it uses REDIS_URL", "cannot reach redis://:hunter2@db:6379/0\nsecond line")
    assert client.says(outcome.message) == "cannot reach redis://***@db:6379/0"


def test_what_a_syntax_error_says_is_the_kits_sentence(room):
    outcome = Outcome(False, None, "your file does not compile: invalid syntax", "echo.py, line 1: def f(:")
    client.report_check("01.1", outcome, StringIO())
    assert room.frames[1]["report"]["says"] == "your file does not compile: invalid syntax"
