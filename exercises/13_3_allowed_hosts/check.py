"""Check 13.3 (fix): ALLOWED_HOSTS lists every host the site is served at, as host names, and nothing more.

The task's rules, in its order: 1. a page on either host opens its socket; 2. and loads; 3. a page elsewhere (another
site, a look-alike, a subdomain, the user's own machine) is refused; 4. every entry is a host of the site; 5. DEBUG
stays off, whatever the environment says; 6. DJANGO_ALLOW_ASYNC_UNSAFE stays unset (the battery).
"""

import pytest
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.test import override_settings

from exercises.probes import imported_afresh
from exercises.probes.proxies import allowed_hosts, opens, other_host

EXERCISE = "13.3"
RULE = (
    "AllowedHostsOriginValidator refuses a handshake whose Origin host is not in ALLOWED_HOSTS, silently: list "
    'every host the site is served at, as host names, never "*" and never URLs'
)
SITE = {"example.com", "www.example.com"}  # the hosts the site is served at, and the only ones


async def handshake(origin: str) -> bool:
    """Whether a handshake from a page at `origin` opens, with the student's production settings."""
    return await opens(origin, *allowed_hosts(EXERCISE, RULE), RULE)


@pytest.mark.rule(1)
@pytest.mark.parametrize("origin", ["https://example.com", "https://www.example.com"])
async def test_a_page_on_the_site_opens_its_socket(origin):
    assert await handshake(origin), (
        f"a page at {origin} had its socket refused before the accept: Daphne logs only "
        f'"WSREJECT /ws/chat/lobby/" and the browser says "WebSocket connection to '
        f"'{origin.replace('https', 'wss')}/ws/chat/lobby/' failed\" (HTTP 403). {RULE}"
    )


@pytest.mark.rule(2)
@pytest.mark.parametrize("host", ["example.com", "www.example.com"])
def test_the_pages_load_on_both_hosts(host):
    hosts, debug = allowed_hosts(EXERCISE, RULE)
    request = HttpRequest()
    request.META = {"HTTP_HOST": host, "SERVER_NAME": host, "SERVER_PORT": "443"}
    with override_settings(ALLOWED_HOSTS=hosts, DEBUG=debug):
        try:
            request.get_host()
        except DisallowedHost as error:  # Django answers the page with HTTP 400
            raise AssertionError(f"a page on {host} gets HTTP 400: DisallowedHost: {error} {RULE}") from error


@pytest.mark.rule(3)
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


@pytest.mark.rule(4)
async def test_every_entry_is_a_host_the_site_is_served_at():
    for entry in allowed_hosts(EXERCISE, RULE)[0]:
        entry = str(entry)
        origin = "https://" + ("evil.example" if entry == "*" else "any" + entry if entry.startswith(".") else entry)
        if other_host(origin, SITE) and await handshake(origin):
            raise AssertionError(
                f"ALLOWED_HOSTS lists {entry!r}, and a page at {origin} opened a socket: the site is served at "
                "example.com and www.example.com only, and every other entry is one more place from which a page "
                "opens sockets with your users' cookies (a private address or a bare name such as testserver is "
                f"whatever the user's own network answers there). {RULE}"
            )


@pytest.mark.rule(5)
def test_production_keeps_debug_off():
    debug = allowed_hosts(EXERCISE, RULE)[1]
    # Django reads DEBUG as a truth value: 0, as int(os.environ.get("DEBUG", "0")) gives, is off too; unset, False.
    assert not debug, (
        f"DEBUG is {debug!r} in production settings: a DEBUG page shows your settings and code to anyone who "
        "triggers an error, and DEBUG changes nothing about which Origin a socket is accepted from"
    )
    deployed = imported_afresh(EXERCISE, RULE, {"DEBUG": "0", "DJANGO_DEBUG": "0"})  # as a deployment may set it
    assert not getattr(deployed, "DEBUG", False), (
        f"on a server whose environment says DEBUG=0, DEBUG is {deployed.DEBUG!r}: an environment variable is a "
        'str, and every str but "" is true (bool("0") and bool("False") are True). Production settings keep '
        "DEBUG = False"
    )


# The standard battery of what this exercise builds (settings), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
