"""Build CHANNEL_LAYERS from the environment's three knobs.

REDIS_URL unset              -> InMemoryChannelLayer (one process only)
REDIS_URL set                -> channels_redis.core.RedisChannelLayer (ShardedRedisChannelLayer
                                below, when REDIS_URL lists several servers)
REDIS_URL + CHANNEL_LAYER=pubsub -> channels_redis.pubsub.RedisPubSubChannelLayer

REDIS_URL may list several servers, comma-separated: the layer then shards
channels and groups over them. Lesson 05 explains every Redis option below,
and tests/test_05_redis_layer.py proves each one. Settings and the test
fixtures both call this, so a test runs exactly the configuration a student runs.
"""

import itertools
from typing import Any

from channels_redis.core import RedisChannelLayer
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff

IN_MEMORY: dict[str, Any] = {
    "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
}

# Connections one server process may open to each Redis: about one per socket
# that is talking to the layer at the same moment (redis-py's default is 100).
MAX_CONNECTIONS = 1000
# Messages waiting per channel. All sockets of one process share one channel in
# Redis (their names differ only after the "!"), so this bounds a whole
# process's backlog, not one socket's (the default is 100).
CAPACITY = 1000
EXPIRY = 60  # seconds an undelivered message waits before Redis drops it
GROUP_EXPIRY = 86400  # seconds a group membership lasts: Daphne's --websocket_timeout


def redis_host(redis_url: str) -> dict[str, Any]:
    """One Redis host entry, tuned for redis-py 8 (see lesson 05)."""
    return {
        "address": redis_url,
        # No read timeout: the core layer's blocking read (BZPOPMIN) waits 5 s
        # for a message, and redis-py 8's default 5 s socket_timeout ends it
        # first, failing every idle socket. (With any timeout, redis-py also wraps
        # each send in asyncio.wait_for, which on Python 3.11 can swallow a
        # cancellation.) TCP keepalive finds a dead server instead.
        "socket_timeout": None,
        "socket_keepalive": True,
        "socket_connect_timeout": 5,
        "max_connections": MAX_CONNECTIONS,
        # After a Redis restart every pooled connection is stale: retry a failed
        # command on a new connection, backing off, instead of failing once per
        # connection. Retried writes (ZADD of the same message) are idempotent.
        "retry": Retry(ExponentialWithJitterBackoff(cap=1, base=0.1), 6),
        # Ping a connection that sat unused this many seconds before using it.
        "health_check_interval": 10,
    }


class ShardedRedisChannelLayer(RedisChannelLayer):
    """The core layer over several hosts, sending each message to the host its reader reads.

    channels-redis 4.3.0 picks the host of a specific channel (a socket's,
    `specific.<process>!<socket>`) by hashing its full name in send() but only
    the part up to the "!" in receive(): about half the direct sends land on a
    host nobody reads (django/channels#1492). A general channel (a worker's)
    goes to the next host in turn on send(), while a worker blocks on one host
    at a time: a job can sit unseen until it expires. Here send and receive
    both hash the same name. Group names contain no "!": they hash as before.
    """

    def consistent_hash(self, value):
        # "specific.<process>!<socket>" and "specific.<process>!" share a host.
        return super().consistent_hash(self.non_local_name(value))

    async def send(self, channel, message):
        # A general channel by its name, not in turn. The parent reads this
        # iterator before its first await, so no other send can swap it.
        self._send_index_generator = itertools.repeat(self.consistent_hash(channel))
        await super().send(channel, message)

    async def receive_single(self, channel):
        self._receive_index_generator = itertools.repeat(self.consistent_hash(channel))
        return await super().receive_single(channel)


def channel_layers(redis_url: str | None, kind: str = "core", prefix: str = "asgi") -> dict[str, Any]:
    """Return a CHANNEL_LAYERS setting for the in-memory or a Redis layer."""
    if not redis_url:
        return IN_MEMORY
    hosts = [redis_host(url.strip()) for url in redis_url.split(",") if url.strip()]
    if kind == "pubsub":
        return {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": hosts, "prefix": prefix},
            }
        }
    if kind != "core":
        raise ValueError(f"CHANNEL_LAYER must be 'core' or 'pubsub', got {kind!r}")
    # With one host every name hashes to it: the stock layer is right there.
    core = (
        "lessons.channel_config.ShardedRedisChannelLayer" if len(hosts) > 1 else "channels_redis.core.RedisChannelLayer"
    )
    return {
        "default": {
            "BACKEND": core,
            "CONFIG": {
                "hosts": hosts,
                "prefix": prefix,
                "capacity": CAPACITY,
                "expiry": EXPIRY,
                "group_expiry": GROUP_EXPIRY,
            },
        }
    }
