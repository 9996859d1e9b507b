"""Lesson 17: what ends in the room, and when: a student's token (leave, close), the instructor's session (the workshop)."""

import json
from io import StringIO

import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command

from harness.patience import FRAME
from harness.servers import free_port
from tests.helpers.workshop import a_room, open_workshop, post_leave, student_socket
from tests.helpers.workshop_rooms import TOKEN, JoinServer
from workshop import client, students
from workshop.models import Student, Workshop
from workshop.tokens import student_for_token

pytestmark = pytest.mark.django_db


def token_names_a_student(token: str) -> bool:
    """Whether the student socket would take this token (student_for_token, run outside the event loop)."""
    # Its sync function: the database_sync_to_async wrapper closes the test's connection when it is done.
    return student_for_token.func(token) is not None


def test_leave_ends_the_token_in_the_room_and_frees_the_name(client):
    _, (token,) = a_room("alice")
    answer = post_leave(client, {"token": token})
    assert (answer.status_code, answer.json()) == (200, {"left": "alice"})
    assert token_names_a_student(token) is False
    assert not Student.objects.filter(name="alice").exists()  # off the page; the name may join again


@pytest.mark.parametrize("body", [{"token": "forged"}, {"token": 7}, ["token"], "not json"])
def test_leave_without_a_token_of_the_room_changes_nothing(client, body):
    a_room("alice")
    assert post_leave(client, body).status_code in (400, 401)
    assert Student.objects.filter(name="alice").exists()


def test_a_token_ends_when_its_workshop_closes():
    _, (token,) = a_room("alice")
    assert token_names_a_student(token) is True
    call_command("workshop", "close", stdout=StringIO())
    assert token_names_a_student(token) is False


@pytest.mark.parametrize("ended_by", [("close",), ("open",)], ids=["closed", "a-newer-one-opened"])
def test_a_token_of_an_ended_workshop_opens_nothing_not_even_the_leave_door(client, ended_by):
    _, (token,) = a_room("alice")
    call_command("workshop", *ended_by, stdout=StringIO())
    answer = post_leave(client, {"token": token})
    assert (answer.status_code, answer.json()) == (401, {"error": "this token names no one in the room"})
    assert Student.objects.filter(name="alice").exists()  # the old workshop's record stays as it was


def run_leave() -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    return students.leave(out, err), out.getvalue(), err.getvalue()


def test_workshop_leave_sends_the_token_to_the_room_then_forgets_it(workshop_file):
    with JoinServer(200, {"left": "alice"}) as room:
        client.save({"url": room.url, "name": "alice", "token": TOKEN, "last_message": 0})
        status, out, err = run_leave()
    assert json.loads(room.bodies[0]) == {"token": TOKEN}
    assert (status, out, err) == (0, f"left the workshop at {room.url}\n", "")
    assert not workshop_file.exists()


def test_workshop_leave_with_the_room_down_forgets_and_says_the_token_lives_on(workshop_file):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    client.save({"url": url, "name": "alice", "token": TOKEN, "last_message": 0})
    status, out, err = run_leave()
    assert (status, out) == (0, f"left the workshop at {url}\n")
    assert "did not hear you leave" in err and "ends when the workshop closes" in err and TOKEN not in err
    assert not workshop_file.exists()


def test_the_instructors_session_ends_with_the_browser_and_within_a_workshop_day(client, settings, django_user_model):
    settings.SESSION_COOKIE_AGE, settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = 12 * 60 * 60, True  # the room's
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # PBKDF2: 0.4 s of this test
    django_user_model.objects.create_user("teacher", password="the instructor's own", is_staff=True)
    client.post("/accounts/login/", {"username": "teacher", "password": "the instructor's own"})
    cookie = client.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie: gone at browser close
    assert client.session.get_expiry_age() == 12 * 60 * 60  # and the server's copy after 12 hours whatever


async def ended_answers(token: str) -> list[dict]:
    """What the socket sends a token of a workshop that is over: the error saying so, then the close."""
    communicator = await student_socket()
    await communicator.send_json_to({"token": token})
    answers = [await communicator.receive_output(FRAME), await communicator.receive_output(FRAME)]
    await communicator.disconnect(timeout=FRAME)
    return answers


NOT_AUTHENTICATED = {"type": "websocket.close", "code": 4401}
WORKSHOP_ENDED = [{"type": "websocket.send", "text": '{"error": "the workshop has ended"}'}, NOT_AUTHENTICATED]


@pytest.mark.django_db(transaction=True)
async def test_a_token_from_an_older_workshop_is_told_it_ended_and_closed_4401():
    _, (token,) = await database_sync_to_async(a_room)("alice")
    await database_sync_to_async(open_workshop)("NEWCODE2")
    assert await ended_answers(token) == WORKSHOP_ENDED


@pytest.mark.django_db(transaction=True)
async def test_a_token_of_a_closed_workshop_is_told_it_ended_and_closed_4401():
    workshop, (token,) = await database_sync_to_async(a_room)("alice")
    await Workshop.objects.filter(pk=workshop.pk).aupdate(closed_at=workshop.opened_at)
    assert await ended_answers(token) == WORKSHOP_ENDED
