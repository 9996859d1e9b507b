"""Check 04.4 (fix): a group name is valid for every room name, different rooms never share a group.

Any room name opens and its messages (spaces too) go round, each broadcast awaited; two different rooms never hear
each other, and a hundred rooms are a hundred groups; no room name can join another room's group; every server
process picks the same group for a room; a socket that closed has left its room, and a room leaves nothing behind.
"""

import unicodedata

import pytest

from exercises.probes import broadcasts_awaited, close_all, ends_on_disconnect, frame, in_its_group_once_open, kept_by
from exercises.probes import examples, load, never_blocks, next_frames, nothing_kept, nothing_more, proved, warm_up
from exercises.probes.rooms import RoutedRooms, digest_bits, groups_elsewhere, occupied, shown, spelled_two_ways

EXERCISE, LAG = "04.4", 0.08  # LAG: the longest stall in your code; a time.sleep(0.1) "flood guard" is caught
RULE = (
    "A group name is < 100 ASCII letters, digits, hyphens, underscores or periods, one group a room: derive it from "
    "the room name so that every name is valid, rooms stay apart and every server process picks the same group"
)
CHAT = RoutedRooms("ws/fixchat/<str:room>/", lambda: load(EXERCISE, RULE).NamedRoomConsumer, RULE)


@pytest.fixture(autouse=True)
async def warmed_up(in_memory_layer):
    """The in-memory layer (its groups can be read), and one socket opened and closed before any lag is measured."""
    await warm_up(CHAT.app(), "/ws/fixchat/lobby/")


@pytest.mark.rule(1, 2)
async def test_any_room_name_opens_and_its_messages_go_round():
    rooms = ["lobby", "café", "tea & cake", "x" * 94, "x" * 95, "x" * 200, "🍵", "a", "Ünïcödé ✓"]  # 99: "chat_" + 94
    async with never_blocks(LAG):
        await in_its_group_once_open(CHAT.app(), "/ws/fixchat/lobby/")
        with broadcasts_awaited() as probe:  # sees a group_send its handler left running
            consumer = probe.watched(load(EXERCISE, RULE).NamedRoomConsumer)
            for room in rooms:
                first, second = await CHAT.joined(room, consumer), await CHAT.joined(room, consumer)
                await first.send_to(text_data="hi")
                await second.send_to(text_data=" ")  # spaces are text too: a message like any other
                got = [sorted(await next_frames(communicator, 2), key=str) for communicator in (second, first)]
                assert got == [[{"message": " "}, {"message": "hi"}]] * 2, (
                    f'room {room!r}: expected {{"message": "hi"}} and {{"message": " "}} (spaces are text too) on both '
                    f"sockets (the other's, then the sender's own), got {got}: two sockets in one room share its group"
                )
                await close_all(first, second)
        assert not probe.late, (
            f"a group_send outlived the handler that started it ({probe.late[0]}): one handed to a task (ensure_future,"
            " create_task) loses its error, and a later message can overtake it on Redis. Await each in the handler"
        )
    proved("sockets", 2)
    proved("boundaries", len(rooms))


# Names a group name cannot keep apart (characters dropped or replaced, cut), of one checksum, of one digest cut short,
# each pair with what its names share, and names Unicode's compatibility forms (NFKC) fold into one.
CHECKSUMS = {("plumless", "buckeroo"): "one CRC-32", ("aca", "bab"): "one Adler-32"}
CHECKSUMS[("room 46917", "room 744958")] = "the first 10 hex digits of their MD5"
CHECKSUMS[("room 1466157", "room 1528241")] = "the first 10 hex digits of their SHA-256"  # 40 bits: found in seconds
FOLDED = {
    ("\ufb01sh", "fish"): "ﬁ",
    ("\uff2cobby", "Lobby"): "Ｌ",
    ("\u2460", "1"): "①",
}  # a ligature, fullwidth, circled
PAIRS = [("Tea Cake", "tea-cake"), ("café", "cafe"), ("Lobby", "lobby"), ("x" * 120, "x" * 119 + "y")]
PAIRS += [("tea & cake", "teacake"), ("café", "cafè"), ("lobby", " lobby "), *CHECKSUMS, *FOLDED]
BITS = 128  # the least a group's digest keeps (32 hex digits): a shorter cut is a search away from two names meeting


@pytest.mark.rule(3)
async def test_different_rooms_never_share_a_group():
    async with never_blocks(LAG):
        for room, other in PAIRS:
            here, there = await CHAT.joined(room), await CHAT.joined(other)
            pair = CHECKSUMS.get((room, other))  # a client can then pick a name of another room's checksum, and read it
            why = (
                f"The names share {pair}: a checksum, or a digest cut that short, keeps no names apart. "
                if pair
                else ""
            )
            if (room, other) in FOLDED:
                why = (
                    f"{FOLDED[room, other]!r} and what NFKC makes of it are two names: compatibility forms (NFKC) fold "
                    "different names into one; NFC joins only one name's two spellings (rule 5). "
                )
            for a, b, sender, receiver in ((room, other, here, there), (other, room, there, here)):
                await sender.send_to(text_data="only for this room")
                got = await frame(sender)
                assert got == {"message": "only for this room"}, f"room {a!r}: expected its own message back, got {got}"
                assert await nothing_more(receiver, 0.1), (
                    f"a message in room {shown(a)} reached room {shown(b)}: they share one group. {why}{RULE}"
                )
            await close_all(here, there)
        groups = [await CHAT.group_of(f"room {n}") for n in range(100)]  # a hundred rooms
        shared = [f"room {n}" for n, group in enumerate(groups) if groups.count(group) > 1]
        assert not shared, (
            f"rooms {shared[0]!r} and {shared[1]!r} share one group: a digest cut to a few characters, or taken "
            f"modulo a small number, gives a hundred rooms fewer than a hundred groups. {RULE}"
        )
        cafe = await CHAT.group_of("café")  # a name no group holds as it is: each tail of its group is a room name too
        for room in (cafe[start:] for start in range(len(cafe))):
            assert await CHAT.group_of(room) != cafe, (
                f"a client who opens room {room!r} joins {cafe!r}, the group of room 'café', and reads its "
                "messages: a name kept as it is when valid and a digest otherwise can be made to meet. Derive "
                f"every group the same way, from a digest of the room name. {RULE}"
            )
    proved("boundaries", len(groups) + len(cafe))


@pytest.mark.rule(4)
async def test_every_server_process_picks_the_same_group_for_a_room():
    rooms = ["lobby", "café", "x" * 120]  # opened in the other order there: a number given as rooms come differs too
    elsewhere = await groups_elsewhere(__file__, "CHAT", rooms[::-1])  # its hash() seeded otherwise
    for room, there in zip(rooms[::-1], elsewhere, strict=True):
        assert (here := await CHAT.group_of(room)) == there, (
            f"room {room[:40]!r} joins group {here!r} in one server process and {there!r} in another: with "
            "Redis, two processes serving one room must pick the same group, and Python's hash() of a str differs "
            f"from one process to the next, as does a number each process gives rooms as they come. {RULE}"
        )
    proved("processes", 2)


@pytest.mark.rule(3)
async def test_a_group_keeps_128_bits_of_a_digest():
    groups = [await CHAT.group_of(f"room {n}") for n in range(100)]
    length, kinds, bits = digest_bits(groups)
    assert bits >= BITS, (
        f"the groups of a hundred rooms differ in {length} characters of {kinds} kinds: at most about {bits:.0f} bits, "
        f"under the {BITS} bits of a digest the task asks. A client can search for two names whose groups meet in so "
        "few (two names whose SHA-256 hex digests begin with the same 12 digits took a laptop minutes to find), and "
        f"then reads the other room: keep the whole digest (SHA-256's 64 hex digits), or at least 32 of them. {RULE}"
    )
    proved("boundaries", len(groups))


@pytest.mark.rule(6)
async def test_a_socket_that_closed_has_left_its_room():
    held = kept_by(load(EXERCISE, RULE))
    async with never_blocks(LAG):
        communicator = await CHAT.joined("tea & cake, a room no one opened before")
        await ends_on_disconnect(communicator, 1006)  # its network dropped: no goodbye, and still it has gone
        assert not (left := occupied()), (
            f"a closed socket (1006: its network gone) is still in the group {left[0]!r}: every message to the room "
            "is queued for a channel nobody reads; leave the same group on disconnect, whatever the close code"
        )
    kept = "A store of what clients typed grows with every room name any client ever tries: work the group out anew"
    nothing_kept(held, load(EXERCISE, RULE), "a room was opened and closed", f"{kept} for each socket, on self")


@pytest.mark.rule(5)
async def test_one_name_spelled_two_ways_in_unicode_is_one_room():
    rooms = ["café", "Ünïcödé ✓", "crème brûlée", "한국어", *examples(spelled_two_ways(), 16)]
    for room in rooms:
        decomposed = unicodedata.normalize("NFD", room)  # as macOS may type it: a letter, then its combining accent
        here, there = await CHAT.group_of(room), await CHAT.group_of(decomposed)
        assert here == there, (
            f"room {shown(room)} (NFC: {len(room)} code points) and the same name in NFD ({len(decomposed)} code points: "
            f"each accented letter a letter and a combining accent, as a Mac keyboard may send it) joined two groups: "
            "one name spelled two ways is one room. Put the name in one Unicode form "
            '(unicodedata.normalize("NFC", room)) before the digest'
        )
    proved("boundaries", len(rooms))


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_message_arrives_unchanged,
    test_a_layer_failure_is_told_never_swallowed,
    test_a_layer_failure_while_joining_is_told,
)
