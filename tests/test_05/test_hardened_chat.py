"""Lesson 05: what the hardened chat (ws/chat/<room>/) adds to lesson 04's: flood control, a membership
renewed while the socket lives, a dispatch without the sync-thread hop, and leaving its room however it ends."""

import asyncio

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from harness.patience import CONDITION, FRAME
from layers_demo.flood import RateLimit
from layers_demo.hardened_chat import ChatConsumer
from layers_demo.plain_chat import PlainChatConsumer
from lessons.asgi import application
from tests.helpers.clients import ORIGIN, group_members
from tests.helpers.faults import run_until_a_send_fails
from tests.helpers.threads import sync_thread_held

WITH_CAPACITY = pytest.mark.parametrize("layer", ["memory", "redis"], indirect=True)
CHAT_SCOPE = {"path": "/ws/chat/lobby/", "url_route": {"args": (), "kwargs": {"room": "lobby"}}}
CONNECT_THEN_SAY_HI = [{"type": "websocket.connect"}, {"type": "websocket.receive", "text": '{"message": "hi"}'}]


@WITH_CAPACITY
async def test_a_chat_socket_rejoins_a_group_the_layer_forgot(layer, settings):
    settings.CHAT_REJOIN_INTERVAL = 0.01
    alice = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    bob = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    await alice.connect(timeout=FRAME)
    await bob.connect(timeout=FRAME)
    channel_layer = get_channel_layer()
    # What a Redis restart (or group_expiry) does to a group. The group is checked gone by what the
    # deletion itself returns: looked up afterwards, a renewal 10 ms later may already have put it back.
    if layer == "memory":
        assert channel_layer.groups.pop("chat-lobby", None)
    else:
        assert await channel_layer.connection(0).delete(channel_layer._group_key("chat-lobby")) == 1
    deadline = asyncio.get_running_loop().time() + CONDITION
    while len(await group_members("chat-lobby")) < 2:
        assert asyncio.get_running_loop().time() < deadline, "the sockets never rejoined the forgotten group"
        await asyncio.sleep(0.005)
    await alice.send_json_to({"message": "anyone there?"})
    assert (await bob.receive_json_from(timeout=FRAME))["message"] == "anyone there?"
    await alice.disconnect()
    await bob.disconnect()


async def test_a_socket_over_the_flood_limit_gets_an_error_and_its_message_goes_nowhere(settings):
    settings.CHAT_FLOOD_LIMIT = 3
    alice = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    bob = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    await alice.connect()
    await bob.connect()
    for n in range(4):
        await alice.send_json_to({"message": f"message {n}"})
    assert [(await bob.receive_json_from())["message"] for _ in range(3)] == ["message 0", "message 1", "message 2"]
    frames = [await alice.receive_json_from() for _ in range(4)]
    assert "too many messages: at most 3 in 60 s" in frames[3]["error"]
    await bob.send_json_to({"message": "bob here"})
    # Had "message 3" reached the room, bob would get it first (lesson 09, "Proving silence").
    assert (await bob.receive_json_from())["message"] == "bob here"
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
    alice = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    bob = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=ORIGIN)
    for communicator in (alice, bob):
        await communicator.connect()
    async with sync_thread_held():  # as ws/sync/slow/'s time.sleep would hold it
        await alice.send_json_to({"message": "not held up"})
        assert (await bob.receive_json_from(timeout=FRAME))["message"] == "not held up"
    for communicator in (alice, bob):
        await communicator.disconnect()


@pytest.mark.parametrize("layer", ["memory"], indirect=True)
async def test_a_plain_chat_whose_send_fails_hears_no_disconnect_and_stays_in_its_room(layer):
    """The stock pattern leaves the room in websocket_disconnect, which never runs here (django/channels#1466)."""
    await run_until_a_send_fails(PlainChatConsumer.as_asgi(), CHAT_SCOPE, CONNECT_THEN_SAY_HI)
    assert len(await group_members("plain-chat-lobby")) == 1  # queued for until group_expiry, read by nobody


@pytest.mark.parametrize("layer", ["memory"], indirect=True)
async def test_the_hardened_chat_leaves_its_room_when_a_send_fails_with_no_disconnect(layer):
    scope = {**CHAT_SCOPE, "user": AnonymousUser()}  # AuthMiddlewareStack's part (lesson 07)
    await run_until_a_send_fails(ChatConsumer.as_asgi(), scope, CONNECT_THEN_SAY_HI)
    assert await group_members("chat-lobby") == set()
