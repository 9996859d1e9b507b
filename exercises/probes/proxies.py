"""What stands in front of Daphne, read as it reads a request: Django's host checks (check 13.3), nginx (13.1).

A handshake is judged by Channels' own AllowedHostsOriginValidator under the student's settings, and a location block
by nginx's own rules of reading (its comments, quotes, time units), then by `nginx -t` where nginx is installed.
"""

import itertools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
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


# nginx's time units as ngx_parse_time() reads a timeout (in ms): "3600", "3600s", "1h", "1h30m", "5m 1s", "500ms".
# Largest first, each once; no y or M in a timeout; a space ends a bare number as seconds.
UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
LARGEST = 2**63 - 1  # NGX_MAX_INT_T_VALUE, in milliseconds


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
    """nginx's reading of a timeout's time, in seconds; None where nginx refuses it (nginx -t: "invalid value").

    ngx_parse_time(value, 0), step for step (src/core/ngx_parse.c): digits add up, a unit closes a
    number, units come from the largest down, each once, spaces after a unit are skipped, a space
    after a bare number makes it seconds and ends the units, and a last bare number is seconds.
    """
    order = ["start", "w", "d", "h", "m", "s", "ms", "last"]
    total, number, digits, step, at = 0, 0, False, 0, 0
    while at < len(value):
        char = value[at]
        at += 1
        if char.isascii() and char.isdigit():
            number, digits = number * 10 + int(char), True
            continue
        unit = "ms" if value[at - 1 : at + 1] == "ms" else char
        at += unit == "ms"
        if unit == " ":
            if step >= order.index("s"):
                return None
            step, scale = order.index("last"), 1000
        elif unit in UNITS:
            if step >= order.index(unit):
                return None
            step, scale = order.index(unit), round(UNITS[unit] * 1000)
        else:
            return None  # y and M too: a timeout's parse starts below them
        total += number * scale
        if total > LARGEST:
            return None
        number = 0
        while at < len(value) and value[at] == " ":
            at += 1
    total += number * 1000
    return total / 1000 if digits and total <= LARGEST else None


def headers_set(found: dict[str, list[str]]) -> dict[str, str]:
    """Each proxy_set_header of a block's directives as name (lowercase) -> value; a header set twice fails the check."""
    values: dict[str, list[str]] = {}
    for line in found.get("proxy_set_header", []):
        name, _, value = line.partition(" ")
        values.setdefault(name.lower(), []).append(value)
    for name, each in values.items():
        assert len(each) == 1, (
            f"proxy_set_header {name} is set {len(each)} times ({', '.join(each)}): nginx sends every one of "
            "them, and the upstream reads the first (or refuses two Host headers); set each header once"
        )
    return {name: each[0] for name, each in values.items()}


def braces_pair(block: str) -> None:
    """Fail with a sentence unless the block's braces pair, as nginx reads them (a comment's braces are no braces)."""
    text = re.sub(r"#[^\n]*", "", block)
    depth = list(itertools.accumulate({"{": 1, "}": -1}.get(char, 0) for char in text))
    assert min(depth, default=0) >= 0 and depth[-1:] == [0], (
        f"the block opens {text.count('{')} brace(s) and closes {text.count('}')}, and its braces do not pair: nginx "
        'refuses the whole configuration (nginx -t: unexpected "}", or unexpected end of file) and will not start; '
        "in an f-string, {{ and }} write one brace each"
    )


def nginx_t(location: str) -> subprocess.CompletedProcess:
    """`nginx -t` run on a whole configuration that serves `location` in front of the upstream daphnes; the test
    is skipped where nginx is not installed."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed here (sudo apt-get install nginx)")
    with tempfile.TemporaryDirectory() as tmp:
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(
            f"pid {tmp}/nginx.pid; error_log {tmp}/error.log; events {{}}\n"
            f"http {{ access_log off; upstream daphnes {{ server 127.0.0.1:8001; }}\n"
            # deploy/nginx.conf's map, at the http level where a location block cannot put it: the course's own form
            f"map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}\n"
            f"server {{ listen 127.0.0.1:1; {location} }} }}\n"
        )
        return subprocess.run([nginx, "-t", "-q", "-c", str(conf), "-p", tmp], capture_output=True, text=True)
