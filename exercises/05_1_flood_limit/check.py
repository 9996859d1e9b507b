"""Check 05.1: a chat that answers a flood with errors, to the flooder alone.

One socket flooding does not silence another; up to three messages a second reach every socket, as sent; the fourth is
an error for the sender only; a long flood gets an error per extra message, its socket kept open, and no one hears a
refused one, not even later; after a second the window slides, the wall clock set back or not; a binary frame never
crashes the consumer; a socket leaves the room however it ends, leaving no window; a cancelled consumer ends cancelled.
"""

import asyncio

import pytest

from exercises.probes import NOTHING, close_all, drain, ends_cancelled, errors_in, in_its_group_once_open
from exercises.probes import leaves_however_it_ends, leaves_when_the_server_send_fails, messages_in, never_blocks
from exercises.probes import next_frames, nothing_more, overheard, proved, say
from exercises.probes.floods import MONOTONIC, a_second_of_bursts, alice_and_bob, answered, frames_until
from exercises.probes.floods import answers_to_a_flood, two_gone_leave_nothing

EXERCISE, CONSUMER, GROUP = "05.1", "FloodLimitedChatConsumer", "exflood"
RULE = 'Each socket may send at most 3 messages in any 1 s; the rest get {"error": ...} on that socket alone'
LIMIT, PERIOD, STALL = 3, 1.0, 0.25  # at most 3 messages in any 1 s, per socket; a busy box stalls the loop for ms
pytestmark = pytest.mark.usefixtures("warmed_up", "clock")  # first imports out of any stall; time the check moves


@pytest.mark.rule(3, 6)
async def test_one_socket_flooding_does_not_silence_another(app):
    async with alice_and_bob(app, STALL) as (alice, bob):
        await say(alice, "a0", "a1", "a2", "a3")
        await asyncio.gather(next_frames(alice, LIMIT + 1), next_frames(bob, LIMIT))  # her 3 and an error; the 3
        await drain(alice, bob)  # and whatever more a wrong consumer sent
        heard = await answered(bob, "b0", "b1", "b2")
        assert not errors_in(heard) and messages_in(heard) == ["b0", "b1", "b2"], (
            f"bob's 3 messages were refused because alice flooded, bob got {heard}: count each socket's messages "
            "on its own consumer (self), never on the class or the module"
        )
        assert messages_in(await next_frames(alice, LIMIT)) == ["b0", "b1", "b2"], "alice, still open, must hear bob"
        await close_all(alice)
        assert errors_in(got := await answered(bob, "b3")), (
            f'after alice left, bob sent his own 4th: the 4th message within 1 s must get {{"error": ...}} and the '
            f"socket kept open, got {got}"
        )


@pytest.mark.rule(1, 6)
async def test_up_to_three_messages_in_a_second_reach_every_socket(app):
    async with never_blocks(STALL):  # lesson 04: join the room before accepting, or a client misses the room
        await in_its_group_once_open(app)
    async with alice_and_bob(app, STALL) as (alice, bob):
        texts = ["a0", "  a1, indented", "a2 on\ntwo lines\n"]  # 3 within 1 s: the limit
        own, heard = await answered(alice, *texts), await next_frames(bob, LIMIT)
        assert messages_in(heard) == texts, (
            f"alice sent 3 messages within 1 s, the limit: bob must hear each as sent, never stripped: got {heard}"
        )
        assert messages_in(own) == texts, f"the sender is in the room too and hears its 3 messages as sent, got {own}"
        assert await nothing_more(bob), "bob heard more than the 3 messages alice sent"
    proved("boundaries", 1)


@pytest.mark.rule(2, 6)
async def test_the_fourth_message_in_a_second_is_an_error_for_the_sender_only(app):
    async with alice_and_bob(app, STALL) as (alice, bob):
        own, heard = await answered(alice, "a0", "a1", "a2", "a3"), await next_frames(bob, LIMIT)
        assert len(errors_in(own)) == 1 and sorted(messages_in(own)) == ["a0", "a1", "a2"], (
            f'alice sent 4: she gets her 3 back, and the 4th message within 1 s must get one {{"error": ...}}, got {own}'
        )
        assert messages_in(heard) == ["a0", "a1", "a2"], f"bob must hear the first 3 messages, got {heard}"
        assert await nothing_more(bob), "a message over the limit reached another socket: an error only"
        assert not alice.future.done(), "the flooder's socket was closed: a flood gets errors, the socket kept open"
    proved("boundaries", 1)


@pytest.mark.rule(2, 6)
async def test_a_long_flood_keeps_its_socket_open_and_a_refused_message_is_never_heard(app, clock):
    async with alice_and_bob(app, STALL) as (alice, bob):
        own = await answers_to_a_flood(alice, 15)  # a0 to a14: what came back up to a close, or silence
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
    proved("boundaries", 1)


@pytest.mark.rule(2, 6)
async def test_after_a_second_the_flooder_may_speak_again(app, clock, monkeypatch):
    async with alice_and_bob(app, STALL) as (alice, bob):
        burst, heard, own = await a_second_of_bursts(alice, bob, clock, monkeypatch, PERIOD)
        assert len(errors_in(burst)) == 1 and messages_in(burst) == ["a0", "a1", "a2"], (
            f"half a second after a0 alice sent a1, a2, a3, her 4th within 1 s, and got {burst}. {RULE}"
        )
        if not (messages_in(heard) == ["a4"] and await nothing_more(bob)):
            pytest.fail(
                f"a second after her first message alice sent 2 more, and bob got {heard}: the window slides, so the "
                f"first one left it and one new message fits (the other 2 of that second still count). "
                f"{await window_fault(app, clock)}. {RULE}",
                pytrace=False,
            )
        assert len(errors_in(own)) == 1 and messages_in(own) == ["a4"], f"a4 fits the window, a5 does not: got {own}"


async def window_fault(app, clock) -> str:
    """Why a window stayed full, found by a second run with the wall clock steady: 3 sent, 1 refused, then 3 more.

    A second and 0.15 s after the first 3 (0.65 s after the refused one) the 3 more all fit a sliding window that
    counts only what went out; a window that keeps old entries refuses all 3, one that counted the refused one 1.
    """
    async with alice_and_bob(app, STALL) as (carol, dave):
        await answered(carol, "c0", "c1", "c2")
        await clock.passes(PERIOD / 2)
        await answered(carol, "c3")  # the 4th within a second: refused
        await clock.passes(PERIOD / 2 + 0.15)  # c0-c2 are over a second old, c3 is not
        refused = len(errors_in(await answered(carol, "c4", "c5", "c6")))
        await drain(dave)
    if refused == LIMIT:
        return "Messages over a second old still count: drop each one from the window once it is a second old"
    if refused:
        return (
            "A refused message counted in the window: only a message that went out counts, or a socket that keeps "
            "trying stays silenced"
        )
    return f"With the wall clock steady the window slides: {MONOTONIC}"


@pytest.mark.rule(4, 6)
async def test_a_binary_frame_never_crashes_the_consumer(app):
    async with alice_and_bob(app, STALL) as (alice, bob):
        await alice.send_to(bytes_data=b"\x00\xff not text")  # a client may send one: its event has no "text"
        await say(alice, "after")
        for who, communicator in (("alice", alice), ("bob", bob)):
            got = await frames_until(communicator, {"message": "after"})  # a crash (1011) told, as text, in its place
            allowed = [{"message": ""}, {"message": "after"}, *(errors_in(got) if who == "alice" else [])]
            assert got[-1:] == [{"message": "after"}] and all(f in allowed for f in got), (
                f'alice sent a binary frame (no "text"), then "after", and {who} got {got}: a frame never crashes the '
                'consumer; answer it with {"error": ...} to its sender alone (or pass it on as the empty message)'
            )


@pytest.mark.rule(5, 6)
async def test_a_socket_leaves_the_room_however_its_consumer_ends(app):
    await leaves_however_it_ends(app, GROUP, STALL)  # a disconnect, whatever its code, and a cancel
    await leaves_when_the_server_send_fails(app, GROUP)  # and an OSError from the server's send()


@pytest.mark.rule(3)
async def test_a_socket_that_has_gone_leaves_no_window_behind(app, module):
    await two_gone_leave_nothing(app, module, "Keep a socket's window on its own consumer (self.sent = deque())")


@pytest.mark.rule(5)
async def test_a_consumer_the_server_cancels_ends_cancelled(app):
    await ends_cancelled(app)


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_bad_frame_gets_the_answer_its_exercise_names,
    test_a_message_arrives_unchanged,
    test_a_layer_failure_is_told_never_swallowed,
    test_a_layer_failure_while_joining_is_told,
)
