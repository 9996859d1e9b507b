"""Check 13.1: nginx's location block for WebSockets (checked as text, then by `nginx -t` when nginx is here).

The task's rules, in its order: 1. it proxies /ws/ to the upstream it is given, the path unchanged; 2. it speaks
HTTP/1.1 to the upstream; 3. it passes the Upgrade and Connection headers; 4. the Host the client sent, port included
($http_host, as lesson 13 and deploy/nginx.conf); 5. X-Forwarded-For as the client's own address; 6. idle sockets
outlive the 60-second default; 7. each header set once, and nginx accepts the block; 8. DJANGO_ALLOW_ASYNC_UNSAFE
stays unset (the battery).
"""

import re

import pytest

from exercises.probes import proved, target
from exercises.probes.proxies import braces_pair, directives, headers_set, nginx_t, seconds


def block(upstream: str = "daphnes") -> dict[str, list[str]]:
    """The directives of the student's block for `upstream`, as nginx reads them."""
    return directives(target("13.1").websocket_location(upstream))


def headers() -> dict[str, str]:
    """Each proxy_set_header of the block as name (lowercase) -> value; a header set twice fails the check."""
    return headers_set(block())


@pytest.mark.rule(1)
def test_it_proxies_ws_to_the_upstream_it_is_given_with_the_path_unchanged():
    for upstream in ("daphnes", "chat_backend"):
        text = target("13.1").websocket_location(upstream)
        assert re.match(r"\s*location\s+/ws/\s*\{", text), (
            f"expected the block to open with `location /ws/ {{`, got {text[:40]!r}"
        )
        passes = directives(text).get("proxy_pass")
        assert passes == [f"http://{upstream}"], (
            f"websocket_location({upstream!r}) expected `proxy_pass http://{upstream};`, got {passes}: "
            "use the upstream you are given, and give proxy_pass no path (a trailing / replaces /ws/ in every "
            "request, so the router sees /chat/room/ instead of /ws/chat/room/)"
        )


@pytest.mark.rule(2)
def test_it_speaks_http_1_1_to_the_upstream():
    versions = block().get("proxy_http_version")
    assert versions == ["1.1"], (
        f"expected `proxy_http_version 1.1;` once, got {versions}: nginx speaks HTTP/1.0 to an upstream by default, "
        "and an upgrade to a WebSocket needs HTTP/1.1"
    )


@pytest.mark.rule(3, 7)
def test_it_passes_the_upgrade_and_connection_headers():
    found = headers()
    assert found.get("upgrade") == "$http_upgrade", (
        f"expected `proxy_set_header Upgrade $http_upgrade;`, got {found.get('upgrade')}: Upgrade is hop-by-hop, "
        "nginx drops it unless you pass it on by hand"
    )
    connection = found.get("connection", "")
    # The word upgrade itself, or the course's $connection_upgrade (deploy/nginx.conf's map, which nginx -t gets too);
    # a variable is what it holds: $http_upgrade is the client's Upgrade header, "websocket".
    words = re.split(r"[\s,]+", connection.lower())
    assert ("upgrade" in words or words == ["$connection_upgrade"]) and "close" not in connection.lower(), (
        f'expected `proxy_set_header Connection "upgrade";` (or $connection_upgrade, mapped from $http_upgrade as '
        f"deploy/nginx.conf does), got {connection or 'none'}: Connection is hop-by-hop too, and without the word "
        "upgrade in it Daphne refuses the handshake or answers it as a plain HTTP request ($http_upgrade holds "
        '"websocket", the client\'s Upgrade header; $http_connection whatever the client sent)'
    )


@pytest.mark.rule(4, 7)
def test_it_passes_the_host_the_client_asked_for():
    host = headers().get("host")
    dropped = (
        ": $host is the host name without its port, so behind nginx on a port of its own (https://example.com:8443) "
        'Daphne sees "example.com" while the page\'s Origin says "example.com:8443", and the origin check refuses '
        "every socket with 403; $http_host is the Host header as the browser sent it, port included"
    )
    assert host == "$http_host", f"expected `proxy_set_header Host $http_host;`, got {host}" + (
        dropped
        if host == "$host"
        else ": without it Daphne sees the upstream's name as the Host, and Django refuses it (DisallowedHost, "
        "not in ALLOWED_HOSTS)"
    )


@pytest.mark.rule(5, 7)
def test_it_sets_x_forwarded_for_to_the_clients_own_address():
    found = headers()
    assert found.get("x-forwarded-for") == "$remote_addr", (
        f"expected `proxy_set_header X-Forwarded-For $remote_addr;`, got {found.get('x-forwarded-for')}: never "
        "append to what the client sent, Daphne --proxy-headers trusts its first address"
    )


@pytest.mark.rule(6)
def test_idle_sockets_outlive_the_60_second_default():
    timeouts = block().get("proxy_read_timeout", [])
    assert len(timeouts) == 1, f"expected one proxy_read_timeout, got {timeouts or 'none'} (nginx's default is 60 s)"
    value = seconds(timeouts[0])
    assert value is not None, (
        f"nginx refuses the time {timeouts[0]!r} (nginx -t: invalid value): a number, each with a unit such as s, m "
        "or h, from the largest unit down, each unit once (300, 300s, 5m, 1h 30m)"
    )
    assert value >= 300, (
        f"proxy_read_timeout {timeouts[0]} is {value:g} s: expected at least 300 s, or nginx closes a socket that "
        "sends nothing for that long (a time without a unit is seconds; ms is milliseconds)"
    )
    proved("boundaries", 1)


@pytest.mark.rule(7)
def test_nginx_accepts_the_block():
    braces_pair(location := target("13.1").websocket_location("daphnes"))
    done = nginx_t(location)
    assert done.returncode == 0, f"nginx -t refuses the block: {done.stderr.strip()}"


# The standard battery of what this exercise builds (settings), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
