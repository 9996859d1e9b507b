"""Lesson 05: a layer sharded over two real Redis servers loses nothing.

channels-redis 4.3.0's core layer, given several hosts, sends a message for a
specific channel to the host its full name hashes to, while the reader reads
the host the part before the "!" hashes to (django/channels#1492); and it sends
a general channel's jobs to each host in turn while the worker blocks on one.
The first two tests prove those losses on the stock layer, so they fail (and
tell us to drop our fix) once upstream repairs it. The others prove the
course's layer (lessons/channel_config.py) delivers everything, from the layer
up to real Daphne and runworker processes.
"""

import asyncio
import json
import subprocess
import sys

import pytest
from channels.db import database_sync_to_async
from channels_redis.core import RedisChannelLayer

from db_demo.models import Post
from harness.patience import CONDITION, FRAME, SERVER_STOP
from harness.servers import REPO_DIR, daphne_env
from layers_demo.primes import WORKER_CHANNEL
from lessons.channel_config import ShardedRedisChannelLayer, channel_layers
from tests.helpers.clients import chat_socket, next_frame, open_socket

QUIET = 0.5  # proving a message does not come: a short wait (lesson 09), unlike one that must come

pytestmark = pytest.mark.slow


def two_layers(layer_class, redis_urls: str):
    """Two layer objects on the same hosts: to Redis, two server processes."""
    config = channel_layers(redis_urls, "core", "sharding")["default"]["CONFIG"]
    return layer_class(**config), layer_class(**config)


async def receive_or_none(layer, channel: str, timeout: float = FRAME):
    """The next message on `channel`, or None; a message that must not come is waited QUIET, not FRAME."""
    try:
        return await asyncio.wait_for(layer.receive(channel), timeout)
    except TimeoutError:
        return None


async def channels_on_both_sides_of_the_bug(layer) -> tuple[list[str], list[str]]:
    """Eight channel names the stock layer sends to their reader's host, eight it sends elsewhere."""
    agree, disagree = [], []
    while len(agree) < 8 or len(disagree) < 8:
        name = await layer.new_channel()
        same = RedisChannelLayer.consistent_hash(layer, name) == layer.consistent_hash(layer.non_local_name(name))
        (agree if same else disagree).append(name)
    return agree[:8], disagree[:8]


async def test_stock_channels_redis_loses_the_direct_sends_hashed_to_the_other_server(two_redis_servers):
    sender, reader = two_layers(RedisChannelLayer, two_redis_servers)
    kept, lost = await channels_on_both_sides_of_the_bug(reader)
    for channel in kept + lost:
        await sender.send(channel, {"type": "direct.message", "to": channel})
    assert [channel for channel in kept if await receive_or_none(reader, channel)] == kept
    strays = [channel for channel in lost if await receive_or_none(reader, channel, QUIET)]
    assert strays == [], "channels-redis now delivers every direct send: drop ShardedRedisChannelLayer"
    await sender.flush()


async def test_stock_channels_redis_strands_a_job_on_the_server_the_worker_is_not_reading(two_redis_servers):
    first_server, worker = two_layers(RedisChannelLayer, two_redis_servers)
    second_server, _ = two_layers(RedisChannelLayer, two_redis_servers)
    # Each server process starts its round-robin at host 0; the worker reads host 0, then host 1.
    await first_server.send(WORKER_CHANNEL, {"type": "primes.count", "below": 1})
    await second_server.send(WORKER_CHANNEL, {"type": "primes.count", "below": 2})
    jobs = [await receive_or_none(worker, WORKER_CHANNEL), await receive_or_none(worker, WORKER_CHANNEL, QUIET)]
    assert jobs == [{"type": "primes.count", "below": 1}, None], "channels-redis now finds every job"
    await first_server.flush()


async def test_the_course_layer_delivers_every_direct_send_across_two_redis_servers(two_redis_servers):
    sender, reader = two_layers(ShardedRedisChannelLayer, two_redis_servers)
    kept, lost_by_stock = await channels_on_both_sides_of_the_bug(reader)
    for channel in kept + lost_by_stock:
        await sender.send(channel, {"type": "direct.message", "to": channel})
    arrived = [channel for channel in kept + lost_by_stock if await receive_or_none(reader, channel)]
    assert arrived == kept + lost_by_stock
    await sender.flush()


async def test_the_course_layer_finds_every_worker_job_across_two_redis_servers(two_redis_servers):
    first_server, worker = two_layers(ShardedRedisChannelLayer, two_redis_servers)
    second_server, _ = two_layers(ShardedRedisChannelLayer, two_redis_servers)
    sends = [
        server.send(WORKER_CHANNEL, {"type": "primes.count", "below": n})
        for n, server in enumerate([first_server, second_server, first_server, second_server])
    ]
    await asyncio.gather(*sends)  # concurrent sends each still pick their channel's host
    jobs = [await receive_or_none(worker, WORKER_CHANNEL) for _ in range(4)]
    assert sorted(job["below"] for job in jobs if job) == [0, 1, 2, 3]
    await first_server.flush()


async def test_two_daphnes_sharded_over_two_redis_deliver_every_direct_and_room_message(daphne, two_redis_servers):
    first, second = daphne(two_redis_servers), daphne(two_redis_servers)
    senders = [await open_socket(first, "ws/layers/direct/") for _ in range(2)]
    readers = [await open_socket(second, "ws/layers/direct/") for _ in range(6)]
    for ws in senders:
        await next_frame(ws)  # its own address
    addresses = [(await next_frame(ws))["address"] for ws in readers]
    for sender in senders:
        for address in addresses:
            await sender.send(json.dumps({"to": address, "message": "across shards"}))
    got = [[(await next_frame(ws))["message"] for _ in senders] for ws in readers]
    assert got == [["across shards"] * 2] * 6  # all 12 direct sends
    alice, bob = await chat_socket(first, "lobby"), await chat_socket(second, "lobby")
    await alice.send(json.dumps({"message": "room across shards"}))
    assert (await next_frame(bob))["message"] == "room across shards"
    for ws in [*senders, *readers, alice, bob]:
        await ws.close()


@pytest.mark.django_db(transaction=True)
async def test_a_worker_and_the_liveblog_sharded_over_two_redis_answer_every_socket(
    daphne, two_redis_servers, redis_prefix, settings
):
    from django.db import connection

    server = daphne(two_redis_servers)
    env = daphne_env(connection.settings_dict, two_redis_servers, redis_prefix)
    worker = subprocess.Popen([sys.executable, "manage.py", "runworker", WORKER_CHANNEL], cwd=REPO_DIR, env=env)
    settings.CHANNEL_LAYERS = channel_layers(two_redis_servers, "core", redis_prefix)  # this process saves a post
    try:
        sockets = [await open_socket(server, "ws/layers/primes/") for _ in range(6)]
        for ws in sockets:
            await ws.send(json.dumps({"below": 100}))
            assert await next_frame(ws) == {"queued": 100}
        assert [await next_frame(ws, timeout=CONDITION) for ws in sockets] == [{"below": 100, "primes": 25}] * 6
        liveblog = await open_socket(server, "ws/liveblog/")
        post = await database_sync_to_async(Post.objects.create)(title="Sharded", body="and delivered")
        assert await next_frame(liveblog) == {"post": {"id": post.pk, "title": "Sharded", "body": "and delivered"}}
        for ws in [*sockets, liveblog]:
            await ws.close()
    finally:
        worker.terminate()
        worker.wait(timeout=SERVER_STOP)
