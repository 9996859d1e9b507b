"""Check 05.5 (fix): the layer's blocking read must outlive redis-py 8's read timeout: socket_timeout None per host.

Waiting out the real failure takes 5 s, so the check reads the read timeout
each host's connections will really get (redis-py's own default included)
and compares it with the layer's blocking read; then it sends a message
through the layer on the real Redis.
"""

import asyncio
import inspect

import pytest
import redis
import redis.asyncio.connection
from channels_redis.utils import create_pool
from django.utils.module_loading import import_string

from exercises.checks.fixlab import load

RULE = (
    "The core layer's receive() blocks in Redis for up to brpop_timeout (5 s); redis-py 8 reads with a 5 s "
    'socket_timeout by default: give each host {"address": ..., "socket_timeout": None, "socket_keepalive": True}'
)
REDIS_PY_DEFAULT = (
    inspect.signature(redis.asyncio.connection.AbstractConnection.__init__).parameters["socket_timeout"].default
)


def layer():
    module = load("05.5", RULE)
    try:
        redis.Redis.from_url(module.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.fail(
            f"no Redis answers at {module.REDIS_URL} ({error}): start one (`redis-server --daemonize yes`) "
            "or set REDIS_URL, then check again",
            pytrace=False,
        )
    config = module.CHANNEL_LAYERS["default"]
    try:
        return import_string(config["BACKEND"])(**config.get("CONFIG", {}))
    except TypeError as error:
        raise AssertionError(f"the layer cannot be built from your setting: TypeError: {error}. {RULE}") from error


def test_a_quiet_channel_outlives_the_read_timeout():
    built = layer()
    for host in built.hosts:
        timeout = create_pool(host).connection_kwargs.get("socket_timeout", REDIS_PY_DEFAULT)
        assert timeout is None or timeout > built.brpop_timeout, (
            f"host {host}: its connections read with a {timeout} s socket_timeout, and the layer's blocking read "
            f"waits {built.brpop_timeout} s: every quiet socket fails with redis.exceptions.TimeoutError: Timeout "
            f"reading from ... {RULE}"
        )


async def test_a_message_still_goes_through_the_layer():
    built = layer()
    channel = await built.new_channel()
    await built.send(channel, {"type": "chat.message", "message": "still here"})
    async with asyncio.timeout(2):
        got = await built.receive(channel)
    assert got == {"type": "chat.message", "message": "still here"}, f"expected the message back, got {got}"
