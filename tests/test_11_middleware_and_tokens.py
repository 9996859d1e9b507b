"""Lesson 11: clients without cookies log in with a signed token: in the first frame (ws/auth/token/),
through a middleware from the query string or the subprotocol header, and a browser gets one over HTTP."""

import json
import logging
import re
import time
from io import StringIO

import pytest
from channels.testing import WebsocketCommunicator
from django.core import signing
from django.core.management import CommandError, call_command

from auth_demo.consumers import WhoAmIConsumer
from auth_demo.middleware import QueryStringTokenAuthMiddleware, SubprotocolTokenAuthMiddleware
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
    answer = await communicator.receive_output(timeout=2)
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
    assert await communicator.receive_output(timeout=1) == NOT_AUTHENTICATED
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


def test_a_token_is_only_letters_digits_dash_underscore_and_dots_so_it_fits_a_subprotocol_header():
    # ":" (signing's default separator) is not allowed there: new WebSocket(url, [token]) would throw.
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", sign_user_id(123456))


# --- middleware: a token's user in the scope --------------------------------


async def scope_seen_by_inner_app(middleware, scope: dict) -> dict:
    """Run `middleware` around a tiny app that records its scope; return that scope."""
    seen = {}

    async def inner(scope, receive, send):
        seen.update(scope)

    await middleware(inner)(scope, None, None)
    return seen


def websocket_scope(query: str = "", subprotocols: tuple = ()) -> dict:
    return {"type": "websocket", "path": "/", "query_string": query.encode(), "subprotocols": list(subprotocols)}


@pytest.mark.django_db(transaction=True)
async def test_the_query_string_middleware_gives_the_inner_app_a_copy_of_the_scope_with_the_tokens_user(
    django_user_model,
):
    ada = await django_user_model.objects.acreate(username="ada")
    outer = websocket_scope(f"token={issue_token(ada)}")
    seen = await scope_seen_by_inner_app(QueryStringTokenAuthMiddleware, outer)
    assert seen["user"] == ada
    assert "user" not in outer  # the caller's scope is untouched: the middleware copied it


@pytest.mark.django_db(transaction=True)
async def test_the_subprotocol_middleware_reads_the_token_offered_after_bearer(django_user_model):
    ada = await django_user_model.objects.acreate(username="ada")
    seen = await scope_seen_by_inner_app(
        SubprotocolTokenAuthMiddleware, websocket_scope(subprotocols=("bearer", issue_token(ada)))
    )
    assert seen["user"] == ada


@pytest.mark.parametrize(
    ("middleware", "scope"),
    [
        (QueryStringTokenAuthMiddleware, websocket_scope()),
        (QueryStringTokenAuthMiddleware, websocket_scope("token=forged")),
        (QueryStringTokenAuthMiddleware, websocket_scope("token=" + sign_user_id(1) + "&token=second")),
        (SubprotocolTokenAuthMiddleware, websocket_scope(subprotocols=("bearer",))),
        (SubprotocolTokenAuthMiddleware, websocket_scope(subprotocols=("chat", sign_user_id(1)))),
        (SubprotocolTokenAuthMiddleware, websocket_scope(subprotocols=("bearer", "forged"))),
    ],
    ids=["no-token", "forged", "user-1-missing", "bearer-alone", "no-bearer", "forged-bearer"],
)
@pytest.mark.django_db(transaction=True)
async def test_without_a_valid_token_for_an_existing_user_the_middleware_sets_an_anonymous_user(middleware, scope):
    seen = await scope_seen_by_inner_app(middleware, scope)
    assert seen["user"].is_anonymous


@pytest.mark.django_db(transaction=True)
async def test_the_query_route_answers_the_tokens_user_behind_the_origin_check(django_user_model):
    ada = await django_user_model.objects.acreate(username="ada")
    communicator = WebsocketCommunicator(application, f"/ws/auth/token-query/?token={issue_token(ada)}", headers=ORIGIN)
    assert (await communicator.connect())[0]
    assert await communicator.receive_json_from() == {"username": "ada"}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_middleware_inside_the_auth_stack_replaces_the_user_of_the_session_cookie(
    django_user_model, ada_cookie
):
    """The root stack resolves the cookie's user first; the route's own middleware runs later and wins."""
    grace = await django_user_model.objects.acreate(username="grace")
    path = f"/ws/auth/token-query/?token={issue_token(grace)}"
    communicator = WebsocketCommunicator(application, path, headers=[*ORIGIN, ada_cookie])
    assert (await communicator.connect())[0]
    assert await communicator.receive_json_from() == {"username": "grace"}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_subprotocol_route_accepts_with_bearer_never_the_token_and_answers_the_user(django_user_model):
    token = issue_token(await django_user_model.objects.acreate(username="ada"))
    communicator = WebsocketCommunicator(
        application, "/ws/auth/token-protocol/", headers=ORIGIN, subprotocols=["bearer", token]
    )
    assert await communicator.connect() == (True, "bearer")
    assert await communicator.receive_json_from() == {"username": "ada"}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_subprotocol_route_closes_4401_after_accepting_a_forged_token():
    communicator = WebsocketCommunicator(
        application, "/ws/auth/token-protocol/", headers=ORIGIN, subprotocols=["bearer", "forged"]
    )
    assert await communicator.connect() == (True, "bearer")  # accepted, so a browser sees 4401, not 1006
    assert await communicator.receive_output(timeout=2) == NOT_AUTHENTICATED
    await communicator.disconnect()


async def test_lesson_07s_whoami_echoes_no_subprotocol_even_when_one_is_offered():
    """Why the token-protocol route needs its own connect: a browser fails this handshake (test_11_*_slow)."""
    communicator = WebsocketCommunicator(WhoAmIConsumer.as_asgi(), "/", subprotocols=["bearer", "token"])
    communicator.scope["user"] = type("Anyone", (), {"is_authenticated": False})()
    connected, subprotocol = await communicator.connect()
    assert connected and subprotocol is None
    await communicator.disconnect()


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
