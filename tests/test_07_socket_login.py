"""Lesson 07: logging a socket in and out over ws/auth/login/, and the handoff that carries the login to the browser's cookie."""

import re
import time
from unittest import mock

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import signing
from django.test import Client

from auth_demo.views import HANDOFF_MAX_AGE, HANDOFF_SALT, handoff_token
from harness.patience import FRAME
from lessons.asgi import application
from tests.helpers import ADA_PASSWORD as PASSWORD
from tests.helpers.clients import HOST, ORIGIN

# The consumers read users and sessions in a database thread, which sees only committed rows:
# tests that touch the database need django_db(transaction=True), not a rolled-back transaction.
committed_db = pytest.mark.django_db(transaction=True)


def cookie(session_key: str) -> list[tuple[bytes, bytes]]:
    return [(b"cookie", f"sessionid={session_key}".encode())]


def username_on(page: bytes) -> str | None:
    """The name in a page's header (None: anonymous)."""
    found = re.search(rb'id="username">([^<]*)<', page)
    return found and found.group(1).decode()


async def http_username(session_key: str) -> str | None:
    """The name the next HTTP request with this session cookie is logged in as (None: anonymous)."""
    # The index page: every page's header names the logged-in user, and the index renders fastest.
    communicator = HttpCommunicator(application, "GET", "/", headers=HOST + cookie(session_key))
    return username_on((await communicator.get_response(timeout=FRAME))["body"])


def logged_in_session_keys(user: User) -> list[str]:
    return [s.session_key for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)]


def anonymous_session_key() -> str:
    """A stored session with no user in it, like a browser's before it logs in."""
    session = SessionStore()
    session.create()
    return session.session_key


async def log_in_over_the_socket(browser_key: str) -> dict:
    """Log in as ada on ws/auth/login/, the handshake carrying the browser's cookie; return the answer."""
    communicator = WebsocketCommunicator(application, "/ws/auth/login/", headers=ORIGIN + cookie(browser_key))
    await communicator.connect()
    await communicator.send_json_to({"action": "login", "username": "ada", "password": PASSWORD})
    reply = await communicator.receive_json_from()
    await communicator.disconnect()
    return reply


def expired(session_key: str) -> str:
    """A real token, minted one second more than HANDOFF_MAX_AGE ago."""
    with mock.patch("time.time", return_value=time.time() - HANDOFF_MAX_AGE - 1):
        return handoff_token(session_key)


def another_key_same_signature(session_key: str) -> str:
    """A real token whose readable payload (before the first ":") is swapped for another session key."""
    _, _, timestamp_and_signature = handoff_token(session_key).partition(":")
    return signing.b64_encode(b'"somebody-elses-session-key"').decode() + ":" + timestamp_and_signature


def logged_out(session_key: str) -> str:
    """A real token for a session that has since been logged out (flushed)."""
    token = handoff_token(session_key)
    SessionStore(session_key).delete()
    return token


@committed_db
async def test_socket_login_saves_a_new_session_key_that_only_the_handoff_token_names(ada):
    browser_key = await sync_to_async(anonymous_session_key)()
    reply = await log_in_over_the_socket(browser_key)
    [new_key] = await sync_to_async(logged_in_session_keys)(ada)
    assert reply["username"] == "ada"
    assert signing.loads(reply["handoff"], salt=HANDOFF_SALT) == new_key != browser_key
    assert await http_username(new_key) == "ada"
    # The teaching point: the browser's own cookie is still anonymous until it redeems the token.
    assert await http_username(browser_key) is None


@committed_db
async def test_redeeming_the_handoff_logs_the_browser_in_for_its_next_request(ada, client):
    browser_key = await sync_to_async(anonymous_session_key)()
    client.cookies["sessionid"] = browser_key
    reply = await log_in_over_the_socket(browser_key)
    handoff = await database_sync_to_async(client.post)("/accounts/socket-login/", {"token": reply["handoff"]})
    next_page = await database_sync_to_async(client.get)("/")
    assert handoff.status_code == 204
    assert username_on(next_page.content) == "ada"


@pytest.mark.django_db
def test_the_handoff_sets_the_session_cookie_with_djangos_cookie_settings(ada_session_key, settings):
    settings.SESSION_COOKIE_AGE = 600
    settings.SESSION_COOKIE_SECURE = True
    settings.SESSION_COOKIE_SAMESITE = "Strict"
    settings.SESSION_COOKIE_DOMAIN = "127.0.0.1"
    response = Client().post("/accounts/socket-login/", {"token": handoff_token(ada_session_key)})
    sent = response.cookies["sessionid"]
    assert (sent.value, sent["max-age"], sent["secure"], sent["httponly"]) == (ada_session_key, 600, True, True)
    assert (sent["samesite"], sent["domain"], sent["path"]) == ("Strict", "127.0.0.1", "/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_token", "expected"),
    [
        (lambda key: "", 'expected a POST field "token"'),
        (lambda key: "let me in", "not one this server signed"),
        (another_key_same_signature, "not one this server signed"),
        (lambda key: signing.dumps(key), "not one this server signed"),
        (expired, f"the token expired ({HANDOFF_MAX_AGE} s after the socket login)"),
        (logged_out, "no one is logged in on that session any more"),
    ],
    ids=["empty", "not-a-token", "tampered", "unsalted", "expired", "logged-out"],
)
def test_the_handoff_answers_a_bad_token_with_400_and_sets_no_cookie(make_token, expected, ada_session_key):
    response = Client().post("/accounts/socket-login/", {"token": make_token(ada_session_key)})
    assert response.status_code == 400
    assert expected in response.json()["error"]
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_the_handoff_refuses_a_post_without_the_pages_csrf_token(ada_session_key):
    # Else another site could make your browser redeem the attacker's token: login CSRF.
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/socket-login/", {"token": handoff_token(ada_session_key)})
    assert response.status_code == 403
    assert "sessionid" not in response.cookies


@committed_db
async def test_bad_credentials_get_the_same_error_for_any_username_and_log_no_one_in(ada):
    communicator = WebsocketCommunicator(application, "/ws/auth/login/", headers=ORIGIN)
    await communicator.connect()
    await communicator.send_json_to({"action": "login", "username": "ada", "password": "wrong"})
    wrong_password = await communicator.receive_json_from()
    await communicator.send_json_to({"action": "login", "username": "nobody", "password": PASSWORD})
    unknown_user = await communicator.receive_json_from()
    await communicator.disconnect()
    assert wrong_password == unknown_user == {"error": "invalid username or password"}
    assert await sync_to_async(logged_in_session_keys)(ada) == []


@committed_db
async def test_socket_logout_logs_the_browser_out_too(ada_session_key):
    assert await http_username(ada_session_key) == "ada"
    communicator = WebsocketCommunicator(application, "/ws/auth/login/", headers=ORIGIN + cookie(ada_session_key))
    await communicator.connect()
    await communicator.send_json_to({"action": "logout"})
    assert await communicator.receive_json_from() == {"username": None}
    await communicator.disconnect()
    assert await http_username(ada_session_key) is None


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ({"bytes_data": b'{"action": "whoami"}'}, "got a binary frame"),
        ({"text_data": "let me in"}, "expected JSON, got 'let me in'"),
        ({"text_data": '["login"]'}, "expected a JSON object, got list"),
        ({"text_data": '{"action": "sudo"}'}, "got 'sudo'"),
        ({"text_data": '{"username": "ada"}'}, "got None"),
        ({"text_data": '{"action": "login", "username": "ada"}'}, "got str and NoneType"),
        ({"text_data": '{"action": "login", "username": 7, "password": "x"}'}, "got int and str"),
    ],
    ids=["binary", "not-json", "not-an-object", "unknown-action", "no-action", "no-password", "number-username"],
)
async def test_socket_login_answers_bad_input_with_an_error_and_stays_open(frame, expected):
    communicator = WebsocketCommunicator(application, "/ws/auth/login/", headers=ORIGIN)
    await communicator.connect()
    await communicator.send_to(**frame)
    assert expected in (await communicator.receive_json_from())["error"]
    await communicator.send_json_to({"action": "whoami"})
    assert await communicator.receive_json_from() == {"username": None}
    await communicator.disconnect()
