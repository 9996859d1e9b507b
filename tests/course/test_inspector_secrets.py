"""The inspector never shows a secret: passwords, session keys, the handoff, tokens in a frame, a query string or a subprotocol."""

import json
import secrets

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from course import redaction
from course.inspector import STORE

ORIGIN = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]


@pytest.mark.django_db(transaction=True)
async def test_a_socket_login_reaches_the_panel_without_password_session_key_or_handoff(inspected, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    await User.objects.acreate_user("ada", password="analytical-engine")
    page = secrets.token_urlsafe(16)
    cookie = [(b"cookie", b"sessionid=abcdefghijklmnopqrstuvwxyz012345; csrftoken=not-for-the-panel")]
    communicator = WebsocketCommunicator(inspected, f"/ws/auth/login/?inspect={page}", headers=ORIGIN + cookie)
    await communicator.connect()
    await communicator.send_json_to({"action": "login", "username": "ada", "password": "analytical-engine"})
    reply = await communicator.receive_json_from()
    await communicator.disconnect()
    recorded = json.dumps(STORE.events(page))
    assert reply["username"] == "ada" and reply["handoff"]
    for secret in ("analytical-engine", "abcdefghijklmnopqrstuvwxyz012345", "not-for-the-panel", reply["handoff"]):
        assert secret not in recorded
    assert "[redacted]" in recorded


@pytest.mark.django_db(transaction=True)
async def test_a_token_in_a_frame_a_query_string_or_a_subprotocol_never_reaches_the_panel(inspected):
    from auth_demo.tokens import issue_token

    token = issue_token(await User.objects.acreate(username="ada"))
    page = secrets.token_urlsafe(16)
    first_frame = WebsocketCommunicator(inspected, f"/ws/auth/token/?inspect={page}", headers=ORIGIN)
    query = WebsocketCommunicator(inspected, f"/ws/auth/token-query/?token={token}&inspect={page}", headers=ORIGIN)
    protocol = WebsocketCommunicator(
        inspected, f"/ws/auth/token-protocol/?inspect={page}", headers=ORIGIN, subprotocols=["bearer", token]
    )
    await first_frame.connect()
    await first_frame.send_json_to({"token": token})
    for communicator in (first_frame, query, protocol):
        if communicator is not first_frame:
            await communicator.connect()
        assert await communicator.receive_json_from() == {"username": "ada"}
        await communicator.disconnect()
    recorded = json.dumps(STORE.events(page))
    assert "token-protocol" in recorded and "bearer" in recorded  # the connections were recorded
    assert token not in recorded and token.split(".")[-1] not in recorded


def test_shorten_redacts_secret_keys_at_any_depth_and_cuts_long_strings():
    shortened = redaction.shorten({"user": {"Password": "p", "api_key": "k"}, "text": "y" * 1000, "n": 1})
    assert shortened["user"] == {"Password": "[redacted]", "api_key": "[redacted]"}
    assert shortened["text"].endswith("(1000 characters)") and len(shortened["text"]) < 200
    assert (
        redaction.shorten_text("not json but it names a password=hunter2") == "[redacted: this text may hold a secret]"
    )
