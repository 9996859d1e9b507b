"""Check 03.3 (fix): in an async consumer every send is awaited, in order.

The task's rules, in its order: 1 it is still an AsyncWebsocketConsumer; 2 a text frame is answered politely, the
text exactly as it came, with no coroutine left unawaited; 3 an empty text frame is answered; 4 a binary frame is
not; 5 two sockets each get their answers in order; 6 each answer is sent before receive() returns, and the loop
never stalls. Then the standard battery ([battery.rules] names each behaviour's rule).
"""

import pytest
from channels.consumer import SyncConsumer
from channels.generic.websocket import AsyncWebsocketConsumer

from exercises.probes import NOTHING, answer, close_all, load, never_blocks, reply, sockets
from exercises.probes.json_frames import answered_in_receive, exchange

RULE = "In an async consumer, self.send(...) returns a coroutine, and a coroutine that nothing runs sends nothing"


def consumer() -> type:
    return load("03.3", RULE).PoliteEchoConsumer


@pytest.mark.rule(1)
def test_it_is_still_an_async_websocket_consumer():
    polite = consumer()
    if issubclass(polite, SyncConsumer):
        pytest.fail(
            f"PoliteEchoConsumer is now a {polite.__mro__[1].__name__}, a synchronous consumer: the fix is the "
            "missing await, not a sync consumer (every sync consumer of a process shares one thread, so one slow "
            "frame holds them all up). Keep it an AsyncWebsocketConsumer and await the send",
            pytrace=False,
        )
    assert issubclass(polite, AsyncWebsocketConsumer), (
        f"PoliteEchoConsumer is now a {polite.__mro__[1].__name__}, no longer an AsyncWebsocketConsumer: the "
        "mistake is one line of receive; keep the class and await the send"
    )


@pytest.mark.rule(2)
async def test_a_text_frame_is_answered_politely():
    answers, runtime_warnings = await exchange(consumer().as_asgi(), ["hello"], RULE)
    if answers[0] == NOTHING and runtime_warnings:
        raise AssertionError(f"no answer, and Python warned: RuntimeWarning: {runtime_warnings[0]}. {RULE}")
    unawaited = [w for w in runtime_warnings if "was never awaited" in w]
    assert not unawaited, (
        f"the answer came, but Python still warned: RuntimeWarning: {unawaited[0]}: a call without await is "
        f"left somewhere (the old line beside the new one?); every coroutine is awaited or not made at all. {RULE}"
    )
    assert answers[0] == {"type": "websocket.send", "text": "you said: hello"}, (
        f'expected the text frame "you said: hello", got {answers[0]}: a send is a str in text_data. {RULE}'
    )


@pytest.mark.rule(2, 5, 6)
async def test_answers_come_in_order_on_each_of_two_sockets():
    first, second = await sockets(consumer().as_asgi(), count=2)
    frames = ["first", "  second  ", "été ☃ 🚀", '{"json": 1}', "last\n"]  # spaces and all: t exactly as it came
    async with never_blocks():
        for text in frames:  # both sockets send all their frames before reading any answer
            await first.send_to(text_data=text)
            await second.send_to(text_data=text.upper())
        for communicator, sent, name in ((first, frames, "first"), (second, [t.upper() for t in frames], "second")):
            got = [await reply(communicator) for _ in sent]
            texts, expected = (
                [a.get("text") if isinstance(a, dict) else a for a in got],
                [f"you said: {t}" for t in sent],
            )
            assert texts == expected, (
                f"the {name} socket sent {sent} and expected one polite answer to each, in order, got {texts}: "
                f"{why_not_in_order(texts, expected)}"
            )
            assert await answer(communicator, 0.05) == NOTHING, f"the {name} socket got more answers than frames"
    await close_all(first, second)


def why_not_in_order(texts: list, expected: list[str]) -> str:
    """What the answers of one socket got wrong, said only as far as it is so."""
    if NOTHING in texts or not all(isinstance(text, str) for text in texts):
        return f"an answer is missing or is no text. A send is a str in text_data. {RULE}"
    if [" ".join(text.split()) for text in texts] == [" ".join(text.split()) for text in expected]:
        return (
            "the answers hold each frame with its spaces or line breaks changed (stripped, or collapsed): each frame "
            "is answered exactly as it came, its spaces too"
        )
    if sorted(texts) == sorted(expected):
        return "every answer came, out of order: await each send in receive(), so each frame is answered in turn"
    return "each frame gets its own answer on its own socket, the frame exactly as it came (its spaces too)"


@pytest.mark.rule(3, 4)
async def test_an_empty_text_frame_is_answered_and_a_binary_frame_is_not():
    communicator = (await sockets(consumer().as_asgi(), count=1))[0]
    await communicator.send_input({"type": "websocket.receive", "text": ""})  # send_to() refuses an empty text
    await communicator.send_to(text_data="next")  # its answer comes first if the empty one gets none: no wait
    got = await reply(communicator)
    assert got == {"type": "websocket.send", "text": "you said: "}, (
        f'an empty text frame (text_data == "", which is not None), then "next": the empty one must get its answer '
        f'"you said: " first, got {got}: test whether text_data is None, not whether it is truthy'
    )
    got = await reply(communicator)
    assert got == {"type": "websocket.send", "text": "you said: next"}, f'expected "you said: next", got {got}'
    for data in (b"hello", b""):
        await communicator.send_input({"type": "websocket.receive", "bytes": data})
    await communicator.send_to(text_data="after")
    got = await reply(communicator)
    assert got == {"type": "websocket.send", "text": "you said: after"}, (
        f'two binary frames, then the text "after": expected only "you said: after", got {got} first: a binary '
        "frame (text_data None) gets no answer, as the consumer did before the fix"
    )
    await close_all(communicator)


@pytest.mark.rule(6)
async def test_each_answer_is_sent_before_receive_returns():
    watched = answered_in_receive(consumer())
    (communicator,) = await sockets(watched.as_asgi(), count=1)
    for text in ("one", "two"):
        await communicator.send_to(text_data=text)
        got = await reply(communicator)
        assert got == {"type": "websocket.send", "text": f"you said: {text}"}, f'expected "you said: {text}", got {got}'
    await close_all(communicator)
    assert not watched.late, (
        f"the answer to {watched.late[0]!r} was sent only after receive() had returned: a send handed to a task "
        "(asyncio.create_task, ensure_future) is not awaited; nothing waits for it, its errors go unseen, and it "
        f"may run after the socket has gone. {RULE}"
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
