"""Lesson 11: middleware written from scratch puts a token's user in a copy of the scope, from the
query string or the subprotocol header; its place in the stack; the subprotocol the server echoes."""

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from auth_demo.consumers import WhoAmIConsumer
from auth_demo.middleware import QueryStringTokenAuthMiddleware, SubprotocolTokenAuthMiddleware
from auth_demo.tokens import issue_token, sign_user_id
from lessons.asgi import application
from tests.helpers.clients import ORIGIN

NOT_AUTHENTICATED = {"type": "websocket.close", "code": 4401}


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
async def test_the_query_string_middleware_passes_on_a_scope_copy_with_the_tokens_user(
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
async def test_without_a_valid_token_for_an_existing_user_the_user_is_anonymous(middleware, scope):
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
async def test_the_subprotocol_route_accepts_bearer_never_the_token_and_answers_the_user(django_user_model):
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
    assert await communicator.receive_output() == NOT_AUTHENTICATED
    await communicator.disconnect()


async def test_lesson_07s_whoami_echoes_no_subprotocol_even_when_one_is_offered():
    """Why the token-protocol route needs its own connect: a browser fails this handshake (test_11_*_slow)."""
    communicator = WebsocketCommunicator(WhoAmIConsumer.as_asgi(), "/", subprotocols=["bearer", "token"])
    communicator.scope["user"] = AnonymousUser()  # what AuthMiddlewareStack would put there
    connected, subprotocol = await communicator.connect()
    assert connected and subprotocol is None
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_only_the_first_token_of_the_query_counts_even_an_empty_one(django_user_model):
    ada = await django_user_model.objects.acreate(username="ada")
    seen = await scope_seen_by_inner_app(
        QueryStringTokenAuthMiddleware, websocket_scope(f"token=&token={issue_token(ada)}")
    )
    assert seen["user"].is_anonymous  # parse_qs drops an empty value unless told to keep it, and the second one counted
