"""Lesson 17: the instructor's HTTP side: the live page, room.json's exact shape, a shared file; staff only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers.workshop import CODE, a_room, enrol, open_workshop
from workshop.models import Share, Status, Student
from workshop.room import ACTIVE, ACTIVE_MINUTES

pytestmark = pytest.mark.django_db
PAGES = ["/workshop/", "/workshop/room.json", "/workshop/shared/alice/01.1/"]


def alice_at_work() -> tuple[Student, str]:
    """A workshop where alice reported 04.2 failing and 01.1 passing, ran the doctor, raised her hand, shared 01.1."""
    workshop, (token,) = a_room("alice")
    alice = Student.objects.get(name="alice")
    now = timezone.now()
    Status.objects.create(
        student=alice, exercise="04.2", status="failing", failed_check="leaves its group", changed_at=now
    )
    Status.objects.create(student=alice, exercise="01.1", status="passing", changed_at=now)
    Student.objects.filter(pk=alice.pk).update(doctor={"ready": True, "problems": []}, hand_raised_at=now)
    Share.objects.create(student=alice, exercise="01.1", path="echo.py", code="SECRET_SOLUTION = '<b>x</b>'\n")
    return Student.objects.get(pk=alice.pk), token


@pytest.mark.parametrize("path", PAGES)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("path", PAGES)
def test_a_logged_in_user_who_is_not_staff_gets_403(client, ada_session_key, path):
    alice_at_work()
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_a_staff_user_gets_each_page(client, staff_session_key, path):
    alice_at_work()
    assert client.get(path).status_code == 200


def test_room_json_is_exactly_the_workshop_and_each_students_entry(client, staff_session_key):
    alice, _ = alice_at_work()
    body = client.get("/workshop/room.json").json()
    workshop, changed = alice.workshop, {s.exercise: s.changed_at.isoformat() for s in alice.statuses.all()}
    assert body == {
        "workshop": {"open": True, "opened": workshop.opened_at.isoformat(), "closed": None, "refused_joins": 0},
        "students": [
            {
                "name": "alice",
                "online": True,
                "last_seen": alice.last_seen.isoformat(),
                "last_report": None,
                "message_seen": 0,
                "exercises": {
                    "01.1": {"status": "passing", "check": "", "says": "", "changed": changed["01.1"]},
                    "04.2": {"status": "failing", "check": "leaves its group", "says": "", "changed": changed["04.2"]},
                },
                "doctor": {"ready": True, "problems": [], "python": "", "django": ""},
                "hand": True,
                "hand_since": alice.hand_raised_at.isoformat(),
                "shared": ["01.1"],
            }
        ],
    }


def test_room_json_holds_no_token_no_join_code_and_no_shared_code(client, staff_session_key):
    _, token = alice_at_work()
    text = client.get("/workshop/room.json").content.decode()
    assert token not in text and CODE not in text and "SECRET_SOLUTION" not in text
    assert "token" not in text and '"code"' not in text


def test_room_json_lists_students_by_name_whatever_their_case(client, staff_session_key):
    workshop = open_workshop()
    for name in ["carol", "Bob", "alice"]:
        enrol(workshop, name)
    assert [s["name"] for s in client.get("/workshop/room.json").json()["students"]] == ["alice", "Bob", "carol"]


def test_room_json_shows_the_newest_workshop_only(client, staff_session_key):
    enrol(open_workshop("OLDCODE1"), "alice")
    open_workshop()
    assert client.get("/workshop/room.json").json()["students"] == []


def test_room_json_before_any_workshop_says_so(client, staff_session_key):
    assert client.get("/workshop/room.json").json() == {"workshop": None, "students": []}


def test_a_closed_workshop_is_shown_not_open(client, staff_session_key):
    workshop = open_workshop()
    workshop.closed_at = timezone.now()
    workshop.save()
    assert client.get("/workshop/room.json").json()["workshop"]["open"] is False


def test_a_student_is_online_while_active_in_the_last_few_minutes_and_not_after(client, staff_session_key):
    alice, _ = alice_at_work()
    moments = [ACTIVE - timedelta(seconds=5), ACTIVE + timedelta(seconds=5)]
    online = []
    for moment in moments:
        Student.objects.filter(pk=alice.pk).update(last_seen=timezone.now() - moment)
        online.append(client.get("/workshop/room.json").json()["students"][0]["online"])
    assert online == [True, False]


def test_online_means_active_in_the_last_five_minutes():
    assert ACTIVE_MINUTES == 5 and ACTIVE == timedelta(minutes=5)


def test_the_page_names_its_socket_and_shows_no_join_code(client, staff_session_key):
    alice_at_work()
    page = client.get("/workshop/").content.decode()
    assert 'data-socket="/ws/workshop/room/"' in page
    assert "workshop/room.js" in page and "workshop/room.css" in page
    assert CODE not in page


def test_the_shared_file_is_shown_highlighted_and_escaped(client, staff_session_key):
    alice_at_work()
    page = client.get("/workshop/shared/alice/01.1/").content.decode()
    assert '<span class="n">SECRET_SOLUTION</span>' in page
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


def test_the_newest_share_of_an_exercise_is_the_one_shown(client, staff_session_key):
    alice, _ = alice_at_work()
    Share.objects.create(student=alice, exercise="01.1", path="echo.py", code="second_version = 2\n")
    assert "second_version" in client.get("/workshop/shared/alice/01.1/").content.decode()


@pytest.mark.parametrize("path", ["/workshop/shared/alice/02.1/", "/workshop/shared/bob/01.1/"])
def test_nothing_shared_there_is_a_404(client, staff_session_key, path):
    alice_at_work()
    assert client.get(path).status_code == 404
