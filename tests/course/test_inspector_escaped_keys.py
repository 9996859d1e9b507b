"""The inspector redacts a key as the application reads it: %-escapes and + decoded, as Django and parse_qs do.

`?%74oken=...` is request.GET["token"] and parse_qs's "token"; a form body's `%70assword=` is
request.POST["password"]. Each shape goes through its real route, which proves the application
read the secret under its decoded key, and the panel is searched for it; then Hypothesis spells
the secret keys every way a client may and searches what the inspector records of each.
"""

import json
import secrets
import string
from urllib.parse import parse_qs

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.contrib.auth.models import User

from course import inspector, redaction
from course.inspector import STORE
from harness.patience import FRAME
from tests.helpers.clients import HOST, ORIGIN, browser_headers

SECRET = "hunter2-s3cret"
FORM = [(b"content-type", b"application/x-www-form-urlencoded")]
SECRET_KEYS = ["password", "token", "sessionid", "csrfmiddlewaretoken", "handoff", "api_key", "secret"]


async def posted(inspected, path: str, body: str) -> tuple[int, str]:
    """POST a form body to `path` from an inspected page: the status, and all the inspector keeps."""
    page = secrets.token_urlsafe(16)
    headers = HOST + FORM + browser_headers()
    communicator = HttpCommunicator(inspected, "POST", f"{path}?inspect={page}", body=body.encode(), headers=headers)
    response = await communicator.get_response(timeout=FRAME)
    await communicator.wait(timeout=FRAME)
    return response["status"], json.dumps(STORE.events(page))


@pytest.mark.django_db(transaction=True)
async def test_a_token_under_a_percent_escaped_query_key_never_reaches_the_panel(inspected):
    from auth_demo.tokens import issue_token

    token = issue_token(await User.objects.acreate(username="ada"))
    page = secrets.token_urlsafe(16)
    path = f"/ws/auth/token-query/?%74oken={token}&inspect={page}"
    communicator = WebsocketCommunicator(inspected, path, headers=ORIGIN)
    await communicator.connect(timeout=FRAME)
    assert await communicator.receive_json_from(timeout=FRAME) == {"username": "ada"}  # the route read it as "token"
    await communicator.disconnect()
    recorded = json.dumps(STORE.events(page))
    assert "token-query" in recorded and token.split(".")[-1] not in recorded


@pytest.mark.django_db(transaction=True)
async def test_a_login_body_with_a_percent_escaped_password_key_shows_no_password(inspected, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    await User.objects.acreate_user("ada", password=SECRET)
    status, recorded = await posted(inspected, "/accounts/login/", f"username=ada&%70assword={SECRET}")
    assert status == 302  # Django read request.POST["password"] and logged ada in
    assert "/accounts/login/" in recorded and "hunter2" not in recorded


@pytest.mark.django_db(transaction=True)
async def test_a_socket_login_body_with_a_percent_escaped_token_key_shows_no_token(inspected):
    status, recorded = await posted(inspected, "/accounts/socket-login/", f"%74oken={SECRET}")
    assert status == 400  # read as "token", and refused as a handoff this server never signed
    assert "/accounts/socket-login/" in recorded and "hunter2" not in recorded


def spelled(key: str, escapes: list[int], leading: str) -> str:
    """`key` with the characters at `escapes` written %XX (either case), after `leading` ("", "+", "%20")."""
    chars = [f"%{ord(c):02{'X' if i % 2 else 'x'}}" if i in escapes else c for i, c in enumerate(key)]
    return leading + "".join(chars)


def test_no_spelling_of_a_secret_key_lets_its_value_reach_the_panel():
    # Hypothesis imported here, by the one process that runs this test: at the top of the module every
    # pytest-xdist worker imported it while collecting, about 0.2 CPU-seconds each that no other test needs.
    from hypothesis import given
    from hypothesis import settings as examples
    from hypothesis import strategies as st

    @examples(deadline=None)  # no example is timed: the machine may be busy (a test is never about speed)
    @given(
        key=st.sampled_from(SECRET_KEYS),
        escapes=st.lists(st.integers(0, 18), max_size=19),
        leading=st.sampled_from(["", "+", "%20"]),
        value=st.text(string.ascii_letters + string.digits + "-_.~", min_size=6, max_size=40).map(lambda v: "V4L-" + v),
    )
    def no_value_shown(key, escapes, leading, value):
        name = spelled(key, escapes, leading)
        query = f"room=lobby&{name}={value}&n=1"
        assert parse_qs(query)[leading.replace("%20", "+").replace("+", " ") + key] == [value]  # the app reads it so
        shown = [
            inspector.describe_scope({"type": "websocket", "path": "/ws/x/", "query_string": query.encode()}),
            redaction.describe({"type": "http.request", "body": query.encode()}),
            redaction.shorten({"log": [f"GET /login/?{query}"], "referer": f"http://127.0.0.1:8000/?{query}"}),
            redaction.headers([(b"referer", f"http://127.0.0.1:8000/lessons/07/?{query}".encode())]),
        ]
        assert value not in json.dumps(shown)

    no_value_shown()
