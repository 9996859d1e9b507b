"""Lesson 05: the course's sharded layer, chosen by a REDIS_URL that lists several servers; its proofs on two real redis-servers are in tests/test_05/test_sharding_slow.py."""

from urllib.parse import urlsplit, urlunsplit

import redis
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from channels_redis.core import RedisChannelLayer

from harness.servers import delete_prefixed_keys
from lessons.asgi import application
from lessons.channel_config import ShardedRedisChannelLayer, channel_layers
from tests.helpers.clients import (
    ORIGIN,
)


def other_database(url: str, db: int = 15) -> str:
    """The same Redis server, another database: a stand-in for a second server."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


TWO_HOSTS = "redis://127.0.0.1:6379/0,redis://127.0.0.1:6380/0"


def test_a_redis_url_listing_two_servers_configures_the_course_sharded_layer():
    assert channel_layers(TWO_HOSTS)["default"]["BACKEND"] == "lessons.channel_config.ShardedRedisChannelLayer"
    assert channel_layers(TWO_HOSTS.split(",")[0])["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"


def test_the_sharded_layer_sends_to_the_host_a_sockets_process_reads_unlike_stock():
    layer = ShardedRedisChannelLayer(**channel_layers(TWO_HOSTS)["default"]["CONFIG"])  # connects to nothing yet
    sockets = [f"specific.{layer.client_prefix}!{n:032x}" for n in range(64)]
    reader_host = layer.consistent_hash(layer.non_local_name(sockets[0]))  # what receive() hashes
    assert {layer.consistent_hash(name) for name in sockets} == {reader_host}
    stock_hosts = {RedisChannelLayer.consistent_hash(layer, name) for name in sockets}
    assert stock_hosts == {0, 1}, "the stock layer sends some of them to the other host (django/channels#1492)"


async def test_a_sharded_layer_spreads_rooms_over_its_hosts_and_still_delivers(settings, redis_url, redis_prefix):
    second = other_database(redis_url)
    settings.CHANNEL_LAYERS = channel_layers(f"{redis_url},{second}", "core", redis_prefix)
    channel_layer = get_channel_layer()
    # One room whose group lives on each host (a group's host comes from a hash of its name).
    by_host = {channel_layer.consistent_hash(f"chat-room{n}"): f"room{n}" for n in range(50)}
    rooms = [by_host[0], by_host[1]]
    sockets = [WebsocketCommunicator(application, f"/ws/chat/{room}/", headers=ORIGIN) for room in rooms]
    for communicator, room in zip(sockets, rooms, strict=True):
        await communicator.connect()
        await communicator.send_json_to({"message": f"hello {room}"})
    assert [(await c.receive_json_from())["message"] for c in sockets] == [f"hello {room}" for room in rooms]
    for host in (redis_url, second):
        assert redis.Redis.from_url(host).keys(f"{redis_prefix}:group:chat-room*"), f"no room groups on {host}"
    for communicator in sockets:
        await communicator.disconnect()
    delete_prefixed_keys(second, redis_prefix)
