"""Lesson 04: channel names, direct sends, groups and the chat rooms built on them.

Layer tests run on the in-memory layer, Redis core and Redis pub/sub alike.
"""

import asyncio
import json
import time

import pytest
from channels.auth import AuthMiddlewareStack
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from selenium.webdriver.common.by import By

import layers_demo.routing
from layers_demo.hardened_chat import BAD_ROOM
from tests.helpers.clients import group_members, wait_until

LAYERS = pytest.mark.parametrize("layer", ["memory", "redis", "pubsub"], indirect=True)


# The consumers under test with layers_demo's own URL patterns, as a URLRouter routes them (the room comes
# from scope["url_route"]); lesson 00 checks that the course's router serves each route. The hardened chat
# (lesson 05) also reads scope["user"], which AuthMiddlewareStack (lesson 07) puts there.
LAYERS_DEMO = URLRouter(layers_demo.routing.websocket_urlpatterns)
HARDENED = AuthMiddlewareStack(LAYERS_DEMO)

# Lesson 04's plain chat, its AsyncWebsocketConsumer twin and lesson 05's hardened one: one contract.
CHATS = pytest.mark.parametrize(
    ("app", "chat"),
    [(LAYERS_DEMO, "ws/layers/plain-chat"), (LAYERS_DEMO, "ws/layers/generic-chat"), (HARDENED, "ws/chat")],
    ids=["plain", "generic", "hardened"],
)


@CHATS
async def test_each_chat_delivers_to_every_socket_in_the_room_and_no_other_room(app, chat):
    alice = WebsocketCommunicator(app, f"/{chat}/lobby/")
    bob = WebsocketCommunicator(app, f"/{chat}/lobby/")
    carol = WebsocketCommunicator(app, f"/{chat}/kitchen/")
    for communicator in (alice, bob, carol):
        assert (await communicator.connect())[0]
    await alice.send_json_to({"message": "hello"})
    assert (await alice.receive_json_from())["message"] == "hello"
    assert (await bob.receive_json_from())["message"] == "hello"
    assert await carol.receive_nothing(timeout=0.05)
    for communicator in (alice, bob, carol):
        await communicator.disconnect()
    assert get_channel_layer().groups == {}  # every socket left its room


@CHATS
@pytest.mark.parametrize(("text", "reason"), [("hello", "not JSON"), ('{"message": 42}', "got int"), (None, "binary")])
async def test_each_chat_answers_bad_input_to_the_sender_alone(app, chat, text, reason):
    alice = WebsocketCommunicator(app, f"/{chat}/lobby/")
    bob = WebsocketCommunicator(app, f"/{chat}/lobby/")
    await alice.connect()
    await bob.connect()
    frame = {"text": text} if text is not None else {"bytes": b"hello"}
    await alice.send_input({"type": "websocket.receive", **frame})
    assert reason in (await alice.receive_json_from())["error"]
    assert await bob.receive_nothing(timeout=0.05)
    await alice.disconnect()
    await bob.disconnect()


@CHATS
async def test_each_chat_closes_a_bad_room_name_with_4400(app, chat):
    communicator = WebsocketCommunicator(app, f"/{chat}/a.b/")
    assert (await communicator.connect())[0]
    assert (await communicator.receive_output())["code"] == 4400
    assert get_channel_layer().groups == {}
    await communicator.disconnect()


async def test_the_plain_generic_and_hardened_chats_share_one_room():
    """The room is the group "chat-<room>", not the consumer class."""
    plain = WebsocketCommunicator(LAYERS_DEMO, "/ws/layers/plain-chat/lobby/")
    generic = WebsocketCommunicator(LAYERS_DEMO, "/ws/layers/generic-chat/lobby/")
    hardened = WebsocketCommunicator(HARDENED, "/ws/chat/lobby/")
    for communicator in (plain, generic, hardened):
        await communicator.connect()
    await plain.send_json_to({"message": "from the plain chat"})
    for communicator in (plain, generic, hardened):
        assert (await communicator.receive_json_from())["message"] == "from the plain chat"
        await communicator.disconnect()


@LAYERS
async def test_a_message_reaches_every_socket_in_its_room_including_the_sender_and_no_other_room(layer):
    alice = WebsocketCommunicator(HARDENED, "/ws/chat/lobby/")
    bob = WebsocketCommunicator(HARDENED, "/ws/chat/lobby/")
    carol = WebsocketCommunicator(HARDENED, "/ws/chat/kitchen/")
    for communicator in (alice, bob, carol):
        assert (await communicator.connect())[0]
    await alice.send_json_to({"message": "hello, lobby"})
    assert (await alice.receive_json_from())["message"] == "hello, lobby"
    assert (await bob.receive_json_from())["message"] == "hello, lobby"
    await carol.send_json_to({"message": "hello, kitchen"})
    # Had the lobby's message reached carol, it would come first.
    assert (await carol.receive_json_from())["message"] == "hello, kitchen"
    for communicator in (alice, bob, carol):
        await communicator.disconnect()


async def test_a_message_names_its_sender_and_nothing_else():
    alice = WebsocketCommunicator(HARDENED, "/ws/chat/lobby/")
    await alice.connect()
    await alice.send_json_to({"message": "hi", "extra": "ignored"})
    frame = await alice.receive_json_from()
    assert set(frame) == {"message", "sender"} and frame["sender"].startswith("guest-")
    await alice.disconnect()


@LAYERS
async def test_one_senders_messages_arrive_in_order(layer):
    alice = WebsocketCommunicator(HARDENED, "/ws/chat/lobby/")
    bob = WebsocketCommunicator(HARDENED, "/ws/chat/lobby/")
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
    alice = WebsocketCommunicator(HARDENED, "/ws/chat/lobby/")
    await alice.connect()
    assert len(await group_members("chat-lobby")) == 1
    await alice.disconnect()
    assert await group_members("chat-lobby") == set()


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
async def test_bad_input_gets_an_error_for_the_sender_alone_and_the_socket_stays_open(frame, reason):
    alice = WebsocketCommunicator(HARDENED, "/ws/chat/lobby/")
    bob = WebsocketCommunicator(HARDENED, "/ws/chat/lobby/")
    await alice.connect()
    await bob.connect()
    await alice.send_input({"type": "websocket.receive", **frame})
    assert reason in (await alice.receive_json_from())["error"]
    await alice.send_json_to({"message": "still here"})
    # Had the bad frame reached bob, it would come first.
    assert (await bob.receive_json_from())["message"] == "still here"
    await alice.disconnect()
    await bob.disconnect()


@pytest.mark.parametrize(
    "path",
    ["ws/chat/has space/", "ws/chat/café/", "ws/chat/../", "ws/chat/a.b/", f"ws/chat/{'a' * 51}/"],
)
async def test_an_invalid_room_name_is_closed_with_4400_and_never_becomes_a_group(path, layer):
    communicator = WebsocketCommunicator(HARDENED, path)
    await communicator.connect()
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4400, "reason": BAD_ROOM}
    await communicator.send_json_to({"message": "a frame that raced the close"})  # ignored, no crash
    assert get_channel_layer().groups == {}  # a fresh in-memory layer: no group was ever created
    await communicator.disconnect()


async def test_a_client_chosen_type_is_ignored_and_calls_no_handler():
    alice = WebsocketCommunicator(HARDENED, "/ws/chat/lobby/")
    bob = WebsocketCommunicator(HARDENED, "/ws/chat/lobby/")
    await alice.connect()
    await bob.connect()
    # Passed on as the layer message, this would run websocket_disconnect in every consumer.
    await alice.send_json_to({"type": "websocket.disconnect", "message": "just text"})
    await alice.send_json_to({"message": "after"})
    assert [(await bob.receive_json_from())["message"] for _ in range(2)] == ["just text", "after"]
    await alice.disconnect()
    await bob.disconnect()


async def test_each_direct_socket_is_told_its_own_address_its_channel_name_signed():
    alice = WebsocketCommunicator(LAYERS_DEMO, "/ws/layers/direct/")
    bob = WebsocketCommunicator(LAYERS_DEMO, "/ws/layers/direct/")
    await alice.connect()
    await bob.connect()
    alice_address = (await alice.receive_json_from())["address"]
    bob_address = (await bob.receive_json_from())["address"]
    assert alice_address != bob_address
    assert alice_address.rpartition(":")[0].startswith("specific.")
    await alice.disconnect()
    await bob.disconnect()


@LAYERS
async def test_a_direct_message_reaches_only_the_socket_it_is_addressed_to(layer):
    alice = WebsocketCommunicator(LAYERS_DEMO, "/ws/layers/direct/")
    bob = WebsocketCommunicator(LAYERS_DEMO, "/ws/layers/direct/")
    carol = WebsocketCommunicator(LAYERS_DEMO, "/ws/layers/direct/")
    for communicator in (alice, bob, carol):
        await communicator.connect()
    alice_address, bob_address, carol_address = [(await c.receive_json_from())["address"] for c in (alice, bob, carol)]
    await alice.send_json_to({"to": bob_address, "message": "psst"})
    assert await bob.receive_json_from() == {"from": alice_address, "message": "psst"}
    await bob.send_json_to({"to": carol_address, "message": "and you?"})
    # Had alice's message reached carol, it would come first.
    assert await carol.receive_json_from() == {"from": bob_address, "message": "and you?"}
    assert await alice.receive_nothing(timeout=0.01)
    for communicator in (alice, bob, carol):
        await communicator.disconnect()


@pytest.mark.parametrize(
    ("to", "reason"),
    [(None, "got NoneType"), ("specific.inmemory!forged", "did not sign"), (42, "got int")],
    ids=["missing", "unsigned channel name", "not a string"],
)
async def test_a_direct_message_to_an_address_the_server_did_not_sign_is_refused(to, reason):
    alice = WebsocketCommunicator(LAYERS_DEMO, "/ws/layers/direct/")
    await alice.connect()
    await alice.receive_json_from()
    await alice.send_json_to({"to": to, "message": "psst"})
    assert reason in (await alice.receive_json_from())["error"]
    await alice.disconnect()


# A space, an accent, 100 characters: what f"chat-{room}" makes of unchecked input.
INVALID_GROUPS = ["chat-has space", "chat-café", f"chat-{'a' * 95}"]


@pytest.mark.parametrize("group", INVALID_GROUPS, ids=["space", "accent", "100 characters"])
@pytest.mark.parametrize("layer", ["memory", "redis"], indirect=True)
async def test_the_in_memory_and_core_layers_refuse_an_invalid_group_name_with_type_error(layer, group):
    channel_layer = get_channel_layer()
    channel = await channel_layer.new_channel()
    with pytest.raises(TypeError, match="Group name must be a valid unicode string with length < 100"):
        await channel_layer.group_add(group, channel)


@pytest.mark.parametrize("layer", ["pubsub"], indirect=True)
async def test_the_pubsub_layer_checks_no_group_name_and_delivers_to_an_invalid_one(layer):
    channel_layer = get_channel_layer()
    channel = await channel_layer.new_channel()
    for group in INVALID_GROUPS:  # no TypeError: the bug hides until the layer changes
        await channel_layer.group_add(group, channel)
        await channel_layer.group_send(group, {"type": "chat.message", "group": group})
    async with asyncio.timeout(1):  # a safety net: a lost message fails the test instead of hanging it
        assert [(await channel_layer.receive(channel))["group"] for _ in INVALID_GROUPS] == INVALID_GROUPS


# --- a member that never left: what each layer does with its copies ----------


async def test_the_in_memory_layer_drops_a_channel_from_all_its_groups_once_a_message_to_it_expires(monkeypatch):
    layer = InMemoryChannelLayer(expiry=60)
    gone = await layer.new_channel()  # a socket that closed without group_discard
    await layer.group_add("chat-lobby", gone)
    await layer.group_add("chat-kitchen", gone)
    await layer.group_send("chat-lobby", {"type": "chat.message", "message": "anyone?"})
    later = time.time() + 61
    monkeypatch.setattr("channels.layers.time.time", lambda: later)
    await layer.group_send("chat-kitchen", {"type": "chat.message", "message": "hello?"})  # runs the clean-up
    assert layer.groups == {"chat-lobby": {}, "chat-kitchen": {}}  # out of both, not only the one that sent


@pytest.mark.parametrize("layer", ["redis"], indirect=True)
async def test_redis_core_buffers_copies_for_a_member_that_never_left_in_the_server_process(layer):
    channel_layer = get_channel_layer()
    alive, gone = await channel_layer.new_channel(), await channel_layer.new_channel()  # one process, two sockets
    for channel in (alive, gone):
        await channel_layer.group_add("chat-lobby", channel)
    for n in range(3):
        await channel_layer.group_send("chat-lobby", {"type": "chat.message", "message": f"m{n}"})
        await channel_layer.receive(alive)  # the process's one reader pops the copies for both
    assert channel_layer.receive_buffer[gone].qsize() == 3  # in this process's memory, up to `capacity`
    key = channel_layer.prefix + channel_layer.non_local_name(gone)
    assert await channel_layer.connection(0).zcard(key) == 0  # and nothing waits in Redis
    assert gone in await group_members("chat-lobby")  # still a member until group_expiry (a day)


@pytest.mark.browser
def test_two_browser_windows_in_one_room_see_each_others_messages_and_another_room_sees_none(browser, course_server):
    windows = {}
    for name, room in [("alice", "lobby"), ("bob", "lobby"), ("carol", "kitchen")]:
        if windows:
            browser.switch_to.new_window("window")
        windows[name] = browser.current_window_handle
        browser.get(course_server.http_url + "/lessons/04/")
        path = browser.find_element(By.ID, "path")
        path.clear()
        path.send_keys(f"ws/chat/{room}/")
        browser.find_element(By.ID, "connect").click()
        wait_until(lambda: browser.find_element(By.ID, "status").text == "open")
    for name in ("alice", "bob"):
        browser.switch_to.window(windows[name])
        box = browser.find_element(By.ID, "message")
        box.clear()
        box.send_keys(json.dumps({"message": f"hi from {name}"}))
        browser.find_element(By.ID, "send-json").click()

    def received(window: str, count: int) -> list[str]:
        browser.switch_to.window(windows[window])
        wait_until(lambda: len(browser.find_elements(By.CSS_SELECTOR, "li.frame.in")) >= count)
        frames = browser.find_elements(By.CSS_SELECTOR, "li.frame.in .data")
        return sorted(json.loads(frame.text)["message"] for frame in frames)

    assert received("alice", 2) == ["hi from alice", "hi from bob"]
    assert received("bob", 2) == ["hi from alice", "hi from bob"]
    assert received("carol", 0) == []
