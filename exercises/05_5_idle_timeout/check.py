"""Check 05.5 (fix): a quiet channel's blocking read, through your layer settings, on the real Redis.

A quiet channel outlives the layer's blocking read (receive() waits in Redis, BZPOPMIN, up to brpop_timeout, 5 s;
a connection gives up after its socket_timeout, redis-py 8: 5 s), judged by your setting's numbers, then by two
quiet reads on the real Redis, every wait scaled to a fifth (SCALE); a message still goes through the layer; a dead
Redis is still found when reads never time out; the layer uses the Redis REDIS_URL names and writes no password.
"""

import asyncio

import pytest
from django.utils.module_loading import import_string

from exercises.probes import FRAME, PASSWORD_WRITTEN, imported_afresh, proved, shown_part, written_out
from exercises.probes.redis_settings import SCALE, keeps_the_database_redis_url_names, logs_in_as_redis_url_says
from exercises.probes.redis_settings import reads_outlast_the_blocking_read, redis_url, scaled_layer  # noqa: F401

BLOCKING_READ = 5 + 1  # the layer's own brpop_timeout and the time its answer may take to arrive, in real seconds
NEVER = 300  # a read timeout longer than this (in real seconds) leaves a socket on a dead Redis waiting as if forever
RULE = "A quiet channel must be able to wait in Redis for as long as the layer's blocking read lasts, and longer"
WHOLE_URL = "The layer uses REDIS_URL whole: its host and port, its user and password, its database number"


@pytest.mark.rule(1)
async def test_a_quiet_channel_outlives_the_layers_blocking_read():
    built = scaled_layer("05.5", RULE)  # your setting's layer, its reads scaled to a fifth (SCALE)
    reads_outlast_the_blocking_read(built, RULE)  # judged by your setting first: no race with the machine's speed
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


@pytest.mark.rule(2)
async def test_a_message_still_goes_through_the_layer():
    built = scaled_layer("05.5", RULE)
    try:
        channel = await built.new_channel()
        await built.send(channel, {"type": "chat.message", "message": "still here"})
        async with asyncio.timeout(FRAME):
            got = await built.receive(channel)
        assert got == {"type": "chat.message", "message": "still here"}, f"expected the message back, got {got}"
    finally:
        await built.close_pools()


@pytest.mark.rule(3)
async def test_a_dead_redis_is_still_found_when_reads_never_time_out():
    built = scaled_layer("05.5", RULE)
    for index, host in enumerate(built.hosts):
        options = built.create_pool(index).connection_kwargs
        if options.get("socket_timeout") is None or options["socket_timeout"] / SCALE > NEVER:  # scaled, as reads are
            assert options.get("socket_keepalive"), (
                f"host {host}: its reads never time out (or only after over {NEVER // 60} minutes: to a waiting "
                "socket, never), and nothing else checks the connection: a Redis that vanished without closing it (a "
                "failover, a pulled cable, a stopped VM) leaves every receive() waiting forever on a dead socket. "
                "Something must still notice a dead peer"
            )


@pytest.mark.rule(4)
async def test_the_layer_uses_the_redis_that_redis_url_names_and_writes_no_password(capsys, caplog):
    scaled_layer("05.5", RULE)  # a Redis answers at the usual address
    nowhere = "redis://nobody:not-the-password@127.0.0.1:1/0"  # no Redis listens on port 1
    caplog.set_level("DEBUG")
    config = imported_afresh("05.5", RULE, {"REDIS_URL": nowhere}).CHANNEL_LAYERS["default"]
    written = shown_part(written_out(caplog, capsys), "not-the-password", 8)
    assert not written, f"with REDIS_URL={nowhere}, {PASSWORD_WRITTEN}"
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


@pytest.mark.usefixtures("redis_url")  # REDIS_URL set where a Redis answers
@pytest.mark.rule(5)
async def test_the_layer_logs_in_and_picks_the_database_as_redis_url_says(capsys, caplog):
    await logs_in_as_redis_url_says("05.5", WHOLE_URL, caplog, capsys)
    await keeps_the_database_redis_url_names("05.5", WHOLE_URL)


# The standard battery of what this exercise builds (settings), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.others import (  # noqa: E402, F401
    test_the_channel_layer_holds_the_lessons_burst,
    test_a_group_membership_lasts_as_long_as_a_socket,
)
