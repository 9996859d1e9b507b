"""Lesson 14, churn: what sockets that come and go leave behind in the channel layer.

bench/scale/churn.py measures it on a real Daphne; these prove it in process. The course's chat leaves
no member in its room however its socket goes. What the layers keep per channel after a consumer ends is
upstream: pub/sub keeps the channel's queue and Redis subscription (django/channels_redis#276), the core
layer a receive buffer (django/channels_redis#426), the in-memory layer a queue until its messages expire.
"""

import asyncio

import pytest
from channels.layers import get_channel_layer
from channels.testing import ApplicationCommunicator
from django.contrib.auth.models import AnonymousUser

from bench.scale.churn import render
from harness.patience import FRAME
from layers_demo.hardened_chat import ChatConsumer
from tests.helpers.clients import group_members
from tests.helpers.faults import run_until_a_send_fails

CHAT_SCOPE = {
    "type": "websocket",
    "path": "/ws/chat/lobby/",
    "headers": [],
    "query_string": b"",
    "url_route": {"args": (), "kwargs": {"room": "lobby"}},
    "user": AnonymousUser(),  # AuthMiddlewareStack's part (lesson 07)
}
CONNECT_THEN_SAY_BYE = [{"type": "websocket.connect"}, {"type": "websocket.receive", "text": '{"message": "bye"}'}]
CLEAN, DROPPED = 1000, 1006  # the websocket.disconnect codes Daphne sends after a close frame, after a lost TCP
LAYERS = pytest.mark.parametrize("layer", ["memory", "redis", "pubsub"], indirect=True)


async def chat_socket() -> ApplicationCommunicator:
    """A hardened chat consumer that has accepted its socket, so it is in the room."""
    communicator = ApplicationCommunicator(ChatConsumer.as_asgi(), CHAT_SCOPE)
    await communicator.send_input({"type": "websocket.connect"})
    assert (await communicator.receive_output(FRAME))["type"] == "websocket.accept"
    return communicator


async def leave(communicator: ApplicationCommunicator, code: int) -> None:
    await communicator.send_input({"type": "websocket.disconnect", "code": code})
    await communicator.wait(FRAME)  # the communicator's 1 s would cancel a leave under way


@LAYERS
@pytest.mark.parametrize("code", [CLEAN, DROPPED], ids=["closed", "dropped"])
async def test_a_chat_socket_that_closes_or_drops_leaves_no_member_in_its_room(layer, code):
    communicator = ApplicationCommunicator(ChatConsumer.as_asgi(), CHAT_SCOPE)
    await communicator.send_input({"type": "websocket.connect"})
    assert (await communicator.receive_output(FRAME))["type"] == "websocket.accept"
    assert len(await group_members("chat-lobby")) == 1
    await communicator.send_input({"type": "websocket.disconnect", "code": code})
    await communicator.wait(FRAME)  # the communicator's 1 s would cancel a leave under way
    assert await group_members("chat-lobby") == set()


# Pub/sub's failing sends are proven among the sixty below: each pub/sub test here pays the receive loop's
# first 0.1 s sleep (tests/test_05/test_redis_layer.py proves that wait), which this one would pay a third time.
@pytest.mark.parametrize("layer", ["memory", "redis"], indirect=True)
async def test_a_chat_socket_whose_send_fails_mid_broadcast_leaves_no_member_in_its_room(layer):
    """No websocket.disconnect follows a send that raised (django/channels#1466): only __call__'s finally leaves."""
    await run_until_a_send_fails(ChatConsumer.as_asgi(), CHAT_SCOPE, CONNECT_THEN_SAY_BYE)
    assert await group_members("chat-lobby") == set()


@LAYERS
async def test_sixty_chat_sockets_leaving_all_three_ways_at_once_leave_their_room_empty(layer):
    sockets = [await chat_socket() for _ in range(40)]
    failing = [run_until_a_send_fails(ChatConsumer.as_asgi(), CHAT_SCOPE, CONNECT_THEN_SAY_BYE) for _ in range(20)]
    leaving = [leave(communicator, (CLEAN, DROPPED)[n % 2]) for n, communicator in enumerate(sockets)]
    await asyncio.gather(*failing, *leaving)
    assert await group_members("chat-lobby") == set()


async def test_the_in_memory_layer_keeps_a_departed_channels_messages_until_they_expire(clock):
    channel_layer = get_channel_layer()
    channel = await channel_layer.new_channel()  # its consumer has ended; a broadcast was already on its way
    await channel_layer.send(channel, {"type": "chat.message", "message": "bye", "sender": "guest"})
    await channel_layer.group_send("chat-lobby", {"type": "chat.message", "message": "hi", "sender": "guest"})
    assert channel in channel_layer.channels
    clock.offset = channel_layer.expiry + 1
    await channel_layer.group_send("chat-lobby", {"type": "chat.message", "message": "hi", "sender": "guest"})
    assert channel not in channel_layer.channels  # every receive() and group_send() drops what expired


@pytest.mark.parametrize("layer", ["pubsub"], indirect=True)
async def test_a_pubsub_channel_whose_message_came_as_its_consumer_ended_stays_subscribed(layer):
    """Pub/sub cleans a channel up only when its receive() is cancelled (django/channels_redis#276)."""
    channel_layer = get_channel_layer()
    channel = await channel_layer.new_channel()
    receiving = asyncio.ensure_future(channel_layer.receive(channel))  # AsyncConsumer keeps one armed
    await channel_layer.send(channel, {"type": "chat.message", "message": "bye", "sender": "guest"})
    await asyncio.wait_for(asyncio.shield(receiving), FRAME)  # it arrived while a handler ran: websocket_disconnect
    receiving.cancel()  # what await_many_dispatch does as the consumer stops: too late, it is done
    local = channel_layer._get_layer()
    assert channel in local.channels  # a queue nobody reads...
    assert channel in local._get_shard(channel)._subscribed_to  # ...and a Redis subscription, for good
    await channel_layer.flush()


@pytest.mark.parametrize("layer", ["redis"], indirect=True)
async def test_a_core_layer_message_for_a_departed_channel_stays_in_its_receive_buffer(layer):
    """Another consumer's receive reads it from Redis and buffers it for nobody (django/channels_redis#426)."""
    channel_layer = get_channel_layer()
    alice, bob = await channel_layer.new_channel(), await channel_layer.new_channel()
    alice_receiving = asyncio.ensure_future(channel_layer.receive(alice))
    while channel_layer.receive_lock is None or not channel_layer.receive_lock.locked():
        await asyncio.sleep(0.01)  # alice reads this process's Redis list for everyone (BZPOPMIN)
    bob_receiving = asyncio.ensure_future(channel_layer.receive(bob))
    await asyncio.sleep(0)
    bob_receiving.cancel()  # bob's consumer ends...
    await asyncio.gather(bob_receiving, return_exceptions=True)
    await channel_layer.send(bob, {"type": "chat.message", "message": "bye", "sender": "guest"})  # ...as this came
    for _ in range(200):
        if bob in channel_layer.receive_buffer:
            break
        await asyncio.sleep(0.01)
    alice_receiving.cancel()
    await asyncio.gather(alice_receiving, return_exceptions=True)
    assert channel_layer.receive_buffer[bob].qsize() == 1  # no receive() will ever take it


def test_the_churn_section_renders_a_row_per_layer_and_leave_mode_with_its_figures():
    row = {"mode": "drop", "cycles": 2500, "failed": 0, "cycles_per_s": 812, "rss_warm_mib": 91.3}
    row |= {"rss_kib_per_1000": 44, "members_left": 0, "sends_raised": 3, "channels": 7, "empty": 0, "queued": 9}
    result = {"cycles": 2500, "concurrency": 50, "rooms": 10, "seconds": 4.2}
    result["layers"] = [{"layer": "in-memory", "rows": [row]}, {"layer": "Redis core", "skipped": "no Redis"}]
    lines = render(result)
    assert lines[0] == "## Churn"
    assert "| in-memory | drop | 2,500 | 812 | 91.3 | +44 | 0 | 3 | 7 queues (0 empty, 9 messages) |" in lines
    assert "| Redis core | no Redis | | | | | | | |" in lines
