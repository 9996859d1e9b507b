"""Lesson 11: clients without cookies log in with a signed token in the first frame (ws/auth/token/),
and a logged-in browser gets one over HTTP. The middleware routes are in tests/test_11_middleware.py."""

import json
import logging
import re
import time
from io import StringIO

import pytest
from channels.testing import WebsocketCommunicator
from django.core import signing
from django.core.management import CommandError, call_command

from auth_demo.token_login import TokenLoginConsumer
from auth_demo.tokens import MAX_AGE, issue_token, sign_user_id, user_id_from_token
from lessons.asgi import application
from tests.helpers.clients import ORIGIN

NOT_AUTHENTICATED = {"type": "websocket.close", "code": 4401}


async def first_answer(frame: dict) -> dict:
    """Open ws/auth/token/, send one raw websocket.receive, return what the consumer answers."""
    communicator = WebsocketCommunicator(TokenLoginConsumer.as_asgi(), "/ws/auth/token/")
    assert (await communicator.connect())[0]
    await communicator.send_input({"type": "websocket.receive", **frame})
    answer = await communicator.receive_output()
    await communicator.disconnect()
    return answer


@pytest.mark.django_db(transaction=True)
async def test_a_valid_token_in_the_first_frame_logs_the_socket_in(django_user_model):
    ada = await django_user_model.objects.acreate(username="ada")
    communicator = WebsocketCommunicator(TokenLoginConsumer.as_asgi(), "/ws/auth/token/")
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"token": issue_token(ada)})
    assert await communicator.receive_json_from() == {"username": "ada"}
    await communicator.send_to(text_data="who am I?")  # later frames ask again
    assert await communicator.receive_json_from() == {"username": "ada"}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_route_serves_the_token_login_behind_the_origin_check(django_user_model):
    ada = await django_user_model.objects.acreate(username="ada")
    communicator = WebsocketCommunicator(application, "/ws/auth/token/", headers=ORIGIN)
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"token": issue_token(ada)})
    assert await communicator.receive_json_from() == {"username": "ada"}
    await communicator.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"text": json.dumps({"token": "forged"})},
        {"text": json.dumps({"token": 42})},
        {"text": json.dumps({"token": ["a", "list"]})},
        {"text": json.dumps({"token": {"an": "object"}})},
        {"text": json.dumps({"token": ""})},
        {"text": json.dumps({"token": "x" * 5000})},
        {"text": json.dumps({"message": "another frame first"})},
        {"text": "not json"},
        {"text": "[" * 5000},
        {"text": "[]"},
        {"bytes": b'{"token": "a binary frame"}'},
    ],
    ids=["forged", "number", "list", "object", "empty", "huge", "other-frame", "not-json", "deep", "array", "binary"],
)
async def test_any_first_frame_but_a_valid_token_closes_4401_before_any_data_frame(frame):
    assert await first_answer(frame) == NOT_AUTHENTICATED


@pytest.mark.django_db(transaction=True)
async def test_a_token_with_one_character_changed_is_refused(django_user_model):
    token = issue_token(await django_user_model.objects.acreate(username="ada"))
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert await first_answer({"text": json.dumps({"token": forged})}) == NOT_AUTHENTICATED


@pytest.mark.django_db(transaction=True)
async def test_an_expired_token_is_refused(django_user_model, monkeypatch):
    ada = await django_user_model.objects.acreate(username="ada")
    with monkeypatch.context() as past:
        real_time = time.time
        past.setattr(time, "time", lambda: real_time() - MAX_AGE - 1)
        token = issue_token(ada)  # signed MAX_AGE + 1 seconds ago
    assert await first_answer({"text": json.dumps({"token": token})}) == NOT_AUTHENTICATED


@pytest.mark.django_db(transaction=True)
async def test_a_token_for_an_inactive_user_is_refused(django_user_model):
    grace = await django_user_model.objects.acreate(username="grace", is_active=False)
    assert await first_answer({"text": json.dumps({"token": issue_token(grace)})}) == NOT_AUTHENTICATED


@pytest.mark.django_db(transaction=True)
async def test_a_token_for_a_deleted_user_is_refused(django_user_model):
    hopper = await django_user_model.objects.acreate(username="hopper")
    token = issue_token(hopper)
    await hopper.adelete()
    assert await first_answer({"text": json.dumps({"token": token})}) == NOT_AUTHENTICATED


async def test_a_silent_client_is_closed_4401_when_the_deadline_passes(monkeypatch):
    monkeypatch.setattr(TokenLoginConsumer, "FIRST_FRAME_TIMEOUT", 0.05)
    communicator = WebsocketCommunicator(TokenLoginConsumer.as_asgi(), "/ws/auth/token/")
    assert (await communicator.connect())[0]
    assert await communicator.receive_output() == NOT_AUTHENTICATED
    await communicator.disconnect()


def test_the_first_frame_deadline_is_ten_seconds():
    assert TokenLoginConsumer.FIRST_FRAME_TIMEOUT == 10


def test_a_value_signed_for_another_purpose_is_not_a_token():
    other_purpose = signing.TimestampSigner(salt="something-else", sep=".")
    assert user_id_from_token(other_purpose.sign_object({"user": 1})) is None
    assert user_id_from_token(sign_user_id(1)) == 1


@pytest.mark.django_db
def test_issue_token_prints_one_line_ending_in_a_token_for_that_user(django_user_model):
    ada = django_user_model.objects.create(username="ada")
    out = StringIO()
    call_command("issue_token", "ada", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert user_id_from_token(lines[0].split()[-1]) == ada.pk


@pytest.mark.django_db
def test_issue_token_for_an_unknown_user_is_an_error():
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("issue_token", "nobody")


@pytest.mark.django_db(transaction=True)
async def test_no_log_line_holds_a_token(django_user_model, caplog):
    token = issue_token(await django_user_model.objects.acreate(username="ada"))
    caplog.set_level(logging.DEBUG)
    await first_answer({"text": json.dumps({"token": token})})
    await first_answer({"text": json.dumps({"token": token + "x"})})
    assert token not in caplog.text


def test_a_token_is_only_letters_digits_dash_underscore_dot_to_fit_a_subprotocol():
    # ":" (signing's default separator) is not allowed there: new WebSocket(url, [token]) would throw.
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", sign_user_id(123456))


# --- a token for a logged-in browser: POST /accounts/token/ ------------------


@pytest.mark.django_db
def test_a_logged_in_browser_posting_with_its_csrf_token_gets_a_token_for_itself(django_user_model):
    from django.test import Client

    ada = django_user_model.objects.create(username="ada")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ada)
    browser.get("/lessons/11/")  # the page's {% csrf_token %} sets the csrftoken cookie
    response = browser.post("/accounts/token/", HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)
    assert response.status_code == 200
    assert user_id_from_token(response.json()["token"]) == ada.pk
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_token_post_without_the_csrf_token_is_refused_403(django_user_model):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(django_user_model.objects.create(username="ada"))
    response = browser.post("/accounts/token/")
    assert response.status_code == 403
    assert b'"token"' not in response.content  # no token in the refusal


@pytest.mark.django_db
def test_an_anonymous_token_post_gets_403_and_says_to_log_in(client):
    response = client.post("/accounts/token/")
    assert response.status_code == 403
    assert response.json() == {"error": "log in first (/accounts/login/): a token names a logged-in user"}
