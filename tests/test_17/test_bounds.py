"""Lesson 17: what a student can pile up or pass for (shares kept, names compared), and what doctor lets out of a URL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.helpers.workshop import CODE, a_room, open_workshop, post_join
from workshop import room
from workshop.frames import MAX_CODE, ClientError, share
from workshop.masking import masked
from workshop.models import Share, Student

pytestmark = pytest.mark.django_db


def shared(student: Student, exercise: str, code: str) -> None:
    room.save_share(student, {"exercise": exercise, "path": "echo.py", "code": code}, timezone.now())


def test_a_share_replaces_the_students_older_share_of_that_exercise():
    workshop, _ = a_room("alice")
    alice = workshop.students.get()
    for attempt in range(3):
        shared(alice, "01.1", f"attempt {attempt}")
    assert list(Share.objects.values_list("exercise", "code")) == [("01.1", "attempt 2")]


def test_a_student_keeps_only_their_newest_twenty_shares():
    workshop, _ = a_room("alice")
    alice = workshop.students.get()
    for n in range(1, 26):
        shared(alice, f"99.{n}", "x")
    kept = sorted(int(exercise.split(".")[1]) for exercise in Share.objects.values_list("exercise", flat=True))
    assert kept == list(range(6, 26))


def test_a_share_over_64_kib_is_refused_saying_the_limit():
    with pytest.raises(ClientError, match=f"at most {MAX_CODE} bytes"):
        share({"exercise": "01.1", "path": "echo.py", "code": "x" * (MAX_CODE + 1)})


def test_the_room_lists_shares_without_reading_their_code():
    workshop, _ = a_room("alice")
    shared(workshop.students.get(), "01.1", "the code itself")
    with CaptureQueriesContext(connection) as queries:
        assert room.room()["students"][0]["shared"] == ["01.1"]
    share_queries = [query["sql"] for query in queries if '"workshop_share"' in query["sql"]]
    assert share_queries and not any('"workshop_share"."code"' in sql for sql in share_queries)


@pytest.mark.parametrize(
    "first, second", [("bob", "BOB"), ("émile", "ÉMILE"), ("straße", "STRASSE"), ("bob", "ｂｏｂ")]
)
def test_names_that_fold_to_one_are_one_student(client, first, second):
    open_workshop()
    assert post_join(client, {"code": CODE, "name": first}).status_code == 201
    taken = post_join(client, {"code": CODE, "name": second})
    assert taken.status_code == 409 and "is taken" in taken.json()["error"]


@pytest.mark.parametrize("name", ["bоb", "аlice"])  # a Cyrillic о, a Cyrillic а
def test_a_name_that_mixes_scripts_is_refused_with_the_reason(client, name):
    open_workshop()
    refused = post_join(client, {"code": CODE, "name": name})
    assert refused.status_code == 400
    assert refused.json()["error"].startswith("the name mixes scripts (Cyrillic and Latin)")
    assert not Student.objects.exists()


@pytest.mark.parametrize("name", ["Иван", "山田 太郎", "山田たろう", "김민준", "José-María", "Ὀδυσσεύς"])
def test_a_name_in_one_script_or_an_allowed_mix_is_admitted(client, name):
    open_workshop()
    assert post_join(client, {"code": CODE, "name": name}).status_code == 201


@pytest.mark.parametrize(
    "line, secret",
    [
        ("Redis reachable: redis://:s3cret@10.0.0.5:6379/0 (refused)", "s3cret"),
        ("Redis reachable: redis://default:s3cret@10.0.0.5:6379/0 (refused)", "s3cret"),
        ("Redis reachable: redis://10.0.0.5:6379/0?password=s3cret (refused)", "s3cret"),
        ("database: postgres://db/lessons?sslmode=require&PASSWORD=s3cret", "s3cret"),
        ("Redis reachable: rediss://10.0.0.5:6379/0?db=1&password=s3cret&ssl=true", "s3cret"),
    ],
)
def test_every_password_in_a_url_is_masked_before_doctor_sends_it(line, secret):
    assert secret not in masked(line)
    assert "***" in masked(line)


def test_masking_keeps_the_rest_of_the_line_for_the_instructor_to_read():
    line = "Redis reachable: redis://10.0.0.5:6379/0?db=1&password=s3cret (connection refused)"
    assert masked(line) == "Redis reachable: redis://10.0.0.5:6379/0?db=1&password=*** (connection refused)"


def test_doctor_sends_the_room_no_password_from_a_redis_urls_query_string(room, settings, quick_doctor):
    from io import StringIO

    from django.core.management import call_command

    settings.REDIS_URL = "redis://127.0.0.1:1/0?password=s3cret"  # nothing listens there: its line is a FAIL
    with pytest.raises(SystemExit):
        call_command("doctor", stdout=StringIO())
    problems = room.frames[1]["doctor"]["problems"]
    assert any("password=***" in line for line in problems) and "s3cret" not in str(problems)
