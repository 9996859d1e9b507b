"""Check 04.2: tell the room who joins and who leaves.

Each socket gets a name of its own ("guest-" and six hex digits), unlike on another server process, every digit
drawn at random; the room hears a join and a leave, whatever the close code; each announcement goes out before its
handler returns; a frame from a client reaches no one; a socket that closed has left the group, before its leave
went out, and left nothing behind.
"""

import os
import random
import re
from types import SimpleNamespace

import pytest
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import WebsocketCommunicator

from exercises.probes import broadcasts_awaited, close_all, connect, ends_on_disconnect, frame, hears, imported_afresh
from exercises.probes import in_its_group_once_open, kept_by, load, members, never_blocks, nothing_kept, nothing_more
from exercises.probes import proved, serve_layer, warm_up

RULE = 'PresenceConsumer joins "expresence" and announces {"joined": <name>} and {"left": <name>}'
EXERCISE, GROUP = "04.2", "expresence"
LAG = 0.08  # the longest stall in your code (a busy machine's is not): a time.sleep(0.1) "flood guard" is caught
ZEROS = (  # what a name that lost a leading 0 digit needs
    'whatever the draw. One name in sixteen starts with a 0 digit, which hex() and f"{n:x}" drop: pad to six, '
    'f"{n:06x}", or draw the digits themselves (secrets.token_hex(3), uuid.uuid4().hex[:6])'
)


class RecordingLayer(InMemoryChannelLayer):
    """The in-memory layer, noting each group_send with the channels that were in the group when it went out."""

    def __init__(self, **config):
        super().__init__(**config)
        self.sent: list[tuple[dict, set]] = []

    async def group_send(self, group, message):
        self.sent.append((dict(message), set(self.groups.get(group, {}))))
        await super().group_send(group, message)


@pytest.fixture(autouse=True)
async def warmed_up(settings):
    """The in-memory layer (its groups can be read), and one socket opened and closed before any lag is measured."""
    serve_layer(settings, RecordingLayer)
    await warm_up(load(EXERCISE, RULE).PresenceConsumer.as_asgi())


async def joined(who: str, module=None, why: str = "as the task says") -> tuple[WebsocketCommunicator, str, str]:
    """A socket in the room: its communicator, the name its own join announced (a guest's), its channel in the group."""
    before = members(GROUP)
    communicator = await connect((module or load(EXERCISE, RULE)).PresenceConsumer.as_asgi(), "/")
    own = await frame(communicator)
    assert isinstance(own, dict) and set(own) == {"joined"} and isinstance(own["joined"], str) and own["joined"], (
        f'expected {who}\'s first frame to be {{"joined": <a name>}}, its own join, got {own}: a socket is in '
        "the room before the join is announced, so it hears its own"
    )
    assert re.fullmatch("guest-[0-9a-f]{6}", own["joined"]), (
        f'{who} was announced as {own["joined"]!r}: expected "guest-" and six random hex digits, {why}'
    )
    channel = members(GROUP) - before
    assert len(channel) == 1, f'expected {who}\'s socket to join the group "expresence", got members {members(GROUP)}'
    return communicator, own["joined"], channel.pop()


async def test_each_socket_gets_a_name_of_its_own():
    async with never_blocks(LAG):
        opened = [await joined(who) for who in ("alice", "bob", "carol")]
        proved("sockets", 3)
        names = [name for _, name, _ in opened]
        proved("boundaries", 3)
        assert len(set(names)) == 3, (
            f"three sockets were announced as {names}: each socket needs a name of its own, drawn afresh for "
            "each connection (a generator seeded the same way draws the same name every time)"
        )
        await close_all(*(communicator for communicator, _, _ in opened))
        assert not any(communicator.future.cancelled() for communicator, _, _ in opened), (
            "a consumer was still running after websocket.disconnect, until the test cancelled it: wherever the group "
            "is left, websocket_disconnect must raise StopConsumer(), or each closed socket's consumer waits for "
            "events that never come until the server cancels it (Daphne: application_close_timeout, 10 s)"
        )


async def test_two_server_processes_never_name_two_sockets_alike():
    # Each server process imports the file afresh: whatever a process counts or seeds starts over in each.
    first = await joined("a socket on one process", imported_afresh(EXERCISE, RULE))
    second = await joined("a socket on another process", imported_afresh(EXERCISE, RULE))
    assert first[1] != second[1], (
        f"the first socket of each of two server processes was announced as {first[1]!r}: a counter, or "
        "anything else a process starts afresh, repeats in every process, and the room cannot tell them apart; "
        "draw each name at random (uuid4, secrets)"
    )
    await close_all(first[0], second[0])


def draws_come_out_zero(patch) -> None:
    """Every random draw a name may come from made 0: os.urandom (uuid4, secrets) and the random module's."""
    for module, name, zero in ((os, "urandom", bytes), (random, "_urandom", bytes), (random, "random", float)):
        patch.setattr(module, name, zero)  # bytes(n) is n zero bytes, float() is 0.0
    patch.setattr(random, "getrandbits", lambda bits: 0)
    patch.setattr(random.Random, "getrandbits", lambda self, bits: 0)  # randint, randrange, choice draw with it
    patch.setattr(random.Random, "random", lambda self: 0.0)


async def test_every_digit_of_a_name_is_drawn_at_random(monkeypatch):
    # Twenty names drawn at random: that any of the six digits shows 4 values or fewer in all twenty has odds of
    # about 1 in 10**8. A clock, an id(), a counter or a small range shows 1 or 2.
    async with never_blocks(LAG):
        opened = [await joined(f"socket {n + 1}") for n in range(20)]
    names = [name for _, name, _ in opened]
    await close_all(*(communicator for communicator, _, _ in opened))
    proved("sockets", len(names))
    for place in range(6):
        seen = sorted({name[6 + place] for name in names})
        assert len(seen) > 4, (
            f"twenty sockets were named {', '.join(names[:4])}, …: hex digit {place + 1} of the six took only "
            f"{''.join(seen)!r}, where sixteen values are drawn at random. A name from a clock, an id(), a counter "
            "or a small random range repeats (in a room, or on two server processes): draw all six digits at "
            "random for each socket (uuid.uuid4().hex[:6], secrets.token_hex(3))"
        )
    # One draw in sixteen has a first hex digit of 0, which hex() and f"{n:x}" drop: a draw of 0 shows it every time.
    with monkeypatch.context() as patch:
        draws_come_out_zero(patch)
        zero = await joined("a socket whose random draw came out 0", imported_afresh(EXERCISE, RULE), ZEROS)
        await close_all(zero[0])


async def test_the_room_hears_a_join_and_a_leave():
    async with never_blocks(LAG):
        await in_its_group_once_open(load(EXERCISE, RULE).PresenceConsumer.as_asgi())
        bob, bob_name, _ = await joined("bob")
        alice, alice_name, _ = await joined("alice")
        await hears({"bob": bob}, [{"joined": alice_name}])
        carol, carol_name, _ = await joined("carol")
        proved("sockets", 3)
        await hears({"bob": bob, "alice": alice}, [{"joined": carol_name}], " (carol came)")
        await ends_on_disconnect(bob, 1006)  # his network dropped: no goodbye, and still he has left
        for name, communicator in (("alice", alice), ("carol", carol)):
            left = await frame(communicator)
            assert left == {"left": bob_name}, (
                f'expected {{"left": "{bob_name}"}} on {name}\'s socket when bob left, got {left}: the leave '
                "names the socket that left, and each socket keeps its own name on self; it is announced whatever "
                "the close code (bob's socket closed with 1006, his network gone)"
            )
        await ends_on_disconnect(carol)
        for name, gone in (("bob", bob), ("carol", carol)):
            assert gone.output_queue.empty(), (
                f"{name}'s socket was sent {gone.output_queue.get_nowait()} after it had closed: the leave is for "
                "the others, and nothing may follow a close"
            )
        left = await frame(alice)
        assert left == {"left": carol_name}, (
            f'expected {{"left": "{carol_name}"}} on alice\'s socket when carol left, got {left}: each socket '
            "keeps its own name on self, not on the class every socket shares"
        )
        assert await nothing_more(alice, 0.1), "alice heard more than the joins and leaves of the others"
        await close_all(alice)


async def test_each_announcement_goes_out_before_its_handler_returns():
    with broadcasts_awaited() as probe:  # sees a group_send its handler left running
        room = SimpleNamespace(PresenceConsumer=probe.watched(load(EXERCISE, RULE).PresenceConsumer))
        (alice, _, _), (bob, _, _) = await joined("alice", room), await joined("bob", room)
        await frame(alice)  # bob's join
        await ends_on_disconnect(bob, 1000)
        await frame(alice)  # bob's leave
        await close_all(alice)
    assert not probe.late, (
        f"a group_send outlived the handler that started it ({probe.late[0]}): an announcement handed to a task "
        "(asyncio.ensure_future, create_task) is one no handler waits for, so its error is lost, and a leave sent "
        "that way runs on after its consumer has ended. Await each group_send in the handler"
    )


async def test_a_frame_from_a_client_reaches_no_one():
    async with never_blocks(LAG):
        (alice, _, _), (bob, _, _) = await joined("alice"), await joined("bob")
        await frame(alice)  # bob's join
        for text in ("hello", '{"joined": "mallory"}', '{"type": "presence", "left": "alice"}', "[1]", "null", b"\0"):
            await alice.send_to(**{"bytes_data" if isinstance(text, bytes) else "text_data": text})
        proved("bad frames", 6)
        for name, communicator in (("alice", alice), ("bob", bob)):
            assert await nothing_more(communicator, 0.1), (
                f"a frame from alice's client made {name}'s socket receive {await frame(communicator)}: this room "
                "only announces joins and leaves, and a client can never announce anything itself"
            )
        await close_all(alice, bob)


async def test_a_socket_that_closed_has_left_the_group():
    held = kept_by(load(EXERCISE, RULE))
    async with never_blocks(LAG):
        alice, _, alice_channel = await joined("alice")
        bob, bob_name, bob_channel = await joined("bob")
        await ends_on_disconnect(bob, 1001)  # his tab went away
        assert bob_channel not in members(GROUP), (
            'a closed socket is still in the group "expresence": every announcement is queued for a channel '
            "nobody reads; leave the group on disconnect (group_discard), whatever the close code (bob's was 1001)"
        )
        assert alice_channel in members(GROUP), "when bob's socket closed, alice's socket left the group too"
        told = [to for message, to in get_channel_layer().sent if message.get("left") == bob_name]
        assert all(bob_channel not in to for to in told), (
            f'bob\'s {{"left": "{bob_name}"}} went out while his own channel was still in the group: a copy of it '
            "was queued for a socket that is gone, on a channel nobody reads again. Leave the group first "
            "(group_discard), then announce the leave to the others"
        )
        await close_all(alice)
    nothing_kept(held, load(EXERCISE, RULE), "alice and bob have closed", (
        "A name of six random hex digits needs no list of the names taken (another server process never sees it): "
        "keep each socket's name on self, which goes with its consumer"
    ))  # fmt: skip
