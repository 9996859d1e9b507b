"""Build CHANNEL_LAYERS from the environment's three knobs.

REDIS_URL unset              -> InMemoryChannelLayer (one process only)
REDIS_URL set                -> channels_redis.core.RedisChannelLayer
REDIS_URL + CHANNEL_LAYER=pubsub -> channels_redis.pubsub.RedisPubSubChannelLayer

Lesson 05 explains every Redis option below. Settings and the test fixtures
both call this, so a test runs exactly the configuration a student runs.
"""

from typing import Any

IN_MEMORY: dict[str, Any] = {
    "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
}


def redis_host(redis_url: str) -> dict[str, Any]:
    """One Redis host entry, tuned for redis-py 8 (see lesson 05)."""
    return {
        "address": redis_url,
        # redis-py 8 closes a socket that is silent for 5 s; the core layer's
        # blocking read (BRPOP) waits 5 s, so the default kills idle sockets.
        "socket_timeout": 30,
        "socket_connect_timeout": 5,
        "health_check_interval": 10,
    }


def channel_layers(redis_url: str | None, kind: str = "core", prefix: str = "asgi") -> dict[str, Any]:
    """Return a CHANNEL_LAYERS setting for the in-memory or a Redis layer."""
    if not redis_url:
        return IN_MEMORY
    if kind == "pubsub":
        return {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [redis_host(redis_url)], "prefix": prefix},
            }
        }
    if kind != "core":
        raise ValueError(f"CHANNEL_LAYER must be 'core' or 'pubsub', got {kind!r}")
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [redis_host(redis_url)],
                "prefix": prefix,
                # capacity is per channel; see lesson 05 for the burst it absorbs.
                "capacity": 1000,
            },
        }
    }
