"""Lesson 05: the Redis layers, their limits, and flood control.

Each limit of a layer is shown with small configured values (or a clock moved
forward). tests/test_05_redis_layer_slow.py runs real Daphne processes and
proves each Redis setting in lessons/channel_config.py under the load it is
there for; sharding is in tests/test_05_sharding.py and its _slow twin.
"""

import asyncio

import pytest
import redis
from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from layers_demo.flood import RateLimit
from layers_demo.hardened_chat import ChatConsumer
from layers_demo.plain_chat import PlainChatConsumer
from lessons.asgi import application
from tests.helpers.clients import (
    ORIGIN,
    configured,
    group_members,
)
from tests.helpers.faults import run_until_a_send_fails

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
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(receiver.receive(channel), 0.05)


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
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(channel_layer.receive(channel), 0.05)


@pytest.mark.parametrize("layer", ["memory", "redis", "pubsub"], indirect=True)
async def test_no_layer_here_limits_message_size_so_the_chat_caps_frames_itself(layer):
    channel_layer = get_channel_layer()
    channel = await channel_layer.new_channel()
    await channel_layer.send(channel, {"type": "big", "text": "x" * 1024 * 1024})
    assert len((await channel_layer.receive(channel))["text"]) == 1024 * 1024


@WITH_CAPACITY
async def test_a_chat_socket_rejoins_a_group_the_layer_forgot(layer, settings):
    settings.CHAT_REJOIN_INTERVAL = 0.05
    alice = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    bob = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    await alice.connect()
    await bob.connect()
    channel_layer = get_channel_layer()
    if layer == "memory":  # what a Redis restart (or group_expiry) does to a group
        channel_layer.groups.clear()
    else:
        await channel_layer.connection(0).delete(channel_layer._group_key("chat-lobby"))
    assert await group_members("chat-lobby") == set()
    for _ in range(100):
        if len(await group_members("chat-lobby")) == 2:
            break
        await asyncio.sleep(0.02)
    await alice.send_json_to({"message": "anyone there?"})
    assert (await bob.receive_json_from())["message"] == "anyone there?"
    await alice.disconnect()
    await bob.disconnect()


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
        async with asyncio.timeout(1):
            while not worker.done() and client.pubsub_numsub(jobs)[0][1] == 0:
                await asyncio.sleep(0.01)
    await channel_layer.send(jobs, {"type": "job", "n": 2})
    async with asyncio.timeout(1):
        # Core stored n=1 in Redis; pub/sub PUBLISHed it to no one, and Redis kept nothing.
        assert (await worker)["n"] == first


# --- flood control -----------------------------------------------------------


async def test_a_socket_over_the_flood_limit_gets_an_error_and_its_message_goes_nowhere(settings):
    settings.CHAT_FLOOD_LIMIT = 3
    alice = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    bob = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    await alice.connect()
    await bob.connect()
    for n in range(4):
        await alice.send_json_to({"message": f"message {n}"})
    assert [(await bob.receive_json_from())["message"] for _ in range(3)] == ["message 0", "message 1", "message 2"]
    assert await bob.receive_nothing(timeout=0.05)
    frames = [await alice.receive_json_from() for _ in range(4)]
    assert "too many messages: at most 3 in 60 s" in frames[3]["error"]
    await alice.disconnect()
    await bob.disconnect()


async def test_a_flooding_socket_does_not_limit_the_others_in_its_room(settings):
    settings.CHAT_FLOOD_LIMIT = 3
    alice = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    bob = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    await alice.connect()
    await bob.connect()
    for n in range(5):
        await alice.send_json_to({"message": f"flood {n}"})
    await bob.send_json_to({"message": "I can still talk"})
    frames = [await alice.receive_json_from() for _ in range(6)]  # 3 of hers, 2 errors, 1 of his
    assert "I can still talk" in [frame.get("message") for frame in frames]
    await alice.disconnect()
    await bob.disconnect()


def test_the_flood_window_slides_an_event_out_after_the_period():
    now = [0.0]
    limit = RateLimit(2, 60, clock=lambda: now[0])
    assert [limit.allow(), limit.allow(), limit.allow()] == [True, True, False]
    now[0] = 59.9
    assert limit.allow() is False and limit.retry_after() == pytest.approx(0.1)
    now[0] = 60.0
    assert limit.allow() is True


async def test_the_hardened_chat_delivers_while_the_sync_thread_is_blocked():
    """Its dispatch skips the sync-thread hop, so a busy sync handler elsewhere cannot hold a room up."""
    blocker = WebsocketCommunicator(application, "/ws/sync/slow/", headers=ORIGIN)
    alice = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    bob = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    for communicator in (blocker, alice, bob):
        await communicator.connect()
    await blocker.send_to(text_data="0.5")  # time.sleep(0.5) on the one sync thread
    await asyncio.sleep(0.05)
    await alice.send_json_to({"message": "not held up"})
    assert (await bob.receive_json_from(timeout=0.3))["message"] == "not held up"
    assert await blocker.receive_nothing(timeout=0), "the message arrived only after the sync thread was free"
    assert await blocker.receive_json_from(timeout=5) == {"slept": 0.5}
    for communicator in (blocker, alice, bob):
        await communicator.disconnect()


CHAT_SCOPE = {"path": "/ws/chat/lobby/", "url_route": {"args": (), "kwargs": {"room": "lobby"}}}
CONNECT_THEN_SAY_HI = [{"type": "websocket.connect"}, {"type": "websocket.receive", "text": '{"message": "hi"}'}]


@pytest.mark.parametrize("layer", ["memory"], indirect=True)
async def test_a_plain_chat_whose_send_fails_never_hears_websocket_disconnect_and_stays_in_its_room(layer):
    """The stock pattern leaves the room in websocket_disconnect, which never runs here (django/channels#1466)."""
    await run_until_a_send_fails(PlainChatConsumer.as_asgi(), CHAT_SCOPE, CONNECT_THEN_SAY_HI)
    assert len(await group_members("chat-lobby")) == 1  # queued for until group_expiry, read by nobody


@pytest.mark.parametrize("layer", ["memory"], indirect=True)
async def test_the_hardened_chat_leaves_its_room_even_when_a_send_fails_and_no_disconnect_comes(layer):
    scope = {**CHAT_SCOPE, "user": AnonymousUser()}  # AuthMiddlewareStack's part (lesson 07)
    await run_until_a_send_fails(ChatConsumer.as_asgi(), scope, CONNECT_THEN_SAY_HI)
    assert await group_members("chat-lobby") == set()
