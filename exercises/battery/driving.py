"""How the battery drives a websocket consumer: its sockets, scoped as exercise.toml says, and the frames it sends."""

import itertools
import json

from channels.testing import WebsocketCommunicator

from exercises.battery.declaration import exercise_of, served
from exercises.probes import AS_SENT, accepted, bad_frames, drain, login_bad_frames

CLIENTS = itertools.count(1)  # 198.18.0.0/15: addresses set aside for benchmarks, no one's real client
DEEP = "[" * 100_000 + "]" * 100_000  # json.loads raises RecursionError, which `except ValueError` does not catch
# Every kind of frame a client or a server may send: text of every shape, binary, and both keys with one None.
FRAMES = [
    ("an empty text frame", {"text": ""}),
    ("a text frame of one space", {"text": " "}),
    ("a text frame that is not JSON", {"text": "not json"}),
    ("a text frame of broken JSON", {"text": '{"message": '}),
    ("JSON null", {"text": "null"}),
    ("a JSON number", {"text": "1"}),
    ("a JSON string", {"text": '"hello"'}),
    ("a JSON list", {"text": '["hello"]'}),
    ("an empty JSON object", {"text": "{}"}),
    ("JSON nested 100,000 deep", {"text": DEEP}),
    ("a JSON string holding a lone surrogate", {"text": '"\\ud800"'}),
    ("70,000 characters of text", {"text": "x" * 70_000}),
    ("text with markup, an ampersand, line breaks and emoji", {"text": AS_SENT}),
    ("a binary frame", {"bytes": b"\xff\xfe\x00"}),
    ("an empty binary frame", {"bytes": b""}),
    ("a binary frame of UTF-8 text", {"bytes": b"hello"}),
    ("a binary frame of JSON", {"bytes": b'{"message": "hello"}'}),
    ('a text frame whose event also has "bytes": None', {"text": "hello", "bytes": None}),
    ('a binary frame whose event also has "text": None', {"text": None, "bytes": b"hello"}),
]
BINARY = [(label, event) for label, event in FRAMES if event.get("text") is None]


def prepared(request) -> dict:
    """The exercise's declaration, its consumer on an in-memory layer (a database too: exercises/conftest.py's Check)."""
    _, battery = exercise_of(request)
    request.getfixturevalue("in_memory_layer")
    return battery


def communicator(request, battery: dict) -> WebsocketCommunicator:
    """A socket to the consumer under check, its scope as the project's router and middleware would make it."""
    socket = WebsocketCommunicator(served(request).as_asgi(), battery.get("path", "/"))
    # Each socket a client of its own, at an address of its own: what one behaviour sent never counts against
    # the next (a flood limit or a login throttle per address, 16.1-16.3), however fast the machine is.
    n = next(CLIENTS)
    socket.scope["client"] = (f"198.18.{n >> 8 & 255}.{n & 255}", 40000 + n % 20000)
    if "url_route" in battery:
        socket.scope["url_route"] = {"args": (), "kwargs": dict(battery["url_route"])}
    if "user" in battery:  # as AuthMiddlewareStack puts it there: a user who is logged in, their cookie and session
        from django.conf import settings
        from django.contrib.auth.models import User

        from exercises.probes.served_users import as_served, session_of

        user = User(id=7, username="ada", is_staff=battery["user"] == "staff")
        session = session_of(user)
        socket.scope["cookies"] = {settings.SESSION_COOKIE_NAME: session.session_key}
        socket.scope["session"] = session
        socket.scope["user"] = as_served(user)
    return socket


async def opened(request, battery: dict) -> WebsocketCommunicator:
    """A socket accepted. What it is greeted with is an announcement its exercise declares, skipped where it is read."""
    return await accepted(communicator(request, battery))


def bad_input(battery: dict) -> list[tuple[str, dict]]:
    """The frames the exercise's contract calls bad: binary ones, and text ones unless every text is a message."""
    bad = battery.get("bad", "binary")
    if bad == "binary":
        return BINARY
    texts = login_bad_frames() if bad == "login" else bad_frames(bad, generated=0, extra=(DEEP,))
    return [(f"the text frame {text[:40]!r}", {"text": text}) for text in texts] + BINARY


def announcement(got: object, battery: dict) -> bool:
    """True if `got` tells of a socket coming or going (its exercise's `announces`), which any socket may hear."""
    return isinstance(got, dict) and any(key in got for key in battery.get("announces", ()))


async def heard_by(socket, battery: dict, quiet: float = 0.1) -> list:
    """What `socket` received but announcements, until it has been quiet for `quiet` seconds (probes' drain())."""
    return [got for got in await drain(socket, quiet=quiet) if not announcement(got, battery)]


def message_frame(battery: dict, text: str) -> dict:
    key = battery["message"]
    return {"text": text if key == "text" else json.dumps({key: text})}
