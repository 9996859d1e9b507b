"""What stands in front of Daphne, read as it reads a request: Django's host checks (check 13.3), nginx (13.1).

A handshake is judged by Channels' own AllowedHostsOriginValidator under the student's settings, and a location block
by nginx's own rules of reading (its comments, quotes, time units), then by `nginx -t` where nginx is installed.
"""

from urllib.parse import urlsplit

import pytest
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.security.websocket import AllowedHostsOriginValidator
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from exercises.probes.communicators import ends_on_disconnect
from exercises.probes.loading import load
from harness.patience import FRAME


class Accepting(AsyncConsumer):
    """A consumer that accepts every handshake it is given: whatever is refused, the validator in front refused."""

    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


def allowed_hosts(exercise_id: str, rule: str) -> tuple[list, object]:
    """The student's settings' ALLOWED_HOSTS, as a list, and DEBUG (Django's default, False, when they set none)."""
    module = load(exercise_id, rule)
    if not hasattr(module, "ALLOWED_HOSTS"):
        pytest.fail(
            "your settings set no ALLOWED_HOSTS (a misspelt name is one more variable, which Django never reads): "
            f"Django then uses [], and with DEBUG off answers every page, on every host, with HTTP 400. {rule}",
            pytrace=False,
        )
    hosts = module.ALLOWED_HOSTS
    if not isinstance(hosts, (list, tuple, set, frozenset)):
        pytest.fail(
            f"ALLOWED_HOSTS is {hosts!r:.80}, a {type(hosts).__name__}: Django reads a list of host names, each a "
            f"str (a str it reads letter by letter, a generator only once, for the first request). {rule}",
            pytrace=False,
        )
    return list(hosts), getattr(module, "DEBUG", False)


async def opens(origin: str, hosts: list, debug: object, rule: str) -> bool:
    """Whether a handshake from a page at `origin` (its Host the same) opens behind AllowedHostsOriginValidator,
    with these ALLOWED_HOSTS and DEBUG; a validator that cannot read an entry fails the check with a sentence."""
    with override_settings(ALLOWED_HOSTS=hosts, DEBUG=debug):
        headers = [(b"origin", origin.encode()), (b"host", origin.split("://", 1)[-1].encode())]
        communicator = WebsocketCommunicator(
            AllowedHostsOriginValidator(Accepting.as_asgi()), "/ws/chat/lobby/", headers
        )
        try:
            connected, _ = await communicator.connect(timeout=FRAME)
        except Exception as error:  # the validator could not read an entry: the server logs a traceback
            pytest.fail(
                f"a handshake from a page at {origin} crashed AllowedHostsOriginValidator, reading ALLOWED_HOSTS = "
                f"{hosts!r}: {type(error).__name__}: {error}. Every entry must be a host name, a str, as "
                'Django reads one (an IPv6 address in its brackets, "[2001:db8::1]"): an entry it cannot read makes '
                f"every handshake that reaches it fail with a traceback in the server's log. {rule}",
                pytrace=False,
            )
        if connected:
            await ends_on_disconnect(communicator)
        return connected


def other_host(origin: str, site: set) -> bool:
    """Whether a page at `origin` is on a host other than the `site`'s (a trailing dot or capitals name the same)."""
    try:
        return (urlsplit(origin).hostname or "").rstrip(".") not in site
    except ValueError:  # an entry that makes no URL, "[::1" say: no browser sends such an Origin
        return False
