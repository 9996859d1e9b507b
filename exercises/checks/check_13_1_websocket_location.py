"""Check 13.1: nginx's location block for WebSockets (checked as text, then by `nginx -t` when nginx is here)."""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from exercises.checks import target


def directives(block: str) -> dict[str, list[str]]:
    """Each directive of the block: name -> the rest of its line, e.g. {"proxy_set_header": ["Upgrade $http_upgrade"]}."""
    found: dict[str, list[str]] = {}
    for line in block.splitlines():
        match = re.match(r"\s*([a-z_]+)\s+(.*?);\s*$", line)
        if match:
            found.setdefault(match.group(1), []).append(match.group(2))
    return found


def block() -> dict[str, list[str]]:
    return directives(target("13.1").websocket_location("daphnes"))


def test_it_speaks_http_1_1_to_the_upstream():
    assert block().get("proxy_http_version") == ["1.1"], "expected `proxy_http_version 1.1;`: upgrades need HTTP/1.1"


def test_it_passes_the_upgrade_and_connection_headers():
    headers = block().get("proxy_set_header", [])
    assert "Upgrade $http_upgrade" in headers, "expected `proxy_set_header Upgrade $http_upgrade;`"
    assert any(h.startswith("Connection ") and "upgrade" in h.lower() for h in headers), (
        'expected `proxy_set_header Connection "upgrade";`'
    )


def test_it_sets_x_forwarded_for_to_the_clients_own_address():
    headers = block().get("proxy_set_header", [])
    assert "X-Forwarded-For $remote_addr" in headers, "expected `proxy_set_header X-Forwarded-For $remote_addr;`: never append to what the client sent, Daphne trusts its first address"


def test_idle_sockets_outlive_the_60_second_default():
    timeouts = block().get("proxy_read_timeout", [])
    seconds = [int(t.rstrip("s")) for t in timeouts if t.rstrip("s").isdigit()]
    assert seconds and seconds[0] >= 300, f"expected a proxy_read_timeout of at least 300 s, got {timeouts or 'none'}"


def test_nginx_accepts_the_block():
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed here (sudo apt-get install nginx)")
    with tempfile.TemporaryDirectory() as tmp:
        conf = Path(tmp) / "nginx.conf"
        server = target("13.1").websocket_location("daphnes")
        conf.write_text(
            f"pid {tmp}/nginx.pid; error_log {tmp}/error.log; events {{}}\n"
            f"http {{ access_log off; upstream daphnes {{ server 127.0.0.1:8001; }}\n"
            f"server {{ listen 127.0.0.1:1; {server} }} }}\n"
        )
        done = subprocess.run([nginx, "-t", "-q", "-c", str(conf), "-p", tmp], capture_output=True, text=True)
    assert done.returncode == 0, f"nginx -t refuses the block: {done.stderr.strip()}"
