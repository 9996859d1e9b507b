"""Lesson 16 on a real Daphne with production settings: every door a password opens over HTTP answers 429 once
a name has had its wrong guesses (auth_demo/password_doors.py, in every settings module's MIDDLEWARE)."""

import http.client
import urllib.parse

import pytest

from harness.patience import FRAME

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
TOKEN = "b" * 32  # the CSRF cookie a page of this site set, and the same token in the form
RIGHT = "the right password, 2027"
DOORS = ["/accounts/login/", "/admin/login/", "/accounts/password_change/", "/admin/password_change/"]


def post_form(server, path: str, form: dict, session: str | None = None) -> http.client.HTTPResponse:
    """A browser's form POST through the HTTPS proxy production expects: its CSRF pair and Origin; the answer."""
    cookies = f"csrftoken={TOKEN}" + (f"; sessionid={session}" if session else "")
    headers = {
        "Host": f"127.0.0.1:{server.port}",
        "Origin": f"https://127.0.0.1:{server.port}",
        "X-Forwarded-Proto": "https",
        "Cookie": cookies,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=FRAME)
    try:
        connection.request("POST", path, urllib.parse.urlencode({"csrfmiddlewaretoken": TOKEN, **form}), headers)
        answer = connection.getresponse()
        answer.read()
        return answer
    finally:
        connection.close()


def session_of(server, name: str) -> str:
    """The session cookie the server sets for a right password at its login form (its own SECRET_KEY signs it)."""
    answer = post_form(server, "/accounts/login/", {"username": name, "password": RIGHT})
    assert answer.status == 302
    (cookie,) = [value for value in answer.headers.get_all("Set-Cookie") if value.startswith("sessionid=")]
    return cookie.split(";")[0].removeprefix("sessionid=")


@pytest.mark.parametrize("door", DOORS)
def test_production_answers_429_at_every_password_door_past_the_names_limit(counted_server, door, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the server's (counted_server)
    from django.contrib.auth.models import User

    name = "door" + str(DOORS.index(door))  # a name of its own: the server's counters outlive one test
    User.objects.create_user(name, password=RIGHT, is_staff=True)
    session = session_of(counted_server, name) if "change" in door else None
    if session:
        form = {"old_password": "guess", "new_password1": "a new one, 2027!", "new_password2": "a new one, 2027!"}
    else:
        form = {"username": name, "password": "guess"}
    answers = [post_form(counted_server, door, form, session).status for _ in range(16)]
    assert answers == [200] * 5 + [429] * 11  # LOGIN_FAILURES_PER_USERNAME: 5
