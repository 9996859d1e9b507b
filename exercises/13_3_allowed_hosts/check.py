"""Check 13.3 (fix): ALLOWED_HOSTS lists every host the site is served at, as host names, and nothing more."""

from urllib.parse import urlsplit

import pytest
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.security.websocket import AllowedHostsOriginValidator
from channels.testing import WebsocketCommunicator
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.test import override_settings

from exercises.probes import FRAME, ends_on_disconnect, imported_afresh, load

RULE = (
    "AllowedHostsOriginValidator refuses a handshake whose Origin host is not in ALLOWED_HOSTS, silently: list "
    'every host the site is served at, as host names, never "*" and never URLs'
)
SITE = {"example.com", "www.example.com"}  # the hosts the site is served at, and the only ones


class Accepting(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


def production() -> tuple[list, object]:
    """The student's ALLOWED_HOSTS, as a list, and DEBUG (Django's default, False, when the file sets none)."""
    module = load("13.3", RULE)
    if not hasattr(module, "ALLOWED_HOSTS"):
        pytest.fail(
            "your settings set no ALLOWED_HOSTS (a misspelt name is one more variable, which Django never reads): "
            f"Django then uses [], and with DEBUG off answers every page, on every host, with HTTP 400. {RULE}",
            pytrace=False,
        )
    hosts = module.ALLOWED_HOSTS
    if not isinstance(hosts, (list, tuple, set, frozenset)):
        pytest.fail(
            f"ALLOWED_HOSTS is {hosts!r:.80}, a {type(hosts).__name__}: Django reads a list of host names, each a "
            f"str (a str it reads letter by letter, a generator only once, for the first request). {RULE}",
            pytrace=False,
        )
    return list(hosts), getattr(module, "DEBUG", False)


async def handshake(origin: str) -> bool:
    """Whether a handshake from a page at `origin` opens, with the student's production settings."""
    hosts, debug = production()
    with override_settings(ALLOWED_HOSTS=hosts, DEBUG=debug):
        app = AllowedHostsOriginValidator(Accepting.as_asgi())
        host = origin.split("://", 1)[-1].encode()
        communicator = WebsocketCommunicator(
            app, "/ws/chat/lobby/", headers=[(b"origin", origin.encode()), (b"host", host)]
        )
        try:
            connected, _ = await communicator.connect(timeout=FRAME)
        except Exception as error:  # the validator could not read an entry: the server logs a traceback
            pytest.fail(
                f"a handshake from a page at {origin} crashed AllowedHostsOriginValidator, reading ALLOWED_HOSTS = "
                f"{hosts!r}: {type(error).__name__}: {error}. Every entry must be a host name, a str, as "
                'Django reads one (an IPv6 address in its brackets, "[2001:db8::1]"): an entry it cannot read makes '
                f"every handshake that reaches it fail with a traceback in the server's log. {RULE}",
                pytrace=False,
            )
        if connected:
            await ends_on_disconnect(communicator)
        return connected


@pytest.mark.parametrize("origin", ["https://example.com", "https://www.example.com"])
async def test_a_page_on_the_site_opens_its_socket(origin):
    assert await handshake(origin), (
        f"a page at {origin} had its socket refused before the accept: Daphne logs only "
        f'"WSREJECT /ws/chat/lobby/" and the browser says "WebSocket connection to '
        f"'{origin.replace('https', 'wss')}/ws/chat/lobby/' failed\" (HTTP 403). {RULE}"
    )


@pytest.mark.parametrize("host", ["example.com", "www.example.com"])
def test_the_pages_load_on_both_hosts(host):
    hosts, debug = production()
    request = HttpRequest()
    request.META = {"HTTP_HOST": host, "SERVER_NAME": host, "SERVER_PORT": "443"}
    with override_settings(ALLOWED_HOSTS=hosts, DEBUG=debug):
        try:
            request.get_host()
        except DisallowedHost as error:  # Django answers the page with HTTP 400
            raise AssertionError(f"a page on {host} gets HTTP 400: DisallowedHost: {error} {RULE}") from error


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "https://example.com.evil.example",  # a look-alike that starts with your name
        "https://attacker.example.com",  # a subdomain the site does not serve
        "null",  # a sandboxed iframe or a file:// page
        "http://localhost:8000",  # a page served on the user's own machine: any program there can serve one
        "http://127.0.0.1:8000",
        "http://[::1]:8000",  # the same machine, over IPv6
        "http://0.0.0.0:8000",  # what a browser on Linux or macOS reaches on the user's own machine too
    ],
)
async def test_a_page_on_another_site_is_refused(origin):
    local = any(name in origin for name in ("localhost", "127.0.0.1", "[::1]", "0.0.0.0"))
    why = " (development hosts such as localhost, [::1] or 0.0.0.0 stay out of production settings)" if local else ""
    assert not await handshake(origin), (
        f"a page at {origin} opened a socket: any site could use your users' cookies{why}. {RULE}"
    )


def other_host(origin: str) -> bool:
    """Whether a page at `origin` is on a host other than the site's (a trailing dot or capitals name the same)."""
    try:
        return (urlsplit(origin).hostname or "").rstrip(".") not in SITE
    except ValueError:  # an entry that makes no URL, "[::1" say: no browser sends such an Origin
        return False


async def test_every_entry_is_a_host_the_site_is_served_at():
    for entry in production()[0]:
        entry = str(entry)
        origin = "https://" + ("evil.example" if entry == "*" else "any" + entry if entry.startswith(".") else entry)
        if other_host(origin) and await handshake(origin):
            raise AssertionError(
                f"ALLOWED_HOSTS lists {entry!r}, and a page at {origin} opened a socket: the site is served at "
                "example.com and www.example.com only, and every other entry is one more place from which a page "
                "opens sockets with your users' cookies (a private address or a bare name such as testserver is "
                f"whatever the user's own network answers there). {RULE}"
            )


def test_production_keeps_debug_off():
    debug = production()[1]
    # Django reads DEBUG as a truth value: 0, as int(os.environ.get("DEBUG", "0")) gives, is off too; unset, False.
    assert not debug, (
        f"DEBUG is {debug!r} in production settings: a DEBUG page shows your settings and code to anyone who "
        "triggers an error, and DEBUG changes nothing about which Origin a socket is accepted from"
    )
    deployed = imported_afresh("13.3", RULE, {"DEBUG": "0", "DJANGO_DEBUG": "0"})  # as a deployment may set it
    assert not getattr(deployed, "DEBUG", False), (
        f"on a server whose environment says DEBUG=0, DEBUG is {deployed.DEBUG!r}: an environment variable is a "
        'str, and every str but "" is true (bool("0") and bool("False") are True). Production settings keep '
        "DEBUG = False"
    )
