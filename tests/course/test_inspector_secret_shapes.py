"""The inspector never shows a secret in any shape: in a list, quoted by an error, under an escaped key, in a big frame.

Each test sends one shape through a real route and reads what a page's panel
is streamed and what the inspector keeps; "hunter2" is the secret's first
characters, so a secret cut short is caught too.
"""

import json
import secrets

import pytest
from channels.testing import WebsocketCommunicator

from course import redaction
from course.inspector import STORE

ORIGIN = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]
SECRET = "hunter2-s3cret"


async def shown(inspected, page: str) -> str:
    """Everything the page's inspector socket is streamed, and everything the inspector keeps of it, as one text."""
    panel = WebsocketCommunicator(inspected, f"/ws/inspector/{page}/", headers=ORIGIN)
    assert (await panel.connect())[0]
    streamed = await panel.receive_from()  # what the page recorded so far, in one frame
    await panel.disconnect()
    assert json.loads(streamed)["events"], "the connection was not recorded"
    return streamed + json.dumps(STORE.events(page))


async def echoed(inspected, path: str, text: str) -> tuple[str, str]:
    """Send one text frame to `path` on an inspected page: the reply, and all the panel shows."""
    page = secrets.token_urlsafe(16)
    communicator = WebsocketCommunicator(inspected, f"{path}?inspect={page}", headers=ORIGIN)
    await communicator.connect()
    await communicator.send_to(text_data=text)
    reply = await communicator.receive_from()
    await communicator.disconnect()
    return reply, await shown(inspected, page)


@pytest.mark.parametrize(
    "cookie",
    [
        f"sessionid={SECRET}; csrftoken={SECRET}-csrf",
        f"theme={SECRET}",  # any cookie: its value is the site's business
        SECRET,  # a cookie without a name: Django reads it as a value
    ],
)
@pytest.mark.django_db(transaction=True)  # a sessionid cookie makes the session middleware look it up
async def test_no_cookie_value_in_the_scope_or_the_echoed_header_list_reaches_the_panel(inspected, cookie):
    page = secrets.token_urlsafe(16)
    headers = ORIGIN + [(b"cookie", cookie.encode())]
    communicator = WebsocketCommunicator(inspected, f"/ws/sync/scope/demo/?inspect={page}", headers=headers)
    await communicator.connect()
    reply = await communicator.receive_json_from()
    await communicator.disconnect()
    assert ["cookie", cookie] in reply["headers"]  # the frame carries the cookie as a [name, value] pair
    assert "hunter2" not in await shown(inspected, page)


@pytest.mark.parametrize(
    "malformed",
    [
        '{"username": "bob", "password": "' + SECRET,  # cut short: no closing quote
        '{"password": "' + SECRET + '", "user',  # the secret quoted whole
        '{"\\u0070assword": "' + SECRET,  # an escaped key, doubled by the error's repr()
        "{'password': '" + SECRET + "'",  # a Python dict's quotes
    ],
)
async def test_a_password_quoted_by_an_error_frame_never_reaches_the_panel(inspected, malformed):
    reply, panel = await echoed(inspected, "/ws/auth/login/", malformed)
    assert SECRET[:7] in json.loads(reply)["error"]  # the route quotes the frame's first 40 characters
    assert "hunter2" not in panel


@pytest.mark.parametrize(
    "frame",
    [
        {"\\u0070assword": SECRET, "padding": "x" * 20_000},
        {"padding": "x" * 20_000, "\\u0070assword": SECRET},
        {"user": {"\\u0050ASSWORD": SECRET}, "padding": ["x" * 1000] * 20},
    ],
)
async def test_a_password_under_an_escaped_key_in_a_frame_over_16_kib_stays_hidden(inspected, frame):
    text = json.dumps(frame).replace("\\\\u", "\\u")  # json.dumps escaped our backslash: put the \u escape back
    assert json.loads(text).keys() & {"password", "user"} and len(text) > 16 * 1024
    reply, panel = await echoed(inspected, "/ws/sync/echo/", text)
    assert reply == text
    assert "hunter2" not in panel


async def test_a_password_under_an_escaped_key_in_big_non_json_text_stays_hidden(inspected):
    text = '{"\\u0070assword": "' + SECRET + '", "padding": "' + "x" * 20_000  # no closing quote or brace
    reply, panel = await echoed(inspected, "/ws/sync/echo/", text)
    assert reply == text
    assert "hunter2" not in panel


@pytest.mark.parametrize(
    "frame",
    [
        {"fields": [["password", SECRET]]},
        {"headers": [["Cookie", f"sessionid={SECRET}"], ["Authorization", f"Bearer {SECRET}"]]},
        [[[[[[["token", SECRET]]]]]]],
        {"log": [f"login?next=/&password={SECRET}"]},
        {"form": [{"name": "password", "value": SECRET}]},
    ],
)
async def test_a_secret_inside_a_list_at_any_depth_never_reaches_the_panel(inspected, frame):
    reply, panel = await echoed(inspected, "/ws/sync/echo/", json.dumps(frame))
    assert json.loads(reply) == frame
    assert "hunter2" not in panel


async def test_a_frame_nested_too_deep_to_parse_is_recorded_and_the_socket_lives_on(inspected):
    text = "[" * 5000 + json.dumps(["password", SECRET]) + "]" * 5000
    reply, panel = await echoed(inspected, "/ws/sync/echo/", text)
    assert reply == text
    assert "hunter2" not in panel


def test_a_long_string_is_redacted_before_it_is_cut_so_no_part_of_a_secret_is_left():
    for cut in range(redaction.PREVIEW - 20, redaction.PREVIEW + 5):
        text = "x" * cut + f'"password": "{SECRET}"' + "y" * 500
        assert "hunter2"[:3] not in redaction.shorten({"note": text})["note"]
