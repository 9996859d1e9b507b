"""Check 05.5 (fix): a quiet channel's blocking read, through your layer settings, on the real Redis.

A quiet channel outlives the layer's blocking read (receive() waits in Redis, BZPOPMIN, up to brpop_timeout, 5 s;
a connection gives up after its socket_timeout, redis-py 8: 5 s), judged by your setting's numbers, then by two
quiet reads on the real Redis, every wait scaled to a fifth (SCALE); a message still goes through the layer; a dead
Redis is still found when reads never time out; the layer uses the Redis REDIS_URL names and writes no password.
"""

import asyncio
import inspect

import pytest
from django.utils.module_loading import import_string
from redis.asyncio.connection import AbstractConnection

from exercises.probes import FRAME, imported_afresh, load, proved, redis_answers, shown_part, written_out

SCALE = 0.2
BLOCKING_READ = 5 + 1  # the layer's own brpop_timeout and the time its answer may take to arrive, in real seconds
LATE = 1  # real seconds a blocking read's answer may take to arrive after its timeout: a slow network, a busy Redis
NEVER = 300  # a read timeout longer than this (in real seconds) leaves a socket on a dead Redis waiting as if forever
RULE = "A quiet channel must be able to wait in Redis for as long as the layer's blocking read lasts, and longer"
REDIS_PY_DEFAULT = inspect.signature(AbstractConnection.__init__).parameters["socket_timeout"].default


def layer():
    """The layer your setting builds, its reads scaled to a fifth; fails with a sentence if it cannot be built."""
    module = load("05.5", RULE)
    redis_answers(module.REDIS_URL)
    config = module.CHANNEL_LAYERS["default"]
    try:
        built = import_string(config["BACKEND"])(**config.get("CONFIG", {}))
    except TypeError as error:
        pytest.fail(
            f"the layer cannot be built from your setting: TypeError: {error}. RedisChannelLayer's CONFIG takes the "
            "layer's own options; what a connection does is said where the connection's address is",
            pytrace=False,
        )

    def scaled_pool(index):
        pool = type(built).create_pool(built, index)  # the layer's own pool, then its read timeout scaled
        timeout = pool.connection_kwargs.get("socket_timeout", REDIS_PY_DEFAULT)
        pool.connection_kwargs["socket_timeout"] = None if timeout is None else timeout * SCALE
        return pool

    built.create_pool = scaled_pool
    blocking = built.brpop_timeout  # the layer's own 5 s, or what your file made it: judged as you wrote it
    built.brpop_timeout = blocking * SCALE  # 0 stays 0: BZPOPMIN then waits for ever
    built.blocking_read = blocking + LATE if blocking else float("inf")  # real seconds until its answer has come
    built.blocking_said = f"{blocking:g} s in real time" if blocking else "without end, brpop_timeout 0"
    return built


async def test_a_quiet_channel_outlives_the_layers_blocking_read():
    built = layer()
    for index, host in enumerate(built.hosts):  # judged by your setting first: no race with the machine's speed
        kwargs = built.create_pool(index).connection_kwargs
        timeout = kwargs.get("socket_timeout")  # scaled, as the reads are
        if timeout is None or timeout > built.blocking_read * SCALE:
            continue
        retried = kwargs.get("retry_on_timeout") or kwargs.get("retry") is not None
        crash = "receive() raises TimeoutError: a crash, and the socket closes with 1011"
        why = f"each read on a quiet channel gives up first, and {crash}"
        if retried:
            why = (
                "a read that timed out is retried (retry_on_timeout, a Retry), and each retry times out the same way "
                "until the retries run out and receive() raises"
            )
        # After the blocking read, within LATE of it; or with it, where the answer and the timeout race.
        if built.brpop_timeout and (timeout > built.brpop_timeout or timeout == built.brpop_timeout and not retried):
            why = (
                f"the blocking read's answer then has {(timeout - built.brpop_timeout) / SCALE:g} s to arrive, "
                f"less than a slow network or a busy Redis takes, so a read times out now and then and {crash}"
            )
        pytest.fail(
            f"host {host}: its reads time out after {timeout / SCALE:g} s, before the layer's blocking read "
            f"({built.blocking_said}, and the {LATE} s its answer may take) can answer; {why}, and a message "
            f"Redis popped as the connection gave up is lost. {RULE}",
            pytrace=False,
        )
    channels = [await built.new_channel(), await built.new_channel()]  # two quiet sockets at once
    readers = [asyncio.create_task(built.receive(channel)) for channel in channels]
    try:
        # What the setting cannot show: two quiet reads, on the real Redis, over a blocking read and a half.
        waited = min(built.blocking_read, BLOCKING_READ) * SCALE * 1.5
        done, _ = await asyncio.wait(readers, timeout=waited, return_when="FIRST_EXCEPTION")
        for reader in done:
            if (error := reader.exception()) is not None:
                pytest.fail(
                    f"a channel that heard nothing for a while (the layer's blocking read: {built.blocking_said}, "
                    "scaled to a fifth here) failed its blocking read with\n\n"
                    f"    {type(error).__module__}.{type(error).__name__}: {error}\n\n"
                    "raised from the layer's receive(): in a consumer that is a crash, and the socket closes with "
                    f"1011. Redis answered nothing wrong: the connection stopped waiting for its answer. {RULE}",
                    pytrace=False,
                )
        for n, channel in enumerate(channels):
            await built.send(channel, {"type": "chat.message", "message": f"still here {n}"})
        async with asyncio.timeout(FRAME):
            got = await asyncio.gather(*readers)
        expected = [{"type": "chat.message", "message": f"still here {n}"} for n in range(2)]
        assert got == expected, (
            f"after a quiet spell each channel must get its own message, expected {expected}, got {got}"
        )
        proved("sockets", 2)
    finally:
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        await built.close_pools()


async def test_a_message_still_goes_through_the_layer():
    built = layer()
    try:
        channel = await built.new_channel()
        await built.send(channel, {"type": "chat.message", "message": "still here"})
        async with asyncio.timeout(FRAME):
            got = await built.receive(channel)
        assert got == {"type": "chat.message", "message": "still here"}, f"expected the message back, got {got}"
    finally:
        await built.close_pools()


async def test_a_dead_redis_is_still_found_when_reads_never_time_out():
    built = layer()
    for index, host in enumerate(built.hosts):
        options = built.create_pool(index).connection_kwargs
        if options.get("socket_timeout") is None or options["socket_timeout"] / SCALE > NEVER:  # scaled, as reads are
            assert options.get("socket_keepalive"), (
                f"host {host}: its reads never time out (or only after over {NEVER // 60} minutes: to a waiting "
                "socket, never), and nothing else checks the connection: a Redis that vanished without closing it (a "
                "failover, a pulled cable, a stopped VM) leaves every receive() waiting forever on a dead socket. "
                "Something must still notice a dead peer"
            )


async def test_the_layer_uses_the_redis_that_redis_url_names_and_writes_no_password(capsys, caplog):
    layer()  # a Redis answers at the usual address
    nowhere = "redis://nobody:not-the-password@127.0.0.1:1/0"  # no Redis listens on port 1
    caplog.set_level("DEBUG")
    config = imported_afresh("05.5", RULE, {"REDIS_URL": nowhere}).CHANNEL_LAYERS["default"]
    assert not shown_part(written_out(caplog, capsys), "not-the-password", 8), (
        f"with REDIS_URL={nowhere}, its password reached the server's output or log as the settings were imported: "
        "every server process writes it at start, into a journal or a log service whose readers can then use "
        "Redis as the project does. Print or log no REDIS_URL (its host at most: urlsplit(REDIS_URL).hostname)"
    )
    built = import_string(config["BACKEND"])(**config.get("CONFIG", {}))
    try:
        async with asyncio.timeout(FRAME):  # nothing listens on port 1: the send fails at once
            await built.send(await built.new_channel(), {"type": "chat.message", "message": "where to?"})
    except Exception:  # nothing answers at REDIS_URL: the layer went where it was told
        return
    finally:
        await built.close_pools()
    pytest.fail(
        f"with REDIS_URL={nowhere}, where no Redis listens, the layer still sent a message: it talks to a Redis "
        f'written into the setting, not to the one REDIS_URL names. The host\'s "address" is REDIS_URL itself',
        pytrace=False,
    )
