"""Lesson 13 on real processes: a Daphne killed mid-chat behind nginx; its clients reconnect to the
other, and the liveblog loses nothing."""

import asyncio
import json
import statistics
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from db_demo.models import Post
from harness.patience import FRAME
from layers_demo.validation import room_group
from tests.helpers import eventually

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


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
                async with connect(self.url(), origin=self.site.http_url, open_timeout=FRAME) as socket:
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
async def test_when_a_daphne_dies_its_clients_reconnect_and_the_liveblog_loses_nothing(layer, deployment):
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
    try:
        # Each client on the killed Daphne reconnects, and every liveblog reader catches up on every post.
        await eventually(
            lambda: (
                all(any(t > killed_at for t in c.opened) for c in clients if any(t > killed_at for t in c.dropped))
                and all(set(posts) <= {f["post"]["id"] for f in r.frames if "post" in f} for r in readers)
            ),
            "every dropped client reopened through nginx and every reader holds every post",
        )
    finally:
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
    assert 0 < len(moved) < len(clients)  # nginx had spread them over both; each moved one reconnected above
    assert (posts_lost, posts_twice, chat_twice) == (0, 0, 0)
    assert all(ids == sorted(ids) for ids in read)
