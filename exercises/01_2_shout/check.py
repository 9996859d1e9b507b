"""Check 01.2: shout every text back in capitals; exactly "bye" closes with 4000, nothing after; binary: no answer.

The task's rules, in its order: 1 ShoutConsumer is a raw SyncConsumer; 2 a text comes back in capitals, spaces and
line breaks as they are; 3 exactly "bye" closes with 4000, its near misses are shouted back; 4 frames the client sent
before it saw that close get no answer; 5 a binary frame gets no answer and the socket stays open; 6 one socket's
"bye" leaves another open; 7 the consumer ends on websocket.disconnect, whatever the code. Then the standard battery
of exercise.toml ([battery.rules] names each behaviour's rule).
"""

import pytest

from exercises.probes import (
    close_all,
    connect,
    ends_on_disconnect,
    nothing_after_close,
    proved,
    reply,
    sockets,
)
from exercises.probes.closing import frames_after_the_close_go_unanswered
from exercises.probes.sync_consumers import CLOSES, ended, raw_sync_consumer

EXERCISE, CONSUMER = "01.2", "ShoutConsumer"
RULE = "ShoutConsumer must import and be a consumer class"
BYE = {"type": "websocket.close", "code": 4000}
# Near misses of "bye": only the exact text closes, everything else is shouted back.
NOT_BYE = ["goodbye", "bye bye", "by", "BYE", "Bye", " bye", "bye\n", "byebye"]
# What a client may have sent before it saw the server's close: each still arrives, until websocket.disconnect.
IN_FLIGHT = [{"text": "are you there?"}, {"text": "bye"}, {"text": ""}, {"bytes": b"bye"}]


def shout(text: str) -> dict:
    return {"type": "websocket.send", "text": text}


@pytest.mark.rule(1)
def test_it_is_a_raw_sync_consumer(module):
    raw_sync_consumer(  # a generic consumer's close() would write the close event for the student
        module.ShoutConsumer,
        "and close() write the events for you: the task asks for a raw SyncConsumer, whose handlers send literal "
        'event dicts, the close too ({"type": "websocket.close", "code": 4000})',
    )


async def closes_on_bye(communicator) -> None:
    await communicator.send_to(text_data="bye")
    got = await reply(communicator)
    if isinstance(got, dict) and got.get("type") == "websocket.close" and got.get("code") == 4000:
        got = BYE  # a close may carry a "reason" too: the code is what the exercise asks for
    assert got == BYE, (
        f'on "bye", expected a close with code 4000 (the application\'s own range, 4000-4999) and no frame '
        f"first, got {got}"
    )


@pytest.mark.rule(2)
async def test_text_comes_back_in_capitals(app):
    communicator = await connect(app)
    for text, loud in (("hello", "HELLO"), ("été à 5 €", "ÉTÉ À 5 €"), ("ALREADY", "ALREADY"), (" \n", " \n")):
        await communicator.send_to(text_data=text)
        got = await reply(communicator)
        assert got == shout(loud), (
            f"expected {text!r} back in capitals, {loud!r}, got {got}: every text frame is shouted back, spaces "
            "and line breaks as they are, a frame of nothing else too"
        )
    await close_all(communicator)


@pytest.mark.rule(6)
async def test_one_socket_saying_bye_does_not_close_another(app):
    first, second = await sockets(app, count=2)
    await second.send_to(text_data="first words")
    got = await reply(second)
    assert got == shout("FIRST WORDS"), f'expected "FIRST WORDS" back, got {got}'
    await closes_on_bye(first)
    await second.send_to(text_data="still here")
    got = await reply(second)
    assert got == shout("STILL HERE"), (
        f'another socket said "bye": this one must go on as before (one consumer instance per socket, '
        f'nothing shared), expected "STILL HERE", got {got}'
    )
    await close_all(first, second)


@pytest.mark.rule(3, 4)
async def test_bye_closes_the_socket_with_4000_and_sends_nothing_after(app):
    communicator = await connect(app)
    await closes_on_bye(communicator)
    await nothing_after_close(communicator)
    await frames_after_the_close_go_unanswered(communicator, 4000, IN_FLIGHT)


@pytest.mark.rule(3)
async def test_only_the_exact_text_bye_closes_the_socket(app):
    communicator = await connect(app)
    for text in NOT_BYE:
        await communicator.send_to(text_data=text)
        got = await reply(communicator)
        assert got == shout(text.upper()), (
            f'{text!r} is not "bye": only that exact text closes, anything else comes back in capitals. '
            f"Expected {text.upper()!r}, got {got}"
        )
    proved("boundaries", len(NOT_BYE))
    await close_all(communicator)


@pytest.mark.rule(5)
async def test_a_binary_frame_gets_no_answer_and_the_socket_stays_open(app):
    communicator = await connect(app)
    await communicator.send_to(bytes_data=b"bye")
    await communicator.send_input({"type": "websocket.receive", "text": None, "bytes": b"\x00"})  # both keys
    await communicator.send_to(text_data="still here")
    got = await reply(communicator)
    assert got == shout("STILL HERE"), (
        f'a binary frame has no text (event.get("text") is None): it gets no answer and the socket stays open. '
        f'After two binary frames, expected "STILL HERE", got {got}'
    )
    await close_all(communicator)


@pytest.mark.rule(7)
async def test_the_consumer_ends_once_the_socket_has_closed(app):
    why = "a raw consumer runs until one of its handlers raises StopConsumer, whatever the close code"
    for code in CLOSES:
        await ended(await connect(app), code, why)
    communicator = await connect(app)
    await closes_on_bye(communicator)
    assert await ends_on_disconnect(communicator, 4000), (  # the server's websocket.disconnect after that close
        'the consumer closed the socket itself (on "bye") and was still running after the websocket.disconnect '
        "that follows: a close the consumer sends does not end it, only StopConsumer does, raised in "
        "websocket_disconnect whatever the code"
    )


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
)
