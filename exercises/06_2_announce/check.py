"""Check 06.2: announce to a chat room from synchronous code.

The task's rules, in its order: 1. the layer message is a chat message from announce, long text whole; 2. announce
returns only once it is delivered; 3. every socket of the room hears it and other rooms do not; 4. it is sent on the
server's own event loop; 5. a layer failure reaches the caller; 6. (the battery) nothing sets
DJANGO_ALLOW_ASYNC_UNSAFE.
"""

import pytest
from channels.exceptions import ChannelFull
from channels.routing import URLRouter
from django.urls import path

from exercises.probes import FRAME, LoopWatchingLayer, close_all, connect, frame, member_of, nothing_more, proved
from exercises.probes import serve_layer, slow_broadcasts
from exercises.probes.outside_consumers import FullLayer, called_as_a_view, waiting

# The course's ws/chat/<room>/ consumer: the room announce() speaks into (group "chat-<room>").
from layers_demo.hardened_chat import ChatConsumer

RULE = 'announce(room, text) is called from synchronous code; it must deliver to the group "chat-<room>"'
CHAT = URLRouter([path("<str:room>/", ChatConsumer.as_asgi())])
announce = called_as_a_view("06.2", RULE, "announce")  # announce(room, text): in a thread, the file imported afresh


@pytest.mark.rule(1)
async def test_the_layer_message_is_a_chat_message_from_announce():
    member = await member_of("chat-hall")
    await announce("hall", "drill")
    got = await waiting(member, FRAME)
    expected = {"type": "chat.message", "message": "drill", "sender": "announce"}
    assert isinstance(got, dict), (
        f'announce("hall", "drill") returned, but the group "chat-hall" got {got}: '
        "calling a layer's coroutine function only makes a coroutine; from synchronous code something must "
        "run it to the end, and the group's name must be the chat's own"
    )
    assert got == expected, (
        f'a member of the group "chat-hall" expected exactly {expected}, got {got}: the chat\'s handler '
        "reads the type, message and sender, and nothing else may ride along"
    )
    long = "fire drill at noon, " * 299 + "fire drill at noon!"  # 5,999 characters: more than a client may send (4,096)
    try:
        await announce("hall", long)
    except ValueError:
        return  # refused out loud: a limit of your own, and the caller knows
    got = await waiting(member, FRAME)
    assert isinstance(got, dict), f'a long announcement ({len(long):,} characters): the group "chat-hall" got {got}'
    message = got.get("message") if isinstance(got, dict) else got
    assert message == long, (
        f"a long announcement ({len(long):,} characters) reached the group as {str(message)[:60]!r}... "
        f"({len(message) if isinstance(message, str) else 0:,} characters): announce() passes the text on as it "
        "is; the 4,096-character limit is for what clients send, and a limit of your own would refuse the text "
        "(raise ValueError), never cut it short without a word"
    )


@pytest.mark.rule(2)
async def test_announce_returns_only_once_the_message_is_delivered():
    member = await member_of("chat-lobby")
    with slow_broadcasts(0.5):  # as on a busy Redis; a send handed to a thread outlasts a loaded machine's stall
        await announce("lobby", "on time")
    got = await waiting(member, 0)
    if not isinstance(got, dict):
        later = await waiting(member, FRAME)
        assert isinstance(later, dict), f'announce("lobby", "on time") returned, but the group "chat-lobby" got {later}'
    assert isinstance(got, dict) and got.get("message") == "on time", (
        f"announce() returned before the message was in the group (it had {got}): the caller (a view, a command) must "
        "be able to trust that once announce() returns, the message is in the group; wait for the coroutine to end"
    )


@pytest.mark.rule(3)
async def test_every_socket_in_the_room_hears_it_and_other_rooms_do_not():
    first, second = await connect(CHAT, "/Lobby/"), await connect(CHAT, "/Lobby/")
    elsewhere = await connect(CHAT, "/lobby/")  # another room: names keep their case
    proved("sockets", 3)
    text = " tea & cake <now>: \u2615 at 5\n"  # passed on as it is: escaping and trimming are the page's job
    await announce("Lobby", text)
    for name, socket in (("first", first), ("second", second)):
        got = await frame(socket)
        assert got == {"message": text, "sender": "announce"}, (
            f'the {name} socket in ws/chat/Lobby/ expected {{"message": {text!r}, "sender": "announce"}}, got '
            f'{got}: every socket of the room joined the group "chat-Lobby", and a chat.message reaches them only '
            "through that group, its message and sender unchanged"
        )
    assert await nothing_more(elsewhere), "a socket in the room lobby heard the announcement to the room Lobby"
    await announce("lobby", "fire drill")
    got = await frame(elsewhere)
    assert got == {"message": "fire drill", "sender": "announce"}, (
        f'announce("lobby", …) must reach the room lobby, got {got}'
    )
    assert await nothing_more(first, 0.05), "a socket in the room Lobby heard the announcement to the room lobby"
    await close_all(first, second, elsewhere)


@pytest.mark.rule(4)
async def test_the_layer_message_is_sent_on_the_servers_own_event_loop(settings):
    serve_layer(settings, LoopWatchingLayer)
    member = await member_of("chat-hall")  # the layer built on the server's loop, as the server builds it
    try:
        await announce("hall", "drill")
    except RuntimeError as error:
        pytest.fail(
            f"announce() ran the layer's group_send on an event loop of its own ({error}): the layer's queues and "
            "Redis connections belong to the server's loop, and a loop made for one call and closed after it "
            "leaves them broken; from synchronous code, have the server's own loop run the coroutine",
            pytrace=False,
        )
    got = await waiting(member, FRAME)
    assert isinstance(got, dict) and got.get("message") == "drill", (
        f'announce("hall", "drill") returned, but the group "chat-hall" got {got}'
    )


@pytest.mark.rule(5)
async def test_a_layer_failure_reaches_the_caller(settings):
    serve_layer(settings, FullLayer)
    with pytest.raises(ChannelFull):
        await announce("lobby", "lost")
        pytest.fail(
            "the layer raised ChannelFull, yet announce() returned as if it had worked: an error swallowed "
            "leaves the caller believing the room heard it; let the layer's error reach the caller",
            pytrace=False,
        )


# The standard battery of what this exercise builds (a client helper), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
