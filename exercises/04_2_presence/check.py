"""Check 04.2: tell the room who joins and who leaves.

Each socket gets a name of its own ("guest-" and six hex digits), unlike on another server process, every digit
drawn at random; the room hears a join and a leave, whatever the close code; each announcement goes out before its
handler returns; a frame from a client reaches no one; a socket that closed has left the group, before its leave
went out, and left nothing behind.
"""

import pytest

from exercises.probes import broadcasts_awaited, close_all, ends_on_disconnect, frame, hears, in_its_group_once_open
from exercises.probes import kept_by, members, never_blocks, nothing_kept, nothing_more, proved
from .probes import (
    GROUP,
    draws_repeat,
    every_digit_varies,
    every_draw_zero,
    group_sends_noted,
    joined,
)
from .probes import leave_heard
from .probes import another_process as another_process
from .probes import warmed_up as warmed_up  # conftest's, its warm-up ended on an event

EXERCISE, CONSUMER = "04.2", "PresenceConsumer"
RULE = 'PresenceConsumer joins "expresence" and announces {"joined": <name>} and {"left": <name>}'
LAG = 0.08  # the longest stall in your code (a busy machine's is not): a time.sleep(0.1) "flood guard" is caught


@pytest.mark.rule(1, 2)
async def test_each_socket_gets_a_name_of_its_own_on_every_server_process(warmed_up, another_process, monkeypatch):
    draws_repeat(
        monkeypatch, EXERCISE
    )  # each run the same names: a small range or a lost 0 is judged below, not by luck
    async with never_blocks(LAG):
        opened = [await joined(warmed_up, who) for who in ("alice", "bob", "carol")]
        assert len({communicator.name for communicator in opened}) == 3, (
            f"three sockets were announced as {[c.name for c in opened]}: each socket needs a name of its own, drawn "
            "afresh for each connection (a generator seeded the same way draws the same name every time)"
        )
        await close_all(*opened)
        assert not any(communicator.future.cancelled() for communicator in opened), (
            "a consumer was still running after websocket.disconnect: wherever the group is left, websocket_disconnect "
            "must raise StopConsumer(), or a closed socket's consumer waits until the server cancels it"
        )
    # Each server process imports the file afresh: whatever a process counts or seeds starts over in each.
    first, second = [await joined(another_process(), f"the first socket on {w} process") for w in ("one", "another")]
    assert first.name != second.name, (
        f"the first socket of each of two server processes was announced as {first.name!r}: a counter, or anything "
        "else a process starts afresh, repeats in every process; draw each name at random (uuid4, secrets)"
    )
    await close_all(first, second)
    proved("boundaries", 3)


@pytest.mark.rule(1)
async def test_every_digit_of_a_name_is_drawn_at_random(warmed_up, another_process, monkeypatch):
    async with never_blocks(LAG):
        opened = [await joined(warmed_up, f"socket {n + 1}") for n in range(20)]
    await close_all(*opened)
    every_digit_varies([communicator.name for communicator in opened])  # twenty names: odds of a miss 1 in 10**8
    every_draw_zero(monkeypatch)  # os.urandom's and random's draws all 0: a first hex digit of 0, one in sixteen
    await close_all(await joined(another_process(), "a socket whose random draw came out 0"))


@pytest.mark.rule(2)
async def test_the_room_hears_a_join_and_a_leave(warmed_up):
    async with never_blocks(LAG):
        await in_its_group_once_open(warmed_up)
        bob, alice = await joined(warmed_up, "bob"), await joined(warmed_up, "alice")
        await hears({"bob": bob}, [{"joined": alice.name}])
        carol = await joined(warmed_up, "carol")
        await hears({"bob": bob, "alice": alice}, [{"joined": carol.name}], " (carol came)")
        await leave_heard(bob, 1006, (alice, carol))  # 1006: his network dropped
        await leave_heard(carol, 1000, (alice,))
        assert await nothing_more(alice, 0.1), "alice heard more than the joins and leaves of the others"
        await close_all(alice)


@pytest.mark.rule(3)
async def test_each_announcement_goes_out_before_its_handler_returns(module, in_memory_layer):
    with broadcasts_awaited() as probe:  # sees a group_send its handler left running
        watched = probe.watched(module.PresenceConsumer).as_asgi()
        alice, bob = await joined(watched, "alice"), await joined(watched, "bob")
        await frame(alice)  # bob's join
        await ends_on_disconnect(bob, 1000)
        await frame(alice)  # bob's leave
        await close_all(alice)
    assert not probe.late, (
        f"a group_send outlived the handler that started it ({probe.late[0]}): one handed to a task (ensure_future, "
        "create_task) runs on after it, even after its consumer has ended, its error lost. Await each in the handler"
    )


@pytest.mark.rule(4)
async def test_a_frame_from_a_client_reaches_no_one(warmed_up):
    async with never_blocks(LAG):
        alice, bob = await joined(warmed_up, "alice"), await joined(warmed_up, "bob")
        await frame(alice)  # bob's join
        for text in ("hello", '{"joined": "mallory"}', '{"type": "presence", "left": "alice"}', "[1]", "null", b"\0"):
            await alice.send_to(**{"bytes_data" if isinstance(text, bytes) else "text_data": text})
        for communicator in (alice, bob):
            assert await nothing_more(communicator, 0.1), (
                f"a frame from alice's client made {communicator.who}'s socket receive {await frame(communicator)}: "
                "this room only announces joins and leaves, and a client can never announce anything itself"
            )
        await close_all(alice, bob)
    proved("bad frames", 6)


@pytest.mark.rule(5)
async def test_a_socket_that_closed_has_left_the_group(module, warmed_up, monkeypatch):
    held, told = kept_by(module), group_sends_noted(monkeypatch)  # each message, with who was in the group
    async with never_blocks(LAG):
        alice, bob = await joined(warmed_up, "alice"), await joined(warmed_up, "bob")
        joins = len(told)  # what goes out from here on and names bob is his leave, whatever its keys
        await ends_on_disconnect(bob, 1001)  # his tab went away
        assert members(GROUP) == {alice.channel}, (
            f"bob's socket closed, and the group \"expresence\" holds {len(members(GROUP))} channel(s), not alice's "
            "alone: leave the group on disconnect (group_discard), just your own, whatever the close code (1001 here)"
        )
        early = [message for message, to in told[joins:] if bob.name in str(message) and bob.channel in to]
        assert not early, (
            f"bob's leave ({early[:1]}) went out while his own channel was still in the group: a copy was queued "
            "on a channel nobody reads again. Leave the group first (group_discard), then announce the leave"
        )
        await close_all(alice)
    nothing_kept(held, module, "alice and bob have closed", "a random name needs no list of names: keep it on self")


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_layer_failure_while_joining_is_told,
)
