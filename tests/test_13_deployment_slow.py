"""Lesson 13 on real processes: deploy/nginx.conf in front of two Daphnes on one Redis, then one of them killed."""

import asyncio
import contextlib
import json
import statistics
import time
import urllib.error
import urllib.request

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from db_demo.models import Post
from layers_demo.hardened_chat import room_group
from lessons.catalogue import REPO_DIR

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
FORGED = {"X-Forwarded-For": "6.6.6.6"}


def origin(server) -> str:
    return f"http://127.0.0.1:{server.port}"


def access_log_lines(site, needle: str) -> dict[str, list[str]]:
    """Each Daphne's access-log lines holding `needle`, by Daphne ("a", "b")."""
    return {
        path.stem[-1]: [line for line in path.read_text().splitlines() if needle in line]
        for path in sorted(site.workdir.glob("access-*.log"))
    }


async def test_two_sockets_through_nginx_land_on_both_daphnes_and_chat_through_redis(deployed_site):
    site = deployed_site
    async with connect(site.ws_url("ws/chat/deploy/"), origin=origin(site)) as alice:
        async with connect(site.ws_url("ws/chat/deploy/"), origin=origin(site)) as bob:
            await alice.send(json.dumps({"message": "through nginx"}))
            heard = json.loads(await asyncio.wait_for(bob.recv(), 5))
    connects = access_log_lines(site, "WSCONNECT /ws/chat/deploy/")
    assert heard["message"] == "through nginx"  # the upgrade passed, and Redis joined the two processes
    assert all(connects[name] for name in ("a", "b")), connects


async def test_behind_nginx_daphne_logs_the_visitor_not_an_address_the_visitor_wrote(deployed_site):
    site = deployed_site
    async with connect(site.ws_url("ws/sync/scope/via-nginx/"), origin=origin(site), additional_headers=FORGED):
        pass
    direct = site.daphnes[0]  # what nginx prevents: anyone who reaches Daphne itself chooses their address
    async with connect(direct.ws_url("ws/sync/scope/direct/"), origin=origin(direct), additional_headers=FORGED):
        pass
    await asyncio.sleep(0.2)  # the access log is written as the socket closes
    via_nginx = sum(access_log_lines(site, "WSCONNECT /ws/sync/scope/via-nginx/").values(), [])
    direct_lines = access_log_lines(site, "WSCONNECT /ws/sync/scope/direct/")["a"]
    assert [line.split()[0] for line in via_nginx] == ["127.0.0.1:0"]
    assert [line.split()[0] for line in direct_lines] == ["6.6.6.6:0"]


@pytest.mark.parametrize(
    ("origin_header", "accepted"),
    [("{site}", True), ("http://evil.example", False), ("http://127.0.0.1.evil.example", False)],
)
async def test_the_origin_check_still_holds_behind_nginx(deployed_site, origin_header, accepted):
    site = deployed_site
    try:
        async with connect(site.ws_url("ws/sync/echo/"), origin=origin_header.format(site=origin(site))) as socket:
            await socket.send("hello")
            answered = await socket.recv()
    except InvalidStatus as refused:
        answered = refused.response.status_code
    assert answered == ("hello" if accepted else 403)


def test_nginx_serves_collected_static_files_itself(deployed_site):
    site = deployed_site
    with urllib.request.urlopen(f"http://127.0.0.1:{site.port}/static/lessons/client.js", timeout=5) as response:
        body, headers = response.read(), response.headers
    assert body == (REPO_DIR / "lessons/static/lessons/client.js").read_bytes()
    assert headers["Cache-Control"] == "max-age=3600"  # `expires 1h`: nginx answered
    assert access_log_lines(site, "/static/") == {"a": [], "b": []}  # no Daphne saw it


async def test_an_idle_socket_outlives_proxy_read_timeout_only_if_daphne_pings_it(deployment):
    site = deployment(read_timeout="4s", ping_intervals=(1, 20))  # Daphne a pings, b stays silent for 20 s
    alive = {}
    for n in (1, 2):  # round robin: one socket on each Daphne
        socket = await connect(site.ws_url(f"ws/sync/scope/idle-{n}/"), origin=origin(site), ping_interval=None)
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


# --- a Daphne killed mid-chat -------------------------------------------------


class Client:
    """One socket through nginx that reconnects at once (then every 0.1 s) whenever it is dropped."""

    def __init__(self, site, path: str):
        self.site, self.path = site, path
        self.frames: list[dict] = []
        self.opened: list[float] = []  # when each connection opened
        self.dropped: list[float] = []  # when each connection broke

    def url(self) -> str:
        return self.site.ws_url(self.path)

    async def run(self) -> None:
        while True:
            try:
                async with connect(self.url(), origin=origin(self.site), open_timeout=5) as socket:
                    self.opened.append(time.monotonic())
                    async for frame in socket:
                        self.frames.append(json.loads(frame))
            except (OSError, ConnectionClosed, InvalidStatus, TimeoutError):
                pass
            self.dropped.append(time.monotonic())
            await asyncio.sleep(0.1)


class LiveblogClient(Client):
    """A liveblog socket that reconnects asking for what it missed (lesson 12)."""

    def url(self) -> str:
        last = max((frame["post"]["id"] for frame in self.frames), default=self.since)
        return self.site.ws_url(f"ws/liveblog/?since={last}")


def save_post(n: int) -> int:
    return Post.objects.create(title=f"post {n}", body="saved while a server died").pk


@pytest.mark.parametrize("layer", ["redis"], indirect=True)
async def test_a_daphne_killed_mid_chat_its_clients_reconnect_to_the_other_and_the_liveblog_loses_nothing(
    layer, deployment
):
    site = deployment()
    since = await database_sync_to_async(lambda: Post.objects.order_by("-pk").values_list("pk", flat=True).first())()
    chatters = [Client(site, "ws/chat/crash/") for _ in range(6)]
    readers = [LiveblogClient(site, "ws/liveblog/") for _ in range(4)]
    for reader in readers:
        reader.since = since or 0
    clients = chatters + readers
    tasks = [asyncio.create_task(client.run()) for client in clients]
    while not all(client.opened for client in clients):
        await asyncio.sleep(0.05)
    layer_ = get_channel_layer()
    sent, posts = 0, []
    killed_at = None
    started = time.monotonic()
    while time.monotonic() - started < 3:
        # A chat message every 20 ms (as `manage.py announce` sends one), a liveblog post every 100 ms.
        await layer_.group_send(room_group("crash"), {"type": "chat.message", "message": str(sent), "sender": "test"})
        sent += 1
        if sent % 5 == 0:
            posts.append(await database_sync_to_async(save_post)(sent))
        if killed_at is None and time.monotonic() - started > 1:
            site.kill(site.daphnes[0])
            killed_at = time.monotonic()
        await asyncio.sleep(0.02)
    await asyncio.sleep(1)  # let the last ones arrive
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    moved = [client for client in clients if any(t > killed_at for t in client.dropped)]
    reconnect = [min(t for t in client.opened if t > killed_at) - killed_at for client in moved]
    heard = [[f["message"] for f in client.frames if "message" in f] for client in chatters]
    chat_lost = sum(sent - len(set(messages)) for messages in heard)
    chat_twice = sum(len(messages) - len(set(messages)) for messages in heard)
    read = [[f["post"]["id"] for f in client.frames if "post" in f] for client in readers]
    posts_lost = sum(len(set(posts) - set(ids)) for ids in read)
    posts_twice = sum(len(ids) - len(set(ids)) for ids in read)
    print(
        f"\n{len(moved)} of {len(clients)} clients were on the killed Daphne; reconnected through nginx in "
        f"{statistics.median(reconnect):.2f} s median, {max(reconnect):.2f} s max. Chat: {sent} messages x "
        f"{len(chatters)} sockets, {chat_lost} deliveries lost (at-most-once), {chat_twice} twice. Liveblog: "
        f"{len(posts)} posts x {len(readers)} sockets, {posts_lost} lost, {posts_twice} twice."
    )
    assert 0 < len(moved) < len(clients)  # nginx had spread them over both
    assert max(reconnect) < 5
    assert (posts_lost, posts_twice, chat_twice) == (0, 0, 0)
    assert all(ids == sorted(ids) for ids in read)


NGINX_VARIANTS = {
    "as-shipped": lambda site: site,
    "buffering-on-header-ignored": lambda site: site.replace(
        "proxy_buffering off;", "proxy_buffering on; proxy_ignore_headers X-Accel-Buffering;"
    ),
    "gzip": lambda site: site.replace(
        "proxy_buffering off;", "proxy_buffering off; gzip on; gzip_types text/event-stream;"
    ),
}


async def stream_bytes_within(port: int, seconds: float) -> int:
    """Open GET /http/ticker/?interval=0.1 through nginx; how many body bytes arrive within `seconds`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /http/ticker/?interval=0.1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n")
    received = b""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            while True:
                received += await reader.read(4096)
    writer.close()
    return len(received.split(b"\r\n\r\n", 1)[-1])


@pytest.mark.parametrize("variant", NGINX_VARIANTS)
async def test_nginx_passes_each_event_on_as_it_comes_even_buffering_or_gzipping(deployment, variant):
    """Lesson 10: ten 40-byte events a second. A proxy that held them for a 4 KiB buffer would pass ~0 bytes
    in 1.5 s; nginx 1.22 passes each on at once, with proxy_buffering on and even gzipped (a flush per chunk)."""
    site = deployment(edit_site=NGINX_VARIANTS[variant])
    assert await stream_bytes_within(site.port, 1.5) > 200
