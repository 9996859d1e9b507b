"""Check 07.3 (fix): after login() over a socket, the consumer saves the session, in a thread."""

import json

import pytest
from channels.auth import AuthMiddlewareStack, get_user
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.core import signing
from django.core.exceptions import SynchronousOnlyOperation
from django.test import override_settings

from auth_demo.views import HANDOFF_SALT
from exercises.checks import answer
from exercises.checks.fixlab import load

RULE = (
    'login() changes scope["session"] but does not store it: after login(), '
    'await database_sync_to_async(self.scope["session"].save)()'
)
FAST_HASHER = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


async def log_in(username: str, password: str) -> dict:
    communicator = WebsocketCommunicator(AuthMiddlewareStack(load("07.3", RULE).LoginConsumer.as_asgi()), "/")
    assert (await communicator.connect(timeout=2))[0], "expected the socket to be accepted"
    await communicator.send_to(text_data=json.dumps({"username": username, "password": password}))
    try:
        got = await answer(communicator, timeout=2)
    except SynchronousOnlyOperation as error:  # what Daphne logs before closing the socket with 1011
        raise AssertionError(f"the consumer crashed: SynchronousOnlyOperation: {error} {RULE}") from error
    assert isinstance(got, dict) and got.get("type") == "websocket.send", f"expected an answer frame, got {got}"
    await communicator.disconnect()
    return json.loads(got["text"])


@FAST_HASHER
@pytest.mark.django_db(transaction=True)
async def test_the_session_the_handoff_names_is_logged_in():
    ada = await User.objects.acreate_user("ada", password="analytical-engine")
    reply = await log_in("ada", "analytical-engine")
    assert reply.get("username") == "ada" and "handoff" in reply, (
        f'expected {{"username": "ada", "handoff": ...}}, got {reply}'
    )
    session_key = signing.loads(reply["handoff"], salt=HANDOFF_SALT)
    # What the next connection with that session cookie gets (AuthMiddlewareStack does exactly this).
    user = await get_user({"session": SessionStore(session_key=session_key)})
    assert user.is_authenticated and user.pk == ada.pk, (
        f"the session the page gets after the handoff is anonymous ({user}): the login was never stored. {RULE}"
    )


@FAST_HASHER
@pytest.mark.django_db(transaction=True)
async def test_a_wrong_password_is_refused():
    await User.objects.acreate_user("ada", password="analytical-engine")
    reply = await log_in("ada", "wrong")
    assert reply == {"error": "invalid username or password"}, f"expected the error frame, got {reply}"
