"""Check 02.1: a raw AsyncConsumer echo, on two sockets at once, that never blocks the event loop.

The task's rules, in its order: 1 a raw AsyncConsumer; 2 text and binary frames come back unchanged, in order; 3 a
frame's kind is the key whose value is not None; 4 two sockets each get their own echoes; 5 the consumer stops after a
disconnect of any code; 6 each echo is sent before websocket_receive returns, and the loop never stalls (never_blocks
around the others). Then the standard battery ([battery.rules] names each behaviour's rule).
"""

import pytest

from channels.consumer import AsyncConsumer

from exercises.probes import NOTHING, answer, close_all, ends_on_disconnect, generic_base, never_blocks, proved
from exercises.probes import connect, reply, running_tasks, sockets, tasks_left
from exercises.probes.sync_and_async import LATE, NOT_AWAITED, echoed, send_frame, sent, watched

EXERCISE, CONSUMER = "02.1", "EchoConsumer"
RULE = "EchoConsumer is a raw AsyncConsumer that sends every frame back unchanged: text as text, bytes as bytes"
# Text (multi-byte and escaped too) and binary frames, every byte value included.
TEXTS = ["one", "été ☃ 🚀", '{"json": "stays text"}', " ", "\u0000"]
BINARIES = [b"two", b"\x00\xff\xfe", "été".encode(), bytes(range(256))]
# A closed tab, a lost network, a code of the page's own (4000-4999): the others stay open and echo.
DISCONNECTS = ((1001, "a closed tab"), (1006, "a lost network"), (4000, "a code the page chose"))


@pytest.mark.rule(1)
def test_it_is_a_raw_async_consumer(module):
    assert issubclass(module.EchoConsumer, AsyncConsumer), (
        "EchoConsumer should subclass channels.consumer.AsyncConsumer, the raw async consumer of lesson 02"
    )
    # AsyncWebsocketConsumer is an AsyncConsumer too, but a generic one: its handlers accept, sort text from
    # bytes and raise StopConsumer for the student, who then writes none of lesson 02's event dicts.
    generic = generic_base(module.EchoConsumer)
    assert generic is None, (
        f"EchoConsumer is built on {generic}, a generic consumer (lesson 03) "
        "whose own handlers accept, tell text from bytes and end the consumer for you: lesson 02 asks for the raw "
        "AsyncConsumer, with websocket_connect, websocket_receive and websocket_disconnect written by you, each "
        "awaiting self.send of a literal event dict"
    )


@pytest.mark.rule(2, 6)
async def test_text_and_binary_frames_come_back_unchanged_in_order(app):
    communicator = await connect(app)
    frames = [frame for pair in zip(TEXTS, [*BINARIES, b"last"], strict=True) for frame in pair]
    async with never_blocks():
        for frame in frames:
            await send_frame(communicator, frame)
        got = [await reply(communicator) for _ in frames]
    await close_all(communicator)
    assert NOTHING not in got[:1], f"nothing came back: {NOT_AWAITED}"
    assert got == [sent(frame) for frame in frames], (
        f"sent {len(frames)} frames, text and binary in turn, and expected each back unchanged and in order "
        f'(a text frame goes back as "text", a binary frame as "bytes"); got {got}'
    )


@pytest.mark.rule(3, 6)
async def test_a_frames_kind_is_the_key_whose_value_is_not_none(app):
    communicator = await connect(app)
    async with never_blocks():
        for key, empty, kind, then in (("text", "", "text", "after"), ("bytes", b"", "binary", "then")):
            await communicator.send_input({"type": "websocket.receive", key: empty})  # send_to() refuses an empty one
            await send_frame(communicator, then)  # its echo ends the wait where the empty frame was dropped
            got = await reply(communicator)
            assert got == sent(empty), (
                f"sent an empty {kind} frame ({key} == {empty!r}), then {then!r}: expected the empty frame back first, "
                f"as an empty {kind} frame, got {got}. An empty {kind} frame is still a {kind} frame, and comes back "
                f"like any other: test `is not None`, not its truth"
            )
            got = await reply(communicator)
            assert got == sent(then), (
                f"after an empty {kind} frame ({key} == {empty!r}, which is not None), expected {then!r} back, got "
                f"{got}: an empty {kind} frame is still a {kind} frame"
            )
        # The ASGI spec lets a server send both keys, the unused one None (Hypercorn does).
        for event, frame in (({"text": None, "bytes": b"\x01"}, b"\x01"), ({"text": "t", "bytes": None}, "t")):
            await communicator.send_input({"type": "websocket.receive", **event})
            got = await reply(communicator)
            assert got == sent(frame), (
                f"a websocket.receive event may hold both keys, the unused one None ({event}): expected "
                f"{sent(frame)}, got {got}. Which key a frame uses is the one whose value is not None"
            )
    await close_all(communicator)
    proved("boundaries", 4)


@pytest.mark.rule(4, 6)
async def test_two_sockets_each_get_their_own_echoes(app):
    first, second = await sockets(app, count=2)
    async with never_blocks():
        for text, binary in zip(TEXTS, BINARIES, strict=False):  # interleaved: one frame on each socket in turn
            await echoed(first, text, "first socket")
            await echoed(second, binary, "second socket")
    for communicator, name in ((first, "first"), (second, "second")):
        assert await answer(communicator, 0.1) == NOTHING, (
            f"the {name} socket received a frame it never sent: each socket gets only its own echoes"
        )
    await close_all(first, second)


@pytest.mark.rule(5, 6)
async def test_the_consumer_stops_after_disconnect(app):
    before = running_tasks()
    opened = await sockets(app, count=3)
    for n, (code, why) in enumerate(DISCONNECTS):
        assert await ends_on_disconnect(opened[n], code), (
            f"the consumer never ended after websocket.disconnect (code {code}, {why}): raise StopConsumer() in "
            "websocket_disconnect, whatever the code, or the instance lives on until the server kills it"
        )
        async with never_blocks():
            for staying in opened[n + 1 :]:
                await echoed(staying, "still here", "a socket still open after another one left")
    left = await tasks_left(before)
    assert not left, f"{len(left)} task(s) still run after every socket closed: nothing may outlive its socket"


@pytest.mark.rule(6)
async def test_each_echo_is_sent_before_websocket_receive_returns(module):
    (communicator,) = await sockets(watched(module.EchoConsumer), count=1)
    for frame in ("one", b"two"):
        await send_frame(communicator, frame)
        got = await reply(communicator)
        assert got == sent(frame), f"expected {frame!r} back unchanged, got {got}"
    await close_all(communicator)
    assert not LATE, (
        f"the echo of {LATE[0]!r} was sent only after websocket_receive() had returned: a send handed to a task "
        "(asyncio.create_task, ensure_future) is not awaited; nothing waits for it, its errors go unseen, and it "
        "may run after the socket has gone. In an AsyncConsumer every self.send(...) is awaited in the handler"
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
)
