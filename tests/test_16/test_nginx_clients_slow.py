"""Lesson 16 (and 13): deploy/nginx.conf's limit_conn counts a client as the application does (lessons/clients.py).

The shipped `map` that makes limit_conn's key, run by a real nginx on addresses of every shape nginx can write:
realip sets $remote_addr from a header (only the test's nginx trusts it), and a location answers the key.
Two addresses get one key exactly when client_address() makes them one client, and none when it counts neither.
"""

import functools
import re
import tempfile
import urllib.request
from pathlib import Path

import pytest

from harness.deployment import MAIN_CONF, NGINX, SITE
from harness.patience import FRAME
from harness.servers import ServerProcess, free_port
from lessons.clients import client_address
from tests.helpers import require

pytestmark = pytest.mark.slow
ADDRESSES = [
    "203.0.113.7", "203.0.113.8", "::ffff:203.0.113.7", "127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1",
    "2001:db8:1:2::10", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:3::10",
    "2001:db8::1", "2001:db8:0:0:1::1", "2001:db8::1:0:0:1", "2001:db8:0:1::1", "2001:db8:0:1:2:3:4:5",
    "1::2:3:4:5:6", "1:0:0:2::", "1::", "1:0:0:2:0:0:0:7",
    "::2:3:4:5:6:7", "0:0:2:3::1", "::3:4:5:6:7", "0:0:0:3::1", "::", "::5", "0:0:0:0:1::",
    "a:b:c::", "a:b:c:0:1::", "a:b:c:d:e:f:0:1", "a:b:c:d::1",
]  # fmt: skip


@functools.cache
def keys_by_nginx() -> dict[str, str]:
    """What the shipped map keys each of ADDRESSES by, asked of a real nginx started and stopped here."""
    require(Path(NGINX).exists(), "nginx not found; install it with `sudo apt-get install nginx`")
    shipped = SITE.read_text(encoding="utf-8")
    (map_block,) = re.findall(r"^map \$remote_addr \$limited_address \{.*?^\}", shipped, re.DOTALL | re.MULTILINE)
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "tmp").mkdir()
        (Path(folder) / "nginx.conf").write_text(MAIN_CONF)
        (Path(folder) / "site.conf").write_text(
            map_block + f"\nserver {{\n    listen 127.0.0.1:{port};\n    set_real_ip_from 127.0.0.1;\n"
            '    real_ip_header X-Client;\n    location / { return 200 "[$limited_address]"; }\n}\n'
        )
        nginx = ServerProcess("nginx", [NGINX, "-p", f"{folder}/", "-c", f"{folder}/nginx.conf"], None, port)
        try:
            keys = {}
            for address in ADDRESSES:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"X-Client": address})
                with urllib.request.urlopen(request, timeout=FRAME) as answer:
                    keys[address] = answer.read().decode("latin-1")[1:-1]  # shipped, a key was once binary
            return keys
        finally:
            nginx.stop()


def test_nginx_counts_no_one_where_the_application_counts_no_one():
    uncounted = {address for address in ADDRESSES if client_address({"client": (address, 0)}) is None}
    assert {address for address, key in keys_by_nginx().items() if key == ""} == uncounted


def test_nginx_keys_two_addresses_alike_exactly_when_they_are_one_client():
    ours = {address: client_address({"client": (address, 0)}) for address in ADDRESSES}
    disagree = [
        (one, other, keys_by_nginx()[one], keys_by_nginx()[other])
        for one in ADDRESSES
        for other in ADDRESSES
        if one < other
        and ours[one] is not None
        and (ours[one] == ours[other]) != (keys_by_nginx()[one] == keys_by_nginx()[other])
    ]
    assert disagree == []


def test_limit_conn_counts_by_that_key_and_daphne_is_given_the_whole_address():
    shipped = SITE.read_text(encoding="utf-8")
    assert "limit_conn_zone $limited_address zone=perip:10m;" in shipped
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in shipped  # the application makes the /64 itself
