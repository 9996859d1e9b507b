"""Check 04.5 (fix): a synchronous consumer calls every channel layer method through async_to_sync.

A message reaches every socket in the room, the sender's too (one sender's in order, each broadcast run to its end,
passed on unchanged, a binary frame to no one); a socket that closed has left the room and its consumer has ended; a
layer failing on send is told, never swallowed; the consumer stays synchronous.
"""

import pytest
from channels.consumer import SyncConsumer

from exercises.probes import AS_SENT, broadcasts_awaited, close_all, connect, failure_not_swallowed, layer_down, load
from exercises.probes import never_blocks, passed_on_unchanged, sockets, unawaited_told, uneven_broadcasts
from exercises.probes import in_its_group_once_open, until
from exercises.probes.waits import or_settled
from exercises.probes.rooms import first_one_leaves, heard_in_room
from .probes import ended_if_it_fails

RULE = (
    "Channel layer methods are coroutine functions: called from synchronous code, one only makes a coroutine, "
    "which nothing runs; a synchronous consumer must have it run to the end on the server's event loop"
)
# The longest stall allowed: a busy machine stalls any process for tens of ms; time.sleep(0.3) is caught.
LAG = 0.25


@pytest.fixture(autouse=True)
def watched_layer(settings):
    """The in-memory layer whatever REDIS_URL says, watching which loop sends."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "exercises.probes.LoopWatchingLayer"}}


@pytest.mark.rule(1, 2)
async def test_a_message_reaches_every_socket_in_the_room():
    consumer = load("04.5", RULE).SyncRoomConsumer
    async with never_blocks(LAG):
        with broadcasts_awaited() as probe:  # sees a group_send that receive() left running
            alice, bob = await sockets(probe.watched(consumer).as_asgi(), "/", count=2)
            # Each group_send a round trip of its own length, as on Redis: awaited, one sender's stay in order.
            async with ended_if_it_fails(alice, bob):
                with unawaited_told(), uneven_broadcasts():  # a coroutine never awaited is told in the sentence
                    for text in ("hello room", " ", "third"):  # " " is text too: a message of spaces
                        await alice.send_to(text_data=text)
                        await alice.send_to(bytes_data=b"\x00 not for the room")  # no text: it goes to no one
                    await bob.send_to(text_data="hi alice")
                    for who, communicator in (("bob", bob), ("alice", alice)):
                        got = [
                            await heard_in_room(communicator, who, RULE, {"alice": alice}, must=not n) for n in range(4)
                        ]
                        from_alice = [frame for frame in got if frame != {"message": "hi alice"}]
                        expected = [{"message": "hello room"}, {"message": " "}, {"message": "third"}]
                        assert from_alice == expected or sorted(map(str, from_alice)) != sorted(map(str, expected)), (
                            f"alice's three messages reached {who}'s socket out of order ({from_alice}): one sender's "
                            "messages reach the room in the order sent, so receive() runs each group_send to the end "
                            "before it returns; a broadcast started and left (run_coroutine_threadsafe, a task) lets a "
                            "later one overtake it on a real layer, whose round trips differ"
                        )
                        assert from_alice == expected, (
                            f"expected alice's three messages, in order, and bob's one on {who}'s socket, got {got}: "
                            "every socket in the room, the sender's included, receives each message, one sender's in "
                            'order, a message of spaces (" ") too, and a binary frame (text_data None) goes to no one'
                        )
                    await alice.send_to(text_data=AS_SENT)  # spaces, line breaks, markup, emoji: what a client may send
                    for who, communicator in (("bob", bob), ("alice", alice)):
                        passed_on_unchanged(await heard_in_room(communicator, who, RULE, {"alice": alice}, True), who)
            # In order all the same (a lock, one worker thread): receive() still did not wait for them.
            assert not probe.late, (
                f"the room heard alice in order, but a group_send outlived the handler that started it "
                f"({probe.late[0]}): a broadcast handed to a task or another thread (run_coroutine_threadsafe "
                "without .result(), an executor) keeps its order only as long as that machinery does, and its "
                "error (ChannelFull, a Redis gone away) reaches no handler, so the message is lost without a trace. "
                "Run each group_send to the end in receive() with async_to_sync(...)(...)"
            )
            await close_all(alice, bob)


@pytest.mark.rule(3)
async def test_a_socket_that_closed_has_left_the_room():
    consumer = load("04.5", RULE).SyncRoomConsumer
    async with never_blocks(LAG):
        await in_its_group_once_open(consumer.as_asgi())
        # The first one in (a channel name kept on the class is the last one's), and her network lost (1006).
        ended, bob = await first_one_leaves(
            consumer.as_asgi(), "fixsyncroom", " (group_discard, run like every layer call)"
        )
        assert ended, (
            "alice's consumer was still running after her socket closed (Daphne kills it and logs that it took "
            "too long to shut down): WebsocketConsumer's own websocket_disconnect calls disconnect(code), then stops "
            "the consumer; override disconnect(), not websocket_disconnect"
        )
        await close_all(bob)


@pytest.mark.rule(4)
async def test_a_layer_failing_on_send_is_not_swallowed(monkeypatch):
    outage = layer_down(monkeypatch, "group_send")  # before connect: a group_send bound there is the stand-in too
    alice = await connect(load("04.5", RULE).SyncRoomConsumer.as_asgi(), "/")
    failure = outage()
    await alice.send_to(text_data="anyone?")
    await until(or_settled(lambda: alice.future.done() or not alice.output_queue.empty()))  # a crash, or an answer
    harm = "no one in the room heard her, and a sender told nothing believes the room did"
    await failure_not_swallowed(alice, failure, "alice", harm, wrong="message")


@pytest.mark.rule(5)
def test_the_consumer_stays_synchronous():
    consumer = load("04.5", RULE).SyncRoomConsumer
    assert issubclass(consumer, SyncConsumer), (
        f"SyncRoomConsumer is now asynchronous (a subclass of {', '.join(c.__name__ for c in consumer.__mro__[1:3])}"
        "): the exercise keeps the consumer synchronous, as a consumer that calls the ORM or other blocking code "
        "is; a synchronous consumer runs each layer call with async_to_sync(...)(...)"
    )


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
