"""Check 04.3 (fix): a layer message's type names its handler, so every socket in the room hears each message.

A message reaches every socket in the room (in it once open), passed on unchanged; one sender's messages arrive in
the order sent, each broadcast awaited; a frame without text reaches no one; a socket that closed has left the room
and its consumer has ended. A coroutine never awaited is told in the sentence of the test that meets it.
"""

import pytest

from exercises.probes import AS_SENT, UNAWAITED, broadcasts_awaited, close_all, members, never_blocks, never_sleeps
from exercises.probes import nothing_more, passed_on_unchanged, proved, sockets, uneven_broadcasts
from exercises.probes.rooms import a_room_of_round_trips  # noqa: F401 - a fixture, used by pytestmark below
from exercises.probes.rooms import first_one_leaves, heard_in_room

RULE = (
    'Every socket in the room, the sender\'s included, must receive {"message": m}: Channels calls the handler '
    'of a layer message the way it calls the handler of every event, from its "type"'
)
EXERCISE, CONSUMER, GROUP = "04.3", "RoomConsumer", "fixroom"
pytestmark = pytest.mark.usefixtures("a_room_of_round_trips")  # the layer, a warm-up and unawaited coroutines told
# The longest stall allowed in your code: only a stall with your file on the loop's stack counts, so a busy machine
# is not blamed, and a time.sleep(0.1) "flood guard" per frame is caught.
LAG = 0.08


async def heard(communicator, who: str, everyone: dict) -> object:  # a crash of any of `everyone`'s told, with RULE
    return await heard_in_room(communicator, who, RULE, everyone)


@pytest.mark.rule(1)
async def test_a_message_reaches_every_socket_in_the_room(app):
    async with never_sleeps(), never_blocks(LAG):  # a long stall is told by its length, a short sleep by its call
        alice, bob, carol = await sockets(app, "/", count=3)
        everyone = {"bob": bob, "carol": carol, "alice": alice}  # alice's own socket last
        assert len(members(GROUP)) == 3, (
            f'{len(members(GROUP))} of 3 accepted sockets are in the group "fixroom": join the room before accepting '
            "(a Redis group_add takes a round trip), so that a client that sees its socket open hears the room"
            + UNAWAITED.said()
        )
        await alice.send_to(text_data="hello room")
        await bob.send_to(text_data=" ")  # spaces are text too: a message like any other
        for who, communicator in everyone.items():
            got = [await heard(communicator, who, everyone), await heard(communicator, who, everyone)]
            assert got == [{"message": "hello room"}, {"message": " "}], (
                f'expected {{"message": "hello room"}} then {{"message": " "}} on {who}\'s socket, got '
                f'{got}. {RULE}, and that handler sends {{"type": "websocket.send", "text": ...}} to its socket; a text '
                "frame of spaces is a message too, passed on as it came" + UNAWAITED.said()
            )
        await alice.send_to(text_data=AS_SENT)  # spaces, line breaks, markup, emoji: what a client may send
        for who, communicator in everyone.items():
            passed_on_unchanged(await heard(communicator, who, everyone), who)
        await close_all(*everyone.values())


@pytest.mark.rule(2)
async def test_one_senders_messages_arrive_in_the_order_sent(module):
    async with never_sleeps(), never_blocks(LAG):
        with broadcasts_awaited() as probe:  # sees a group_send its handler left running
            alice, bob = await sockets(probe.watched(getattr(module, CONSUMER)).as_asgi(), "/", count=2)
            everyone = {"alice": alice, "bob": bob}
            sent = ["one", "two", "three"]
            with uneven_broadcasts():  # each group_send a round trip of its own length, as on Redis
                for text in sent:
                    await alice.send_to(text_data=text)
                for who, communicator in (("bob", bob), ("alice", alice)):
                    got = [await heard(communicator, who, everyone) for _ in sent]
                    expected = [{"message": text} for text in sent]
                    assert got == expected, (
                        f"alice sent {sent} and {who}'s socket received {got}: one sender's messages reach the room "
                        "in the order sent. Await each group_send in websocket_receive: one left to a task is "
                        "overtaken on a real layer, whose round trips differ"
                    )
            # In order all the same (a queue, a chain of tasks, a lock): the handler still did not wait for them.
            assert not probe.late, (
                f"the room heard alice in order, but a group_send outlived the handler that started it "
                f"({probe.late[0]}): a broadcast handed to a task (or a queue another task empties) is in order by "
                "luck, and its error reaches no handler. Await each group_send in websocket_receive itself"
            )
            await close_all(*everyone.values())


@pytest.mark.rule(3)
async def test_a_frame_without_text_reaches_no_one(app):
    async with never_sleeps(), never_blocks(LAG):
        alice, bob = await sockets(app, "/", count=2)
        everyone = {"alice": alice, "bob": bob}
        await alice.send_to(bytes_data=b"hello room")
        await alice.send_input({"type": "websocket.receive", "text": ""})
        proved("bad frames", 2)
        for who, communicator in (("alice", alice), ("bob", bob)):
            assert await nothing_more(communicator, 0.1), (
                f"a binary or empty frame from alice reached {who}'s socket: only a text frame goes to the room"
            )
        await bob.send_to(text_data="still here")
        got = await heard(alice, "alice", everyone)
        assert got == {"message": "still here"}, f'then alice expected {{"message": "still here"}}, got {got}'
        await close_all(*everyone.values())


@pytest.mark.rule(4)
async def test_a_socket_that_closed_has_left_the_room(app):
    async with never_sleeps(), never_blocks(LAG):
        # The first one in (a channel name kept on the class is the last one's), and her network lost (1006).
        ended, bob = await first_one_leaves(app, GROUP, said=UNAWAITED.said)
        assert ended, (
            "alice's consumer was still running after her websocket.disconnect (Daphne kills it and logs that it "
            "took too long to shut down): a raw consumer ends itself in websocket_disconnect with StopConsumer"
        )
        await bob.send_to(text_data="anyone?")
        got = await heard(bob, "bob", {"bob": bob})
        assert got == {"message": "anyone?"}, f'after alice left, expected {{"message": "anyone?"}}, got {got}'
        await close_all(bob)


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
