"""Lesson 04: channel names, direct sends, groups and the chat rooms built on them.

Layer tests run on the in-memory layer, Redis core and Redis pub/sub alike.
"""

import json

import pytest
from channels.auth import AuthMiddlewareStack
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

import layers_demo.routing
from layers_demo.validation import BAD_ROOM
from tests.helpers.clients import group_members

LAYERS = pytest.mark.parametrize("layer", ["memory", "redis", "pubsub"], indirect=True)


# The consumers under test with layers_demo's own URL patterns, as a URLRouter routes them (the room comes
# from scope["url_route"]); lesson 00 checks that the course's router serves each route, and lesson 13
# that production leaves out the hazard demos (lesson 04's chats among them). The hardened chat
# (lesson 05) also reads scope["user"], which AuthMiddlewareStack (lesson 07) puts there.
LAYERS_DEMO = URLRouter([*layers_demo.routing.websocket_urlpatterns, *layers_demo.routing.hazard_urlpatterns])
HARDENED = AuthMiddlewareStack(LAYERS_DEMO)

# Lesson 04's plain chat, its AsyncWebsocketConsumer twin and lesson 05's hardened one: one contract.
CHATS = pytest.mark.parametrize(
    ("app", "chat"),
    [(LAYERS_DEMO, "ws/layers/plain-chat"), (LAYERS_DEMO, "ws/layers/generic-chat"), (HARDENED, "ws/chat")],
    ids=["plain", "generic", "hardened"],
)
# Each chat's room <room> is the group "<prefix>-<room>": lesson 04's chats keep to groups of their own.
GROUP_PREFIX = {"ws/layers/plain-chat": "plain-chat", "ws/layers/generic-chat": "generic-chat", "ws/chat": "chat"}


# Every chat on the in-memory layer, and the plain one on Redis core and pub/sub too: on pub/sub the first
# message after a subscribe waits a tenth of a second, a twentieth of the lesson's budget for each case.
@pytest.mark.parametrize(
    ("app", "chat", "layer"),
    [
        (LAYERS_DEMO, "ws/layers/plain-chat", "memory"),
        (LAYERS_DEMO, "ws/layers/generic-chat", "memory"),
        (HARDENED, "ws/chat", "memory"),
        (LAYERS_DEMO, "ws/layers/plain-chat", "redis"),
        (LAYERS_DEMO, "ws/layers/plain-chat", "pubsub"),
    ],
    ids=["plain", "generic", "hardened", "plain-redis", "plain-pubsub"],
    indirect=["layer"],
)
async def test_each_chat_delivers_to_every_socket_in_the_room_and_no_other_room(app, chat, layer):
    alice = WebsocketCommunicator(app, f"/{chat}/lobby/")
    bob = WebsocketCommunicator(app, f"/{chat}/lobby/")
    carol = WebsocketCommunicator(app, f"/{chat}/kitchen/")
    for communicator in (alice, bob, carol):
        assert (await communicator.connect())[0]
    await alice.send_json_to({"message": "hello, lobby"})
    assert (await alice.receive_json_from())["message"] == "hello, lobby"  # the sender too
    assert (await bob.receive_json_from())["message"] == "hello, lobby"
    await carol.send_json_to({"message": "hello, kitchen"})
    # Had the lobby's message reached the kitchen, carol would get it first (lesson 09, "Proving silence").
    assert (await carol.receive_json_from())["message"] == "hello, kitchen"
    for communicator in (alice, bob, carol):
        await communicator.disconnect()
    prefix = GROUP_PREFIX[chat]
    assert await group_members(f"{prefix}-lobby") == await group_members(f"{prefix}-kitchen") == set()


@CHATS
@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ({"text": "hello"}, "not JSON"),
        ({"text": ""}, "not JSON"),
        ({"text": "[" * 5000}, "not JSON"),
        ({"text": '"hello"'}, "got str"),
        ({"text": "42"}, "got int"),
        ({"text": "null"}, "got NoneType"),
        ({"text": '["hello"]'}, "got list"),
        ({"text": '{"text": "hello"}'}, 'a "message" key'),
        ({"text": '{"message": ""}'}, "got 0"),
        ({"text": '{"message": 42}'}, "got int"),
        ({"text": '{"message": null}'}, "got NoneType"),
        ({"text": json.dumps({"message": "x" * 4097})}, "got 4097"),
        ({"text": '{"message": "\\ud800"}'}, "lone surrogate"),
        ({"text": json.dumps({"message": "x" * 70_000})}, "frame too large"),
        ({"bytes": b'{"message": "hello"}'}, "binary frame"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
async def test_each_chat_answers_bad_input_to_the_sender_alone_and_stays_open(app, chat, frame, reason):
    alice = WebsocketCommunicator(app, f"/{chat}/lobby/")
    bob = WebsocketCommunicator(app, f"/{chat}/lobby/")
    await alice.connect()
    await bob.connect()
    await alice.send_input({"type": "websocket.receive", **frame})
    assert reason in (await alice.receive_json_from())["error"]
    await alice.send_json_to({"message": "still here"})
    # Had the bad frame reached the room, bob would get it (or an error) first.
    assert (await bob.receive_json_from())["message"] == "still here"
    await alice.disconnect()
    await bob.disconnect()


async def test_lesson_04s_chats_never_deliver_into_the_hardened_chats_room():
    """The room is the group, and only ws/chat/<room>/ (with its flood limit) is in "chat-<room>"."""
    plain = WebsocketCommunicator(LAYERS_DEMO, "/ws/layers/plain-chat/lobby/")
    generic = WebsocketCommunicator(LAYERS_DEMO, "/ws/layers/generic-chat/lobby/")
    hardened = WebsocketCommunicator(HARDENED, "/ws/chat/lobby/")
    sockets = {"plain": plain, "generic": generic, "hardened": hardened}
    for communicator in sockets.values():
        await communicator.connect()
    for name, communicator in sockets.items():
        await communicator.send_json_to({"message": f"from the {name} chat"})
    # A message that reached a chat sent to later would arrive there before that chat's own:
    # the hardened chat, last, would hear both of lesson 04's before its own.
    for name, communicator in sockets.items():
        assert (await communicator.receive_json_from())["message"] == f"from the {name} chat"
        await communicator.disconnect()


async def test_a_message_names_its_sender_and_nothing_else():
    alice = WebsocketCommunicator(LAYERS_DEMO, "/ws/layers/plain-chat/lobby/")
    await alice.connect()
    await alice.send_json_to({"message": "hi", "extra": "ignored"})
    frame = await alice.receive_json_from()
    assert set(frame) == {"message", "sender"} and frame["sender"].startswith("guest-")
    await alice.disconnect()


@LAYERS
async def test_one_senders_messages_arrive_in_order(layer):
    alice = WebsocketCommunicator(LAYERS_DEMO, "/ws/layers/plain-chat/lobby/")
    bob = WebsocketCommunicator(LAYERS_DEMO, "/ws/layers/plain-chat/lobby/")
    await alice.connect()
    await bob.connect()
    sent = [f"message {n}" for n in range(20)]
    for text in sent:
        await alice.send_json_to({"message": text})
    assert [(await bob.receive_json_from())["message"] for _ in sent] == sent
    await alice.disconnect()
    await bob.disconnect()


@LAYERS
async def test_a_socket_is_in_its_rooms_group_from_accept_until_disconnect(layer):
    alice = WebsocketCommunicator(LAYERS_DEMO, "/ws/layers/plain-chat/lobby/")
    await alice.connect()
    assert len(await group_members("plain-chat-lobby")) == 1
    await alice.disconnect()
    assert await group_members("plain-chat-lobby") == set()


# Every chat closes a bad room name with 4400; the raw ones also say why (the reason).
CLOSE = {"type": "websocket.close", "code": 4400}


@pytest.mark.parametrize(
    ("app", "chat", "close"),
    [
        (LAYERS_DEMO, "ws/layers/plain-chat", {**CLOSE, "reason": BAD_ROOM}),
        (LAYERS_DEMO, "ws/layers/generic-chat", CLOSE),
        (HARDENED, "ws/chat", {**CLOSE, "reason": BAD_ROOM}),
    ],
    ids=["plain", "generic", "hardened"],
)
@pytest.mark.parametrize(
    "room", ["has space", "café", "..", "a.b", "a" * 51], ids=["space", "accent", "dots", "dot", "51"]
)
async def test_an_invalid_room_name_is_closed_with_4400_and_never_becomes_a_group(app, chat, close, room, layer):
    communicator = WebsocketCommunicator(app, f"/{chat}/{room}/")
    await communicator.connect()
    assert await communicator.receive_output() == close
    await communicator.send_json_to({"message": "a frame that raced the close"})  # ignored, no crash
    assert get_channel_layer().groups == {}  # a fresh in-memory layer: no group was ever created
    await communicator.disconnect()


@CHATS
async def test_a_client_chosen_type_is_ignored_and_calls_no_handler(app, chat):
    alice = WebsocketCommunicator(app, f"/{chat}/lobby/")
    bob = WebsocketCommunicator(app, f"/{chat}/lobby/")
    await alice.connect()
    await bob.connect()
    # Passed on as the layer message, this would run websocket_disconnect in every consumer.
    await alice.send_json_to({"type": "websocket.disconnect", "message": "just text"})
    await alice.send_json_to({"message": "after"})
    assert [(await bob.receive_json_from())["message"] for _ in range(2)] == ["just text", "after"]
    await alice.disconnect()
    await bob.disconnect()
