"""Build CHANNEL_LAYERS from the environment's knobs.

REDIS_URL unset              -> InMemoryChannelLayer (one process only)
REDIS_URL set                -> channels_redis.core.RedisChannelLayer (ShardedRedisChannelLayer
                                below, when REDIS_URL lists several servers)
REDIS_URL + CHANNEL_LAYER=pubsub -> channels_redis.pubsub.RedisPubSubChannelLayer
REDIS_SENTINELS set          -> the same Redis layers, on the primary that Sentinel names
                                (REDIS_SENTINEL_MASTER); REDIS_URL is then not used
CHANNEL_LAYER=postgres + POSTGRES_URL -> channels_postgres's layer (lessons/postgres_layer.py, lesson 15)

REDIS_URL may list several servers, comma-separated: the layer then shards
channels and groups over them. Lesson 15 explains Sentinel. Lesson 05 explains every Redis option below,
and tests/test_05/test_redis_layer.py proves each one. Settings and the test
fixtures both call this, so a test runs exactly the configuration a student runs.
"""

import itertools
from typing import Any

import dj_database_url
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
# The name Sentinel knows the primary by ("sentinel monitor <name> ..." in deploy/sentinel.conf).
SENTINEL_MASTER = "mymaster"


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


def sentinel_addresses(sentinels: str) -> list[tuple[str, int]]:
    """REDIS_SENTINELS ("host:port,host:port") as (host, port) pairs; ValueError naming a bad entry."""
    addresses = []
    for entry in (part.strip() for part in sentinels.split(",")):
        host, _, port = entry.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"REDIS_SENTINELS entries are host:port, comma-separated; got {entry!r}")
        addresses.append((host.strip("[]"), int(port)))  # "[::1]:26379" -> ("::1", 26379)
    return addresses


def sentinel_host(sentinels: str, master: str = SENTINEL_MASTER) -> dict[str, Any]:
    """One host entry whose primary Sentinel names, with redis_host's settings (see lesson 15)."""
    # Everything lesson 05 proves for one server, minus the address: channels-redis
    # hands the rest to redis-py's SentinelConnectionPool, which asks the sentinels
    # for the primary's address before every new connection, and again after one fails.
    host = redis_host("")
    del host["address"]
    host.update(
        sentinels=sentinel_addresses(sentinels),
        master_name=master,
        # A sentinel answers one short command (SENTINEL MASTERS): give up on a
        # hung one after 1 s and ask the next, not after redis-py 8's 5 s.
        sentinel_kwargs={"socket_connect_timeout": 1, "socket_timeout": 1},
    )
    return host


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


def channel_layers(
    redis_url: str | None,
    kind: str = "core",
    prefix: str = "asgi",
    *,
    sentinels: str | None = None,
    master: str = SENTINEL_MASTER,
    postgres_url: str | None = None,
) -> dict[str, Any]:
    """Return a CHANNEL_LAYERS setting: in-memory, Redis (through Sentinel, given sentinels) or PostgreSQL."""
    if kind == "postgres":
        return postgres_layers(postgres_url, prefix)
    if sentinels:
        # One primary at a time, wherever Sentinel says it is: one host, never sharded.
        hosts = [sentinel_host(sentinels, master)]
    elif not redis_url:
        return IN_MEMORY
    else:
        hosts = [redis_host(url.strip()) for url in redis_url.split(",") if url.strip()]
    if kind == "pubsub":
        return {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": hosts, "prefix": prefix},
            }
        }
    if kind != "core":
        raise ValueError(f"CHANNEL_LAYER must be 'core', 'pubsub' or 'postgres', got {kind!r}")
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


# --- lesson 15: channels_postgres, the other production layer ----------------

# The Django database alias channels_postgres reads and writes its two tables
# through: the layer itself talks psycopg on a pool of its own, but leaving a
# group (group_discard) goes through the ORM on this alias, and
# `migrate --database channels_postgres` creates the tables there.
POSTGRES_ALIAS = "channels_postgres"
# The layer's psycopg_pool (one per process, plus one LISTEN connection).
POSTGRES_POOL = {
    # psycopg_pool's default size, 4, makes every socket beyond the fourth that
    # talks to the layer at the same moment wait its turn.
    "min_size": 4,
    "max_size": 20,
    # While PostgreSQL is down, fail in 5 s (the chat closes with 4503), not the default 30.
    # After a restart each dead pooled connection fails one operation and is
    # dropped. (With psycopg_pool's `check` on, the first operation here waited
    # out this whole timeout instead: measured, so not used.)
    "timeout": 5,
}


def postgres_database(postgres_url: str | None) -> dict[str, Any]:
    """The DATABASES entry (alias channels_postgres) for the PostgreSQL layer's own database."""
    if not postgres_url:
        raise ValueError("CHANNEL_LAYER=postgres needs POSTGRES_URL, e.g. postgres://postgres@127.0.0.1:5432/layer")
    database = dj_database_url.parse(postgres_url)
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise ValueError(f"POSTGRES_URL must name a PostgreSQL database, got {database['ENGINE']}")
    return database


def postgres_layers(postgres_url: str | None, prefix: str = "asgi") -> dict[str, Any]:
    """A CHANNEL_LAYERS setting for channels_postgres on the database at `postgres_url`."""
    return {
        "default": {
            # channels_postgres's layer, listening again after a PostgreSQL
            # restart (lessons/postgres_layer.py says why).
            "BACKEND": "lessons.postgres_layer.PostgresChannelLayer",
            # Its CONFIG is a Django DATABASES entry plus the layer's own options.
            "CONFIG": {
                **postgres_database(postgres_url),
                # The layer builds a Django DatabaseWrapper from this dict, without
                # the defaults Django fills into DATABASES entries; with USE_TZ on,
                # a missing TIME_ZONE raises KeyError, which get_channel_layer()
                # swallows and returns None (danidee10/channels_postgres#55).
                "TIME_ZONE": None,
                "prefix": prefix,
                # The layer has no capacity: nothing raises ChannelFull, and what a
                # process was NOTIFYed of and has not read waits in its memory,
                # unbounded. A message older than this is never delivered (60 s, as on Redis).
                "expiry": EXPIRY,
                # 0 (its default) keeps a membership forever; with a value, a
                # membership older than this is only swept 10-20 minutes after some
                # group_discard (channels_postgres db.py): group_send never checks
                # it. Set anyway, so a crashed process's memberships do end.
                "group_expiry": GROUP_EXPIRY,
                "PSYCOPG_OPTIONS": POSTGRES_POOL,
            },
        }
    }


class PostgresLayerRouter:
    """Keeps channels_postgres's tables in their own database and the course's tables out of it.

    `python manage.py migrate` then creates nothing of the layer's on the
    default database, and `migrate --database channels_postgres` nothing but
    the layer's tables (each database records its own migrations). Queries on
    the layer's models (a GroupChannel in the shell) go to its database.
    """

    def db_for_read(self, model, **hints):
        return POSTGRES_ALIAS if model._meta.app_label == "channels_postgres" else None

    db_for_write = db_for_read

    def allow_migrate(self, db, app_label, **hints):
        if app_label == "channels_postgres":
            return db == POSTGRES_ALIAS
        return False if db == POSTGRES_ALIAS else None
