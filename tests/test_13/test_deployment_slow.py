"""Lesson 13 on real processes: deploy/nginx.conf in front of two Daphnes on one Redis, then one of them killed."""

import asyncio
import json
import urllib.error
import urllib.request
from pathlib import Path

import django
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from harness.patience import FRAME
from tests.helpers import eventually

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
FORGED = {"X-Forwarded-For": "6.6.6.6"}


def access_log_lines(site, needle: str) -> dict[str, list[str]]:
    """Each Daphne's access-log lines holding `needle`, by Daphne ("a", "b")."""
    return {
        path.stem[-1]: [line for line in path.read_text().splitlines() if needle in line]
        for path in sorted(site.workdir.glob("access-*.log"))
    }


async def test_two_sockets_through_nginx_land_on_both_daphnes_and_chat_through_redis(deployed_site):
    site = deployed_site
    async with connect(site.ws_url("ws/chat/deploy/"), origin=site.http_url) as alice:
        async with connect(site.ws_url("ws/chat/deploy/"), origin=site.http_url) as bob:
            await alice.send(json.dumps({"message": "through nginx"}))
            heard = json.loads(await asyncio.wait_for(bob.recv(), FRAME))
    assert heard["message"] == "through nginx"  # the upgrade passed, and Redis joined the two processes

    def connects() -> dict[str, list[str]]:
        return access_log_lines(site, "WSCONNECT /ws/chat/deploy/")

    await eventually(lambda: all(connects()[name] for name in ("a", "b")), f"both Daphnes log a connect: {connects()}")


async def test_behind_nginx_daphne_logs_the_visitor_not_an_address_the_visitor_wrote(deployed_site):
    site = deployed_site
    async with connect(site.ws_url("ws/sync/scope/via-nginx/"), origin=site.http_url, additional_headers=FORGED):
        pass
    direct = site.daphnes[0]  # what nginx prevents: anyone who reaches Daphne itself chooses their address
    async with connect(direct.ws_url("ws/sync/scope/direct/"), origin=direct.http_url, additional_headers=FORGED):
        pass
    # Each Daphne writes its access log in its own time: wait for both lines.
    via_nginx = await eventually(
        lambda: sum(access_log_lines(site, "WSCONNECT /ws/sync/scope/via-nginx/").values(), []), "the line via nginx"
    )
    direct_lines = await eventually(lambda: access_log_lines(site, "WSCONNECT /ws/sync/scope/direct/")["a"], "Daphne's")
    assert [line.split()[0] for line in via_nginx] == ["127.0.0.1:0"]
    assert [line.split()[0] for line in direct_lines] == ["6.6.6.6:0"]


@pytest.mark.parametrize(
    ("origin_header", "accepted"),
    [("{site}", True), ("http://evil.example", False), ("http://127.0.0.1.evil.example", False)],
)
async def test_the_origin_check_still_holds_behind_nginx(deployed_site, origin_header, accepted):
    site = deployed_site
    try:
        async with connect(site.ws_url("ws/sync/echo/"), origin=origin_header.format(site=site.http_url)) as socket:
            await socket.send("hello")
            answered = await socket.recv()
    except InvalidStatus as refused:
        answered = refused.response.status_code
    assert answered == ("hello" if accepted else 403)


def test_nginx_serves_collected_static_files_itself(deployed_site):
    site = deployed_site
    with urllib.request.urlopen(f"http://127.0.0.1:{site.port}/static/admin/css/base.css", timeout=FRAME) as response:
        body, headers = response.read(), response.headers
    assert body == (Path(django.__file__).parent / "contrib/admin/static/admin/css/base.css").read_bytes()
    assert headers["Cache-Control"] == "max-age=3600"  # `expires 1h`: nginx answered
    assert access_log_lines(site, "/static/") == {"a": [], "b": []}  # no Daphne saw it


async def test_an_idle_socket_outlives_proxy_read_timeout_only_if_daphne_pings_it(deployment):
    site = deployment(read_timeout="4s", ping_intervals=(1, 20))  # Daphne a pings, b stays silent for 20 s
    alive = {}
    for n in (1, 2):  # round robin: one socket on each Daphne
        socket = await connect(site.ws_url(f"ws/sync/scope/idle-{n}/"), origin=site.http_url, ping_interval=None)
        alive[n] = socket
    await asyncio.sleep(6)  # idle for longer than proxy_read_timeout
    for n, socket in alive.items():
        try:
            await socket.send("still there?")
            alive[n] = "instance" in await asyncio.wait_for(socket.recv(), 2)
        except ConnectionClosed:
            alive[n] = False
        await socket.close()
    on_a = [n for n in (1, 2) if access_log_lines(site, f"WSCONNECT /ws/sync/scope/idle-{n}/")["a"]]
    assert len(on_a) == 1
    assert alive == {n: n in on_a for n in (1, 2)}  # the pinged one lives; nginx closed the silent one


NGINX_VARIANTS = {
    "as-shipped": lambda site: site,
    "buffering-on-header-ignored": lambda site: site.replace(
        "proxy_buffering off;", "proxy_buffering on; proxy_ignore_headers X-Accel-Buffering;"
    ),
    "gzip": lambda site: site.replace(
        "proxy_buffering off;", "proxy_buffering off; gzip on; gzip_types text/event-stream;"
    ),
}


async def first_event_through(port: int) -> bytes:
    """Open GET /http/ticker/?interval=1 through nginx; the body's first bytes, or b"" if none came within FRAME.

    One 40-byte event a second: a proxy that held them for its 4 KiB buffer would pass its
    first byte only after about 100 s, however fast the machine; one that passes each on
    at once passes the first within a second, and within FRAME on a slow machine.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /http/ticker/?interval=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n")
    received = b""
    try:
        async with asyncio.timeout(FRAME):
            while b"\r\n\r\n" not in received or len(received.split(b"\r\n\r\n", 1)[1]) < 20:
                received += await reader.read(4096)
    except TimeoutError:
        pass
    finally:
        writer.close()
    return received.partition(b"\r\n\r\n")[2]


@pytest.mark.parametrize("variant", NGINX_VARIANTS)
async def test_nginx_passes_each_event_on_as_it_comes_even_buffering_or_gzipping(deployment, variant):
    """Lesson 10: one 40-byte event a second. nginx 1.22 passes each on at once, with proxy_buffering on and
    even gzipped (a flush per chunk): the first event comes through long before a 4 KiB buffer could fill."""
    site = deployment(edit_site=NGINX_VARIANTS[variant])
    assert await first_event_through(site.port) != b""
