"""What a test client sends and how it talks: the Origin and Host every test uses, a logged-in session, layer
membership, layer settings, and real WebSocket clients against a real Daphne.

Fixtures live in tests/fixtures/ (tests/conftest.py loads them); these are plain functions.
"""

import asyncio
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer

from harness.patience import CONDITION, FRAME

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

# HttpCommunicator sends no Host header unless told; Django checks it against ALLOWED_HOSTS.
HOST = [(b"host", b"127.0.0.1:8000")]

# What a browser on the course page sends: the page's origin, and the site it asks (Host).
# The root router opens a socket only when the two are one site, port included (lesson 16).
ORIGIN_URL = "http://127.0.0.1:8000"
ORIGIN = [(b"origin", ORIGIN_URL.encode()), *HOST]


def browser_headers(session_key: str | None = None, csrf: bool = True) -> list[tuple[bytes, bytes]]:
    """What a course page's POST sends (lesson 06's form, lesson 10's publish): the CSRF cookie the page
    set and the same token in X-CSRFToken, and the session cookie of a logged-in user if one is given."""
    cookies = [b"csrftoken=" + b"a" * 32] * csrf + [f"sessionid={session_key}".encode()] * bool(session_key)
    return [(b"cookie", b"; ".join(cookies)), *[(b"x-csrftoken", b"a" * 32)] * csrf]


def logged_in(user, client=None) -> str:
    """A session in the database logged in as `user`, as django.contrib.auth.login() leaves it: its key.

    Client.force_login() makes the same session in five queries (a session saved, cycled into
    another, the first deleted, the user's last_login written); this is one INSERT. With a
    `client`, it holds the session's cookie, as after force_login().
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend

    # force_login()'s backend: the first that can look a user up again (get_user)
    backend = next(path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user"))
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    if client is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return session.session_key


async def group_members(group: str) -> set[str]:
    """The channel names in a layer group, read from wherever this layer keeps its groups."""
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):
        return set(layer.groups.get(group, {}))
    if isinstance(layer, RedisPubSubChannelLayer):  # only this process's members, in memory
        local = layer._get_layer()
        return set(local.groups.get(local._get_group_channel_name(group), ()))
    connection = layer.connection(layer.consistent_hash(group))  # a sorted set in Redis
    return {name.decode() for name in await connection.zrange(layer._group_key(group), 0, -1)}


def configured(layers: dict, **options) -> dict:
    """A copy of a CHANNEL_LAYERS setting with some of its CONFIG options changed."""
    default = layers["default"]
    return {"default": {**default, "CONFIG": {**default.get("CONFIG", {}), **options}}}


# Every socket open_socket() opened during the current test: a test that fails midway never
# reaches its own close(), so tests/fixtures/servers.py closes them all as the test ends.
OPENED: list["ClientConnection"] = []


async def open_socket(server, path: str) -> "ClientConnection":
    """A real WebSocket client on `path` of a real Daphne `server`, with the Origin of a page it served."""
    from websockets.asyncio.client import connect  # imported here: only the slow tests need it

    # A crowd's handshakes wait behind Twisted's listen backlog (50): the kernel drops the SYNs past
    # it and the client sends them again 1, 3, 7 and 15 s later, so a handshake gets CONDITION, not 10 s.
    ws = await connect(server.ws_url(path), origin=server.http_url, open_timeout=CONDITION)
    OPENED.append(ws)
    return ws


def close_opened_sockets() -> None:
    """Close every socket open_socket() opened that is still open, on the event loop it was opened on.

    Called as a test ends, while that loop still exists: closed later, by the garbage collector,
    a socket would raise ResourceWarning in whichever test happens to run then."""
    sockets, OPENED[:] = list(OPENED), []
    for loop in {ws.loop for ws in sockets}:
        if loop.is_closed() or loop.is_running():  # an asyncio.run() that has ended: its test closed them
            continue
        mine = [ws for ws in sockets if ws.loop is loop]
        loop.run_until_complete(asyncio.gather(*(ws.close() for ws in mine), return_exceptions=True))


async def chat_socket(server, room: str) -> "ClientConnection":
    """A real WebSocket client in ws/chat/<room>/ on a real Daphne `server`."""
    return await open_socket(server, f"ws/chat/{room}/")


async def next_frame(ws: "ClientConnection", timeout: float = FRAME) -> dict:
    """The next JSON frame `ws` receives."""
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def receives_nothing(ws: "ClientConnection", timeout: float = 0.5) -> bool:
    """True if no frame reaches `ws` within `timeout` seconds."""
    try:
        await asyncio.wait_for(ws.recv(), timeout)
    except TimeoutError:
        return True
    return False


def wait_until(condition: Callable[[], object], timeout: float = CONDITION) -> None:
    """Poll `condition` until it is true (for browser pages); fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {condition.__doc__ or condition}")
        time.sleep(0.05)
