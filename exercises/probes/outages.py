"""The channel layer as Redis makes it fail: down, or refusing what its serializer (msgpack) cannot write."""

import pytest
import redis
from channels.layers import get_channel_layer

from exercises.probes.stores import REDIS_REFUSED


def layer_down(monkeypatch, call: str):
    """A switch that makes the channel layer's `call` ("group_send", "group_discard") raise as a Redis that is down.

    Made before the consumer connects, so a method the student's code bound earlier (a wrapper
    made in connect(), async_to_sync(self.channel_layer.group_send) kept on self) is the
    check's stand-in too; it calls through until the returned function is called, which
    turns the outage on and returns it in words, for the check's sentence (checks 01.4, 04.5).
    """

    layer = get_channel_layer()
    working = getattr(layer, call)
    outage = []

    async def stand_in(*args, **kwargs):
        if outage:
            raise ConnectionError(REDIS_REFUSED)
        return await working(*args, **kwargs)

    monkeypatch.setattr(layer, call, stand_in)

    def down() -> str:
        outage.append(call)
        return f"the layer's {call} raised ConnectionError (its Redis is down)"

    return down


def redis_answers(url: str) -> None:
    """Nothing if a Redis answers at `url`; else the check fails with how to start one (checks 05.3, 05.5)."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.fail(
            f"no Redis answers at {url} ({error}): start one (`redis-server --daemonize yes`) "
            "or set REDIS_URL, then check again",
            pytrace=False,
        )


def serve_layer(settings, layer: type, **config) -> None:
    """Django's `settings` serve `layer` (a channel layer class: the check's own or a probe's) as the default layer."""
    backend = {"BACKEND": f"{layer.__module__}.{layer.__qualname__}"}
    settings.CHANNEL_LAYERS = {"default": {**backend, "CONFIG": config} if config else backend}


MSGPACK_INTEGERS = range(-(2**63), 2**64)  # what the Redis layer's serializer writes; it raises OverflowError past it


def integers_in(value: object):
    """Every int inside a message, its nested dicts and lists included."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        for item in value:
            yield from integers_in(item)
    elif isinstance(value, int):
        yield value


def sends_as_redis_does(layer, monkeypatch) -> None:
    """Make the in-memory layer's send() refuse what the Redis layer's msgpack cannot write, with its OverflowError."""
    send = layer.send

    async def send_as_redis_does(channel, message):
        if any(number not in MSGPACK_INTEGERS for number in integers_in(message)):
            raise OverflowError("Integer value out of range")  # msgpack's own words
        return await send(channel, message)

    monkeypatch.setattr(layer, "send", send_as_redis_does)
