"""Check 01.1: a raw SyncConsumer echo: text back as text, bytes back as bytes, in order, one instance a socket.

The task's rules, in its order: 1 a raw SyncConsumer, no generic one; 2 it accepts the socket; 3 text frames come
back unchanged and in order, an empty one too; 4 a binary frame comes back as the same bytes, an empty one too; 5 an
event with both keys is echoed by the key that is not None; 6 two sockets at once each get their own echo; 7 the
consumer ends once the socket has closed, whatever the code. Then the standard battery of exercise.toml
([battery.rules] names each behaviour's rule).
"""

import pytest

from channels.consumer import SyncConsumer

from exercises.probes import close_all, connect, ends_on_disconnect, generic_base, load, proved, reply, say, sockets
from .probes import echo, still_echoes_after_an_empty

RULE = "EchoConsumer must import and be a class"


def consumer():
    return load("01.1", RULE).EchoConsumer


@pytest.mark.rule(1)
def test_it_is_a_raw_sync_consumer():
    assert isinstance(consumer(), type) and issubclass(consumer(), SyncConsumer), (
        f"EchoConsumer subclasses {[c.__name__ for c in getattr(consumer(), '__mro__', [])[1:]]}: lesson 01 asks "
        "for channels.consumer.SyncConsumer, whose handlers are plain functions run in a thread"
    )
    # WebsocketConsumer is a SyncConsumer too, but a generic one: its handlers accept, sort text from bytes
    # and raise StopConsumer for the student, who then writes none of lesson 01's event dicts.
    generic = generic_base(consumer())
    assert generic is None, (
        f"EchoConsumer is built on {generic}, a generic consumer (lesson 03) "
        "whose own handlers accept, tell text from bytes and end the consumer for you: lesson 01 asks for the raw "
        "SyncConsumer, with websocket_connect, websocket_receive and websocket_disconnect written by you, each "
        "sending a literal event dict"
    )


@pytest.mark.rule(2)
async def test_it_accepts_the_socket():
    communicator = await connect(consumer().as_asgi())
    await close_all(communicator)


@pytest.mark.rule(3)
async def test_text_frames_come_back_unchanged_and_in_order():
    communicator = await connect(consumer().as_asgi())
    texts = ["hello", "été 🎉", "a b\nc", "  spaces kept \n", "x" * 5000]
    await say(communicator, *texts)
    for text in texts:
        got = await reply(communicator)
        assert got == echo(text=text), (
            f"expected the text {text[:20]!r} back, as text and unchanged (every character, spaces and newlines "
            f"too: an echo changes nothing), got {got}"
        )
    await close_all(communicator)


@pytest.mark.rule(4)
async def test_a_binary_frame_comes_back_as_the_same_bytes():
    communicator = await connect(consumer().as_asgi())
    for data in (b"\x00\xff", b"hi"):
        await communicator.send_to(bytes_data=data)
        got = await reply(communicator)
        assert got == echo(bytes=data), (
            f'a binary frame arrives under "bytes" and must go back under "bytes", unchanged: '
            f"expected {data!r} back, got {got}"
        )
    await close_all(communicator)


@pytest.mark.rule(3)
async def test_an_empty_text_frame_does_not_crash_the_consumer():
    rule = "an empty text is still a text frame, and a frame must never crash the consumer"
    await still_echoes_after_an_empty(consumer().as_asgi(), "text", rule)
    proved("boundaries", 1)


@pytest.mark.rule(4)
async def test_an_empty_binary_frame_does_not_crash_the_consumer():
    rule = 'an empty binary frame is still a binary frame, and `if event.get("bytes"):` takes it for a text one'
    await still_echoes_after_an_empty(consumer().as_asgi(), "bytes", rule)
    proved("boundaries", 1)


@pytest.mark.rule(5)
async def test_an_event_with_both_keys_is_echoed_by_the_key_not_none():
    communicator = await connect(consumer().as_asgi())
    # The ASGI spec lets a server send both keys, the unused one None (Hypercorn does).
    for event, expected in (
        ({"text": None, "bytes": b"\x01"}, echo(bytes=b"\x01")),
        ({"text": "t", "bytes": None}, echo(text="t")),
    ):
        await communicator.send_input({"type": "websocket.receive", **event})
        got = await reply(communicator)
        assert got == expected, (
            f"a websocket.receive event may hold both keys, the unused one None ({event}): expected {expected}, "
            f"got {got}. Which key a frame uses is the one whose value is not None"
        )
    await close_all(communicator)


@pytest.mark.rule(6)
async def test_two_sockets_at_once_each_get_their_own_echo():
    first, second = await sockets(consumer().as_asgi(), count=2)
    await first.send_to(text_data="first")
    await second.send_to(bytes_data=b"second")
    await first.send_to(text_data="first again")
    heard = [(second, echo(bytes=b"second")), (first, echo(text="first")), (first, echo(text="first again"))]
    for communicator, expected in heard:
        got = await reply(communicator)
        assert got == expected, f"each socket must hear its own echo, and only its own: expected {expected}, got {got}"
    await ends_on_disconnect(first)
    await second.send_to(text_data="still here")
    got = await reply(second)
    assert got == echo(text="still here"), f"after the other socket closed, this one got {got} instead of its echo"
    await close_all(second)


@pytest.mark.rule(7)
async def test_the_consumer_ends_once_the_socket_has_closed():
    for code in (1000, 1001, 1006):  # a clean close, a closed tab, a lost network
        communicator = await connect(consumer().as_asgi())
        assert await ends_on_disconnect(communicator, code), (
            f"the consumer was still running after websocket.disconnect with code {code}: a raw consumer runs "
            "until one of its handlers raises StopConsumer, whatever the close code (Daphne kills it 10 s later "
            "and logs 'took too long to shut down')"
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
