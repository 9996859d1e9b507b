"""Check 02.1: a raw AsyncConsumer echo, on two sockets at once, that never blocks the event loop."""

from channels.consumer import AsyncConsumer

from exercises.probes import (
    NOTHING,
    CountedSends,
    answer,
    close_all,
    connect,
    ends_on_disconnect,
    generic_base,
    never_blocks,
    proved,
    reply,
    running_tasks,
    sockets,
    target,
    tasks_left,
)

# Text (multi-byte and escaped too) and binary frames, every byte value included.
TEXTS = ["one", "été ☃ 🚀", '{"json": "stays text"}', " ", "\u0000"]
BINARIES = [b"two", b"\x00\xff\xfe", "été".encode(), bytes(range(256))]


def consumer():
    return target("02.1").EchoConsumer


LATE: list[str | bytes] = []  # the frames whose echo was sent only after websocket_receive() had returned


def watched():
    """The student's consumer, noting each frame whose echo was not sent by the time websocket_receive() returned."""

    class Watched(CountedSends, consumer()):
        async def websocket_receive(self, event):
            before = self.sent
            await super().websocket_receive(event)
            if self.sent == before:
                LATE.append(event["text"] if event.get("text") is not None else event.get("bytes"))

    return Watched.as_asgi()


def sent(frame: str | bytes) -> dict:
    """The websocket.send event that echoes `frame`: text stays "text", bytes stay "bytes"."""
    return (
        {"type": "websocket.send", "text": frame}
        if isinstance(frame, str)
        else {"type": "websocket.send", "bytes": frame}
    )


async def send(communicator, frame: str | bytes) -> None:
    if isinstance(frame, str):
        await communicator.send_to(text_data=frame)
    else:
        await communicator.send_to(bytes_data=frame)


async def echoed(communicator, frame: str | bytes, where: str) -> None:
    """`frame` sent on `communicator` comes back unchanged, as the same kind of frame."""
    await send(communicator, frame)
    got = await reply(communicator)
    assert got != NOTHING, (
        f"{where}: nothing came back for {frame!r}: an AsyncConsumer's self.send(...) is a coroutine, "
        "and it sends only when awaited"
    )
    assert got == sent(frame), (
        f"{where}: expected {frame!r} back unchanged, got {got}: a text frame goes back as "
        '"text", a binary frame as "bytes", each exactly as it came'
    )


def test_it_is_a_raw_async_consumer():
    assert issubclass(consumer(), AsyncConsumer), (
        "EchoConsumer should subclass channels.consumer.AsyncConsumer, the raw async consumer of lesson 02"
    )
    # AsyncWebsocketConsumer is an AsyncConsumer too, but a generic one: its handlers accept, sort text from
    # bytes and raise StopConsumer for the student, who then writes none of lesson 02's event dicts.
    generic = generic_base(consumer())
    assert generic is None, (
        f"EchoConsumer is built on {generic}, a generic consumer (lesson 03) "
        "whose own handlers accept, tell text from bytes and end the consumer for you: lesson 02 asks for the raw "
        "AsyncConsumer, with websocket_connect, websocket_receive and websocket_disconnect written by you, each "
        "awaiting self.send of a literal event dict"
    )


async def test_text_and_binary_frames_come_back_unchanged_in_order():
    communicator = await connect(consumer().as_asgi())
    frames = [frame for pair in zip(TEXTS, [*BINARIES, b"last"], strict=True) for frame in pair]
    async with never_blocks():
        for frame in frames:
            await send(communicator, frame)
        got = [await reply(communicator) for _ in frames]
    await close_all(communicator)
    assert NOTHING not in got[:1], (
        "nothing came back: an AsyncConsumer's self.send(...) is a coroutine, and it sends only when awaited"
    )
    assert got == [sent(frame) for frame in frames], (
        f"sent {len(frames)} frames, text and binary in turn, and expected each back unchanged and in order "
        f'(a text frame goes back as "text", a binary frame as "bytes"); got {got}'
    )


async def test_a_frames_kind_is_the_key_whose_value_is_not_none():
    communicator = await connect(consumer().as_asgi())
    async with never_blocks():
        await communicator.send_input({"type": "websocket.receive", "text": ""})  # send_to() refuses an empty text
        await send(communicator, "after")
        got = await reply(communicator)
        if got == sent(""):  # the empty text back is right; nothing back is too (Daphne drops it anyway)
            got = await reply(communicator)
        assert got == sent("after"), (
            f'after an empty text frame (text == "", which is not None), expected "after" back, got {got}: '
            "an empty text is still a text frame"
        )
        await communicator.send_input({"type": "websocket.receive", "bytes": b""})  # a client may send one
        await send(communicator, "then")
        got = await reply(communicator)
        if got == sent(b""):  # the empty bytes back is right; nothing back is too
            got = await reply(communicator)
        assert got == sent("then"), (
            f'after an empty binary frame (bytes == b"", which is not None), expected "then" back, got {got}: '
            "an empty binary frame is still a binary frame"
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


async def test_two_sockets_each_get_their_own_echoes():
    first, second = await sockets(consumer().as_asgi(), count=2)
    async with never_blocks():
        for text, binary in zip(TEXTS, BINARIES, strict=False):  # interleaved: one frame on each socket in turn
            await echoed(first, text, "first socket")
            await echoed(second, binary, "second socket")
    for communicator, name in ((first, "first"), (second, "second")):
        assert await answer(communicator, 0.1) == NOTHING, (
            f"the {name} socket received a frame it never sent: each socket gets only its own echoes"
        )
    await close_all(first, second)


async def test_the_consumer_stops_after_disconnect():
    before = running_tasks()
    leaving, staying = await sockets(consumer().as_asgi(), count=2)
    assert await ends_on_disconnect(leaving, 1001), (  # a closed tab; the other one's network is lost (1006)
        "the consumer never ended after websocket.disconnect (code 1001, a closed tab): raise StopConsumer() in "
        "websocket_disconnect, whatever the code, or the instance lives on until the server kills it"
    )
    async with never_blocks():
        await echoed(staying, "still here", "the socket still open after the other one left")
    assert await ends_on_disconnect(staying, 1006), (
        "the consumer never ended after websocket.disconnect (code 1006, a lost network): raise StopConsumer() in "
        "websocket_disconnect, whatever the code"
    )
    (chosen,) = await sockets(consumer().as_asgi(), count=1)
    assert await ends_on_disconnect(chosen, 4000), (  # a page may close with a code of its own (4000-4999)
        "the consumer never ended after websocket.disconnect (code 4000, a code the page chose): raise "
        "StopConsumer() in websocket_disconnect, whatever the code, not only for the codes you know"
    )
    left = await tasks_left(before)
    assert not left, f"{len(left)} task(s) still run after every socket closed: nothing may outlive its socket"


async def test_each_echo_is_sent_before_websocket_receive_returns():
    (communicator,) = await sockets(watched(), count=1)
    for frame in ("one", b"two"):
        await send(communicator, frame)
        got = await reply(communicator)
        assert got == sent(frame), f"expected {frame!r} back unchanged, got {got}"
    await close_all(communicator)
    assert not LATE, (
        f"the echo of {LATE[0]!r} was sent only after websocket_receive() had returned: a send handed to a task "
        "(asyncio.create_task, ensure_future) is not awaited; nothing waits for it, its errors go unseen, and it "
        "may run after the socket has gone. In an AsyncConsumer every self.send(...) is awaited in the handler"
    )
