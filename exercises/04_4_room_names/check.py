"""Check 04.4 (fix): a group name is valid for every room name, different rooms never share a group.

Any room name opens and its messages go round, each broadcast awaited; two different rooms never hear each other,
and a hundred rooms are a hundred groups; no room name can join another room's group; every server process picks
the same group for a room; a socket that closed has left its room, and a room leaves nothing kept behind.
"""

import asyncio
import json
import os
import sys

import pytest
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import re_path

from exercises.probes import FRAME, broadcasts_awaited, close_all, ends_on_disconnect, frame, in_its_group_once_open
from exercises.probes import REPO_DIR, kept_by, load, never_blocks, nothing_kept, nothing_more, proved, warm_up

EXERCISE = "04.4"
RULE = (
    "A group name is < 100 ASCII letters, digits, hyphens, underscores or periods, and one group per room: "
    "derive it from the room name so that every name is valid, different rooms stay apart, and every server "
    "process picks the same group for the same room"
)
LAG = 0.08  # the longest stall in your code (a busy machine's is not): a time.sleep(0.1) "flood guard" is caught
# "chat_" + 94 characters is 99, the longest group name; 95 is one too many.
ROOMS = ["lobby", "café", "tea & cake", "x" * 94, "x" * 95, "x" * 200, "🍵", "a", "Ünïcödé ✓"]
PAIRS = [("Tea Cake", "tea-cake"), ("café", "cafe"), ("Lobby", "lobby"), ("x" * 120, "x" * 119 + "y")]
# Names that differ only in characters a group name cannot hold: dropped, or replaced by "?", they merge.
PAIRS += [("tea & cake", "teacake"), ("café", "cafè"), ("lobby", " lobby ")]
# crc32 and adler32 are checksums: anyone can find two names of one value, as no one can for a digest.
CHECKSUMS = {("plumless", "buckeroo"): "CRC-32", ("aca", "bab"): "Adler-32"}
PAIRS += list(CHECKSUMS)
MANY = [f"room {n}" for n in range(100)]  # a hundred rooms: a digest cut to a few characters makes two one


@pytest.fixture(autouse=True)
async def warmed_up(in_memory_layer):
    """The in-memory layer (its groups can be read), and one socket opened and closed before any lag is measured."""
    await warm_up(app(), "/ws/fixchat/lobby/")


def app(consumer=None) -> URLRouter:
    consumer = consumer or load(EXERCISE, RULE).NamedRoomConsumer
    return URLRouter([re_path(r"^ws/fixchat/(?P<room>[^/]+)/$", consumer.as_asgi())])


async def joined(room: str, consumer=None) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(app(consumer), f"/ws/fixchat/{room}/")
    try:
        connected, _ = await communicator.connect(timeout=FRAME)
    except TypeError as error:  # what the server logs for that handshake
        raise AssertionError(
            f"room {room!r}: the handshake crashed, and the server logs TypeError: {error} The socket never opens. "
            f"{RULE}"
        ) from None
    assert connected, f"room {room!r}: expected the socket to be accepted"
    greeting = await frame(communicator)
    assert greeting == {"room": room}, f'room {room!r}: expected {{"room": {room!r}}} first, got {greeting}'
    return communicator


async def group_of(room: str) -> str:
    """The one group a socket of `room` is in while it is open."""
    communicator = WebsocketCommunicator(app(), f"/ws/fixchat/{room}/")
    await communicator.connect(timeout=FRAME)
    found = [group for group, channels in get_channel_layer().groups.items() if channels]
    await communicator.disconnect(timeout=FRAME)
    assert len(found) == 1, f"room {room!r}: expected its socket in one group, got {found}"
    return found[0]


def shown(room: str) -> str:
    return repr(room) if len(room) <= 40 else f"{room[:40]!r}... ({len(room)} characters, ending {room[-3:]!r})"


async def test_any_room_name_opens_and_its_messages_go_round():
    async with never_blocks(LAG):
        await in_its_group_once_open(app(), "/ws/fixchat/lobby/")
        with broadcasts_awaited() as probe:  # sees a group_send its handler left running
            consumer = probe.watched(load(EXERCISE, RULE).NamedRoomConsumer)
            for room in ROOMS:
                first, second = await joined(room, consumer), await joined(room, consumer)
                await first.send_to(text_data="hi")
                await second.send_to(text_data="hello")
                for who, communicator in (("the other", second), ("the sender's own", first)):
                    got = sorted([await frame(communicator), await frame(communicator)], key=str)
                    assert got == [{"message": "hello"}, {"message": "hi"}], (
                        f'room {room!r}: expected {{"message": "hi"}} and {{"message": "hello"}} on {who} socket, '
                        f"got {got}: two sockets in one room share its group"
                    )
                await close_all(first, second)
            assert not probe.late, (
                f"a group_send outlived the handler that started it ({probe.late[0]}): a broadcast handed to a "
                "task (asyncio.ensure_future, create_task) is one no handler waits for, so its error is lost and "
                "a later message can overtake it on Redis. Await each group_send in websocket_receive"
            )
        proved("sockets", 2)
        proved("boundaries", len(ROOMS))


async def test_two_different_rooms_never_hear_each_other():
    async with never_blocks(LAG):
        for room, other in PAIRS:
            here, there = await joined(room), await joined(other)
            for a, b, sender, receiver in ((room, other, here, there), (other, room, there, here)):
                await sender.send_to(text_data="only for this room")
                got = await frame(sender)
                assert got == {"message": "only for this room"}, f"room {a!r}: expected its own message back, got {got}"
                checksum = CHECKSUMS.get((room, other))
                why = f"The two names have one {checksum}: a checksum (zlib.crc32, adler32) does not keep names apart, "
                why += "and a client can pick a name with another room's checksum and read it; use a digest. "
                assert await nothing_more(receiver, 0.1), (
                    f"a message in room {shown(a)} reached room {shown(b)}: they share one group. "
                    f"{why if checksum else ''}{RULE}"
                )
            await close_all(here, there)
        proved("sockets", 2)


async def test_a_hundred_rooms_are_a_hundred_groups():
    async with never_blocks(LAG):
        groups = [await group_of(room) for room in MANY]
    shared = [room for room, group in zip(MANY, groups, strict=True) if groups.count(group) > 1]
    assert not shared, (
        f"rooms {shared[0]!r} and {shared[1]!r} share one group: a digest cut to a few characters, or taken "
        f"modulo a small number, gives a hundred rooms fewer than a hundred groups. {RULE}"
    )
    proved("boundaries", len(MANY))


async def test_no_room_name_can_join_another_rooms_group():
    # A room whose name the group cannot hold as it is ("café"): which group does it get? Every tail of that group
    # name is a room name a client may type: none may land in café's group.
    cafe = await group_of("café")
    async with never_blocks(LAG):
        for room in (cafe[start:] for start in range(len(cafe))):
            assert await group_of(room) != cafe, (
                f"a client who opens room {room!r} joins {cafe!r}, the group of room 'café', and reads its "
                "messages: a name kept as it is when valid and a digest otherwise can be made to meet. Derive "
                f"every group the same way, from a digest of the room name. {RULE}"
            )
    proved("boundaries", len(cafe))


# This check's group_of() in a server process of its own: the group of each room of argv[2], opened in that order.
ELSEWHERE = """
import asyncio, json, runpy, sys
import django
from django.conf import settings
settings.configure(CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}})
django.setup()
group_of = runpy.run_path(sys.argv[1])["group_of"]
async def main():
    print(json.dumps([await group_of(room) for room in json.loads(sys.argv[2])]))
asyncio.run(main())
"""


async def test_every_server_process_picks_the_same_group_for_a_room():
    rooms = ["lobby", "café", "x" * 120]
    seed = str(int(os.environ.get("PYTHONHASHSEED", "0") or 0) + 1)  # another seed than this process's
    # The other process opens the rooms in the other order: a number given as rooms come differs too.
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", ELSEWHERE, __file__, json.dumps(rooms[::-1]), cwd=REPO_DIR,
        env={**os.environ, "PYTHONHASHSEED": seed}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, f"a second server process could not open the rooms: {err.decode()[-300:]}"
    elsewhere = dict(zip(rooms[::-1], json.loads(out), strict=True))
    for room in rooms:
        here, there = await group_of(room), elsewhere[room]
        assert here == there, (
            f"room {room[:40]!r} joins group {here!r} in one server process and {there!r} in another: with Redis, "
            "two processes serving one room must pick the same group, and Python's hash() of a str differs from one "
            f"process to the next, as does a number each process gives rooms as they come. {RULE}"
        )
    proved("processes", 2)


async def test_a_socket_that_closed_has_left_its_room():
    held = kept_by(load(EXERCISE, RULE))
    async with never_blocks(LAG):
        communicator = await joined("tea & cake, a room no one opened before")
        mine = [group for group, channels in get_channel_layer().groups.items() if channels]
        await ends_on_disconnect(communicator, 1006)  # its network dropped: no goodbye, and still it has gone
        left = [group for group in mine if get_channel_layer().groups.get(group)]
        assert not left, (
            f"a closed socket is still in the group {left[0]!r} (it closed with 1006, its network gone): every "
            "message to the room is queued for a channel nobody reads; leave the same group on disconnect, whatever "
            "the close code"
        )
    nothing_kept(held, load(EXERCISE, RULE), "a room was opened and closed", (
        "A store of what clients typed grows with every room name any client ever tries, and one client opening "
        "rooms in a loop fills the process's memory. A digest costs a microsecond: work the group name out for "
        "each socket, keep it on self, and keep nothing of a room in the module"
    ))  # fmt: skip
