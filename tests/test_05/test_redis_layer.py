"""Lesson 05: the Redis layers and their limits.

Each limit of a layer is shown with small configured values (or a clock moved
forward). tests/test_05/test_redis_layer_slow.py runs real Daphne processes and
proves each Redis setting in lessons/channel_config.py under the load it is
there for; the hardened chat is in tests/test_05/test_hardened_chat.py, sharding in
tests/test_05/test_sharding.py and its _slow twin.
"""

import asyncio
import time

import pytest
import redis
from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import WebsocketCommunicator

from harness.patience import FRAME, polled
from lessons.asgi import application
from tests.helpers.clients import ORIGIN, configured

WITH_CAPACITY = pytest.mark.parametrize("layer", ["memory", "redis"], indirect=True)


async def unread_channel(layers_setting: dict):
    """(channel name, layer to receive it with): a channel no consumer of this process reads."""
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):
        return await layer.new_channel(), layer
    # Another RedisChannelLayer object is, to Redis, another server process.
    other = type(layer)(**layers_setting["default"]["CONFIG"])
    return await other.new_channel(), other


# --- capacity, ChannelFull, expiry, group expiry ---------------------------


@WITH_CAPACITY
async def test_send_to_a_channel_holding_capacity_messages_raises_channel_full(layer, settings):
    settings.CHANNEL_LAYERS = configured(settings.CHANNEL_LAYERS, capacity=2)
    channel_layer = get_channel_layer()
    await channel_layer.send("jobs", {"type": "job"})
    await channel_layer.send("jobs", {"type": "job"})
    with pytest.raises(ChannelFull):
        await channel_layer.send("jobs", {"type": "job"})


@WITH_CAPACITY
async def test_group_send_to_a_full_channel_drops_the_message_silently(layer, settings):
    settings.CHANNEL_LAYERS = configured(settings.CHANNEL_LAYERS, capacity=2)
    channel, receiver = await unread_channel(settings.CHANNEL_LAYERS)
    await get_channel_layer().group_add("room", channel)
    for n in range(3):
        await get_channel_layer().group_send("room", {"type": "chat.message", "n": n})  # never raises
    assert [(await receiver.receive(channel))["n"] for _ in range(2)] == [0, 1]
    await receiver.send(channel, {"type": "marker"})  # sent last: had the third been kept, it would come first
    assert await receiver.receive(channel) == {"type": "marker"}


@WITH_CAPACITY
async def test_a_direct_send_to_a_full_channel_tells_the_sender(layer, settings):
    settings.CHANNEL_LAYERS = configured(settings.CHANNEL_LAYERS, capacity=2)
    channel, _ = await unread_channel(settings.CHANNEL_LAYERS)
    from layers_demo.direct import signer

    alice = WebsocketCommunicator(application, "/ws/layers/direct/", headers=ORIGIN)
    await alice.connect()
    await alice.receive_json_from()
    for _ in range(3):
        await alice.send_json_to({"to": signer.sign(channel), "message": "knock knock"})
    assert "channel is full" in (await alice.receive_json_from())["error"]
    await alice.disconnect()


@WITH_CAPACITY
async def test_a_message_older_than_expiry_is_dropped(layer, clock):
    channel_layer = get_channel_layer()
    await channel_layer.send("jobs", {"type": "job", "n": 1})
    clock.offset = channel_layer.expiry + 1
    await channel_layer.send("jobs", {"type": "job", "n": 2})
    assert (await channel_layer.receive("jobs"))["n"] == 2


@WITH_CAPACITY
async def test_a_group_membership_older_than_group_expiry_ends(layer, clock):
    channel_layer = get_channel_layer()
    channel = await channel_layer.new_channel()
    await channel_layer.group_add("room", channel)
    clock.offset = channel_layer.group_expiry + 1
    await channel_layer.group_send("room", {"type": "chat.message"})
    await channel_layer.send(
        channel, {"type": "marker"}
    )  # sent last: had the membership lived, chat.message comes first
    assert await channel_layer.receive(channel) == {"type": "marker"}


@pytest.mark.parametrize("layer", ["memory", "redis", "pubsub"], indirect=True)
async def test_no_layer_here_limits_message_size_so_the_chat_caps_frames_itself(layer):
    channel_layer = get_channel_layer()
    channel = await channel_layer.new_channel()
    await channel_layer.send(channel, {"type": "big", "text": "x" * 1024 * 1024})
    assert len((await channel_layer.receive(channel))["text"]) == 1024 * 1024


@pytest.mark.parametrize(("layer", "first"), [("redis", 1), ("pubsub", 2)], indirect=["layer"])
async def test_a_message_sent_while_no_one_listens_waits_on_core_and_is_lost_on_pubsub(
    layer, first, redis_url, redis_prefix
):
    channel_layer = get_channel_layer()
    jobs = f"{redis_prefix}.jobs"  # pub/sub does not prefix channel names: keep other test runs out
    await channel_layer.send(jobs, {"type": "job", "n": 1})  # no worker listens yet
    worker = asyncio.create_task(channel_layer.receive(jobs))
    # Until the worker has a message (core) or Redis counts its subscription (pub/sub).
    with redis.Redis.from_url(redis_url) as client:

        def listening() -> bool:
            return worker.done() or client.pubsub_numsub(jobs)[0][1] > 0

        assert await polled(listening, FRAME, every=0.01), "the worker neither received nor subscribed"
    await channel_layer.send(jobs, {"type": "job", "n": 2})
    async with asyncio.timeout(FRAME):
        # Core stored n=1 in Redis; pub/sub PUBLISHed it to no one, and Redis kept nothing.
        assert (await worker)["n"] == first


@pytest.mark.parametrize("layer", ["pubsub"], indirect=True)
async def test_on_pubsub_the_first_message_after_subscribing_waits_a_tenth_of_a_second(layer):
    # channels-redis 4.3's pub/sub receive loop (pubsub.py, _do_receiving) sleeps
    # 0.1 s at a time while nothing is subscribed, and subscribing awaits Redis.
    channel_layer = get_channel_layer()
    started = time.monotonic()
    channel = await channel_layer.new_channel()
    await channel_layer.send(channel, {"type": "first"})
    await channel_layer.receive(channel)
    assert time.monotonic() - started >= 0.095


# --- a loss the settings cannot prevent --------------------------------------


@pytest.mark.parametrize("layer", ["redis"], indirect=True)
async def test_a_socket_closing_as_it_reads_for_the_process_can_lose_anothers_message(layer, monkeypatch):
    # channels-redis 4.3.0 (core.py, _brpop_with_clean): one receive() at a time reads the whole process's
    # channel in Redis for every socket (BZPOPMIN), then writes what it popped to a backup ("$inflight")
    # that a cancelled read would leave for the next. A cancel between the two, when that receive's socket
    # closes, leaves the message nowhere: django/channels#1683 (one client closing and reopening in a loop
    # loses another's), channels_redis#366. Here the backup write waits, so the cancel lands in the gap.
    channel_layer = get_channel_layer()
    closing, other = await channel_layer.new_channel(), await channel_layer.new_channel()
    in_the_gap, backup_write = asyncio.Event(), redis.asyncio.Redis.zadd

    async def backup_after_a_pause(client, name, mapping, *args, **kwargs):
        if name.endswith("$inflight"):
            in_the_gap.set()
            await asyncio.Event().wait()  # until cancelled
        return await backup_write(client, name, mapping, *args, **kwargs)

    monkeypatch.setattr(redis.asyncio.Redis, "zadd", backup_after_a_pause)
    reading = asyncio.create_task(channel_layer.receive(closing))  # the first receive() reads for the process
    await channel_layer.send(other, {"type": "chat.message", "message": "for the other socket"})
    await asyncio.wait_for(in_the_gap.wait(), FRAME)
    reading.cancel()  # the closing socket's consumer ends
    with pytest.raises(asyncio.CancelledError):
        await reading
    process_channel = channel_layer.prefix + channel_layer.non_local_name(other)
    with redis.Redis.from_url(channel_layer.hosts[0]["address"]) as client:
        assert client.zcard(process_channel) == client.zcard(process_channel + "$inflight") == 0  # not in Redis
    assert other not in channel_layer.receive_buffer  # nor in the process
