"""Check 13.1: nginx's location block for WebSockets (checked as text, then by `nginx -t` when nginx is here)."""

import itertools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from exercises.probes import proved, target

# nginx's time units (ngx_parse_time): "3600", "3600s", "1h", "1h30m", "500ms".
UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000, "y": 31536000}


def directives(block: str) -> dict[str, list[str]]:
    """Each directive of the block: name -> its arguments, e.g. {"proxy_set_header": ["Upgrade $http_upgrade"]}.

    Read as nginx reads it: a comment runs from # to the end of its line, and a directive ends at ; or a brace,
    however the lines are laid out.
    """
    found: dict[str, list[str]] = {}
    for statement in re.split(r"[;{}]", re.sub(r"#[^\n]*", "", block)):
        name, *arguments = statement.split() or [""]
        if name:
            # nginx's quotes only group words: "$host" is $host, 'upgrade' is upgrade.
            found.setdefault(name, []).append(" ".join(arguments).replace('"', "").replace("'", ""))
    return found


def seconds(value: str) -> float | None:
    """nginx's reading of a time value, in seconds; None if nginx would refuse it."""
    parts = re.findall(r"(\d+)(ms|[smhdwMy]?)", value)
    if not parts or "".join(n + u for n, u in parts) != value or any(u == "" for _, u in parts[:-1]):
        return None
    return sum(int(n) * UNITS[u or "s"] for n, u in parts)


def block(upstream: str = "daphnes") -> dict[str, list[str]]:
    return directives(target("13.1").websocket_location(upstream))


def headers(upstream: str = "daphnes") -> dict[str, str]:
    """Each proxy_set_header as name (lowercase) -> value; a header set twice fails the check."""
    found: dict[str, list[str]] = {}
    for line in block(upstream).get("proxy_set_header", []):
        name, _, value = line.partition(" ")
        found.setdefault(name.lower(), []).append(value)
    for name, values in found.items():
        assert len(values) == 1, (
            f"proxy_set_header {name} is set {len(values)} times ({', '.join(values)}): nginx sends every one of "
            "them, and the upstream reads the first (or refuses two Host headers); set each header once"
        )
    return {name: values[0] for name, values in found.items()}


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


def test_it_speaks_http_1_1_to_the_upstream():
    versions = block().get("proxy_http_version")
    assert versions == ["1.1"], (
        f"expected `proxy_http_version 1.1;` once, got {versions}: nginx speaks HTTP/1.0 to an upstream by default, "
        "and an upgrade to a WebSocket needs HTTP/1.1"
    )


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


def test_it_passes_the_host_the_client_asked_for():
    found = headers()
    # $http_host is the client's Host header as sent (its port kept): right too, and as common as $host.
    assert found.get("host") in ("$host", "$http_host"), (
        f"expected `proxy_set_header Host $host;`, got {found.get('host')}: without it Daphne sees the upstream's "
        "name as the Host, and Django refuses it (DisallowedHost, not in ALLOWED_HOSTS)"
    )


def test_it_sets_x_forwarded_for_to_the_clients_own_address():
    found = headers()
    assert found.get("x-forwarded-for") == "$remote_addr", (
        f"expected `proxy_set_header X-Forwarded-For $remote_addr;`, got {found.get('x-forwarded-for')}: never "
        "append to what the client sent, Daphne --proxy-headers trusts its first address"
    )


def test_idle_sockets_outlive_the_60_second_default():
    timeouts = block().get("proxy_read_timeout", [])
    assert len(timeouts) == 1, f"expected one proxy_read_timeout, got {timeouts or 'none'} (nginx's default is 60 s)"
    value = seconds(timeouts[0])
    assert value is not None, f"nginx would refuse the time {timeouts[0]!r}: a number with a unit such as s, m or h"
    assert value >= 300, (
        f"proxy_read_timeout {timeouts[0]} is {value:g} s: expected at least 300 s, or nginx closes a socket that "
        "sends nothing for that long (a time without a unit is seconds; ms is milliseconds)"
    )
    proved("boundaries", 1)


def test_nginx_accepts_the_block():
    text = re.sub(r"#[^\n]*", "", target("13.1").websocket_location("daphnes"))
    depth = list(itertools.accumulate({"{": 1, "}": -1}.get(char, 0) for char in text))
    assert min(depth, default=0) >= 0 and depth[-1:] == [0], (
        f"the block opens {text.count('{')} brace(s) and closes {text.count('}')}, and its braces do not pair: nginx "
        'refuses the whole configuration (nginx -t: unexpected "}", or unexpected end of file) and will not start; '
        "in an f-string, {{ and }} write one brace each"
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed here (sudo apt-get install nginx)")
    with tempfile.TemporaryDirectory() as tmp:
        conf = Path(tmp) / "nginx.conf"
        server = target("13.1").websocket_location("daphnes")
        conf.write_text(
            f"pid {tmp}/nginx.pid; error_log {tmp}/error.log; events {{}}\n"
            f"http {{ access_log off; upstream daphnes {{ server 127.0.0.1:8001; }}\n"
            # deploy/nginx.conf's map, at the http level where a location block cannot put it: the course's own form
            f"map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}\n"
            f"server {{ listen 127.0.0.1:1; {server} }} }}\n"
        )
        done = subprocess.run([nginx, "-t", "-q", "-c", str(conf), "-p", tmp], capture_output=True, text=True)
    assert done.returncode == 0, f"nginx -t refuses the block: {done.stderr.strip()}"
