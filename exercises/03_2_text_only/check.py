"""Check 03.2: a WebsocketConsumer that echoes text on each socket and refuses every binary frame politely.

The task's rules, in its order: 1 a WebsocketConsumer; 2 text frames come back unchanged on each socket; 3 an empty
text frame is not refused as a binary one; 4 a binary frame gets a JSON {"error": ...} and text still echoes. Then
the standard battery ([battery.rules] names each behaviour's rule).
"""

import json

import pytest
from channels.generic.websocket import WebsocketConsumer

from exercises.probes import NOTHING, close_all, crashed, nothing_more, proved, reply, sockets, target
from exercises.probes import told_on_its_frame

TEXTS = ["hello", "été ☃ 🚀", '{"error": "only looks like one"}', " ", "x" * 70_000]
# Binary frames of every kind: empty, not UTF-8, valid UTF-8 text, JSON, every byte value, large.
BINARIES = [b"", b"\x00", b"\xff\xfe\xfd", b"hello", b'{"a": 1}', bytes(range(256)), b"\x80" * 70_000]


def app():
    return target("03.2").TextOnlyConsumer.as_asgi()


async def send(communicator, event: dict) -> None:
    """Send one websocket.receive event; a consumer that already crashed fails the check with a sentence."""
    try:
        await communicator.send_input({"type": "websocket.receive", **event})
    except Exception as error:  # the student's consumer raised on an earlier frame
        pytest.fail(crashed(error), pytrace=False)


async def echoes(communicator, text: str, where: str, **unused) -> None:
    await send(communicator, {"text": text, **unused})
    got = await reply(communicator)
    assert got == {"type": "websocket.send", "text": text}, (
        f"{where}: expected the text frame {text[:40]!r} back unchanged, got {str(got)[:200]}: "
        "a text frame is echoed exactly as it came"
    )


async def refusal(communicator, other, payload: bytes, **unused) -> object:
    """The text frame a binary `payload` gets back, decoded; the other socket hears nothing, and text still echoes."""
    # The raw event, as Daphne sends it: the communicator's send_to() refuses an empty payload, a client does not.
    # With `unused` (text=None), the event carries both keys, as an ASGI server may send it.
    await send(communicator, {"bytes": payload, **unused})
    sent = f"{len(payload)} bytes: {payload[:12]!r}" + (
        ', its event {"bytes": ..., "text": None}, valid ASGI' if unused else ""
    )
    got = await told_on_its_frame(reply(communicator), f"a binary frame ({sent})")
    assert isinstance(got, dict) and got.get("type") == "websocket.send" and isinstance(got.get("text"), str), (
        f'a binary frame ({sent}) gets a text frame {{"error": "<why>"}} back '
        f"and the socket stays open, got {str(got)[:200]}"
    )
    assert await nothing_more(other, 0.02), "a binary frame on one socket got an answer on another socket"
    await echoes(communicator, "still here", f"after the error for {payload[:12]!r}, the socket stays open")
    try:
        return json.loads(got["text"])
    except ValueError:
        return got["text"]


@pytest.mark.rule(1)
def test_it_is_a_websocket_consumer():
    assert issubclass(target("03.2").TextOnlyConsumer, WebsocketConsumer), (
        "TextOnlyConsumer should subclass channels.generic.websocket.WebsocketConsumer, the sync generic consumer"
    )


@pytest.mark.rule(2)
async def test_text_frames_come_back_unchanged_on_each_socket():
    first, second = await sockets(app(), count=2)
    for text in TEXTS:  # interleaved: one frame on each socket in turn
        await echoes(first, text, "first socket")
        await echoes(
            second, text[::-1], 'second socket, its events {"text": ..., "bytes": None} (valid ASGI)', bytes=None
        )
    for communicator, name in ((first, "first"), (second, "second")):
        assert await reply(communicator, 0.05) == NOTHING, (
            f"the {name} socket received a frame it never sent: each socket gets only its own echoes"
        )
    await close_all(first, second)


@pytest.mark.rule(3)
async def test_an_empty_text_frame_is_not_refused_as_a_binary_one():
    (communicator,) = await sockets(app(), count=1)
    await send(communicator, {"text": ""})  # send_to() refuses an empty text; a client can send one
    await send(communicator, {"text": "after"})
    got = await reply(communicator)
    if got == {"type": "websocket.send", "text": ""}:  # the empty text back is right; nothing back is too
        got = await reply(communicator)
    assert got == {"type": "websocket.send", "text": "after"}, (
        f'after an empty text frame (text_data == "", which is not None), expected "after" back, got '
        f"{str(got)[:200]}: an empty text is still a text frame, and only a binary frame gets the error"
    )
    await close_all(communicator)
    proved("boundaries", 1)


@pytest.mark.rule(4)
async def test_a_binary_frame_gets_an_error_and_text_still_echoes():
    first, second = await sockets(app(), count=2)
    for payload in BINARIES:
        await refusal(first, second, payload)
        await refusal(first, second, payload, text=None)  # both keys, the text None: a server may send that
    await close_all(first, second)
    proved("bad frames", 2 * len(BINARIES))
    proved("boundaries", 2)


@pytest.mark.rule(4)
async def test_the_error_is_a_json_object_with_an_error_key():
    first, second = await sockets(app(), count=2)
    for payload in BINARIES:  # readable ones too: b"hello" is no text frame, however it decodes
        error = await refusal(first, second, payload)
        assert isinstance(error, dict) and isinstance(error.get("error"), str) and error["error"], (
            f'a binary frame ({payload[:12]!r}) gets the text frame {{"error": "<why>"}}, a JSON object whose "error" '
            f"is a sentence, whatever its bytes would decode to; got {str(error)[:80]!r}"
        )
    await close_all(first, second)


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
)
