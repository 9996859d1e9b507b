"""Lesson 16: a socket opens only for a page of this very site, port included (lessons/origins.py).

Channels' AllowedHostsOriginValidator compares host names alone, so a page on another port of
the same machine opened sockets with the visitor's cookie. Each route class is attacked here with
a cookie that opens it from the site's own page: a chat, the database room, lesson 07's user socket
and the workshop room's staff socket. A real Daphne on production settings:
tests/test_16/test_origins_slow.py.
"""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from harness.patience import FRAME
from lessons.asgi import application
from tests.helpers.clients import browser_headers, logged_in

SITE = [(b"host", b"127.0.0.1:8000")]
# route, and whose cookie it is sent with: ada a user, grace staff, None none
ROUTES = {
    "chat": ("/ws/chat/lobby/", None),
    "db-room": ("/ws/db/room/lobby/", None),
    "whoami": ("/ws/auth/whoami/", "ada"),
    "workshop-staff": ("/ws/workshop/room/", "grace"),
}
FOREIGN = {
    "another-port": b"http://127.0.0.1:9999",
    "another-scheme": b"https://127.0.0.1:8000",
    "another-allowed-host": b"http://localhost:8000",
    "no-port": b"http://127.0.0.1",
    "bad-port": b"http://127.0.0.1:80x0",
}
# Every handshake, refused or not, passes a consumer that closes old database connections first.
pytestmark = pytest.mark.django_db(transaction=True)


async def handshake(path: str, headers: list[tuple[bytes, bytes]]) -> bool:
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=FRAME)
    await communicator.disconnect()
    return connected


@database_sync_to_async
def cookie_of(user: str | None) -> list[tuple[bytes, bytes]]:
    """A Cookie header logged in as this user (grace is staff), made now; none for None."""
    from django.contrib.auth.models import User

    if user is None:
        return []
    return browser_headers(logged_in(User.objects.create(username=user, is_staff=user == "grace")), csrf=False)


@pytest.mark.parametrize("origin", FOREIGN.values(), ids=FOREIGN)
@pytest.mark.parametrize(("path", "user"), ROUTES.values(), ids=ROUTES)
async def test_every_route_class_refuses_a_page_of_the_same_machine_on_another_origin(path, user, origin):
    cookie = await cookie_of(user)
    assert await handshake(path, [(b"origin", b"http://127.0.0.1:8000"), *SITE, *cookie])  # the site's own page
    assert await handshake(path, [(b"origin", origin), *SITE, *cookie]) is False


async def test_a_default_port_counts_as_written():
    assert await handshake("/ws/chat/lobby/", [(b"origin", b"http://127.0.0.1:80"), (b"host", b"127.0.0.1")])


async def test_a_host_header_outside_allowed_hosts_is_no_site_of_ours():
    # A name the attacker points at this machine (DNS rebinding): its page and its Host agree.
    headers = [(b"origin", b"http://evil.example:8000"), (b"host", b"evil.example:8000")]
    assert await handshake("/ws/chat/lobby/", headers) is False


async def test_without_a_host_header_no_origin_is_this_site():
    assert await handshake("/ws/chat/lobby/", [(b"origin", b"http://127.0.0.1:8000")]) is False


@pytest.mark.parametrize(("origin", "opens"), [(b"https://127.0.0.1:8000", True), (b"http://127.0.0.1:8000", False)])
async def test_behind_a_tls_proxy_the_page_is_https(settings, origin, opens):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # production's, trusted from nginx
    headers = [(b"origin", origin), *SITE, (b"x-forwarded-proto", b"https")]
    assert await handshake("/ws/chat/lobby/", headers) is opens
