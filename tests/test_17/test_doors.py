"""Lesson 17: no password the course prints opens the room (workshop/doors.py), whichever door it is tried at."""

import re
import shlex

import pytest
from channels.testing import WebsocketCommunicator
from django.core.management import call_command

from harness.patience import FRAME
from lessons.asgi import application
from tests.helpers.clients import ORIGIN
from workshop import doors, serve
from workshop.doors import REPO_DIR

ROOM_BACKENDS = ["workshop.doors.NoPrintedPasswords", "django.contrib.auth.backends.ModelBackend"]


def run_lesson_07s_createsuperuser_line(monkeypatch, settings) -> None:
    """The line lesson 07's try-it prints, run as a reader runs it (environment and arguments as printed)."""
    text = (REPO_DIR / "lessons" / "07-authentication.md").read_text(encoding="utf-8")
    line = re.search(r"^DJANGO_SUPERUSER_PASSWORD=.* createsuperuser .*$", text, re.MULTILINE)[0]
    assignment, _python, _manage, *argv = shlex.split(line)
    monkeypatch.setenv(*assignment.split("=", 1))
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command(*argv, verbosity=0)


def test_the_password_lesson_07_prints_is_known_to_the_room():
    assert doors.printed_passwords()["analytical-engine"] == "lessons/07-authentication.md"


@pytest.mark.django_db
def test_after_lesson_07s_createsuperuser_make_workshop_refuses_and_says_why(monkeypatch, settings, capsys):
    run_lesson_07s_createsuperuser_line(monkeypatch, settings)
    for name in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "PYTHONUNBUFFERED"):
        monkeypatch.setenv(name, "as before")  # serve.main() sets them: monkeypatch puts them back
    monkeypatch.setattr(serve, "prepare", lambda: [])  # the test database is migrated already
    monkeypatch.setattr(serve, "run_daphne", lambda *argv: pytest.fail("Daphne was started"))
    assert serve.main(["--port", "8123"]) == 1
    said = capsys.readouterr().err
    assert "'ada', printed in lessons/07-authentication.md" in said
    assert "python manage.py changepassword ada" in said


@pytest.mark.django_db
def test_once_ada_has_a_password_of_her_own_the_room_may_start(monkeypatch, settings, django_user_model):
    run_lesson_07s_createsuperuser_line(monkeypatch, settings)
    ada = django_user_model.objects.get(username="ada")
    ada.set_password("a password only the instructor knows")
    ada.save()
    assert serve.refusal() is None


@pytest.mark.django_db
def test_an_account_with_no_usable_password_is_no_reason_to_refuse(django_user_model):
    django_user_model.objects.create_user("teacher")  # createsuperuser --noinput without a password
    assert doors.refusal() is None


def login_page_post(client, door: str, password: str):
    return client.post(door, {"username": "ada", "password": password, "next": "/workshop/room.json"})


@pytest.mark.django_db
@pytest.mark.parametrize("door", ["/accounts/login/", "/admin/login/"])
def test_ada_made_while_serving_reaches_no_staff_data_through_a_login_form(door, monkeypatch, settings, client):
    settings.AUTHENTICATION_BACKENDS = ROOM_BACKENDS
    run_lesson_07s_createsuperuser_line(monkeypatch, settings)
    assert login_page_post(client, door, "analytical-engine").status_code == 200  # the form again, with its error
    for staff_data in ("/workshop/room.json", "/admin/auth/user/"):
        assert client.get(staff_data).status_code == 302  # to the login page: anonymous still


@pytest.mark.django_db
def test_the_instructors_own_password_still_opens_the_login_form(monkeypatch, settings, client, django_user_model):
    settings.AUTHENTICATION_BACKENDS = ROOM_BACKENDS
    run_lesson_07s_createsuperuser_line(monkeypatch, settings)
    ada = django_user_model.objects.get(username="ada")
    ada.set_password("a password only the instructor knows")
    ada.save()
    assert login_page_post(client, "/accounts/login/", "a password only the instructor knows").status_code == 302
    assert client.get("/workshop/room.json").status_code == 200


@pytest.mark.django_db(transaction=True)
async def test_ada_made_while_serving_cannot_log_a_socket_in_either(monkeypatch, settings, login_clock):
    from asgiref.sync import sync_to_async

    settings.AUTHENTICATION_BACKENDS = ROOM_BACKENDS
    await sync_to_async(run_lesson_07s_createsuperuser_line)(monkeypatch, settings)
    communicator = WebsocketCommunicator(application, "/ws/auth/login/", headers=ORIGIN)
    await communicator.connect()
    try:
        await communicator.send_json_to({"action": "login", "username": "ada", "password": "analytical-engine"})
        assert "error" in await communicator.receive_json_from(timeout=FRAME)
    finally:
        await communicator.disconnect()
