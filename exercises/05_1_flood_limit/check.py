"""Check 05.1: a chat that answers a flood with errors, to the flooder alone.

One socket flooding does not silence another; up to three messages in a second reach every socket, as sent; the
fourth is an error for the sender only; a long flood gets an error for each extra message, its socket kept open,
and nobody ever hears a refused one, not even later; after a second the window slides, the wall clock set back or
not; a binary frame never crashes the consumer; a socket leaves the room however it ends, leaving no window; a cancelled consumer
ends cancelled.
"""

import asyncio
import time

import pytest

from exercises.probes import NOTHING, cancelled, close_all, connect, drain, ends_cancelled, errors_in, frame, kept_by
from exercises.probes import in_its_group_once_open, leaves_however_it_ends, messages_in, never_blocks, next_frames
from exercises.probes import nothing_kept, nothing_more, overheard, proved, say, sockets

EXERCISE, CONSUMER, GROUP = "05.1", "FloodLimitedChatConsumer", "exflood"
RULE = 'Each socket may send at most 3 messages in any 1 s; the rest get {"error": ...} on that socket alone'
LIMIT, PERIOD, STALL = 3, 1.0, 0.25  # at most 3 messages in any 1 s, per socket; a busy box stalls the loop for ms
pytestmark = pytest.mark.usefixtures("warmed_up", "clock")  # first imports out of any stall; time the check moves


async def test_one_socket_flooding_does_not_silence_another(app):
    async with never_blocks(STALL):
        alice, bob = await sockets(app)
        await say(alice, "a0", "a1", "a2", "a3")
        await asyncio.gather(next_frames(alice, LIMIT + 1), next_frames(bob, LIMIT))  # her 3 and an error; the 3
        await drain(alice, bob)  # and whatever more a wrong consumer sent
        await say(bob, "b0", "b1", "b2")
        heard = await next_frames(bob, LIMIT)
        assert not errors_in(heard) and messages_in(heard) == ["b0", "b1", "b2"], (
            f"bob's 3 messages were refused because alice flooded, bob got {heard}: count each socket's messages "
            "on its own consumer (self), never on the class or the module"
        )
        assert messages_in(await next_frames(alice, LIMIT)) == ["b0", "b1", "b2"], "alice, still open, must hear bob"
        await close_all(alice)
        await say(bob, "b3")
        assert errors_in([got := await frame(bob)]), (
            f'after alice left, bob sent his own 4th: the 4th message within 1 s must get {{"error": ...}} and the '
            f"socket kept open, got {got}"
        )
        await close_all(bob)


async def test_up_to_three_messages_in_a_second_reach_every_socket(app):
    async with never_blocks(STALL):
        await in_its_group_once_open(app)  # lesson 04: join the room before accepting, or a client misses the room
        alice, bob = await sockets(app)
        await say(alice, *(texts := ["a0", "  a1, indented", "a2 on\ntwo lines\n"]))
        heard, own = await next_frames(bob, LIMIT), await next_frames(alice, LIMIT)
        assert messages_in(heard) == texts, (
            f"alice sent 3 messages within 1 s, the limit: bob must hear each as sent, never stripped: got {heard}"
        )
        assert messages_in(own) == texts, f"the sender is in the room too and hears its 3 messages as sent, got {own}"
        assert await nothing_more(bob), "bob heard more than the 3 messages alice sent"
        await close_all(alice, bob)
    proved("boundaries", 1)


async def test_the_fourth_message_in_a_second_is_an_error_for_the_sender_only(app):
    async with never_blocks(STALL):
        alice, bob = await sockets(app)
        await say(alice, "a0", "a1", "a2", "a3")
        own, heard = await next_frames(alice, LIMIT + 1), await next_frames(bob, LIMIT)
        assert len(errors_in(own)) == 1 and sorted(messages_in(own)) == ["a0", "a1", "a2"], (
            f'alice sent 4: she gets her 3 back, and the 4th message within 1 s must get one {{"error": ...}}, got {own}'
        )
        assert messages_in(heard) == ["a0", "a1", "a2"], f"bob must hear the first 3 messages, got {heard}"
        assert await nothing_more(bob), "a message over the limit reached another socket: an error only"
        assert not alice.future.done(), "the flooder's socket was closed: a flood gets errors, the socket kept open"
        await close_all(alice, bob)
    proved("boundaries", 1)


async def test_a_long_flood_keeps_its_socket_open_and_a_refused_message_is_never_heard(app, clock):
    async with never_blocks(STALL):
        alice, bob = await sockets(app)
        await say(alice, *(f"a{n}" for n in range(15)))
        own = []
        while len(own) < 15 and (not own or isinstance(own[-1], dict) and own[-1].get("type") != "websocket.close"):
            own.append(await frame(alice))  # up to a close, or silence: either is the answer
        assert len(errors_in(own)) == 12 and not alice.future.done(), (
            f"alice sent 15 messages within 1 s, and got {own}: each over the limit gets its own error, and her "
            "socket stays open however long she floods"
        )
        heard = await next_frames(bob, LIMIT)
        assert messages_in(heard) == ["a0", "a1", "a2"], f"bob must hear alice's first 3 messages, got {heard}"
        clock.now += PERIOD + 0.3  # the window has room again: a refused message kept until then comes now
        later = await overheard(bob, PERIOD + 0.3)
        assert later == NOTHING, f"a second after alice's flood bob got {later}: not delayed until the window has room"
        assert await nothing_more(alice, 0.05), "after her flood and its errors alice received more frames"
        await close_all(alice, bob)
    proved("boundaries", 1)


async def test_after_a_second_the_flooder_may_speak_again(app, clock, monkeypatch):
    async with never_blocks(STALL):
        alice, bob = await sockets(app)
        await say(alice, "a0")
        await frame(bob)  # a0 went through: the consumer counted it before this moment
        clock.back = clock.now  # NTP sets the wall clock back 1 h: on the Clock, and for a file that reads its own
        monkeypatch.setattr(time, "time", lambda wall=time.time: wall() - 3600)
        await clock.passes(PERIOD / 2)
        await say(alice, "a1", "a2", "a3")  # a3 is the 4th within 1 s: refused
        burst = await next_frames(alice, LIMIT + 1)  # a0 back, a1, a2, and an error for a3
        assert len(errors_in(burst)) == 1 and messages_in(burst) == ["a0", "a1", "a2"], (
            f"half a second after a0 alice sent a1, a2, a3, her 4th within 1 s, and got {burst}. {RULE}"
        )
        await next_frames(bob, 2)  # a1 and a2
        await clock.passes(PERIOD / 2 + 0.15)  # a0 is over a second old now; a1 and a2 are not
        await say(alice, "a4", "a5")
        heard, own = await next_frames(bob, 1), await next_frames(alice, 2)
        assert messages_in(heard) == ["a4"] and await nothing_more(bob), (
            f"a second after her first message alice sent 2 more, and bob got {heard}: the window slides, so the first "
            "one left it and one new message fits (the other 2 of that second still count); the wall clock, set back "
            f"an hour meanwhile, changes nothing: time the window with time.monotonic(), which never goes back. {RULE}"
        )
        assert len(errors_in(own)) == 1 and messages_in(own) == ["a4"], f"a4 fits the window, a5 does not: got {own}"
        await close_all(alice, bob)


async def test_a_binary_frame_never_crashes_the_consumer(app):
    alice, bob = await sockets(app)
    await alice.send_to(bytes_data=b"\x00\xff not text")  # a client may send one: its event has no "text"
    await say(alice, "after")
    for who, communicator in (("alice", alice), ("bob", bob)):
        got = []
        while {"message": "after"} not in got and len(got) < 2:
            try:
                got.append(await frame(communicator))
            except pytest.fail.Exception as crash:  # the server closes the socket with 1011
                got.append(str(crash))
                break
        allowed = [{"message": ""}, {"message": "after"}, *(errors_in(got) if who == "alice" else [])]
        assert got[-1:] == [{"message": "after"}] and all(f in allowed for f in got), (
            f'alice sent a binary frame (no "text"), then "after", and {who} got {got}: a frame never crashes the '
            'consumer; answer it with {"error": ...} to its sender alone (or pass it on as the empty message)'
        )
    await close_all(alice, bob)


async def test_a_socket_leaves_the_room_however_its_consumer_ends(app):
    await leaves_however_it_ends(app, GROUP, STALL)


async def test_a_socket_that_has_gone_leaves_no_window_behind(app, module):
    before = kept_by(module)
    for end in (close_all, cancelled):  # the client leaves; the server cancels
        await say(alice := await connect(app), "a0")
        await frame(alice)
        await end(alice)
    del alice
    went = "2 sockets sent a message each and went (one left, the server cancelled the other)"
    nothing_kept(before, module, went, "Keep a socket's window on its own consumer (self.sent = deque())")


async def test_a_consumer_the_server_cancels_ends_cancelled(app):
    await ends_cancelled(app)
